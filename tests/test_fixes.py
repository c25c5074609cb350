"""--fix, --diff and the fix objects: for each rule that can fix, every bad fixture fixed (--unsafe-fixes
included) loses exactly the findings that had a fix (so a fixture whose findings all have one lints clean for that rule) and differs
from the original exactly as its golden diff (tests/golden_fixes/RULE/FIXTURE.diff) says;
every good fixture is left as it is. Run with --snapshot-update to rewrite the golden diffs after a change
that is meant."""
import difflib
import glob
import json
import os
import shutil

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, run_cli

FIXABLE = ["NET001", "NET017", "IMG001", "IMG002", "IMG003", "IMG004", "IMG005", "TD002", "IAM001", "IAM002", "IAM003"]
GOLDEN = os.path.join(ROOT, "tests", "golden_fixes")


def _cases(prefix):
    for rule in FIXABLE:
        for path in sorted(glob.glob(os.path.join(FIXTURES, rule, prefix + "*"))):
            if not path.endswith(".expect"):
                yield rule, path


def _copy(path, tmp_path):
    """The fixture alone in a folder (a Terraform fixture is a module of its own)."""
    folder = tmp_path / "case"
    folder.mkdir()
    name = "main.tf" if path.endswith(".tf") else os.path.basename(path)
    shutil.copy(path, folder / name)
    return folder, folder / name


@pytest.mark.parametrize("rule,path", list(_cases("bad_")), ids=lambda x: os.path.relpath(x, FIXTURES)
                         if os.path.sep in str(x) else x)
def test_a_bad_fixture_fixed_lints_clean_and_differs_as_the_golden_diff(rule, path, tmp_path, request):
    folder, target = _copy(path, tmp_path)
    before = target.read_text(encoding="utf-8")
    found = json.loads(run_cli("--no-config", "--select", rule, "--format", "json", str(folder)).stdout)
    r = run_cli("--no-config", "--select", rule, "--fix", "--unsafe-fixes", str(folder))
    assert "Traceback" not in r.stderr
    after = target.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile="before", tofile="after"))
    golden = os.path.join(GOLDEN, rule, os.path.basename(path) + ".diff")
    if request.config.getoption("--snapshot-update"):
        os.makedirs(os.path.dirname(golden), exist_ok=True)
        with open(golden, "w", encoding="utf-8") as f:
            f.write(diff)
    with open(golden, encoding="utf-8") as f:
        assert diff == f.read(), "the fix changed something else than its golden diff"
    left = json.loads(run_cli("--no-config", "--select", rule, "--format", "json", str(folder)).stdout)
    fixable = [f for f in found if f.get("fix")]
    assert len(left) == len(found) - len(fixable), "every fix took its finding away, and only its own"
    assert not any(f.get("fix") for f in left)
    assert bool(diff) == bool(fixable)  # no fix offered (a Batch job, a value not written as a literal): no edit


@pytest.mark.parametrize("rule,path", list(_cases("good_")), ids=lambda x: os.path.relpath(x, FIXTURES)
                         if os.path.sep in str(x) else x)
def test_a_good_fixture_is_left_alone(rule, path, tmp_path):
    folder, target = _copy(path, tmp_path)
    before = target.read_bytes()
    run_cli("--no-config", "--fix", "--unsafe-fixes", str(folder))
    assert target.read_bytes() == before


def test_diff_prints_and_changes_nothing(tmp_path):
    folder, target = _copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), tmp_path)
    before = target.read_bytes()
    r = run_cli("--no-config", "--diff", str(folder))
    assert target.read_bytes() == before
    assert "-          AssignPublicIp: DISABLED" in r.stdout and "+          AssignPublicIp: ENABLED" in r.stdout
    assert "1 fix would be applied" in r.stderr


def test_fixes_travel_in_json_and_sarif(tmp_path):
    path = os.path.join(FIXTURES, "IMG002", "bad_repository_name.tf")
    folder, _ = _copy(path, tmp_path)
    rows = json.loads(run_cli("--no-config", "--format", "json", str(folder)).stdout)
    fix = next(x["fix"] for x in rows if x["rule"] == "IMG002")
    assert fix["safe"] is True and fix["edits"][0]["text"] == "aws_ecr_repository.app.repository_url"
    doc = json.loads(run_cli("--no-config", "--format", "sarif", str(folder)).stdout)
    schema = json.load(open(os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json"), encoding="utf-8"))
    jsonschema.validate(doc, schema)
    result = next(x for x in doc["runs"][0]["results"] if x["ruleId"] == "IMG002")
    rep = result["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert rep["insertedContent"]["text"] == "aws_ecr_repository.app.repository_url"
    assert rep["deletedRegion"]["startLine"] == result["locations"][0]["physicalLocation"]["region"]["startLine"]


def test_a_fix_whose_finding_stays_is_undone(tmp_path):
    """The edit goes where the value is written, but here the value that counts is another one (the branch
    of an If that is taken): the finding stays, so the edit is taken back, and said."""
    folder, target = _copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), tmp_path)
    text = target.read_text(encoding="utf-8")
    assert "AssignPublicIp: DISABLED" in text and "\nResources:" in text
    text = text.replace("\nResources:", '\nConditions:\n  Never: !Equals ["a", "b"]\nResources:', 1)
    text = text.replace("AssignPublicIp: DISABLED", "AssignPublicIp: !If [Never, DISABLED, DISABLED]")
    target.write_text(text, encoding="utf-8")
    r = run_cli("--no-config", "--select", "NET001", "--fix", str(folder))
    assert target.read_text(encoding="utf-8") == text
    assert r.returncode == 1 and "fix undone" in r.stderr and "NET001" in r.stdout


def test_describe_keys_go_with_their_commas_and_lines(tmp_path):
    """A key in the middle, one spread over lines, and the last one: the JSON stays valid and every other
    line stays as it was."""
    doc = ('{\n  "family": "web",\n  "revision": 7,\n  "requiresAttributes": [\n    {"name": "x"}\n  ],\n'
           '  "networkMode": "awsvpc",\n  "requiresCompatibilities": ["FARGATE"],\n  "cpu": "256",\n'
           '  "memory": "512",\n  "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}],\n'
           '  "registeredBy": "arn:aws:iam::123456789012:user/me"\n}\n')
    target = tmp_path / "td.json"
    target.write_text(doc, encoding="utf-8")
    r = run_cli("--no-config", "--select", "TD002", "--fix", str(target))
    assert r.returncode == 0, r.stdout + r.stderr
    after = target.read_text(encoding="utf-8")
    kept = [line for line in doc.splitlines() if not any(k in line for k in (
        '"revision"', '"requiresAttributes"', '{"name": "x"}', "  ],", '"registeredBy"'))]
    kept[-2] = kept[-2].rstrip(",")  # the member before the removed last one loses its comma
    assert after.splitlines() == kept
    assert json.loads(after)["family"] == "web"


def test_an_unsafe_fix_needs_its_flag_and_is_offered_only_for_one_fitting_role(tmp_path):
    """IAM002: the one role beside the task definition that ECS tasks can assume and that allows the logs
    is a judgement call: --fix leaves it, --fix --unsafe-fixes names it; with two such roles, no fix."""
    src = os.path.join(FIXTURES, "IAM002", "bad_awslogs_role_beside.yaml")
    folder, target = _copy(src, tmp_path)
    before = target.read_text(encoding="utf-8")
    r = run_cli("--no-config", "--fix", str(folder))
    assert target.read_text(encoding="utf-8") == before and "more with --unsafe-fixes" in r.stderr
    r = run_cli("--no-config", "--fix", "--unsafe-fixes", str(folder))
    after = target.read_text(encoding="utf-8")
    assert after == before.replace("      ContainerDefinitions:\n",
                                   "      ExecutionRoleArn: !GetAtt ExecutionRole.Arn\n      ContainerDefinitions:\n")
    assert r.returncode == 0, r.stdout
    two = before.replace("  TaskDefinition:\n", before.split("Resources:\n")[1].split("  TaskDefinition:")[0]
                         .replace("ExecutionRole:", "OtherRole:") + "  TaskDefinition:\n")
    target.write_text(two, encoding="utf-8")
    rows = json.loads(run_cli("--no-config", "--format", "json", str(folder)).stdout)
    assert [x["rule"] for x in rows] == ["IAM002"] and "fix" not in rows[0]
