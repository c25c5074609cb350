"""What a team wires into its workflow: formats, reports, fail-on, configuration, suppressions, baselines."""
import json
import os
import shutil
import xml.etree.ElementTree as ET

import pytest
from conftest import FIXTURES, run_cli

BAD_CFN = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")
BAD_TF = os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf")
WARN_CFN = os.path.join(FIXTURES, "NET012", "bad_peering_only.yaml")


@pytest.fixture
def repo(tmp_path):
    """A throw-away project with one bad template, one bad Terraform module and one warning."""
    (tmp_path / "stacks").mkdir()
    shutil.copy(BAD_CFN, tmp_path / "stacks" / "service.yaml")
    shutil.copy(WARN_CFN, tmp_path / "stacks" / "peering.yaml")
    (tmp_path / "tf").mkdir()
    shutil.copy(BAD_TF, tmp_path / "tf" / "main.tf")
    return tmp_path


def _rules(text):
    return sorted(line.split(": ", 1)[1].split(" ", 1)[0] for line in text.splitlines() if ": " in line
                  and not line.startswith("Found"))


def test_github_annotations(repo):
    r = run_cli("--format", "github", "stacks/service.yaml", cwd=str(repo))
    assert r.returncode == 1
    line = r.stdout.strip()
    assert line.startswith("::error file=stacks/service.yaml,line=53,col=15,endLine=53,endColumn=32,"
                           "title=NET001 public-subnet-without-public-ip::Service runs on Fargate")
    assert "\n" not in line


def test_parseable_has_start_and_end(repo):
    r = run_cli("--format", "parseable", "stacks/peering.yaml", cwd=str(repo))
    assert r.stdout.startswith("stacks/peering.yaml:21:7:21:52: warning NET012 Service runs on Fargate")


def test_junit_report_in_a_file_while_the_console_shows_text(repo):
    r = run_cli("--output", "report.xml", "--output", "sarif:scan.sarif", "stacks", cwd=str(repo))
    assert r.returncode == 1
    assert r.stdout.endswith("Found 2 problems.\n[*] 1 fixable with the --fix option.\n")
    root = ET.parse(repo / "report.xml").getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert suite.get("tests") == "2" and suite.get("failures") == "2" and len(cases) == 2
    failure = cases[0].find("failure")
    assert failure.get("type") == "NET012" and cases[0].get("classname") == "stacks/peering.yaml"
    assert "stacks/peering.yaml:21:7:" in failure.text
    sarif = json.loads((repo / "scan.sarif").read_text())
    assert [res["ruleId"] for res in sarif["runs"][0]["results"]] == ["NET012", "NET001"]


def test_junit_for_a_clean_run_has_one_passing_case(repo):
    good = os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml")
    r = run_cli("--format", "junit", good)
    assert r.returncode == 0
    root = ET.fromstring(r.stdout)
    assert root.get("failures") == "0" and len(root.find("testsuite").findall("testcase")) == 1


@pytest.mark.parametrize("fail_on,code", [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on(repo, fail_on, code):
    assert run_cli("--fail-on", fail_on, "stacks/peering.yaml", cwd=str(repo)).returncode == code


def test_config_in_pyproject(repo):
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "infra"\n\n[tool.pullcheck]\nexclude = ["tf"]\nfail-on = "error"\n'
        '[tool.pullcheck.severity]\nNET001 = "warning"\n', encoding="utf-8")
    r = run_cli(".", cwd=str(repo))
    assert _rules(r.stdout) == ["NET001", "NET012"], r.stdout  # tf/ excluded
    assert "NET001 warning:" in r.stdout
    assert r.returncode == 0  # nothing at error severity any more
    # found from a sub-folder too, by walking up
    r = run_cli("service.yaml", cwd=str(repo / "stacks"))
    assert "NET001 warning:" in r.stdout


def test_dot_config_per_file_ignores(repo):
    (repo / ".pullcheck.toml").write_text('[per-file-ignores]\n"stacks/peer*.yaml" = ["NET012"]\n', encoding="utf-8")
    r = run_cli(".", cwd=str(repo))
    assert _rules(r.stdout) == ["NET001", "NET002"], r.stdout


@pytest.mark.parametrize("text,message", [
    ('select = ["NET999"]\n', ".pullcheck.toml:1: select: unknown rule 'NET999'"),
    ('# ours\n\ncolour = "red"\n', ".pullcheck.toml:3: colour: unknown key; the keys are exclude, fail-on, "),
    ('select = ["NET"]\nfial-on = "error"\n', ".pullcheck.toml:2: fial-on: unknown key (did you mean 'fail-on'?)"),
    ('fail-on = "sometimes"\n', ".pullcheck.toml:1: fail-on: must be one of error, warning, never, not 'sometimes'"),
    ('fail-on = "warn"\n', ".pullcheck.toml:1: fail-on: must be one of error, warning, never, not 'warn' (did you mean "
                           "'warning'?)"),
    ('[severity]\nNET001 = "fatal"\n', ".pullcheck.toml:2: severity.NET001: must be one of error, warning, info"),
    ('[rules.NET013]\nregion = "eu-west-1"\n', ".pullcheck.toml:1: rules.NET013: rule NET013 has no options"),
    ('ignore = [\n  "NET012",\n  "NET0O1",\n]\n', ".pullcheck.toml:3: ignore: unknown rule 'NET0O1' (did you mean "),
    ('[per-file-ignores]\n"a/*.yaml" = ["NET001"]\n"b/*.yaml" = 3\n',
     '.pullcheck.toml:3: per-file-ignores."b/*.yaml": must be a list of strings'),
    ('[terraform]\nvar-file = ["a.tfvars"]\n',
     ".pullcheck.toml:2: terraform.var-file: unknown key (did you mean 'var-files'?); the keys of terraform are "),
    ('select = "NET\n', ".pullcheck.toml:1:14: Illegal character"),  # the reader's own position
])
def test_bad_config_is_a_usage_error_that_names_the_file_line_and_key(repo, text, message):
    (repo / ".pullcheck.toml").write_text(text, encoding="utf-8")
    r = run_cli(".", cwd=str(repo))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"pullcheck: error: {message}"), r.stderr


def test_a_bad_pyproject_table_names_its_line(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.pullcheck]\nignore = ["NET002"]\n'
                                         'fail_on = "error"\n', encoding="utf-8")
    r = run_cli(".", cwd=str(repo))
    assert r.returncode == 2 and r.stderr.startswith(
        "pullcheck: error: pyproject.toml:6: fail_on: unknown key (did you mean 'fail-on'?)"), r.stderr


def test_suppression_comment_in_yaml_and_hcl(repo):
    svc = repo / "stacks" / "service.yaml"
    svc.write_text(svc.read_text().replace("            - !Ref PublicSubnet # expect: NET001",
                                           "            # pullcheck: ignore[NET001] public IP comes from the task hook\n"
                                           "            - !Ref PublicSubnet"))
    tf = repo / "tf" / "main.tf"
    tf.write_text(tf.read_text().replace("# expect: NET002", "# pullcheck: ignore[NET002] egress via the proxy VPC"))
    r = run_cli("stacks/service.yaml", "tf", cwd=str(repo))
    assert r.returncode == 0 and r.stdout == "", r.stdout


def test_suppression_needs_a_reason_and_unused_ones_are_reported(repo):
    svc = repo / "stacks" / "service.yaml"
    svc.write_text(svc.read_text().replace("# expect: NET001", "# pullcheck: ignore[NET001]")
                   .replace("  Attachment:\n", "  # pullcheck: ignore[NET002] no longer true\n  Attachment:\n"))
    r = run_cli("stacks/service.yaml", cwd=str(repo))
    assert _rules(r.stdout) == ["NET001", "SUP001", "SUP002"], r.stdout


def test_suppression_in_json_template_metadata(tmp_path):
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Task": {"Type": "AWS::ECS::TaskDefinition",
                 "Metadata": {"pullcheck": {"ignore": {"IMG001": "rewritten by the deploy pipeline"}}},
                 "Properties": {"ContainerDefinitions": [{"Name": "a", "Image": "arn:aws:ecr:eu-west-1:1:repository/a"}]}},
        "Other": {"Type": "AWS::ECS::TaskDefinition",
                  "Properties": {"ContainerDefinitions": [{"Name": "b", "Image": "arn:aws:ecr:eu-west-1:1:repository/b"}]}}}}
    (tmp_path / "t.json").write_text(json.dumps(doc, indent=2))
    r = run_cli("--select", "IMG001", "t.json", cwd=str(tmp_path))
    assert r.returncode == 1 and _rules(r.stdout) == ["IMG001"] and "[image-is-arn]" in r.stdout
    assert "container b of Other" in r.stdout


def test_baseline_survives_edits_above_and_reports_new_findings(repo):
    assert run_cli("--write-baseline", "baseline.json", ".", cwd=str(repo)).returncode == 0
    assert run_cli("--baseline", "baseline.json", ".", cwd=str(repo)).returncode == 0
    svc = repo / "stacks" / "service.yaml"
    svc.write_text("# a comment that moves every line down\n\n" + svc.read_text())
    r = run_cli("--baseline", "baseline.json", ".", cwd=str(repo))
    assert r.returncode == 0 and r.stdout == ""
    shutil.copy(BAD_CFN, repo / "stacks" / "second.yaml")
    r = run_cli("--baseline", "baseline.json", ".", cwd=str(repo))
    assert r.returncode == 1 and r.stdout.startswith("stacks/second.yaml:53:15: NET001")
    # the baseline works from another folder too: paths are relative to the baseline file
    r = run_cli("--baseline", str(repo / "baseline.json"), str(repo / "stacks" / "service.yaml"))
    assert r.returncode == 0, r.stdout
