"""pullcheck's Terraform evaluation held to Terraform's own: every expression of tests/data/tf_oracle answered
by ``pullcheck console`` and compared with what ``terraform console`` answered (recorded by tests/tf_oracle.py).

A value that differs from Terraform's, a value where Terraform reports an error (or the other way round), and
a defect fail. An unknown is not a failure (pullcheck may know less than Terraform, never something else); the
unknowns are counted and said in the summary at the end of the run. The differences of today are listed in
tests/data/tf_oracle/known_differences.txt (group, expression and what differs, tab-separated): the list may
only shrink, and an entry that matches now fails until it is taken off."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import tf_oracle
from conftest import ROOT

KNOWN = os.path.join(tf_oracle.CASES, "known_differences.txt")


def known_differences():
    """{(group, expression): what differs} from known_differences.txt."""
    out = {}
    with open(KNOWN, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            assert len(parts) == 3 and all(p.strip() for p in parts), \
                f"known_differences.txt:{n}: not group<TAB>expression<TAB>what differs: {line!r}"
            out[(parts[0], parts[1])] = parts[2]
    return out


def verdict(answer, got):
    """("match" | "unknown" | "differs", why) for pullcheck's line ``got`` against Terraform's ``answer``."""
    from pullcheck.formats.terraform.console import INTERNAL

    if got.startswith(INTERNAL):
        return "differs", f"defect: {got}"
    if answer is None:
        return "differs", "no answer recorded: run python tests/tf_oracle.py GROUP"
    if got.startswith("(unknown: "):
        return ("match" if answer.get("unknown") else "unknown"), got
    if got.startswith("(error: "):
        if "error" in answer:
            return "match", ""
        return "differs", f"pullcheck: {got}; terraform: {_said(answer)}"
    if answer.get("json") == got:
        return "match", ""
    return "differs", f"pullcheck: {got}; terraform: {_said(answer)}"


def _said(answer):
    if "error" in answer:
        return f"error ({answer['error']})"
    return "unknown" if answer.get("unknown") else answer["json"]


def test_verdicts():
    assert verdict({"json": "1"}, "1") == ("match", "")
    assert verdict({"json": "1"}, "2")[0] == "differs"
    assert verdict({"json": "1"}, "(unknown: variable x has no value)")[0] == "unknown"
    assert verdict({"unknown": True}, "(unknown: variable x has no value)")[0] == "match"
    assert verdict({"unknown": True}, "1")[0] == "differs"
    assert verdict({"error": "Invalid index"}, "1")[0] == "differs"
    assert verdict({"error": "Invalid index"}, "(unknown: index out of range)")[0] == "unknown"
    assert verdict({"error": "Invalid index"}, "(error: index out of range)")[0] == "match"
    assert verdict({"json": "1"}, "(error: attribute b is not set)")[0] == "differs"
    assert verdict({"json": "1"}, "(unknown: internal error: TypeError: x)")[0] == "differs"
    assert verdict(None, "1")[0] == "differs"


@pytest.mark.parametrize("group", tf_oracle.groups())
def test_group_answers_as_terraform_does(group, record_property):
    from pullcheck.formats.terraform.console import evaluate

    _, answers = tf_oracle.load_answers(group)
    exprs = tf_oracle.expressions(group)
    got = evaluate(tf_oracle.folder(group), exprs)
    assert len(got) == len(exprs)
    listed = {e: why for (g, e), why in known_differences().items() if g == group}
    counts = {"match": 0, "unknown": 0, "differs": 0}
    new, fixed = [], []
    for expr, line in zip(exprs, got):
        kind, why = verdict(answers.get(expr), line)
        counts[kind] += 1
        if kind == "differs" and expr not in listed:
            new.append(f"{group}\t{expr}\t{why}")
        elif kind != "differs" and expr in listed:
            fixed.append(f"{group}\t{expr}\t({kind} now)")
    gone = [f"{group}\t{e}\t(no longer an expression of the group)" for e in listed if e not in exprs]
    record_property("tf_oracle", json.dumps({"group": group, "expressions": len(exprs), **counts}))
    assert not new, "answers that differ from Terraform's (fix, or list in known_differences.txt):\n" \
        + "\n".join(new)
    assert not fixed + gone, "take these off known_differences.txt:\n" + "\n".join(fixed + gone)


def test_known_differences_name_groups_that_exist():
    groups = set(tf_oracle.groups())
    stale = sorted({g for g, _ in known_differences()} - groups)
    assert not stale, f"known_differences.txt names groups that are gone: {stale}"


def test_every_group_has_its_answers():
    for group in tf_oracle.groups():
        version, answers = tf_oracle.load_answers(group)
        missing = [e for e in tf_oracle.expressions(group) if e not in answers]
        assert version and not missing, f"{group}: record with python tests/tf_oracle.py {group}: {missing[:5]}"


def test_console_command_end_to_end():
    """``python -m pullcheck console DIR``: a line out for each line in, blank lines and comments kept blank,
    a line that is not an expression an error, and the lines after it still answered."""
    group = "real_vpc"
    exprs = tf_oracle.expressions(group)[:6]
    stdin = "\n".join(exprs[:3] + ["", "# a comment", "(1 +"] + exprs[3:]) + "\n"
    r = subprocess.run([sys.executable, "-m", "pullcheck", "console", tf_oracle.folder(group)], input=stdin,
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    assert lines[-1] == "" and len(lines) == len(stdin.split("\n"))
    from pullcheck.formats.terraform.console import evaluate

    want = evaluate(tf_oracle.folder(group), exprs)
    assert lines[:3] + lines[6:-1] == want
    assert lines[3:5] == ["", ""] and lines[5].startswith("(error: ")
    for line in want:
        if not line.startswith("("):
            json.loads(line)


def test_console_command_refuses_what_is_not_a_folder(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pullcheck", "console", str(tmp_path / "nope")], input="1\n",
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "not a folder" in r.stderr and r.stdout == ""


def test_console_answers_a_folder_that_does_not_parse_with_its_error(tmp_path):
    """Terraform reports a configuration it cannot read on every expression; so does the console."""
    from pullcheck.formats.terraform.console import evaluate

    (tmp_path / "main.tf").write_text('locals {\n  a = 1\n')
    (tmp_path / "ok.tf").write_text('locals {\n  b = 2\n}\n')
    got = evaluate(str(tmp_path), ["1 + 1", "local.b", "# a comment"])
    assert got[0].startswith("(error: ") and "main.tf:" in got[0] and got[1] == got[0] and got[2] == ""


def test_console_reads_terraform_console_output():
    assert tf_oracle.parse_console(0, '"{\\"a\\":\\"\\\\u003c\\"}"\n', "") == {"json": '{"a":"\\u003c"}'}
    assert tf_oracle.parse_console(0, '"\\x01\\u00ad é"\n', "") == {"json": "\x01\u00ad é"}
    assert tf_oracle.parse_console(0, "(known after apply)\n", "") == {"unknown": True}
    assert tf_oracle.parse_console(1, "", "\nError: Invalid index\n\n  on <console-input> line 1:\n") == \
        {"error": "Invalid index"}


def _terraform_at_least(version, least=(1, 11)):
    try:
        return tuple(int(x) for x in version.split(".")[:2]) >= least
    except (AttributeError, ValueError):
        return False


@pytest.mark.slow
def test_recorded_answers_are_terraforms():
    """Terraform, asked again, gives the answers recorded (a version of Terraform that answers otherwise, or a
    case edited without recording again, shows here)."""
    version = tf_oracle.terraform_version() if shutil.which("terraform") else None
    if not _terraform_at_least(version):
        pytest.skip(f"needs terraform 1.11 or later on PATH (found: {version or 'none'})")
    problems = [line for group in tf_oracle.groups() for line in tf_oracle.check(group)]
    assert not problems, "\n".join(problems)
