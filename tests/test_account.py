"""The verdict account through the real command: every Fargate launch site judged, or told why not."""
import json
import os
import shutil

from conftest import FIXTURES, run_cli

JUDGED = os.path.join("fixtures", "NET002", "good_nat_route.yaml")
# a subnet from a parameter without a default: the network rules stop on it
UNJUDGED = os.path.join("fixtures", "NET002", "good_subnet_parameter_without_default.yaml")
SITE_KEYS = {"name", "kind", "file", "line", "judged", "waits_on"}
WAIT_KEYS = {"value", "file", "line", "supply"}


def _account(*args):
    r = run_cli("--no-config", "--explain", "--format", "json", *args)
    return r, json.loads(r.stdout)


def test_explain_json_is_one_object_with_findings_and_launch_sites():
    r, doc = _account(JUDGED, UNJUDGED)
    assert r.returncode == 0, r.stderr
    assert set(doc) == {"findings", "launch_sites"}
    bare = run_cli("--no-config", "--format", "json", JUDGED, UNJUDGED)
    assert doc["findings"] == json.loads(bare.stdout)  # the findings as the bare list has them
    assert isinstance(json.loads(bare.stdout), list)  # without --explain JSON stays the bare list
    sites = {s["file"]: s for s in doc["launch_sites"]}
    assert all(set(s) == SITE_KEYS for s in doc["launch_sites"])
    judged = sites[JUDGED.replace(os.sep, "/")]
    assert judged["judged"] is True and judged["waits_on"] == []
    assert (judged["name"], judged["kind"]) == ("Service", "ecs.service") and judged["line"] > 0
    unjudged = sites[UNJUDGED.replace(os.sep, "/")]
    assert unjudged["judged"] is False
    [wait] = unjudged["waits_on"]
    assert set(wait) == WAIT_KEYS
    assert "parameter SubnetId" in wait["value"]
    assert wait["supply"] == "a parameter file or a stacks-file entry"
    assert wait["file"] == unjudged["file"] and wait["line"] > unjudged["line"]  # where the subnets are written


def test_text_summary_counts_and_a_fully_judged_run_reads_as_before():
    r = run_cli("--no-config", JUDGED, UNJUDGED)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("pullcheck judged 1 of 2 launch sites; 1 not judged")  # a clean run, not "safe"
    r = run_cli("--no-config", JUDGED)
    assert r.returncode == 0 and r.stdout == ""  # silence: every launch site judged, nothing found
    bad = os.path.join("fixtures", "NET002", "bad_private_subnet_no_route.yaml")
    r = run_cli("--no-config", bad, UNJUDGED)
    assert r.returncode == 1
    assert r.stdout.splitlines()[-2:] == ["Found 1 problem.", "pullcheck judged 1 of 2 launch sites; 1 not judged, "
                                          "waiting on values the run does not give (--explain says which)."]
    r = run_cli("--no-config", bad)
    assert r.stdout.splitlines()[-1] == "Found 1 problem."


def test_verbose_names_each_site_not_judged_and_explain_says_what_it_waits_on():
    r = run_cli("--no-config", "--verbose", JUDGED, UNJUDGED)
    assert "pullcheck: judged 1 of 2 launch sites\n" in r.stderr
    named = [line for line in r.stderr.splitlines() if line.startswith("pullcheck: not judged:")]
    assert len(named) == 1 and "Service" in named[0] and UNJUDGED.replace(os.sep, "/") in named[0]
    r = run_cli("--no-config", "--explain", UNJUDGED)
    assert "Verdict account: judged 0 of 1 launch site" in r.stdout
    assert "supply a parameter file or a stacks-file entry" in r.stdout


def test_fail_on_unjudged_flag_and_config_key(tmp_path):
    assert run_cli("--no-config", UNJUDGED).returncode == 0
    assert run_cli("--no-config", "--fail-on-unjudged", UNJUDGED).returncode == 1
    assert run_cli("--no-config", "--fail-on-unjudged", JUDGED).returncode == 0
    target = tmp_path / "stack.yaml"
    shutil.copy(os.path.join(FIXTURES, "..", UNJUDGED), target)
    (tmp_path / ".pullcheck.toml").write_text("fail-on-unjudged = true\n")
    r = run_cli(str(target), cwd=str(tmp_path))
    assert r.returncode == 1, r.stdout + r.stderr
    (tmp_path / ".pullcheck.toml").write_text("fail-on-unjudged = \"yes\"\n")
    r = run_cli(str(target), cwd=str(tmp_path))
    assert r.returncode == 2 and ".pullcheck.toml:1: fail-on-unjudged: must be true or false" in r.stderr


def test_terraform_variable_waits_on_var_file_or_var(tmp_path):
    src = os.path.join(FIXTURES, "NET001", "good_assign_public_ip_true", "main.tf")
    with open(src, encoding="utf-8") as f:
        text = f.read()
    assert "aws_subnet.private[*].id" in text
    (tmp_path / "main.tf").write_text(text.replace("aws_subnet.private[*].id", "[var.subnet_id]")
                                      + '\nvariable "subnet_id" {\n  type = string\n}\n')
    r, doc = _account(str(tmp_path))
    [site] = doc["launch_sites"]
    assert site["judged"] is False
    assert [(w["supply"], "subnet_id" in w["value"]) for w in site["waits_on"]] == [("--var-file or --var", True)]
    r, doc = _account("--var", "subnet_id=subnet-0123456789abcdef0", str(tmp_path))
    [site] = doc["launch_sites"]
    assert [w["supply"] for w in site["waits_on"]] == [
        "a network snapshot (--network), or the template or module that declares it, in the run"]


def test_the_account_is_the_same_whatever_jobs_says():
    folder = os.path.join("fixtures", "NET002")
    one = run_cli("--no-config", "--jobs", "1", folder)
    two = run_cli("--no-config", "--jobs", "2", folder)
    assert "launch sites" in one.stdout.splitlines()[-1]
    assert one.stdout == two.stdout and one.returncode == two.returncode


def test_a_count_or_for_each_that_cannot_be_known_names_what_it_waits_on(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "services" {}\n'
        'resource "aws_ecs_service" "s" {\n'
        '  for_each        = var.services\n'
        '  name            = each.key\n'
        '  launch_type     = "FARGATE"\n'
        '  task_definition = "web:1"\n'
        '  network_configuration {\n'
        '    subnets = ["subnet-0123456789abcdef0"]\n'
        '  }\n'
        '}\n')
    r, doc = _account(str(tmp_path))
    [site] = doc["launch_sites"]
    [wait] = site["waits_on"]
    assert "variable services" in wait["value"] and "for_each" in wait["value"]
    assert wait["supply"] == "--var-file or --var"  # not a CloudFormation condition's parameters


def test_an_empty_list_of_subnets_is_not_judged(tmp_path):
    src = os.path.join(FIXTURES, "NET001", "good_assign_public_ip_true", "main.tf")
    with open(src, encoding="utf-8") as f:
        text = f.read()
    (tmp_path / "main.tf").write_text(text.replace("aws_subnet.private[*].id", "var.subnets")
                                      + '\nvariable "subnets" {\n  default = []\n}\n')
    r, doc = _account(str(tmp_path))
    [site] = doc["launch_sites"]
    assert site["judged"] is False
    [wait] = site["waits_on"]
    assert "the list is empty" in wait["value"] and wait["line"] > site["line"]


def test_a_service_without_a_network_configuration_is_not_judged(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_ecs_service" "s" {\n'
        '  name            = "s"\n'
        '  launch_type     = "FARGATE"\n'
        '  task_definition = "web:1"\n'
        '}\n')
    r, doc = _account(str(tmp_path))
    [site] = doc["launch_sites"]
    waits = [w["value"] for w in site["waits_on"]]
    assert site["judged"] is False
    assert waits[-1].startswith("the network configuration (none is given"), waits
