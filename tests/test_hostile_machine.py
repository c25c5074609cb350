"""A hostile machine: signals, closed pipes, full disks, unwritable places, odd file names, and a scanned
repository that tries to plant a plugin. Each ends in one line and the right exit code, never a traceback.
Sessions and CI run as root, for whom permission bits do not apply, and the interpreter here cannot be run by
another uid: the unwritable place is /proc, and /dev/full stands in for a full disk."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, ROOT

BAD = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")


def _run(*args, **kw):
    kw.setdefault("cwd", ROOT)
    return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", *args], capture_output=True,
                          text=True, timeout=120, **kw)


def _no_traceback(r):
    assert "Traceback" not in r.stderr, r.stderr


@pytest.mark.parametrize("sig,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_signals_end_the_run_in_one_line(tmp_path, sig, code, word):
    # a large enough input that the run is still going when the signal comes
    for i in range(200):
        shutil.copy(BAD, tmp_path / f"s{i}.yaml")
    p = subprocess.Popen([sys.executable, "-m", "pullcheck", "--no-config", str(tmp_path)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(1.0)
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    if p.returncode in (0, 1):
        pytest.skip("the run ended before the signal")
    assert p.returncode == code and err.strip().splitlines()[-1] == f"pullcheck: {word}", err
    assert "Traceback" not in err


def test_a_closed_pipe_is_quiet():
    p = subprocess.Popen(f"{sys.executable} -m pullcheck --no-config {FIXTURES} | head -1", shell=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    out, err = p.communicate(timeout=120)
    assert len(out.splitlines()) == 1 and err == "", err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk(tmp_path):
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", BAD], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2 and "cannot write the output" in r.stderr and "Traceback" not in r.stderr
    r = _run("--write-baseline", "/dev/full", BAD)
    _no_traceback(r)
    assert r.returncode == 2 and "cannot write baseline /dev/full" in r.stderr


def test_write_failures_are_one_line_and_the_rest_is_written(tmp_path):
    r = _run("--write-baseline", str(tmp_path / "missing" / "b.json"), BAD)
    _no_traceback(r)
    assert r.returncode == 2 and "cannot write baseline" in r.stderr
    r = _run("--write-baseline", str(tmp_path), BAD)  # a folder
    assert r.returncode == 2 and "cannot write baseline" in r.stderr
    good = tmp_path / "ok.json"
    r = _run("--output", f"sarif:{tmp_path / 'missing' / 'r.sarif'}", "--output", f"json:{good}", BAD)
    _no_traceback(r)
    assert r.returncode == 2 and "cannot write" in r.stderr
    assert " NET001 " in r.stdout and json.loads(good.read_text())  # console and the other report still there
    r = _run("--output", "sarif:", BAD)
    assert r.returncode == 2 and "names no file" in r.stderr and not os.path.exists(os.path.join(ROOT, "sarif:"))


def test_a_report_never_overwrites_an_input(tmp_path):
    target = tmp_path / "stack.yaml"
    shutil.copy(BAD, target)
    before = target.read_bytes()
    r = _run("--output", f"json:{target}", str(target))
    assert r.returncode == 2 and "is one of the files being linted" in r.stderr
    assert target.read_bytes() == before


def test_a_place_nobody_may_write(tmp_path):
    """(as root no permission bit stops a write; /proc takes no new files, for root either)"""
    r = _run("--write-baseline", "/proc/pullcheck-baseline.json", BAD)
    _no_traceback(r)
    assert r.returncode == 2 and "cannot write baseline /proc/pullcheck-baseline.json" in r.stderr


def test_a_file_name_that_is_not_utf8_prints(tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/stack-\xff.yaml"
    shutil.copy(BAD, name)
    for fmt in ("text", "json", "sarif"):
        r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", fmt, str(tmp_path),
                            "--output", f"json:{tmp_path / ('r-' + fmt + '.json')}"],
                           capture_output=True, timeout=120, cwd=ROOT)
        assert r.returncode == 1, r.stderr
        assert b"Traceback" not in r.stderr and b"NET001" in r.stdout


def test_plugins_are_never_loaded_from_the_scanned_folder(tmp_path):
    """`python -m pullcheck` puts the current folder on sys.path: a *.dist-info there must not register a
    rule (its module would run as soon as pullcheck imports it)."""
    (tmp_path / "evil-1.0.dist-info").mkdir()
    (tmp_path / "evil-1.0.dist-info" / "entry_points.txt").write_text("[pullcheck.rules]\nEVIL001 = evil:check\n")
    (tmp_path / "evil.py").write_text(f"open({str(tmp_path / 'owned')!r}, 'w').close()\n")
    shutil.copy(BAD, tmp_path / "stack.yaml")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "."], capture_output=True, text=True,
                       timeout=120, cwd=str(tmp_path), env=env)
    assert r.returncode == 1 and not (tmp_path / "owned").exists(), r.stderr


def _imported_top_level(args, cwd):
    """The top-level modules a run imports, as ``-X importtime`` lists them."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "pullcheck", *args], capture_output=True,
                       text=True, timeout=120, cwd=cwd)
    names = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                names.add(name.split(".")[0])
    return names


def test_python_m_imports_nothing_from_the_current_folder(tmp_path):
    """`python -m pullcheck` run in a repository that holds a module named like each one pullcheck imports
    (yaml.py, typing.py, json.py, ...): none of them is imported, and the run is the same as elsewhere."""
    scanned = tmp_path / "repo"
    scanned.mkdir()
    shutil.copy(BAD, scanned / "stack.yaml")
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), scanned / "main.tf")
    shutil.copy(os.path.join(FIXTURES, "TD001", sorted(n for n in os.listdir(os.path.join(FIXTURES, "TD001"))
                                                       if n.endswith(".json"))[0]), scanned / "taskdef.json")
    args = ["--no-config", ".", "--explain", "--format", "sarif", "--output", str(tmp_path / "r.xml"),
            "--output", f"markdown:{tmp_path / 'r.md'}"]
    clean = subprocess.run([sys.executable, "-m", "pullcheck", *args], capture_output=True, text=True,
                           timeout=120, cwd=str(scanned))
    assert clean.returncode == 1 and "NET001" in clean.stdout, clean.stderr
    names = _imported_top_level(args, str(scanned)) - {"pullcheck"} - set(sys.builtin_module_names)
    assert {"yaml", "typing", "json"} <= names, sorted(names)  # the list is real: the run imports these
    for name in names:
        (scanned / f"{name}.py").write_text(f"open({str(tmp_path / ('owned-' + name))!r}, 'w').close()\n")
    r = subprocess.run([sys.executable, "-m", "pullcheck", *args], capture_output=True, text=True, timeout=120,
                       cwd=str(scanned))
    owned = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("owned-"))
    assert not owned, owned
    _no_traceback(r)
    assert (r.returncode, r.stdout) == (clean.returncode, clean.stdout)


def test_a_termination_caught_as_a_defect_still_ends_the_run(monkeypatch):
    """Near a memory limit the SIGTERM handler's raise can fail with a MemoryError, which a stage's guard
    catches like any defect. The handler marks the run first, so the guard re-raises the termination and the
    run ends in its one line instead of going on with an internal error."""
    from pullcheck.sources import interrupt
    from pullcheck.sources.session import current
    from pullcheck.engine.stages import FAULT_ENV, INTERNAL_ID, lint_graph
    from pullcheck.engine.registry import load_rules

    monkeypatch.setenv(FAULT_ENV, "read")  # a stage's guard catches an exception
    rules = load_rules()
    _, found = lint_graph([BAD], rules)
    assert any(f.rule_id == INTERNAL_ID and "fault injected" in f.message for f in found), found
    current().terminated = True  # what the handler does before it raises
    try:
        with pytest.raises(interrupt.Terminated):
            lint_graph([BAD], rules)
    finally:
        current().terminated = False


def test_a_named_path_that_links_out_of_root_is_not_read(tmp_path):
    """The pre-commit hook and the Action name paths from the checkout with --root: a committed link among
    them that leads out of the checkout is not read (nor fixed), and says so."""
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    outside.mkdir()
    repo.mkdir()
    shutil.copy(BAD, outside / "stack.yaml")
    (repo / "infra").symlink_to("../outside")
    (repo / "one.yaml").symlink_to("../outside/stack.yaml")
    for named in ("infra", "one.yaml"):
        r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--root", ".", "--fix", named],
                           capture_output=True, text=True, timeout=120, cwd=str(repo))
        _no_traceback(r)
        assert r.returncode == 1 and "NET001" not in r.stdout, r.stdout
        assert f"{named}:1:1: PARSE001 lies outside --root once links are resolved: not read" in r.stdout, r.stdout
    assert (outside / "stack.yaml").read_bytes() == open(BAD, "rb").read()
    # without --root the user named the link on purpose: it is read
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "infra"], capture_output=True, text=True,
                       timeout=120, cwd=str(repo))
    assert r.returncode == 1 and "NET001" in r.stdout, r.stdout + r.stderr
