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


def _cases(prefix, share=None):
    """(rule, fixture) of each fixable rule's fixtures named ``prefix*``; with ``share``, the default run
    takes the first ``share`` of each rule's and -m slow the others."""
    for rule in FIXABLE:
        paths = [p for p in sorted(glob.glob(os.path.join(FIXTURES, rule, prefix + "*"))) if not p.endswith(".expect")]
        for i, path in enumerate(paths):
            yield pytest.param(rule, path, marks=pytest.mark.slow) if share is not None and i >= share else \
                (rule, path)


def _copy(path, tmp_path):
    """The fixture alone in a folder (a Terraform fixture is a folder: a module of its own), and its main
    file there."""
    folder = tmp_path / "case"
    if os.path.isdir(path):
        shutil.copytree(path, folder)
        return folder, folder / "main.tf"
    folder.mkdir()
    shutil.copy(path, folder / os.path.basename(path))
    return folder, folder / os.path.basename(path)


# each fix runs the command three times: the default run takes the first two bad fixtures of each rule
@pytest.mark.parametrize("rule,path", list(_cases("bad_", share=2)), ids=lambda x: os.path.relpath(x, FIXTURES)
                         if os.path.sep in str(x) else x)
def test_a_bad_fixture_fixed_lints_clean_and_differs_as_the_golden_diff(rule, path, tmp_path, request):
    folder, target = _copy(path, tmp_path)
    found = json.loads(run_cli("--no-config", "--select", rule, "--format", "json", str(folder)).stdout)
    # a folder fixture's fixes go into the file its findings are in (main.tf, or an ecspresso definition)
    target = next((type(target)(f["file"]) for f in found if f.get("fix")), target)
    before = target.read_text(encoding="utf-8")
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


def test_diff_prints_and_changes_nothing_and_exits_1_while_there_is_a_fix_to_apply(tmp_path):
    """As ruff's: --diff's output is the diff, and its exit code answers "is anything left to fix?" (1 when
    there is a fix to apply, 0 when there is none, findings without a fix or not)."""
    folder, target = _copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), tmp_path)
    before = target.read_bytes()
    r = run_cli("--no-config", "--diff", str(folder))
    assert target.read_bytes() == before
    assert r.stdout.startswith("--- ") and "bad_assign_public_ip_disabled.yaml:" not in r.stdout  # no finding
    assert "-          AssignPublicIp: DISABLED" in r.stdout and "+          AssignPublicIp: ENABLED" in r.stdout
    assert "would fix 1 problem" in r.stderr and r.returncode == 1, r.stderr
    run_cli("--no-config", "--fix", str(folder))
    r = run_cli("--no-config", "--diff", str(folder))
    assert (r.stdout, r.returncode) == ("", 0) and "no problem would be fixed" in r.stderr, r.stderr
    unfixable = os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml")
    assert run_cli("--no-config", unfixable).returncode == 1
    r = run_cli("--no-config", "--diff", unfixable)
    assert (r.stdout, r.returncode) == ("", 0), r.stdout + r.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_diff_keeps_a_machine_format_whole(fmt, tmp_path):
    """With --format json (or sarif) --diff prints the report as without --diff, every finding with its fix,
    so that it stays valid and complete for the program that reads it; the diff goes to standard error.
    (ruff's --diff prints only the diff, whatever the format: a script that asked for JSON gets none.) The
    --output reports are whole too."""
    folder, target = _copy(os.path.join(FIXTURES, "IMG002", "bad_sub_repository_tag.yaml"), tmp_path)
    plain = run_cli("--no-config", "--format", fmt, str(folder))
    report = tmp_path / "report.json"
    r = run_cli("--no-config", "--format", fmt, "--diff", "--output", f"json:{report}", str(folder))
    assert r.returncode == 1, r.stderr
    assert json.loads(r.stdout) == json.loads(plain.stdout) and r.stdout == plain.stdout
    assert json.loads(report.read_text()) == json.loads(run_cli("--no-config", "--format", "json", str(folder)).stdout)
    assert "\n+++ " in r.stderr and "would fix 1 problem" in r.stderr


def test_the_text_output_says_how_many_findings_fix_would_fix(tmp_path):
    """As ruff's: a line after the count, and the unsafe fixes counted apart unless --unsafe-fixes is given."""
    net001 = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml")
    lines = run_cli("--no-config", net001).stdout.splitlines()
    assert lines[-2:] == ["Found 1 problem.", "[*] 1 fixable with the --fix option."]
    iam002 = os.path.join(FIXTURES, "IAM002", "bad_awslogs_role_beside.yaml")
    lines = run_cli("--no-config", "--select", "IAM002", iam002).stdout.splitlines()
    assert lines[-1] == "No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option)."
    lines = run_cli("--no-config", "--select", "IAM002", "--unsafe-fixes", iam002).stdout.splitlines()
    assert lines[-1] == "[*] 1 fixable with the --fix option."
    lines = run_cli("--no-config", net001, iam002).stdout.splitlines()
    assert "[*] 1 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option)." in lines
    unfixable = os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml")
    assert run_cli("--no-config", unfixable).stdout.splitlines()[-1] == "Found 1 problem."


def test_fixes_travel_in_json_and_sarif(tmp_path):
    path = os.path.join(FIXTURES, "IMG002", "bad_repository_name", "main.tf")
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
    assert r.returncode == 1 and "NET001" in r.stdout
    assert "fix undone: " in r.stderr and "its finding NET001 stayed" in r.stderr, r.stderr
    d = run_cli("--no-config", "--select", "NET001", "--diff", str(folder))  # --diff shows what --fix writes
    assert (d.stdout, d.returncode) == ("", 0) and "its finding NET001 stayed" in d.stderr, d.stderr


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
    assert target.read_text(encoding="utf-8") == before and "1 more fix available with --unsafe-fixes" in r.stderr
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


def test_a_fix_that_lets_another_rule_judge_is_kept_and_the_new_finding_reported(tmp_path):
    """A CDK app whose image is a repository's ARN and whose task definition has no execution role: the ARN
    is no image, so nothing asks for a role; written as the repository's URI (IMG001's fix) the image is an
    ECR image, which needs one (IAM001, on the same line). The fix did its work, the run can judge more: it
    is kept, --diff and --fix agree, and the new finding is reported and named."""
    src = os.path.join(ROOT, "tests", "data", "fixes", "cdk_ecr_arn_no_role")
    shutil.copytree(src, tmp_path / "app")
    template = tmp_path / "app" / "cdk.out" / "WebStack.template.json"
    before = template.read_text(encoding="utf-8")
    first = json.loads(run_cli("--no-config", "--format", "json", "cdk.out", cwd=str(tmp_path / "app")).stdout)
    assert [(f["rule"], f["line"]) for f in first] == [("IMG001", 9)]
    d = run_cli("--no-config", "--diff", "cdk.out", cwd=str(tmp_path / "app"))
    assert d.returncode == 1 and "fix undone" not in d.stderr, d.stderr
    assert '+      "Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2",' in d.stdout.splitlines()
    r = run_cli("--no-config", "--fix", "cdk.out", cwd=str(tmp_path / "app"))
    assert "fix undone" not in r.stderr, r.stderr
    assert template.read_text(encoding="utf-8") == before.replace(
        "arn:aws:ecr:eu-west-1:123456789012:repository/web:1.4.2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2")
    assert r.returncode == 1 and r.stdout.startswith("cdk.out/WebStack.template.json:9:16: IAM001 "), r.stdout
    assert "cdk.out/WebStack.template.json:9:16: IAM001, found once IMG001 was fixed there" in r.stderr, r.stderr
    assert "fixed 1 problem, 1 remains" in r.stderr
    patched = "".join(difflib.unified_diff(before.splitlines(keepends=True), template.read_text().splitlines(
        keepends=True), fromfile="a/cdk.out/WebStack.template.json", tofile="b/cdk.out/WebStack.template.json"))
    assert d.stdout == patched  # what --diff showed is what --fix wrote


def _finding(path, rule_id, fix=None, message="m", resource="TaskDefinition", attr="containers.0.image"):
    from pullcheck.graph.model import Finding

    return Finding(str(path), 2, 10, 2, 20, rule_id, "error", message, name=rule_id.lower(), resource=resource,
                   path=attr, fix=fix)


@pytest.mark.parametrize("new_rule,undone", [("IMG003", True), ("TD003", True), ("IAM001", False),
                                             ("NET014", False)])
def test_a_new_finding_where_a_fix_edited_takes_it_back_when_it_is_of_its_concern(new_rule, undone, tmp_path):
    """Where an IMG fix edited, a new IMG finding means it wrote a wrong image, a TD finding that ECS would
    not take the task definition: the fix is taken back, naming that finding. A finding of another family
    there (IAM, NET) is what the image being right lets the run judge: kept, and named as found."""
    from pullcheck.engine import fixes, fixing
    from pullcheck.sources.session import begin

    begin()
    target = tmp_path / "td.yaml"
    target.write_text("x: 1\nimage: arn:aws:ecr:eu-west-1:123456789012:repository/web\n", encoding="utf-8")
    fix = fixes.Fix("use the URI", (fixes.Edit(str(target), 2, 8, 2, 57, "123456789012.dkr.ecr.eu-west-1"
                                                                       ".amazonaws.com/web"),))
    assert fixes.new_texts([fix])[str(target)][1].endswith("amazonaws.com/web\n")
    before = [_finding(target, "IMG001", fix)]
    after = [_finding(target, new_rule, message="new")]
    store = fixing.Memory(refusal=lambda file: "")
    lints = []  # the first lint after the pass sees the new finding; after a fix is taken back, the old one

    def relint():
        lints.append(1)
        return after if len(lints) == 1 else before

    out = fixing.apply(before, relint, store=store)
    store.close()
    if undone:
        assert out.fixed == 0 and out.changes == {} and out.uncovered == []
        assert out.undone == [f"{target}:2: use the URI: it brings {target}:2:10: {new_rule} new"]
    else:
        assert out.fixed == 1 and out.undone == [] and list(out.changes) == [str(target)]
        assert out.uncovered == [f"{target}:2:10: {new_rule}, found once IMG001 was fixed there"]
    assert target.read_text(encoding="utf-8").endswith("repository/web\n")  # in memory: no file written
