import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
FIXTURES = os.path.join(ROOT, "fixtures")


def pytest_addoption(parser):
    parser.addoption("--snapshot-update", action="store_true",
                     help="rewrite tests/snapshots/*.json from what pullcheck reports now")


@pytest.fixture(scope="session")
def rules():
    from pullcheck.engine.registry import load_rules

    return load_rules()


def run_cli(*args, cwd=None):
    """Run the installed command as a user would, in a separate process."""
    return subprocess.run([sys.executable, "-m", "pullcheck", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def lint_paths(paths, rules, select=None, stacks=None, roots=None):
    from pullcheck.engine.stages import lint
    from pullcheck.engine.registry import select_rules

    chosen = select_rules(rules, [select] if select else [], [])
    return lint(paths, chosen, stacks=stacks, roots=roots)


def isolate_tf(path, tmp_path):
    """A Terraform fixture is a module of its own: copy it into an empty folder."""
    folder = tmp_path / os.path.basename(path).replace(".", "_")
    folder.mkdir()
    shutil.copy(path, folder / "main.tf")
    return str(folder / "main.tf")
