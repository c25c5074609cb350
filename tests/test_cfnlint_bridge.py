"""pullcheck's rules run inside cfn-lint with one flag, at the same lines."""
import glob
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import FIXTURES, ROOT

# the cfn-lint of this environment (the test extra installs it beside pullcheck): another one on PATH
# would import another pullcheck, or none
CFN_LINT = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
needs_cfn_lint = pytest.mark.skipif(not os.path.exists(CFN_LINT), reason="cfn-lint is not installed here")

_OURS = re.compile(r"(?P<file>.*?):(?P<range>\d+:\d+:\d+:\d+):(?P<code>[EWI]9901):(?P<id>\S+) (?P<message>.*)$")
_CLI = re.compile(r"(?P<file>.*?):(?P<range>\d+:\d+:\d+:\d+): (?P<severity>\w+) (?P<id>\S+) (?P<message>.*)$")
_CODE = {"error": "E9901", "warning": "W9901", "info": "I9901"}


def _bridge(files):
    return subprocess.run([CFN_LINT, "--append-rules", "pullcheck.cfnlint_plugin", "--format", "parseable", "--",
                           *files], capture_output=True, text=True, cwd=ROOT, timeout=600)


@needs_cfn_lint
def test_append_rules():
    files = [os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"),
             os.path.join(FIXTURES, "NET012", "bad_peering_only.yaml"),
             os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml")]
    r = _bridge(files)
    ours = [line for line in r.stdout.splitlines() if ":E9901:" in line or ":W9901:" in line]
    assert len(ours) == 2, r.stdout + r.stderr
    assert ours[0].startswith(f"{files[0]}:53:15:") and ":E9901:NET001 Service runs on Fargate" in ours[0]
    assert ours[1].startswith(f"{files[1]}:21:7:") and ":W9901:NET012 " in ours[1]
    assert r.returncode != 0


def _templates():
    """Every CloudFormation template among the fixtures, relative to the repository."""
    out = []
    for p in sorted(glob.glob(os.path.join(FIXTURES, "**", "*"), recursive=True)):
        if os.path.isfile(p) and p.endswith((".yaml", ".yml", ".json", ".template")):
            with open(p, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if "AWSTemplateFormatVersion" in text or re.search(r'^Resources:|"Resources"\s*:', text, re.M):
                out.append(os.path.relpath(p, ROOT))
    return out


# the command's main() on each file on its own, as the bridge lints each template cfn-lint hands it
_CLI_EACH = textwrap.dedent("""
    import contextlib, io, json, sys
    sys.path[:] = [p for p in sys.path if p]
    from pullcheck.cli import main
    out = {}
    for f in sys.argv[1:]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            main(["--format", "parseable", f])
        out[f] = buf.getvalue().splitlines()
    print(json.dumps(out))
""")


@needs_cfn_lint
@pytest.mark.parametrize("share", [
    # the default run takes the first template of each rule's folder; every template with -m slow
    pytest.param("first", id="first-of-each-rule"),
    pytest.param("all", id="every-fixture", marks=pytest.mark.slow),
])
def test_the_bridge_reports_where_the_command_does_on_every_fixture(share):
    """Each finding of each template among the fixtures, through cfn-lint: the same range (line, column, end)
    and message as the command's, under E9901 / W9901 / I9901 by its severity. cfn-lint reports the files it
    cannot read itself (E0000); the command reports those as PARSE001 or PARSE002."""
    files = _templates()
    assert len(files) > 60
    if share == "first":
        seen: set = set()
        files = [f for f in files if not (f.split(os.sep)[1] in seen or seen.add(f.split(os.sep)[1]))]
        assert len(files) > 20
    r = _bridge(files)
    bridge, unreadable = {}, set()
    for line in r.stdout.splitlines():
        m = _OURS.match(line)
        if m:
            bridge.setdefault(m["file"], []).append((m["range"], m["code"], m["id"], m["message"]))
        elif ":E0000:" in line:
            unreadable.add(line.split(":", 1)[0])
    assert bridge, r.stdout[-3000:] + r.stderr[-3000:]
    c = subprocess.run([sys.executable, "-c", _CLI_EACH, *files], capture_output=True, text=True, cwd=ROOT,
                       timeout=600)
    cli = json.loads(c.stdout)
    compared = 0
    for f in files:
        found = [m for m in map(_CLI.match, cli[f]) if m]
        if f in unreadable:
            assert f not in bridge and {m["id"] for m in found} & {"PARSE001", "PARSE002"}, f
            continue
        want = sorted((m["range"], _CODE[m["severity"]], m["id"], f"{m['message']} [") for m in found
                      if m["id"] not in ("PARSE001", "INTERNAL"))
        got = sorted((rng, code, rid, message.rsplit(" [", 1)[0] + " [") for rng, code, rid, message in bridge.get(f, []))
        assert got == want, f
        compared += len(want)
    assert compared > (70 if share == "all" else 15)
