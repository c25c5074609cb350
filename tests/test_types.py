"""mypy over the import package and the rules (rules/ checked as pullcheck.rules), held to the errors recorded
in tests/data/mypy-baseline.txt: an error that is not recorded fails the test, and so does a recorded error
that no longer occurs, so the baseline only shrinks and is shrunk with each fix. A line of the baseline is
one error without its line number (``path: [code] message``), so that an edit elsewhere in the file leaves it
as it is; an error found twice in a file is two lines. `pytest --snapshot-update tests/test_types.py` writes
the baseline again, whole (after files move)."""
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter

import pytest

from conftest import ROOT

BASELINE = os.path.join(ROOT, "tests", "data", "mypy-baseline.txt")
PACKAGE = os.path.join(ROOT, "linter", "pullcheck")
RULES = os.path.join(ROOT, "rules")
# mypy's cache, kept between runs (a warm run is a few seconds), one per checkout and user
CACHE = os.path.join(tempfile.gettempdir(), f"pullcheck-mypy-{os.getuid()}-"
                     f"{hashlib.sha256(ROOT.encode()).hexdigest()[:12]}")


def _tree():
    """A folder whose pullcheck/ is the package as installed: a link to each entry of linter/pullcheck and
    rules/ as pullcheck/rules (mypy has no mapping of folders to packages). Kept at one place, so that the
    cache stays valid, and only mended, so that two runs at once do not pull it from under each other."""
    top = os.path.join(CACHE, "tree", "pullcheck")
    os.makedirs(top, exist_ok=True)
    wanted = {name: os.path.join(PACKAGE, name) for name in os.listdir(PACKAGE) if name != "__pycache__"}
    wanted["rules"] = RULES
    for name in os.listdir(top):
        if os.readlink(os.path.join(top, name)) != wanted.get(name):
            os.unlink(os.path.join(top, name))
    for name, target in wanted.items():
        if not os.path.islink(os.path.join(top, name)):
            try:
                os.symlink(target, os.path.join(top, name))
            except FileExistsError:  # another run made it
                pass
    return top


def _entry(error, top):
    """(the baseline's line, where the error is) of one error of mypy's JSON output."""
    path = os.path.abspath(os.path.join(ROOT, error["file"]))
    if path == top or path.startswith(top + os.sep):
        inside = os.path.relpath(path, top)
        path = os.path.join(RULES, os.path.relpath(inside, "rules")) if inside.split(os.sep)[0] == "rules" \
            else os.path.join(PACKAGE, inside)
    path = os.path.relpath(path, ROOT).replace(os.sep, "/")
    message = re.sub(r"\bline [0-9]+", "line N", error["message"].replace(top, "pullcheck"))
    return f"{path}: [{error['code']}] {message}", f"{path}:{error['line']}"


def _recorded():
    """(the mypy and the Python the baseline was recorded with, as its first line says; its entries)."""
    said, entries = "", Counter()
    with open(BASELINE, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# mypy "):
                said = line[2:]
            elif line and not line.startswith("#"):
                entries[line] += 1
    return said, entries


def _errors():
    """mypy's errors now, each as (the baseline's line, where it is)."""
    top = _tree()
    # MYPYPATH comes before pyproject.toml's mypy_path (linter/): pullcheck is read from the tree
    r = subprocess.run([sys.executable, "-m", "mypy", "--config-file", os.path.join(ROOT, "pyproject.toml"),
                        "--cache-dir", os.path.join(CACHE, "cache"), "--output", "json", "-p", "pullcheck"],
                       capture_output=True, text=True, cwd=ROOT, timeout=600,
                       env=dict(os.environ, MYPYPATH=os.path.dirname(top)))
    assert r.returncode in (0, 1), r.stdout[-3000:] + r.stderr[-3000:]
    output = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    found = [_entry(error, top) for error in output if error["severity"] == "error"]
    assert r.returncode == 0 or found, r.stdout[-3000:] + r.stderr[-3000:]
    return found


def test_mypy_finds_the_recorded_errors_and_no_other(request):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it is in the test extra: pip install -e '.[test]')")
    # what mypy finds depends on the Python it checks for (and on what is installed for it: tomli before 3.11)
    python = "Python {}.{}".format(*sys.version_info)
    version = f"mypy {importlib.metadata.version('mypy')}, {python}"
    if request.config.getoption("--snapshot-update"):
        os.makedirs(os.path.dirname(BASELINE), exist_ok=True)
        entries = sorted(entry for entry, _ in _errors())
        with open(BASELINE, "w", encoding="utf-8") as f:
            f.write(f"# {version}\n# The errors of `mypy -p pullcheck` (rules/ as pullcheck.rules), one line "
                    "each, without line numbers.\n# Only shrinks: fix a new error rather than add it here "
                    "(tests/test_types.py).\n")
            f.write("".join(f"{entry}\n" for entry in entries))
        return
    recorded_with, recorded = _recorded()
    if not recorded_with.endswith(f", {python}"):
        pytest.skip(f"the baseline holds what mypy finds on {recorded_with.partition(', ')[2]}, not {python}")
    assert version == recorded_with, (
        f"the baseline was recorded with {recorded_with}, this is {version}: install the pinned mypy "
        f"(pip install -e '.[test]'), or record the baseline again with --snapshot-update")
    found = _errors()
    now = Counter(entry for entry, _ in found)
    new, gone = now - recorded, recorded - now
    said = []
    if new:
        said.append("errors not in tests/data/mypy-baseline.txt (fix them):\n" + "\n".join(
            sorted(f"  {where}: {entry.partition(': ')[2]}" for entry, where in found if entry in new)))
    if gone:
        said.append("errors recorded in tests/data/mypy-baseline.txt that no longer occur (take these lines "
                    "out):\n" + "\n".join(f"  {entry}" for entry in sorted(gone.elements())))
    assert not said, "\n".join(said)
