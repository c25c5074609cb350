import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
FIXTURES = os.path.join(ROOT, "fixtures")


def pytest_sessionstart(session):
    """The suite starts the command some thousand times: its modules are compiled once here, as an installed
    wheel's are, rather than in every process (a clone's editable install has no bytecode, and
    PYTHONDONTWRITEBYTECODE, where it is set, keeps each process from writing it)."""
    import compileall

    for folder in ("linter", "rules"):
        compileall.compile_dir(os.path.join(ROOT, folder), quiet=2, workers=1)


def pytest_addoption(parser):
    parser.addoption("--snapshot-update", action="store_true",
                     help="write again what the tests compare with, from what the run gives now: the fixtures' "
                          "snapshot (tests/snapshots/fixtures.json), the fixes' golden diffs, the mypy baseline")


@pytest.fixture(scope="session")
def rules():
    from pullcheck.engine.registry import load_rules

    return load_rules()


def run_cli(*args, cwd=None):
    """Run the installed command as a user would, in a separate process."""
    return subprocess.run([sys.executable, "-m", "pullcheck", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


# The command's main() in a child process, with the work its evaluators counted said on the last line of standard
# error: the most steps and items a Terraform root module spent (its Budget) and the CloudFormation evaluator's
# steps (Inputs.cfn_steps). A bound is asserted on these counts, never on the time a run took.
COUNTED = textwrap.dedent("""
    import json, os, sys
    sys.path[:] = [p for p in sys.path if p]  # as python -m pullcheck: nothing from the current folder
    from pullcheck.formats.terraform.budget import Budget
    from pullcheck.graph.model import Inputs
    made = []
    for cls in (Budget, Inputs):
        def __init__(self, *args, _init=cls.__init__, **kwargs):
            _init(self, *args, **kwargs)
            made.append(self)
        cls.__init__ = __init__
    from pullcheck.cli import main
    code = main(sys.argv[1:])
    budgets = [m for m in made if isinstance(m, Budget)]
    counts = {"tf_steps": max([b.steps for b in budgets], default=0),
              "tf_items": max([b.items for b in budgets], default=0),
              "cfn_steps": max([i.cfn_steps for i in made if isinstance(i, Inputs)], default=0)}
    sys.stdout.flush()
    print("counted " + json.dumps(counts), file=sys.stderr, flush=True)
    os._exit(code)
""")


def counted_command(*args):
    """The command line of a child that runs pullcheck with ``args`` and says its counts (COUNTED)."""
    return [sys.executable, "-c", COUNTED, *args]


def take_counts(stderr):
    """(standard error without the counts, the counts or None when the child ended before saying them)."""
    head, _, last = stderr.rstrip("\n").rpartition("\n")
    if not last.startswith("counted "):
        return stderr, None
    return (head + "\n" if head else ""), json.loads(last[len("counted "):])


def run_counted(*args, timeout=120, memory=None, cwd=None):
    """Run the command in a child process (stopped if it hangs past ``timeout`` seconds, and with ``memory``
    limited to that many bytes of address space): the completed process, with the counts taken out of its
    standard error, and the counts (None when the child ended before saying them)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    r = subprocess.run(counted_command(*args), capture_output=True, text=True, timeout=timeout,
                       preexec_fn=limit if memory else None, cwd=cwd or ROOT)
    r.stderr, counts = take_counts(r.stderr)
    return r, counts


def within(count, bound):
    """A count of work within its bound. The charge that passes a bound is made before the work it pays for,
    and each evaluation after it is still charged a step, so a spent budget ends past its bound, but by less
    than the bound itself."""
    return count <= 2 * bound


def lint_paths(paths, rules, select=None, stacks=None, roots=None):
    from pullcheck.engine.stages import lint
    from pullcheck.engine.registry import select_rules

    chosen = select_rules(rules, [select] if select else [], [])
    return lint(paths, chosen, stacks=stacks, roots=roots)


def isolate_tf(path, tmp_path):
    """A Terraform fixture is a module of its own: copy it into an empty folder."""
    folder = tmp_path / os.path.basename(path).replace(".", "_")
    folder.mkdir()
    shutil.copy(path, folder / "main.tf")
    return str(folder / "main.tf")


def pytest_terminal_summary(terminalreporter):
    """What tests/test_tf_oracle.py counted per group (said by each test as a property, so that it also
    comes back from the processes of pytest -n): expressions, matches, unknowns, known differences."""
    rows = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "tf_oracle" and getattr(report, "when", "") == "call":
                    rows.append(json.loads(value))
    if rows:
        total = {k: sum(r[k] for r in rows) for k in ("expressions", "match", "unknown", "differs")}
        terminalreporter.write_line(
            f"Terraform oracle: {total['expressions']} expressions in {len(rows)} groups: {total['match']} as "
            f"Terraform answers, {total['unknown']} unknown to pullcheck, {total['differs']} differ")
        for r in sorted(rows, key=lambda r: r["group"]):
            terminalreporter.write_line(f"  {r['group']}: {r['expressions']} expressions, {r['match']} match, "
                                        f"{r['unknown']} unknown, {r['differs']} differ")
