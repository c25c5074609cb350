"""Only regular files are read: FIFOs, sockets, devices and symlinks that leave the tree or point at special
files never hang a run; named explicitly they are a PARSE001 that says what they are."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
BAD = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")


def _run(*args, cwd=None, stdin=subprocess.DEVNULL):
    return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd, stdin=stdin)


def test_special_files_in_a_walked_tree_are_left_out(tmp_path):
    shutil.copy(BAD, tmp_path / "stack.yaml")
    os.mkfifo(tmp_path / "template.yaml")
    os.symlink("/proc/self/fd/1", tmp_path / "out.yaml")
    os.symlink("/dev/stdin", tmp_path / "in.yaml")
    os.symlink("/etc/hostname", tmp_path / "outside.yaml")
    os.symlink(str(tmp_path), tmp_path / "loop")  # a folder symlink to its own parent
    (tmp_path / "cdk.out").mkdir()
    os.mkfifo(tmp_path / "cdk.out" / "manifest.json")
    os.makedirs(tmp_path / "tf" / ".terraform" / "modules")
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), tmp_path / "tf" / "main.tf")
    os.mkfifo(tmp_path / "tf" / ".terraform" / "modules" / "modules.json")
    r = _run(str(tmp_path), "--format", "parseable", stdin=subprocess.PIPE)  # an open pipe on stdin
    assert r.returncode == 1, r.stderr
    rules = sorted(line.split()[2] for line in r.stdout.splitlines())
    assert rules == ["NET001", "NET002"], r.stdout


def test_a_fifo_named_explicitly_is_a_parse_error(tmp_path):
    os.mkfifo(tmp_path / "task.json")
    r = _run(str(tmp_path / "task.json"))
    assert r.returncode == 1 and "PARSE001" in r.stdout and "not a regular file (a FIFO)" in r.stdout, r.stdout


def test_a_fifo_as_stacks_parameters_or_baseline_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "baseline.json")
    r = _run("--baseline", str(tmp_path / "baseline.json"), BAD)
    assert r.returncode == 2 and "cannot read baseline" in r.stderr and "Traceback" not in r.stderr
