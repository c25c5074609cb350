"""The GitHub Action and the Dockerfile. No runner and no docker daemon here: the action's lint step is run as
the script it is, in a workspace, with the files GitHub gives a step; the action's wiring and the Dockerfile
are read and checked."""
import json
import os
import shutil
import subprocess
import sys

import yaml

from conftest import FIXTURES, ROOT


def test_the_lint_step_writes_annotations_sarif_summary_and_the_exit_code(tmp_path):
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), work / "service.yaml")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output), PULLCHECK_PATHS=".",
               PULLCHECK_ARGS="--no-config", PULLCHECK_SARIF="true",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    r = subprocess.run(["bash", os.path.join(ROOT, ".ci", "action-lint.sh")], cwd=str(work), env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr  # the step itself passes; the last step fails the job
    assert r.stdout.startswith("::error file=service.yaml,line=52"), r.stdout
    sarif = json.loads((work / "pullcheck.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "NET001"
    assert "| NET001 | public-subnet-without-public-ip | error | 1 |" in summary.read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == "exit-code=1\n"


def test_the_action_wires_its_steps():
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        action = yaml.safe_load(f)
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    lint = next(s for s in steps if s.get("id") == "lint")
    assert ".ci/action-lint.sh" in lint["run"] and set(lint["env"]) == {"PULLCHECK_PATHS", "PULLCHECK_ARGS",
                                                                         "PULLCHECK_SARIF"}
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "pullcheck.sarif"
    assert steps[-1]["run"] == 'exit "${{ steps.lint.outputs.exit-code }}"'
    assert set(action["inputs"]) == {"paths", "args", "sarif"}


def test_the_dockerfile_is_small_and_runs_as_a_user():
    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
        lines = [x.strip() for x in f if x.strip() and not x.startswith("#")]
    assert lines[0].startswith("FROM python:3") and "-slim" in lines[0]
    assert any(x.startswith("USER ") and x != "USER root" for x in lines)
    assert lines[-1] == 'ENTRYPOINT ["pullcheck"]'
