"""The parser cache is a pickle: it must never be read from a place another user can write.

The attack: a folder another user prepared (world-writable, or theirs) holding a parser cache file whose
pickle runs code. pullcheck must refuse the folder (run without a cache) and never run that code. Tests run
as root, for whom permission bits do not stop anything, so ownership is set with chown to another uid."""
import hashlib
import os
import pickle
import subprocess
import sys

import lark
import pytest

from conftest import FIXTURES
from pullcheck.terraform.syntax import GRAMMAR_SHA256

TF = os.path.join(FIXTURES, "demo", "terraform")


class _Boom:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _plant(folder, marker):
    """A parser cache file with the right name and header, whose payload runs code when unpickled."""
    identity = f"pullcheck-hcl2-parser/{GRAMMAR_SHA256}/lark-{lark.__version__}\n".encode()
    payload = pickle.dumps(_Boom(str(marker)))
    path = folder / f"hcl2-{GRAMMAR_SHA256[:12]}-lark-{lark.__version__}.parser"
    path.write_bytes(identity + hashlib.sha256(payload).hexdigest().encode() + payload)
    return path


def _run(cache_home, **kw):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", TF], capture_output=True, text=True,
                          env=env, timeout=120, **kw)


@pytest.mark.parametrize("how", ["world-writable", "other-owner", "symlink", "file-of-other-owner"])
def test_a_planted_cache_is_never_loaded(tmp_path, how):
    home = tmp_path / "cache"
    home.mkdir()
    folder = home / "pullcheck"
    marker = tmp_path / "owned"
    if how == "symlink":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        folder.symlink_to(elsewhere)
        _plant(elsewhere, marker)
    else:
        folder.mkdir(mode=0o700)
        planted = _plant(folder, marker)
        if how == "world-writable":
            os.chmod(folder, 0o777)
        elif how == "other-owner":
            os.chown(folder, 65534, 65534)
        else:
            os.chown(planted, 65534, 65534)
    r = _run(home)
    assert not marker.exists(), "the planted pickle ran"
    assert r.returncode == 1 and "NET002" in r.stdout, r.stderr  # linted all the same, without a cache


def test_a_cache_of_our_own_is_written_privately_and_reused(tmp_path):
    home = tmp_path / "cache"
    r = _run(home)
    assert r.returncode == 1
    folder = home / "pullcheck"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    files = [p for p in folder.iterdir() if p.suffix == ".parser"]
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    before = files[0].stat().st_mtime_ns
    assert _run(home).returncode == 1 and files[0].stat().st_mtime_ns == before  # read, not rebuilt


def test_a_damaged_cache_is_rebuilt(tmp_path):
    home = tmp_path / "cache"
    _run(home)
    path = next(p for p in (home / "pullcheck").iterdir() if p.suffix == ".parser")
    path.write_bytes(path.read_bytes()[:-100])  # truncated: its digest no longer matches
    r = _run(home)
    assert r.returncode == 1 and "NET002" in r.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest()  # rewritten whole


def test_two_cold_runs_at_once_both_succeed(tmp_path):
    home = tmp_path / "cache"
    env = dict(os.environ, XDG_CACHE_HOME=str(home))
    procs = [subprocess.Popen([sys.executable, "-m", "pullcheck", "--no-config", TF], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], outs
    assert all("NET002" in o for o, _ in outs)


def test_no_home_folder_is_created(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path / "nonexistent"))
    env.pop("XDG_CACHE_HOME", None)
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", TF], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 1 and not (tmp_path / "nonexistent").exists()
