"""A run ends with ``os._exit``, past the teardown in which coverage saves its data: a run measured by
coverage saves it before leaving, so the command's own subprocess runs count."""
import os
import subprocess
import sys

import pytest
from conftest import ROOT


def test_a_measured_run_saves_its_coverage(tmp_path):
    coverage = pytest.importorskip("coverage")
    data_file = tmp_path / "coverage.data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env["COVERAGE_FILE"] = str(data_file)
    r = subprocess.run([sys.executable, "-m", "coverage", "run", "-m", "pullcheck", os.path.join("fixtures", "demo")],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 1 and r.stdout, r.stdout + r.stderr  # the demo's findings, reported
    assert data_file.is_file(), r.stderr
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    cli = [f for f in data.measured_files() if f.endswith(os.path.join("pullcheck", "cli.py"))]
    assert cli, sorted(data.measured_files())[:20]
    assert len(data.lines(cli[0]) or ()) > 50
