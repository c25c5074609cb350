"""Never a traceback: a defect at any stage is one line on stderr, exit 2, the other files and rules still
run, and JSON / SARIF / JUnit stay valid documents. The stages are made to fail on purpose through the
engine's fault switch (PULLCHECK_TEST_FAULT), on real fixtures."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES, ROOT

CFN = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")
TD = os.path.join(FIXTURES, "IAM002", "bad_awslogs_no_role.json")
TF = os.path.join(FIXTURES, "demo", "terraform")
PLAN = os.path.join(FIXTURES, "plans", "new-service")


def _run(stage, *paths, tmp_path):
    env = dict(os.environ, PULLCHECK_TEST_FAULT=stage)
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "json",
                        "--output", f"sarif:{sarif}", "--output", f"junit:{junit}", *paths],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    return r, json.loads(r.stdout), json.loads(sarif.read_text()), ET.parse(junit)


@pytest.mark.parametrize("stage,survivor", [
    ("read", "IAM002"),        # every CloudFormation / JSON file fails to load; Terraform still runs
    ("terraform", "NET001"),   # the Terraform folder fails; the template is still linted
    ("templates", "IAM002"),   # the templates fail; the task definition is still linted
    ("plan", "NET001"),
])
def test_a_failing_stage_is_one_line_and_the_rest_runs(stage, survivor, tmp_path):
    paths = (CFN, TD, TF) if stage != "plan" else (CFN, PLAN)
    r, found, sarif, _ = _run(stage, *paths, tmp_path=tmp_path)
    assert "Traceback" not in r.stderr
    assert r.returncode == 2, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("pullcheck: error: internal error")]
    assert lines and all(f"fault injected at {stage}" in x for x in lines), r.stderr
    assert survivor in {f["rule"] for f in found}
    inv = sarif["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False and inv["toolExecutionNotifications"]


def test_sarif_with_a_notification_is_still_valid(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    r, found, sarif, junit = _run("terraform", CFN, TF, tmp_path=tmp_path)
    schema = json.load(open(os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json"), encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    assert junit.getroot().tag in ("testsuites", "testsuite")


def test_without_a_fault_the_run_is_clean(tmp_path):
    r, found, sarif, _ = _run("", CFN, TD, TF, tmp_path=tmp_path)
    assert r.returncode == 1 and "internal error" not in r.stderr
    assert "invocations" not in sarif["runs"][0]
