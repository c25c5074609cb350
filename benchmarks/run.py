"""Benchmark: pullcheck on realistic services, in CPU seconds and as ratios to floors measured in the same run.

    python benchmarks/run.py [--sizes 10,100,1000] [--repeat 3] [--monorepo] [--cold] [--cfn-lint]

Workloads come from ``benchmarks/workloads.py`` (29 resources per service, see there). Every command runs in
its own process; what is reported is the child's CPU time (user + system), its wall time and its peak RSS,
the best of ``--repeat`` runs after one warm-up. Machines are shared and noisy, so each figure is also given
as a ratio to a floor measured in the same run, on the same services:

- CloudFormation and Terraform: libyaml (PyYAML's CSafeLoader) composing the same N services' CloudFormation
  template, in a process of its own (so both sides pay the interpreter's start);
- task definitions: ``json.loads`` of the same N files, in a process of its own;
- start-up: ``python -c pass``.

``--monorepo`` also lints the 1000-file monorepo with one process and with every core (``--jobs``' default),
alternating the two and reporting the median wall times and their ratio, and runs the pre-commit hook's
``--changed`` on one changed file of each kind in it (CPU against the whole monorepo's and start-up's).
``--cold`` also runs the Terraform folder in a new, empty cache home (a first run) beside a warm run.
``--lsp`` speaks to ``pullcheck lsp`` over stdio as an editor does (open, then changes one at a time) and
reports the server's CPU per change on a 33-service Terraform folder and a 1000-resource template.
``--cfn-lint`` adds cfn-lint on the CloudFormation templates (slow: minutes at 1000 services).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

# As installed: pip byte-compiles a package when it installs it, so the runs may read and write .pyc files
# even where the environment turns that off (PYTHONDONTWRITEBYTECODE); the warm-up run writes them.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

_CHILD = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
          "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
          "w = time.perf_counter() - t; r = resource.getrusage(resource.RUSAGE_CHILDREN); "
          "print(r.ru_utime + r.ru_stime, w, r.ru_maxrss)")

_YAML_FLOOR = "import sys, yaml; yaml.compose(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"
_JSON_FLOOR = ("import json, os, sys; d = sys.argv[1]; "
               "[json.loads(open(os.path.join(d, n), 'rb').read()) for n in sorted(os.listdir(d))]")


def once(cmd, env=None):
    """(CPU seconds, wall seconds, peak MB) of one run of ``cmd`` in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _CHILD, *cmd], capture_output=True, text=True,
                         env=env or ENV).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]) / 1024  # ru_maxrss is in KiB on Linux


def best(cmd, repeat, warm=True, env=None):
    if warm:
        once(cmd, env)
    runs = [once(cmd, env) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def row(name, n, run, floor=None):
    cpu, wall, mb = run
    ratio = f"{cpu / floor[0]:.2f}x" if floor else "-"
    print(f"| {name} | {n} | {cpu:.2f} | {wall:.2f} | {mb:.0f} | {ratio} |", flush=True)


def _lsp_cpu_per_change(path, text, changes=10):
    """Median server CPU seconds per change of one document, each change waited for (its diagnostics)."""
    import json
    import statistics
    import time

    proc = subprocess.Popen([sys.executable, "-m", "pullcheck", "lsp"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu():
        with open(f"/proc/{proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    def send(method, params, mid=None):
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if mid is not None:
            msg["id"] = mid
        body = json.dumps(msg).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def read():
        length = 0
        while True:
            line = proc.stdout.readline().strip()
            if not line:
                break
            if line.lower().startswith(b"content-length"):
                length = int(line.split(b":")[1])
        return json.loads(proc.stdout.read(length))

    def published(version):
        while True:
            m = read()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version:
                return

    uri = "file://" + os.path.abspath(path)
    send("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, 1)
    while read().get("id") != 1:
        pass
    send("initialized", {})
    send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "x", "version": 1, "text": text}})
    published(1)
    costs = []
    for v in range(2, changes + 2):
        before = cpu()
        send("textDocument/didChange", {"textDocument": {"uri": uri, "version": v},
                                       "contentChanges": [{"text": text + "\n" * v}]})
        published(v)
        time.sleep(0.05)
        costs.append(cpu() - before)
    send("shutdown", None, 99)
    send("exit", None)
    proc.wait(timeout=30)
    return statistics.median(costs)


# one file of each kind changed in the monorepo, as the pre-commit hook lints it (--changed)
HOOK_CHANGES = (("a .tf file", "team00/infra-000/main.tf"), ("a template", "team00/stacks-001/svc1.yaml"),
                ("a task definition", "team00/taskdefs-002/svc5-taskdef.json"))


def hook_runs(pull, mono, repeat, whole, base):
    """The pre-commit hook's run on one changed file of the monorepo: the repository indexed, the file linted
    with what links to it; its CPU against the whole monorepo's and against start-up."""
    for what, rel in HOOK_CHANGES:
        run = best(pull + ["--infrastructure-only", "--root", mono, "--changed", os.path.join(mono, rel)],
                   max(3, repeat))
        cpu = run[0]
        print(f"| pre-commit hook, {what} changed in the monorepo | 1 | {cpu:.2f} | {run[1]:.2f} | {run[2]:.0f} | "
              f"{cpu / whole[0]:.2f}x the whole monorepo, {cpu / base[0]:.1f}x `python -c pass` |", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--monorepo", action="store_true", help="also the 1000-file monorepo")
    ap.add_argument("--cold", action="store_true", help="also a first Terraform run in an empty cache home")
    ap.add_argument("--cfn-lint", action="store_true", help="also cfn-lint on the CloudFormation templates")
    ap.add_argument("--lsp", action="store_true", help="also the language server's CPU per change")
    ap.add_argument("--keep", help="write the workloads here and keep them")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # one process for the CPU ratios (a run's workers add their CPU); --monorepo also times every core
    pull = [sys.executable, "-m", "pullcheck", "--no-config", "--jobs", "1"]
    tmp = args.keep or tempfile.mkdtemp(prefix="pullcheck-bench-")
    try:
        print("| input | services | CPU s | wall s | peak MB | CPU / floor |")
        print("|---|---|---|---|---|---|")
        base = best([sys.executable, "-c", "pass"], max(5, args.repeat))
        row("`python -c pass` (start-up floor)", 1, base)
        one = os.path.join(tmp, "one")
        workloads.taskdefs(one, 1)
        row("one task definition", 1, best(pull + [os.path.join(one, "svc0.json")], max(5, args.repeat)), base)
        per_service = []
        for n in sizes:
            cf = os.path.join(tmp, "cfn", f"cfn-{n}.yaml")
            os.makedirs(os.path.dirname(cf), exist_ok=True)
            with open(cf, "w") as f:
                f.write(workloads.cfn(n))
            tfd = os.path.join(tmp, "tf", f"tf-{n}")
            workloads.terraform(tfd, n)
            tdd = os.path.join(tmp, "td", f"td-{n}")
            workloads.taskdefs(tdd, n)
            repeat = args.repeat if n < 1000 else max(1, min(args.repeat, 2))
            floor = best([sys.executable, "-c", _YAML_FLOOR, cf], repeat)
            row("floor: libyaml composing the CloudFormation", n, floor)
            row("CloudFormation template", n, best(pull + [cf], repeat), floor)
            tf = best(pull + [tfd], repeat)
            row("Terraform folder", n, tf, floor)
            per_service.append((n, tf[0]))
            if args.cold:  # best of as many first runs (each in a home of its own) as warm runs
                cold = []
                for _ in range(repeat):
                    home = tempfile.mkdtemp(prefix="pullcheck-home-")
                    env = dict(ENV, HOME=home, XDG_CACHE_HOME=os.path.join(home, ".cache"))
                    cold.append(once(pull + [tfd], env))
                    shutil.rmtree(home, ignore_errors=True)
                row("Terraform folder, first run in a new home", n,
                    (min(c[0] for c in cold), min(c[1] for c in cold), max(c[2] for c in cold)), tf)
            jfloor = best([sys.executable, "-c", _JSON_FLOOR, tdd], repeat)
            row("floor: json.loads of the task definitions", n, jfloor)
            row("task-definition files", n, best(pull + [tdd], repeat), jfloor)
            if args.cfn_lint and shutil.which("cfn-lint"):
                row("cfn-lint on the CloudFormation template", n, best([shutil.which("cfn-lint"), cf], 1, warm=False),
                    floor)
        if args.monorepo:
            mono = os.path.join(tmp, "mono")
            workloads.monorepo(mono)
            whole = best(pull + [mono], args.repeat)
            row("monorepo (1000 files, 300 folders), one process", 1000, whole)
            hook_runs(pull, mono, args.repeat, whole, base)
            # every core against one process: medians of alternating runs (a shared machine drifts)
            once(pull[:-2] + [mono])
            alone, every = [], []
            for _ in range(max(5, args.repeat)):
                alone.append(once(pull + [mono]))
                every.append(once(pull[:-2] + [mono]))
            one_wall, all_wall = statistics.median(r[1] for r in alone), statistics.median(r[1] for r in every)
            print(f"| monorepo, every core (the default; {os.cpu_count()} cores) | 1000 | "
                  f"{statistics.median(r[0] for r in every):.2f} | {all_wall:.2f} | {max(r[2] for r in every):.0f} | "
                  f"wall {all_wall / one_wall:.2f}x one process ({one_wall:.2f} s), medians of {len(every)} |")
        if args.lsp:
            folder = os.path.join(tmp, "lsp-tf")
            workloads.terraform(folder, 33)
            ecs = os.path.join(folder, "ecs.tf")
            with open(ecs) as f:
                cost = _lsp_cpu_per_change(ecs, f.read())
            print(f"| language server, a change to ecs.tf of a 33-service folder | 33 | {cost:.3f} | - | - | - |")
            cf = os.path.join(tmp, "lsp.yaml")
            with open(cf, "w") as f:
                f.write(workloads.cfn(35))  # 1,015 resources
            with open(cf) as f:
                cost = _lsp_cpu_per_change(cf, f.read())
            print(f"| language server, a change to a 1,015-resource template | 35 | {cost:.3f} | - | - | - |")
        if len(per_service) > 1:
            print()
            print("Terraform CPU per service: " + ", ".join(f"{n}: {cpu / n * 1000:.2f} ms" for n, cpu in per_service))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
