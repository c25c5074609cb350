"""Terraform's own answers to the expressions of tests/data/tf_oracle, recorded with ``terraform console``.

    python tests/tf_oracle.py [--check] [GROUP ...]

Each group is a Terraform root folder (``main.tf``, maybe variables files, override files and local modules)
with ``expressions.txt``: one expression a line, blank lines and lines starting with ``#`` left out. For
each expression, ``jsonencode(EXPR)`` is given to a ``terraform console`` process of its own (in piped mode
one error ends the whole session), in a copy of the folder, with its own data folder and state path, so
that nothing is written into the case folder. The answers go to ``<group>/answers.json``: for each
expression ``{"json": TEXT}`` (what jsonencode() gives), ``{"error": SUMMARY}`` (the first line of the first
error Terraform reports) or ``{"unknown": true}`` (``(known after apply)``: without a state, a variable
without a value, a resource's attributes), with the Terraform version that answered. With ``--check``,
the answers are asked again and compared with those recorded, and nothing is written.

No provider can be installed offline, so the cases use locals, variables, outputs, local modules and
``terraform_data`` (built into Terraform), whose attributes are unknown to a console without a state.
tests/test_tf_oracle.py holds ``pullcheck console`` to the recorded answers.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_oracle")
ANSWERS = "answers.json"
EXPRESSIONS = "expressions.txt"
TIMEOUT = 60  # seconds for one console process: it only stops a hang


def groups():
    """The case groups, by name."""
    if not os.path.isdir(CASES):
        return []
    return sorted(n for n in os.listdir(CASES) if os.path.isfile(os.path.join(CASES, n, EXPRESSIONS)))


def folder(group):
    return os.path.join(CASES, group)


def expressions(group):
    """The group's expressions, in the order written."""
    with open(os.path.join(folder(group), EXPRESSIONS), encoding="utf-8") as f:
        lines = [line.rstrip("\r\n") for line in f]
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def load_answers(group):
    """(the Terraform version that answered, {expression: answer}); (None, {}) when none are recorded."""
    path = os.path.join(folder(group), ANSWERS)
    if not os.path.isfile(path):
        return None, {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return data.get("terraform_version"), data.get("answers", {})


def terraform_version(terraform="terraform"):
    """The installed Terraform's version ("1.11.4"), or None when there is none."""
    try:
        out = subprocess.run([terraform, "version", "-json"], capture_output=True, text=True, timeout=TIMEOUT,
                             env=_environment(tempfile.gettempdir()))
        return json.loads(out.stdout)["terraform_version"]
    except (OSError, ValueError, KeyError, subprocess.SubprocessError):
        return None


def _environment(data_dir):
    env = dict(os.environ)
    env.update({"TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1", "TF_DATA_DIR": data_dir,
                "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"})
    for name in [k for k in env if k.startswith("TF_VAR_") or k.startswith("TF_CLI_ARGS")]:
        del env[name]  # the answers depend on the case folder alone
    return env


def go_unquote(text):
    """A string as terraform console prints it (Go's strconv.Quote) to its value."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    out, i, body = bytearray(), 0, text[1:-1]
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34, "'": 39}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif e in "uU":
            width = 4 if e == "u" else 8
            out += chr(int(body[i + 2:i + 2 + width], 16)).encode("utf-8", "surrogatepass")
            i += 2 + width
        elif e in "01234567":
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            raise ValueError(f"unknown escape \\{e} in {text!r}")
    return out.decode("utf-8", errors="replace")


def parse_console(code, stdout, stderr):
    """An answer from what ``terraform console`` printed for ``jsonencode(EXPR)``."""
    if code != 0:
        for line in stderr.splitlines():
            if line.startswith("Error: "):
                return {"error": line[len("Error: "):].strip()}
        return {"error": f"terraform console ended with {code} and no error: {stderr.strip()[:200]}"}
    text = stdout.strip()
    if text == "(known after apply)":
        return {"unknown": True}
    return {"json": go_unquote(text)}


def ask(expression, work, env, state):
    """Terraform's answer to one expression, in the folder ``work``."""
    r = subprocess.run(["terraform", "console", "-no-color", f"-state={state}"], input=f"jsonencode({expression})\n",
                       capture_output=True, text=True, cwd=work, env=env, timeout=TIMEOUT)
    return parse_console(r.returncode, r.stdout, r.stderr)


def record(group, jobs=4):
    """Terraform's answers to the group's expressions, asked afresh: {expression: answer}."""
    exprs = expressions(group)
    with tempfile.TemporaryDirectory(prefix="tf-oracle-") as tmp:
        work = os.path.join(tmp, "case")
        shutil.copytree(folder(group), work, ignore=shutil.ignore_patterns(ANSWERS, EXPRESSIONS))
        env = _environment(os.path.join(tmp, "data"))
        init = subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=work,
                              env=env, capture_output=True, text=True, timeout=TIMEOUT)
        if init.returncode != 0:
            raise RuntimeError(f"{group}: terraform init failed:\n{init.stdout}{init.stderr}")
        # each console takes a lock on its state: a state path of its own for each
        states = [os.path.join(tmp, f"{n}.tfstate") for n in range(len(exprs))]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            got = list(pool.map(lambda pair: ask(pair[0], work, env, pair[1]), zip(exprs, states)))
    return dict(zip(exprs, got))


def write(group, version, answers):
    data = {"terraform_version": version, "answers": answers}
    with open(os.path.join(folder(group), ANSWERS), "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def check(group, jobs=4):
    """What differs between the recorded answers and Terraform's answers today: a list of lines."""
    _, stored = load_answers(group)
    fresh = record(group, jobs)
    out = [f"{group}: {e}: recorded {stored.get(e, 'nothing')}, terraform now {a}"
           for e, a in fresh.items() if stored.get(e) != a]
    out += [f"{group}: {e}: recorded, but no longer in {EXPRESSIONS}" for e in stored if e not in fresh]
    return out


def main(argv):
    do_check = "--check" in argv
    names = [a for a in argv if a != "--check"] or groups()
    unknown = [n for n in names if n not in groups()]
    if unknown:
        print(f"no such group (a folder of {CASES} with {EXPRESSIONS}): {', '.join(unknown)}", file=sys.stderr)
        return 2
    version = terraform_version()
    if version is None:
        print("terraform is not on PATH", file=sys.stderr)
        return 2
    jobs = max(1, min(4, os.cpu_count() or 1))
    problems = []
    for group in names:
        if do_check:
            recorded_with = load_answers(group)[0]
            found = check(group, jobs)
            if found and recorded_with != version:
                found.insert(0, f"{group}: recorded with terraform {recorded_with}, checked with {version}")
            problems += found
            print(f"{group}: {'differs' if found else 'same answers'}", file=sys.stderr)
        else:
            answers = record(group, jobs)
            write(group, version, answers)
            print(f"{group}: {len(answers)} answers recorded with terraform {version}", file=sys.stderr)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
