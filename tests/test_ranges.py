"""Every finding has a range: start and end, in every output, covering the value at fault."""
import json
import os

import pytest
from conftest import FIXTURES, run_cli

# (file, rule, text the range covers), one per reader: YAML, JSON, HCL, YAML block scalar
CASES = [
    ("NET001/bad_assign_public_ip_disabled.yaml", "NET001", "AssignPublicIp: DISABLED"),
    ("NET001/bad_assign_public_ip_absent.yaml", "NET001", "!Ref PublicSubnet"),
    ("IMG001/bad_arn.json", "IMG001", '"arn:aws:ecr:us-east-1:123456789012:repository/web"'),
    ("demo/terraform/main.tf", "NET002", "aws_subnet.private[*].id"),
    ("NET002/bad_state_machine.yaml", "NET002", "DefinitionString"),
]


def _covered(f):
    lines = open(f["file"], encoding="utf-8").read().splitlines()
    assert f["line"] == f["end_line"], f
    return lines[f["line"] - 1][f["column"] - 1:f["end_column"] - 1]


@pytest.fixture(scope="module")
def fixture_findings():
    # every rule's fixtures and the demo (the plan fixtures would stand for the demo's Terraform)
    folders = [os.path.join(FIXTURES, d) for d in sorted(os.listdir(FIXTURES)) if d != "plans"]
    r = run_cli("--no-config", "--format", "json", *folders)
    assert r.returncode == 1, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("rel,rule,text", CASES)
def test_range_covers_the_value(fixture_findings, rel, rule, text):
    path = os.path.join(FIXTURES, rel)
    mine = [f for f in fixture_findings if f["file"] == path and f["rule"] == rule]
    assert mine, f"no {rule} in {rel}"
    assert text in [_covered(f) for f in mine]


def test_every_finding_has_a_nonempty_range(fixture_findings):
    assert len(fixture_findings) > 50
    for f in fixture_findings:
        assert (f["end_line"], f["end_column"]) > (f["line"], f["column"]), f
        if f["line"] == f["end_line"]:
            assert _covered(f).strip(), f


def test_sarif_github_and_parseable_carry_the_same_range(tmp_path):
    path = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml")
    sarif = tmp_path / "r.sarif"
    r = run_cli("--no-config", "--format", "parseable", "--output", f"sarif:{sarif}", path)
    assert r.stdout.startswith(f"{path}:52:11:52:35: error NET001 "), r.stdout
    region = json.loads(sarif.read_text())["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 52, "startColumn": 11, "endLine": 52, "endColumn": 35}
    r = run_cli("--no-config", "--format", "github", path)
    assert ",line=52,col=11,endLine=52,endColumn=35," in r.stdout
    r = run_cli("--no-config", path)
    assert r.stdout.startswith(f"{path}:52:11: NET001 ")  # text keeps path:line:col
