"""The cache (installed rule plugins, remembered between runs) names modules that pullcheck imports: it must
never be read from a place another user can write.

The attack: a folder another user prepared (world-writable, or theirs) holding an entry-points cache that
names a module of the attacker's choosing. pullcheck must refuse the folder (run without a cache) and never
import that module. Tests run as root, for whom permission bits do not stop anything, so ownership is set
with chown to another uid."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES

TF = os.path.join(FIXTURES, "demo", "terraform")


def _site(tmp_path):
    """A folder on PYTHONPATH with a module that leaves a marker when it is imported."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    marker = tmp_path / "owned"
    (site / "plantedmod.py").write_text(f"open({str(marker)!r}, 'w').close()\ndef check(graph):\n    return []\n",
                                        encoding="utf-8")
    return site, marker


def _run(cache_home, site=None, **kw):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", TF], capture_output=True, text=True,
                          env=env, timeout=120, **kw)


def _planted_cache(tmp_path, site):
    """A genuine cache file of this interpreter and sys.path, with one entry point added: the attacker's."""
    own = tmp_path / "own-cache"
    assert _run(own, site).returncode == 1
    [path] = list((own / "pullcheck").glob("entry-points-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entry_points"].append(["EVIL001", "plantedmod:check", str(site)])
    return path.name, json.dumps(data)


def test_the_planted_cache_would_be_obeyed_from_a_private_folder(tmp_path):
    """The control: the same file in the user's own private folder is used, so the refusals below are the
    folder checks at work, not a cache that is never read."""
    site, marker = _site(tmp_path)
    name, text = _planted_cache(tmp_path, site)
    home = tmp_path / "cache"
    (home / "pullcheck").mkdir(parents=True, mode=0o700)
    (home / "pullcheck" / name).write_text(text, encoding="utf-8")
    os.chmod(home / "pullcheck" / name, 0o600)
    _run(home, site)
    assert marker.exists()


@pytest.mark.parametrize("how", ["world-writable", "other-owner", "symlink", "file-of-other-owner"])
def test_a_planted_cache_is_never_loaded(tmp_path, how):
    site, marker = _site(tmp_path)
    name, text = _planted_cache(tmp_path, site)
    home = tmp_path / "cache"
    home.mkdir()
    folder = home / "pullcheck"
    if how == "symlink":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        folder.symlink_to(elsewhere)
        (elsewhere / name).write_text(text, encoding="utf-8")
    else:
        folder.mkdir(mode=0o700)
        planted = folder / name
        planted.write_text(text, encoding="utf-8")
        os.chmod(planted, 0o600)
        if how == "world-writable":
            os.chmod(folder, 0o777)
        elif how == "other-owner":
            os.chown(folder, 65534, 65534)
        else:
            os.chown(planted, 65534, 65534)
    r = _run(home, site)
    assert not marker.exists(), "the planted module was imported"
    assert r.returncode == 1 and "NET002" in r.stdout, r.stderr  # linted all the same, without a cache


def test_a_cache_of_our_own_is_written_privately_and_reused(tmp_path):
    home = tmp_path / "cache"
    r = _run(home)
    assert r.returncode == 1
    folder = home / "pullcheck"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    files = [p for p in folder.iterdir() if p.suffix == ".json"]
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    before = files[0].stat().st_mtime_ns
    assert _run(home).returncode == 1 and files[0].stat().st_mtime_ns == before  # read, not rebuilt


def test_a_damaged_cache_is_rebuilt(tmp_path):
    home = tmp_path / "cache"
    _run(home)
    path = next(p for p in (home / "pullcheck").iterdir() if p.suffix == ".json")
    path.write_bytes(path.read_bytes()[:-100])  # truncated: no longer JSON
    r = _run(home)
    assert r.returncode == 1 and "NET002" in r.stdout
    assert json.loads(path.read_text(encoding="utf-8"))["entry_points"]  # rewritten whole


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
