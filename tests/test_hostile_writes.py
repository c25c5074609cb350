"""What a hostile repository can make a run write: fixes, reports and baselines go only where the user
asked, never through a symlink planted in the checkout, never over a file outside the named paths, never
over text saved meanwhile; a fixed file keeps its mode, owner, hard links, line endings and byte-order mark.
And what it can make a run print: names from the tree never start a workflow command in a CI log nor carry
an escape byte to a terminal."""
import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, run_cli

BAD = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")
FIXED_LINE = "AssignPublicIp: ENABLED"


def _case(tmp_path, name="t.yaml"):
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(BAD, folder / name)
    return folder, folder / name


def _no_temporaries(*folders):
    left = [p for f in folders for p in glob.glob(os.path.join(str(f), "**", "*.pullcheck-fix*"), recursive=True)]
    assert not left, left


def _fix(*args):
    r = run_cli("--no-config", "--fix", *args)
    assert "Traceback" not in r.stderr, r.stderr
    return r


# ------------------------------------------------------------------------------------------ --fix

def test_a_fix_is_not_written_through_a_planted_temporary_name(tmp_path):
    folder, target = _case(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    os.symlink(victim, str(target) + ".pullcheck-fix")
    r = _fix(str(folder))
    assert victim.read_text() == "keep me\n"
    assert not target.is_symlink() and FIXED_LINE in target.read_text(), r.stderr
    assert os.readlink(str(target) + ".pullcheck-fix") == str(victim)  # the planted link is left as it was


def test_another_runs_temporary_file_is_left_alone(tmp_path):
    """Two runs at the same time each write through a name of their own."""
    folder, target = _case(tmp_path)
    other = tmp_path / "case" / "t.yaml.pullcheck-fix"
    other.write_text("another run's text\n")
    r = _fix(str(folder))
    assert r.returncode == 0, r.stdout + r.stderr
    assert other.read_text() == "another run's text\n" and FIXED_LINE in target.read_text()
    other.unlink()
    _no_temporaries(tmp_path)


def test_a_symlinked_file_is_not_rewritten(tmp_path):
    folder, target = _case(tmp_path)
    (folder / "real").mkdir()
    os.replace(target, folder / "real" / "t.yaml")
    os.symlink(os.path.join("real", "t.yaml"), target)
    r = _fix(str(target))
    assert target.is_symlink() and FIXED_LINE not in target.read_text()
    assert "t.yaml: a symbolic link: not fixed" in r.stderr and r.returncode == 1 and "NET001" in r.stdout
    _no_temporaries(tmp_path)


def test_a_hard_linked_file_is_not_rewritten(tmp_path):
    folder, target = _case(tmp_path)
    twin = tmp_path / "twin.yaml"
    os.link(target, twin)
    before = target.read_bytes()
    r = _fix(str(folder))
    assert target.read_bytes() == before and os.path.samefile(target, twin)
    assert "t.yaml: one of 2 hard links to one file: not fixed" in r.stderr and r.returncode == 1, r.stderr
    _no_temporaries(tmp_path)


@pytest.mark.parametrize("mode", [0o600, 0o444, 0o640])
def test_a_fixed_file_keeps_its_mode(tmp_path, mode):
    folder, target = _case(tmp_path)
    os.chmod(target, mode)
    r = _fix(str(folder))
    assert FIXED_LINE in target.read_text(), r.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_fixed_file_keeps_its_owner(tmp_path):
    folder, target = _case(tmp_path)
    os.chown(target, 4321, 4322)
    _fix(str(folder))
    st = os.stat(target)
    assert FIXED_LINE in target.read_text() and (st.st_uid, st.st_gid) == (4321, 4322)


@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="a fixer that is not root is made from root")
def test_a_fixer_that_cannot_give_the_file_away_keeps_its_group():
    """A user other than root cannot give the new file the old one's owner, but can give it a group the
    user belongs to: the file keeps its group. Run in a forked process that has become such a user."""
    import tempfile

    from pullcheck.engine import fixes
    from pullcheck.sources import scope

    folder = tempfile.mkdtemp(dir="/tmp")  # a folder the user can reach (pytest's own is root's only)
    try:
        os.chown(folder, 4323, 4324)
        target = os.path.join(folder, "t.yaml")
        shutil.copy(BAD, target)
        os.chown(target, 4321, 4322)
        os.chmod(target, 0o644)
        before = open(target, encoding="utf-8").read()
        after = before.replace("Subnets:", "AssignPublicIp: ENABLED\n          Subnets:", 1)
        scope.set_roots([folder])
        warm = os.path.join(folder, "warm.yaml")  # the same write as root first: the child imports nothing
        shutil.copy(BAD, warm)
        assert fixes.write({warm: (before, after)}) == {}
        pid = os.fork()
        if pid == 0:  # the fixer: uid 4323, its own group 4324, a member of 4322
            code = 1
            try:
                os.setgroups([4322])
                os.setgid(4324)
                os.setuid(4323)
                code = 0 if fixes.write({target: (before, after)}) == {} else 3
            finally:
                os._exit(code)
        assert os.waitpid(pid, 0)[1] == 0
        st = os.stat(target)
        assert open(target, encoding="utf-8").read() == after
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4323, 4322, 0o644)
    finally:
        shutil.rmtree(folder)


def test_a_fix_across_files_is_not_applied_and_an_undone_fix_is_taken_back(tmp_path, capsys):
    """Files are written one by one, so a fix whose edits span two files is not applied (one file saved
    meanwhile would leave it half applied). In the same pass a fix whose finding stays is taken back, and
    the file holds its text as it was."""
    import argparse
    import dataclasses

    from pullcheck import cli
    from pullcheck.engine import fixes
    from pullcheck.engine.stages import lint
    from pullcheck.engine.registry import load_rules, select_rules

    folder, a = _case(tmp_path, "a.yaml")
    b = folder / "b.yaml"
    text = open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), encoding="utf-8").read()
    text = text.replace("\nResources:", '\nConditions:\n  Never: !Equals ["a", "b"]\nResources:', 1)
    b.write_text(text.replace("AssignPublicIp: DISABLED", "AssignPublicIp: !If [Never, DISABLED, DISABLED]"))
    saved_b = b.read_text()
    rules = select_rules(load_rules(), ["NET001"], [])
    found = lint([str(folder)], rules)
    fa = next(f for f in found if f.file.endswith("a.yaml"))
    fb = next(f for f in found if f.file.endswith("b.yaml"))
    assert fb.fix is not None
    across = fixes.Fix("two files", (fixes.Edit(fa.file, 1, 1, 1, 1, "# a\n"),
                                     fixes.Edit(fb.file, 1, 1, 1, 1, "# b\n")))
    a.write_text(a.read_text() + "# saved meanwhile\n")
    args = argparse.Namespace(diff=False, unsafe_fixes=False)
    run = argparse.Namespace(args=args, console="text")
    left, _ = cli._fix(run, [dataclasses.replace(fa, fix=across), fb], lambda: lint([str(folder)], rules))
    err = capsys.readouterr().err
    assert b.read_text() == saved_b, err
    assert "fix undone" in err and "changed while fixing" not in err, err
    # the next pass lints the saved text of a.yaml again and applies its own fix, in that file only
    assert not a.read_text().startswith("# a") and a.read_text().endswith("# saved meanwhile\n")
    assert FIXED_LINE in a.read_text() and "fixed 1 problem, 1 remain" in err and len(left) == 1, err


def test_a_fix_reaching_outside_the_named_paths_is_not_applied(tmp_path):
    """The named template's nested stack is read from beside it, but only the named file may be rewritten:
    the child's finding is reported, and standard error says why it was not fixed. --diff agrees."""
    folder, child = _case(tmp_path, "child.yaml")
    parent = folder / "parent.yaml"
    parent.write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Child:\n'
                      '    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./child.yaml\n')
    before = child.read_bytes()
    r = _fix(str(parent))
    assert child.read_bytes() == before
    assert r.returncode == 1 and "child.yaml:53:15: NET001" in r.stdout, r.stdout
    assert "child.yaml: outside the paths named on the command line: not fixed" in r.stderr
    d = run_cli("--no-config", "--diff", str(parent))
    assert d.stdout == "" and "no problem would be fixed" in d.stderr and "outside the paths named" in d.stderr
    assert FIXED_LINE in run_cli("--no-config", "--diff", str(folder)).stdout  # the folder named: it may


def test_text_saved_after_the_lint_is_not_overwritten(tmp_path):
    """The user saves the file between the lint and the write: the fix is not written, the saved text stays
    and no temporary file is left. Driven through the fixes a real lint computed, the file saved between."""
    from pullcheck.engine import fixes
    from pullcheck.engine.stages import lint
    from pullcheck.engine.registry import load_rules, select_rules

    folder, target = _case(tmp_path)
    rules = select_rules(load_rules(), ["NET001"], [])
    found = [f.fix for f in lint([str(folder)], rules) if f.fix is not None]
    assert found
    texts = fixes.new_texts(fixes.plan(found))
    assert list(texts) == [str(target)] and FIXED_LINE in texts[str(target)][1]
    saved = target.read_text().replace("Memory: \"512\"", "Memory: \"1024\"")
    target.write_text(saved)
    assert fixes.write(texts) == {str(target): "changed while fixing: not written"}
    assert target.read_text() == saved
    _no_temporaries(tmp_path)


def test_a_fix_computed_on_an_older_text_is_stale(tmp_path):
    """A worker process computes the fix; the file is saved before the parent reads it to apply the fix:
    the fix names the file as changed instead of applying its edits at the old places."""
    from pullcheck.engine import fixes
    from pullcheck.engine.stages import lint
    from pullcheck.engine.registry import load_rules, select_rules

    folder, target = _case(tmp_path)
    rules = select_rules(load_rules(), ["NET001"], [])
    fx = next(f.fix for f in lint([str(folder)], rules) if f.fix is not None)
    assert fixes.stale(fx) == []
    target.write_text("# a line above moves every position\n" + target.read_text())
    fixes.forget()  # the parent process has not read the file yet
    assert fixes.stale(fx) == [str(target)]


# ------------------------------------------------------------------------------------------ TD002 line endings

WRAPPED = ('{\n  "taskDefinition": {\n    "family": "web",\n    "networkMode": "awsvpc",\n'
           '    "requiresCompatibilities": ["FARGATE"],\n    "cpu": "256",\n    "memory": "512",\n'
           '    "revision": 3,\n    "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}]\n  },\n'
           '  "tags": []\n}\n')


def _td002(folder):
    return json.loads(run_cli("--no-config", "--select", "TD002", "--format", "json", str(folder)).stdout)


@pytest.mark.parametrize("name,data", [("crlf", WRAPPED.replace("\n", "\r\n").encode()),
                                       ("bom", b"\xef\xbb\xbf" + WRAPPED.encode()),
                                       ("bom-crlf", b"\xef\xbb\xbf" + WRAPPED.replace("\n", "\r\n").encode())])
def test_td002_fixes_keep_line_endings_and_byte_order_mark(tmp_path, name, data):
    folder = tmp_path / name
    folder.mkdir()
    target = folder / "td.json"
    target.write_bytes(data)
    found = _td002(folder)
    assert sorted((f["line"], bool(f.get("fix"))) for f in found) == [(2, True), (8, True)], found
    r = _fix("--select", "TD002", str(folder))
    assert r.returncode == 0 and "fixed 2 problems, 0 remain" in r.stderr, r.stdout + r.stderr
    after = target.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in data:
        assert after.count(b"\n") == after.count(b"\r\n") > 5
    else:
        assert b"\r" not in after
    doc = json.loads(after.decode("utf-8-sig"))
    assert doc["family"] == "web" and "revision" not in doc and doc["tags"] == []
    assert _td002(folder) == []


def test_td002_unwraps_the_top_level_key_not_one_deeper_down(tmp_path):
    target = tmp_path / "td.json"
    target.write_text('{\n  "meta": {"taskDefinition": 5},\n  "taskDefinition": {\n    "family": "web",\n'
                      '    "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}]\n  }\n}\n')
    r = _fix("--select", "TD002", str(tmp_path))
    doc = json.loads(target.read_text())
    assert doc["family"] == "web" and doc["meta"] == {"taskDefinition": 5}, r.stderr


# ------------------------------------------------------------------------------------------ reports

def test_a_report_is_not_written_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "pullcheck.sarif")
    old = os.umask(0o027)
    try:
        r = run_cli("--no-config", "--output", str(out / "pullcheck.sarif"), "--output", str(out / "r.json"), BAD)
    finally:
        os.umask(old)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert victim.read_text() == "keep me\n" and (out / "pullcheck.sarif").is_symlink()
    assert r.stderr.strip().splitlines() == [
        f"pullcheck: error: cannot write {out / 'pullcheck.sarif'}: a symbolic link: not written through"]
    assert json.loads((out / "r.json").read_text())[0]["rule"] == "NET001"  # the other report, and the console
    assert "NET001" in r.stdout
    assert stat.S_IMODE(os.stat(out / "r.json").st_mode) == 0o640  # created as open() would, the umask applied


def test_a_baseline_is_not_written_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    os.symlink(victim, tmp_path / "baseline.json")
    r = run_cli("--no-config", "--write-baseline", str(tmp_path / "baseline.json"), BAD)
    assert r.returncode == 2 and victim.read_text() == "keep me\n"
    assert "a symbolic link: not written through" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("--no-config", "--write-baseline", str(tmp_path / "b2.json"), BAD)
    assert r.returncode == 0 and len(json.loads((tmp_path / "b2.json").read_text())["findings"]) == 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_explain_on_a_full_disk(tmp_path):
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--explain", BAD], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        "pullcheck: error: cannot write the output: No space left on device"], r.stderr


# ------------------------------------------------------------------------------------------ processes

def test_jobs_are_capped_at_the_usable_cores(tmp_path):
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    for i in range(cores + 3):
        shutil.copy(BAD, tmp_path / f"t{i}.yaml")
    r = run_cli("--no-config", "--jobs", "200", "-v", str(tmp_path))
    assert r.returncode == 1, r.stderr
    m = re.search(r"linted by (\d+) processes", r.stderr)
    assert (int(m.group(1)) if m else 1) <= cores, r.stderr


# ------------------------------------------------------------------------------------------ printed names

EVIL_FILE = "evil\n::error::file\x1b[2J.yaml"
EVIL_TWIN = "twin\n::warning::t\x1b[2J.yaml"
EVIL_SKIPPED = "notes\n::add-mask::m\x1b[31m.json"


def _hostile_tree(tmp_path):
    """A template and its hard-linked twin (not fixed, and named), with a logical ID and a container name
    that carry workflow commands and escape bytes, and a JSON file that the walk leaves out."""
    src = open(BAD, encoding="utf-8").read()
    text = src.replace("  Service:\n", '  "Svc\\n::error::id\\e[2J":\n').replace(
        "- Name: web", '- Name: "web\\n::add-mask::c\\e[2J"')
    assert text != src
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / EVIL_FILE).write_text(text)
    os.link(folder / EVIL_FILE, folder / EVIL_TWIN)
    (folder / EVIL_SKIPPED).write_text('{"hello": 1}')
    return folder


def _run_bytes(*args, env=None):
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", *args], capture_output=True,
                       timeout=120, cwd=ROOT, env=env)
    assert b"Traceback" not in r.stderr, r.stderr
    return r


# what GitHub's runner trims before it looks for ``::`` (.NET's TrimStart: every Unicode white space, which
# str.isspace covers), and what older .NET releases trimmed too
_WHITE = "".join(c for c in map(chr, range(0x110000)) if c.isspace()) + "\u180e\u200b\ufeff"
_ANNOTATION = re.compile(r"::(error|warning|notice) file=[^:]*::.*")


def commands(text: str, annotations: bool = False):
    """The lines GitHub's runner reads as a workflow command: ``::`` first once leading white space is
    trimmed, or the older form ``##[`` anywhere (lines end at CR, LF or CRLF, as the runner reads them).
    With ``annotations``, pullcheck's own annotations (--format github) pass when every value in them is
    %-escaped: no ``:`` among the properties, no ``%`` but an escape, no ``##[``."""
    out = []
    for x in re.split(r"\r\n|\r|\n", text):
        if not (x.lstrip(_WHITE).startswith("::") or "##[" in x):
            continue
        if annotations and _ANNOTATION.fullmatch(x) and "##[" not in x and not re.search("%(?!25|0D|0A|3A|2C)", x):
            continue
        out.append(x)
    return out


def _commands(stream: bytes, annotations: bool = False):
    return commands(stream.decode("utf-8", "replace"), annotations)


def test_names_from_the_tree_never_start_a_command_on_standard_error(tmp_path):
    folder = _hostile_tree(tmp_path)
    runs = [_run_bytes("--format", "github", "-v", "--explain", str(folder)),
            _run_bytes("--format", "github", "--fix", str(folder)),
            _run_bytes("--format", "github", "--diff", str(folder)),
            _run_bytes(str(folder), env=dict(os.environ, PULLCHECK_TEST_FAULT="read"))]
    said = b"".join(r.stderr for r in runs)
    for text in ("tree/notes\\n::add-mask::m\\x1b[31m.json", "Svc\\n::error::id\\x1b[2J (AWS::ECS::Service",
                 "tree/twin\\n::warning::t\\x1b[2J.yaml: one of 2 hard links", "internal error while"):
        assert text.encode() in said, said  # the names are said, escaped
    assert _commands(said) == [] and b"\x1b" not in said, said
    for r in runs[:3]:
        assert _commands(r.stdout, annotations=True) == [] and b"\x1b" not in r.stdout, r.stdout
    assert runs[0].stdout.count(b"\n::error file=") + runs[0].stdout.startswith(b"::error file=") == 2


def test_explain_on_standard_output_is_printable(tmp_path):
    folder = _hostile_tree(tmp_path)
    r = _run_bytes("--explain", "--select", "NET002", str(folder))  # no finding: stdout is the explanation
    assert b"(AWS::ECS::Service" in r.stdout and r.returncode == 0, r.stdout + r.stderr
    assert _commands(r.stdout) == [] and b"\x1b" not in r.stdout, r.stdout


LEADING = ["\u00a0::error::nbsp.yaml", "\u3000::add-mask::ideographic.yaml", "\u2003\u00a0::warning::em.yaml"]
LEGACY_SKIPPED = "n##[stop-commands]tok.json"


def test_white_space_and_the_older_command_form_never_start_a_command(tmp_path):
    """The runner trims every Unicode white space before it looks for ``::``, and reads ``##[command]``
    anywhere in a line: file names that start with a no-break, ideographic or em space, a logical ID that
    holds ``##[add-mask]`` and a skipped file named with ``##[stop-commands]`` are printed escaped."""
    with open(BAD, encoding="utf-8") as f:
        text = f.read().replace("  Service:\n", '  "Svc##[add-mask]x":\n')
    for name in LEADING:
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / LEGACY_SKIPPED).write_text('{"hello": 1}')
    for fmt in ("text", "parseable", "github"):
        r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "-v", "--format", fmt, "."],
                           capture_output=True, timeout=120, cwd=str(tmp_path))
        assert r.returncode == 1 and b"Traceback" not in r.stderr, r.stderr
        assert r.stdout.count(b"NET001") == len(LEADING), r.stdout
        assert _commands(r.stdout, annotations=fmt == "github") == [], r.stdout
        assert _commands(r.stderr) == [] and b"skipped n#\\x23[stop-commands]tok.json" in r.stderr, r.stderr
        if fmt != "github":
            shown = sorted(x.split(":")[0] for x in r.stdout.decode().splitlines() if "NET001" in x)
            assert shown == sorted(["\u00a0\\x3a", "\u2003\u00a0\\x3a", "\u3000\\x3a"]), shown
            assert b"Svc#\\x23[add-mask]x" in r.stdout, r.stdout


def test_a_diff_shows_the_lines_of_the_file_escaped(tmp_path):
    """--diff prints lines of the scanned file: one that starts a command after its indentation, one with
    ``##[``, escape and OSC bytes are shown escaped, a tab stays, and a last line without a line break is
    marked, so what follows starts a line of its own."""
    with open(os.path.join(FIXTURES, "IMG002", "bad_repository_name", "main.tf"), encoding="utf-8") as f:
        src = f.read()
    hostile = "      description = <<EOT\n\t##[stop-commands]tok\n  ::add-mask::pwned\nEOT\n"
    text = src.replace("      image = ", hostile + "      image = ").replace(
        "    }\n  ])", "    } # \x1b]0;title\x07 \x1b[2J\n  ])").rstrip("\n")
    assert "EOT" in text and "\x1b" in text
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    for fmt in ("text", "github"):  # the diff is the text output; beside annotations, it goes to standard error
        r = _run_bytes("--format", fmt, "--diff", str(tmp_path))
        diff = r.stdout if fmt == "text" else r.stderr
        assert b"pullcheck: would fix 1 problem" in r.stderr, r.stderr
        assert _commands(r.stdout, annotations=fmt == "github") == [] and _commands(r.stderr) == [], r.stdout
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", r.stdout + r.stderr), r.stdout + r.stderr
        lines = diff.decode().splitlines()
        assert "   \\x3a:add-mask::pwned" in lines and " \t#\\x23[stop-commands]tok" in lines, lines
        assert "     } # \\x1b]0;title\\x07 \\x1b[2J" in lines, lines
        assert "+      image = aws_ecr_repository.app.repository_url # expect: IMG002" in lines, lines
        assert b"\n }\n\\ No newline at end of file\n" in diff, diff
    assert r.stdout.startswith(b"::error file=") and b"IMG002" in r.stdout, r.stdout  # the annotations, whole


def test_a_report_is_not_written_below_a_symlinked_folder(tmp_path):
    """A relative report path (CI's and the Action's, inside a checkout) is walked folder by folder: a
    folder committed as a link, to a place outside or inside, is not written through. An absolute path
    was typed by the user: only its last component must not be a link."""
    elsewhere, work = tmp_path / "elsewhere", tmp_path / "work"
    (elsewhere / "inner").mkdir(parents=True)
    (work / "sub").mkdir(parents=True)
    (work / "out" / "a").mkdir(parents=True)
    os.symlink(elsewhere, work / "sub" / "dirlink")
    os.symlink(work / "out", work / "sub" / "inside")
    for spec, folder in (("markdown:sub/dirlink/x.md", "sub/dirlink"), ("sub/dirlink/inner/x.json", "sub/dirlink"),
                         ("sarif:./sub/inside/a/x.sarif", "./sub/inside")):
        r = run_cli("--no-config", "--output", spec, BAD, cwd=str(work))
        assert r.returncode == 2 and "NET001" in r.stdout, r.stdout + r.stderr
        path = spec.partition(":")[2] if spec.startswith(("markdown:", "sarif:")) else spec
        assert r.stderr.splitlines() == [
            f"pullcheck: error: cannot write {path}: the folder {folder} is a symbolic link: not written through"]
    assert not list(elsewhere.rglob("x.*")) and not list((work / "out").rglob("x.*"))
    r = run_cli("--no-config", "--output", "json:out/a/r.json", "--output", "out//a/../a/./r2.json",
                "--output", str(work / "sub" / "dirlink" / "abs.md"), BAD, cwd=str(work))
    assert r.returncode == 1 and r.stderr == "", r.stderr
    assert json.loads((work / "out" / "a" / "r.json").read_text())[0]["rule"] == "NET001"
    assert json.loads((work / "out" / "a" / "r2.json").read_text())[0]["rule"] == "NET001"
    assert (elsewhere / "abs.md").read_text().startswith("## pullcheck")


def test_a_termination_while_the_reports_are_written_is_not_an_internal_error(monkeypatch, capsys):
    """A writer's guard catches a defect as one line; a termination whose raise failed (the handler marks
    the run first) ends the run as a termination, without the defect's line."""
    import signal

    from pullcheck.sources.session import current
    from pullcheck.cli import main
    from pullcheck.engine.stages import FAULT_ENV

    monkeypatch.setenv(FAULT_ENV, "report")
    before = signal.getsignal(signal.SIGTERM)
    try:
        assert main(["--no-config", BAD]) == 2
        assert capsys.readouterr().err == ("pullcheck: error: internal error while writing the report "
                                           "(RuntimeError: fault injected at report)\n")
        current().terminated = True  # what the handler does before it raises
        assert main(["--no-config", BAD]) == 143
        assert capsys.readouterr().err == "pullcheck: terminated\n"
    finally:
        current().terminated = False
        signal.signal(signal.SIGTERM, before)
