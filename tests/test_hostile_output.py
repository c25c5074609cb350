"""A scanned tree that tries to write into what pullcheck prints: a logical ID, a container name and a file
name holding new lines followed by GitHub Actions workflow commands, an escape sequence, a control character,
HTML, Markdown and an @mention. Every output keeps them as data for where it goes; a configuration from
outside the run's trust is ignored, and one inside the run that silences checks is named."""
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, run_cli
from test_hostile_writes import commands
from test_report import Chart, _charts, check_flowchart

from pullcheck.outputs.safetext import printable

EVIL = ("\n# heading\n::error::pwned\r::add-mask::x \x1b[2J\x01 <img src=x> @pwned [a](http://x) ![i](y) "
        "`c` |d| *e* _f_ ~g~ \u202e\n\u00a0::warning::nbsp ##[add-mask]legacy")
SERVICE = "Svc" + EVIL
CONTAINER = "web" + EVIL
FILE = "t" + EVIL.replace("/", "") + ".yaml"  # a file name holds anything but a slash
BAD = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")
AWSLOGS = ("          LogConfiguration: {LogDriver: awslogs, Options: {awslogs-group: g, awslogs-region: eu-west-1, "
           "awslogs-stream-prefix: p}}\n")


@pytest.fixture
def hostile(tmp_path):
    """sub/<FILE>: the NET001 template with the service renamed SERVICE, and its container CONTAINER logging
    with awslogs and no execution role (IAM002, whose message names the container)."""
    with open(BAD, encoding="utf-8") as f:
        text = f.read()
    assert "  Service:\n" in text and "        - Name: web\n" in text
    # a JSON string is a YAML double-quoted scalar, control characters written as escapes
    text = text.replace("  Service:\n", f"  {json.dumps(SERVICE)}:\n")
    text = text.replace("        - Name: web\n", f"        - Name: {json.dumps(CONTAINER)}\n" + AWSLOGS)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / FILE).write_text(text, encoding="utf-8")
    return tmp_path


def _lint(repo, *args):
    r = run_cli("--no-config", *args, "sub", cwd=str(repo))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    return r.stdout


def _no_command_or_escape(out, annotations=True):
    """No line a CI log runs as a workflow command (but, on standard output, pullcheck's own annotations,
    every value in them escaped), no byte a terminal reads."""
    assert commands(out, annotations) == [], out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", out), repr(out)


@pytest.mark.parametrize("fmt", ["text", "parseable"])
def test_text_and_parseable_print_each_name_on_its_own_line(hostile, fmt):
    out = _lint(hostile, "--format", fmt)
    _no_command_or_escape(out)
    lines = out.splitlines()
    findings = [x for x in lines if not x.startswith(("Found ", "[*] "))]
    assert len(findings) == 2 and all(x.startswith(f"sub/{printable(FILE)}:") for x in findings), lines
    assert any(printable(SERVICE) in x for x in findings) and any(printable(CONTAINER) in x for x in findings)
    # the separators still split the fields
    assert [x[len(f"sub/{printable(FILE)}:"):].split(":")[:2] for x in findings] == [["44", "30"], ["54", "15"]]


def _gh_decode(value):
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}[m[1]],
                  value)


def test_github_annotations_escape_every_value_for_its_place(hostile):
    out = _lint(hostile, "--format", "github")
    _no_command_or_escape(out)
    lines = out.splitlines()
    assert len(lines) == 2 and all(x.startswith("::error file=") for x in lines), lines
    for line in lines:
        head, _, message = line[2:].partition("::")  # the runner ends the properties at the first ::
        props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))
        assert set(props) == {"file", "line", "col", "endLine", "endColumn", "title"}, props
        assert _gh_decode(props["file"]) == printable(f"sub/{FILE}")
        assert _gh_decode(message).startswith(("Fargate task definition", printable(SERVICE))), message
    assert printable(CONTAINER) in _gh_decode(lines[0]) and printable(SERVICE) in _gh_decode(lines[1])


def test_markdown_report_keeps_names_as_text(hostile):
    md = _lint(hostile, "--format", "markdown")
    _no_command_or_escape(md, annotations=False)
    charts = _charts(md)
    assert len(charts) == 1
    check_flowchart(charts[0])  # the label neither breaks the line nor closes the fence
    outside = re.sub(r"```mermaid\n.*?\n  ```", "", md, flags=re.S)
    assert not re.search("[\x00-\x08\x0b-\x1f\u202e]", md), repr(md)
    for line in outside.splitlines():
        if line.startswith("#"):
            assert re.fullmatch(r"## pullcheck|### [A-Z]+[0-9]+ [a-z-]+", line), line
        # the report's own tags only: every < of the scanned text is &lt;
        assert "<" not in re.sub(r"</?(details|summary)>", "", line), line
    assert "<img" not in md
    # GitHub links no @mention in a code block (the chart); outside it a zero-width joiner follows the @
    assert "@pwned" not in outside and "@\u200dpwned" in outside
    assert "](" not in outside and "`c`" not in outside
    assert "&lt;img src=x&gt;" in outside and "\\[a\\]" in outside
    shown = Chart(charts[0]).nodes["L"]  # what Mermaid shows: the name, one line, cut to 80 characters
    assert shown == printable(SERVICE[:80]), shown


def test_markdown_links_keep_names_as_text(hostile):
    """In GitHub Actions each place links to its line: as a Markdown parser reads the report, the links are
    pullcheck's own (the name their text, percent-encoded in their address), and nothing of the name is a
    link, an image or HTML."""
    import subprocess
    import sys
    from urllib.parse import quote

    from test_report import _GITHUB, _links, _tokens

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}, **_GITHUB}
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "markdown", "sub"],
                       capture_output=True, text=True, cwd=str(hostile), env=env, timeout=120)
    md = r.stdout
    _no_command_or_escape(md, annotations=False)
    href = (f"{_GITHUB['GITHUB_SERVER_URL']}/{_GITHUB['GITHUB_REPOSITORY']}/blob/{_GITHUB['GITHUB_SHA']}/"
            + quote(os.fsencode(f"sub/{FILE}"), safe="/"))
    links = _links(md)
    assert [h for _, h in links] == [href + "#L44", href + "#L54"], links
    shown = printable(f"sub/{FILE}").replace("@", "@\u200d").replace("#", "#\u200d")
    assert [t for t, _ in links] == [f"{shown}:44:30", f"{shown}:54:15"], links
    tokens = _tokens(md)
    assert not [t for t in tokens if t.type == "image"]
    assert {t.content.strip() for t in tokens if t.type.startswith("html")} <= {
        "<details>", "<summary>", "</summary>", "</details>"}


@pytest.mark.parametrize("last,shown", [("\x1b", "\\x1b"), ("<", "#60;"), ("\u202e", "\\u202e")])
def test_a_flowchart_label_is_cut_before_it_is_escaped(last, shown):
    """A long name is cut to 80 characters, then escaped: no escape or entity is cut in half."""
    from pullcheck.outputs.pathchart import label as _label

    assert _label("a" * 79 + last + "b" * 100) == "a" * 79 + shown
    assert len(_label("\x1b" * 200)) == 4 * 80
    assert _label("x" * 200) == "x" * 80


def test_junit_is_well_formed_xml_with_the_names(hostile):
    xml = _lint(hostile, "--format", "junit")
    _no_command_or_escape(xml, annotations=False)
    root = ET.fromstring(xml)
    cases = root.find("testsuite").findall("testcase")
    assert len(cases) == 2 and all(c.get("file") == printable(f"sub/{FILE}") for c in cases)
    messages = [c.find("failure").get("message") for c in cases]
    assert printable(CONTAINER) in messages[0] and printable(SERVICE) in messages[1]


def test_json_and_sarif_carry_the_names_as_data(hostile):
    """The names decode as they are; the encoded text, which a CI log may show, starts no command (a
    ``##[`` in a string is written with ``\\u0023``)."""
    for fmt in ("json", "sarif"):
        _no_command_or_escape(_lint(hostile, "--format", fmt), annotations=False)
    rows = json.loads(_lint(hostile, "--format", "json"))
    assert [r["file"] for r in rows] == [f"sub/{FILE}"] * 2
    assert CONTAINER in rows[0]["message"] and rows[1]["resource"] == SERVICE
    results = json.loads(_lint(hostile, "--format", "sarif"))["runs"][0]["results"]
    places = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    # a URI holds the name percent-encoded (RFC 3986: nothing but unreserved characters, / and %XX)
    assert all(re.fullmatch(r"[A-Za-z0-9._~/-]*(%[0-9A-F]{2}[A-Za-z0-9._~/-]*)*", p["uri"]) for p in places), places
    assert [unquote(p["uri"]) for p in places] == [f"sub/{FILE}"] * 2
    assert CONTAINER in results[0]["message"]["text"] and SERVICE in results[1]["message"]["text"]


def test_explain_prints_each_name_on_its_own_line(hostile):
    out = _lint(hostile, "--explain", "--format", "text")
    _no_command_or_escape(out)
    first = out.splitlines()[0]
    assert first.startswith(printable(SERVICE) + " (AWS::ECS::Service, "), first


# configuration


@pytest.fixture
def nested(tmp_path):
    """A named folder, sub/, below a folder that is not named: a configuration in the latter is outside the
    run. The outer folder's name is hostile too (the warning names it)."""
    outer = tmp_path / ("p" + EVIL.replace("/", ""))
    (outer / "sub").mkdir(parents=True)
    shutil.copy(BAD, outer / "sub" / "s.yaml")
    cfg = outer / ".pullcheck.toml"
    cfg.write_text('ignore = ["ALL"]\n', encoding="utf-8")
    return outer, cfg


def _warnings(stderr):
    return [x for x in stderr.splitlines() if "ignoring configuration" in x]


def test_a_trusted_configuration_above_the_run_is_used(nested):
    outer, cfg = nested
    os.chmod(cfg, 0o644)
    r = run_cli("sub", cwd=str(outer))
    assert r.returncode == 0 and "NET001" not in r.stdout and not _warnings(r.stderr), r.stdout + r.stderr


def test_a_world_writable_configuration_above_the_run_is_ignored(nested):
    outer, cfg = nested
    os.chmod(cfg, 0o666)
    r = run_cli("sub", cwd=str(outer))
    assert r.returncode == 1 and "sub/s.yaml:53:15: NET001" in r.stdout, r.stdout + r.stderr
    warned = _warnings(r.stderr)
    assert len(warned) == 1 and "writable by others" in warned[0], r.stderr
    assert printable(str(cfg)) in warned[0]
    _no_command_or_escape(r.stderr, annotations=False)
    # inside the named folder the same file is the repository's own: used, and named
    r = run_cli(".", cwd=str(outer))
    assert r.returncode == 0 and not _warnings(r.stderr), r.stderr
    assert r.stdout == "Configuration .pullcheck.toml silences checks (ignore ALL).\n", r.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_configuration_above_the_run_owned_by_another_user_is_ignored(nested):
    outer, cfg = nested
    os.chmod(cfg, 0o644)
    os.chown(cfg, 12345, 12345)
    r = run_cli("sub", cwd=str(outer))
    assert r.returncode == 1 and "NET001" in r.stdout, r.stdout + r.stderr
    warned = _warnings(r.stderr)
    assert len(warned) == 1 and "owned by another user (uid 12345)" in warned[0], r.stderr


@pytest.fixture
def silencing(tmp_path):
    (tmp_path / "sub").mkdir()
    shutil.copy(BAD, tmp_path / "sub" / "s.yaml")
    shutil.copy(BAD, tmp_path / "top.yaml")
    return tmp_path


def test_a_configuration_that_silences_checks_is_named(silencing):
    # without a configuration, no note
    plain = run_cli("--format", "text", ".", cwd=str(silencing))
    assert plain.returncode == 1 and "silences" not in plain.stdout, plain.stdout
    (silencing / "sub" / ".pullcheck.toml").write_text('ignore = ["NET"]\nexclude = ["**", "x\\n::error::pwned"]\n',
                                                       encoding="utf-8")
    r = run_cli("--format", "text", ".", cwd=str(silencing))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.splitlines()[-1] == (
        "Configuration sub/.pullcheck.toml silences checks (ignore NET; exclude **, x\\n::error::pwned).")
    assert "top.yaml:53:15: NET001" in r.stdout and "sub/s.yaml" not in r.stdout
    _no_command_or_escape(r.stdout)

    r = run_cli("--format", "sarif", ".", cwd=str(silencing))
    doc = json.loads(r.stdout)
    with open(os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json"), encoding="utf-8") as f:
        jsonschema.validate(doc, json.load(f))
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is True and "toolExecutionNotifications" not in inv
    [note] = inv["toolConfigurationNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/.pullcheck.toml"
    assert "ignore NET; exclude **, x\n::error::pwned" in note["message"]["text"]

    md = run_cli("--format", "markdown", ".", cwd=str(silencing)).stdout
    assert md.splitlines()[2] == ("> Configuration **sub/.pullcheck.toml** silences checks "
                                  "(ignore NET; exclude \\*\\*, x\\\\n::error::pwned)"), md

    gh = run_cli("--format", "github", ".", cwd=str(silencing)).stdout.splitlines()
    assert gh[-1] == ("::notice file=sub/.pullcheck.toml,title=pullcheck configuration::silences checks "
                      "(ignore NET; exclude **, x\\n::error::pwned)"), gh


def test_select_severity_and_fail_on_that_let_findings_pass_are_named(silencing):
    (silencing / ".pullcheck.toml").write_text(
        'select = ["NET", "IMG"]\nfail-on = "never"\n[severity]\nNET001 = "info"\nNET002 = "error"\n',
        encoding="utf-8")
    r = run_cli(".", cwd=str(silencing))
    assert r.returncode == 0, r.stdout + r.stderr
    note = r.stdout.splitlines()[-1]
    assert re.fullmatch(r"Configuration \.pullcheck\.toml silences checks \(select NET, IMG, leaving out [0-9]+ rules; "
                        r"severity NET001 = info; fail-on never\)\.", note), note


def test_a_configuration_above_the_run_writable_by_another_group_is_ignored(nested):
    outer, cfg = nested
    os.chmod(cfg, 0o664)
    os.chown(cfg, os.geteuid(), os.getegid())
    r = run_cli("sub", cwd=str(outer))
    assert r.returncode == 0 and not _warnings(r.stderr), r.stderr  # a group of the user alone: the user's file
    if os.geteuid() != 0:
        pytest.skip("only root can give the file to another group")
    os.chown(cfg, os.geteuid(), os.getegid() + 4242)
    r = run_cli("sub", cwd=str(outer))
    assert r.returncode == 1 and "NET001" in r.stdout, r.stdout + r.stderr
    assert "writable by a group with other members" in _warnings(r.stderr)[0]


def test_a_configuration_beside_a_named_file_is_judged_as_one_above_the_run(tmp_path):
    """A named file's folder is not the run's own: in a shared temporary folder, a configuration beside the
    file that another user owns or others may write is ignored like one further up."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(BAD, shared / "t.yaml")
    cfg = shared / ".pullcheck.toml"
    cfg.write_text('ignore = ["NET"]\n', encoding="utf-8")
    os.chmod(cfg, 0o666)
    r = run_cli(str(shared / "t.yaml"))
    assert r.returncode == 1 and "NET001" in r.stdout, r.stdout + r.stderr
    assert "writable by others" in _warnings(r.stderr)[0]
    os.chmod(cfg, 0o644)  # the user's own: used
    r = run_cli(str(shared / "t.yaml"))
    assert r.returncode == 0 and not _warnings(r.stderr), r.stdout + r.stderr
