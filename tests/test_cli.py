"""The command line as a user runs it: exit codes, formats, selection, rule docs."""
import json
import os

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, run_cli

BAD = os.path.join("fixtures", "NET002", "bad_private_subnet_no_route.yaml")
GOOD = os.path.join("fixtures", "NET002", "good_nat_route.yaml")


def test_clean_file_exits_0():
    r = run_cli(GOOD)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""


def test_findings_exit_1_with_path_line_col():
    r = run_cli(BAD)
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith(BAD.replace(os.sep, "/") + ":39:15: NET002 ")
    assert first.endswith("[subnet-without-egress]")


def test_usage_error_exits_2():
    r = run_cli("--format", "xml", GOOD)
    assert r.returncode == 2
    r = run_cli("--select", "NOPE999", GOOD)
    assert r.returncode == 2 and "unknown rule" in r.stderr


@pytest.mark.parametrize("args,tip", [
    (["--fromat", "json"], "tip: did you mean --format?"),
    (["--fix-unsafe"], "tip: did you mean --unsafe-fixes?"),
    (["--format=jsn"], "tip: a similar value exists: 'json'"),
    (["--format", "sarf"], "tip: a similar value exists: 'sarif'"),
    (["--fail-on", "warn"], "tip: a similar value exists: 'warning'"),
])
def test_a_mistyped_flag_or_value_is_answered_with_the_closest(args, tip):
    r = run_cli(*args, GOOD)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert r.stderr.startswith("usage: pullcheck") and r.stderr.rstrip().endswith(tip), r.stderr


def test_nothing_is_suggested_when_nothing_is_close():
    r = run_cli("--zzzz", GOOD)
    assert r.returncode == 2 and r.stderr.rstrip().endswith("unrecognized arguments: --zzzz"), r.stderr
    r = run_cli("--format", "qq", GOOD)
    assert r.returncode == 2 and "invalid choice: 'qq'" in r.stderr and "tip:" not in r.stderr, r.stderr


def test_an_unknown_rule_page_names_the_closest_rule():
    r = run_cli("rule", "public-subnet-without-public-iq")
    assert r.returncode == 2
    assert r.stderr == ("pullcheck: error: unknown rule: public-subnet-without-public-iq (did you mean "
                        "'public-subnet-without-public-ip'?)\n")


def test_missing_path_is_parse_error():
    r = run_cli("does/not/exist.yaml")
    assert r.returncode == 1
    assert "PARSE001" in r.stdout


def test_select_and_ignore_by_id_prefix_and_name():
    assert run_cli("--select", "IMG", BAD).returncode == 0
    assert run_cli("--ignore", "subnet-without-egress", BAD).returncode == 0
    assert run_cli("--select", "NET", "--ignore", "NET002", BAD).returncode == 0
    assert run_cli("--select", "NET00", BAD).returncode == 1
    # the longer match wins: ignore NET, select NET002
    assert run_cli("--ignore", "NET", "--select", "NET002", BAD).returncode == 1


def test_list_rules_and_rule_doc(rules):
    r = run_cli("--list-rules")
    assert r.returncode == 0
    assert [line.split()[0] for line in r.stdout.splitlines()] == sorted(rules)
    doc = run_cli("rule", "NET001")
    assert doc.returncode == 0 and "## How to fix" in doc.stdout and "AssignPublicIp" in doc.stdout
    assert run_cli("rule", "public-subnet-without-public-ip").stdout == doc.stdout
    assert run_cli("rule", "XYZ123").returncode == 2


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("pullcheck ")


def test_json_format():
    r = run_cli("--format", "json", BAD)
    rows = json.loads(r.stdout)
    assert [(x["rule"], x["line"], x["column"]) for x in rows] == [("NET002", 39, 15)]
    assert rows[0]["resource"] == "Service" and len(rows[0]["fingerprint"]) == 32


def test_sarif_validates_against_schema(tmp_path):
    schema = json.load(open(os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json"), encoding="utf-8"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"containerDefinitions": [', encoding="utf-8")
    r = run_cli("--format", "sarif", BAD, os.path.join("fixtures", "IAM002"), str(broken))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    ids = {x["ruleId"] for x in results}
    assert {"NET002", "IAM002", "PARSE001"} <= ids
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_folder_walk_skips_hidden_and_terraform_cache(tmp_path):
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".terraform").mkdir()
    (tmp_path / "node_modules").mkdir()
    bad = open(os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml"), encoding="utf-8").read()
    for d in (".hidden", ".terraform", "node_modules"):
        (tmp_path / d / "t.yaml").write_text(bad, encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    assert run_cli(str(tmp_path)).returncode == 0
    (tmp_path / "t.yaml").write_text(bad, encoding="utf-8")
    assert run_cli(str(tmp_path)).returncode == 1


def test_folder_walk_reads_aws_folders_alone_among_hidden_ones(tmp_path):
    """GitHub's ECS starter workflow keeps the task definition in .aws/ (or .github/workflows/.aws/): read,
    as infrastructure only; every other hidden folder, .github itself and an AWS CLI home stay out."""
    bad = open(os.path.join(FIXTURES, "IAM002", "bad_awslogs_no_role.json"), encoding="utf-8").read()
    places = [".aws/task-definition.json", ".github/workflows/.aws/task-definition.json", "svc/.aws/td.json",
              ".github/workflows/td.json", ".github/td.json", ".idea/td.json", ".git/td.json",
              "home/.aws/cli/cache/td.json", "home/.aws/td.json"]
    for rel in places:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(bad, encoding="utf-8")
    (tmp_path / ".aws" / "notes.json").write_text('{"not": "infrastructure"}', encoding="utf-8")
    (tmp_path / "home" / ".aws" / "credentials").write_text("[default]\n", encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", "--verbose", str(tmp_path))
    linted = sorted({os.path.relpath(line.split(":", 1)[0], tmp_path) for line in r.stdout.splitlines()})
    assert linted == [".aws/task-definition.json", ".github/workflows/.aws/task-definition.json",
                      "svc/.aws/td.json"], r.stdout
    assert "notes.json" in r.stderr  # not infrastructure: skipped quietly, named with --verbose
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "td.json").write_text(bad, encoding="utf-8")
    (tmp_path / "repo" / ".github" / "workflows").mkdir(parents=True)
    os.symlink(tmp_path / "outside", tmp_path / "repo" / ".aws")  # a link out of the tree is not followed
    os.symlink(tmp_path / "outside", tmp_path / "repo" / ".github" / "workflows" / ".aws")
    assert run_cli("--no-config", str(tmp_path / "repo")).stdout == ""


def test_default_path_is_current_folder(tmp_path):
    bad = open(os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml"), encoding="utf-8").read()
    (tmp_path / "stack.yml").write_text(bad, encoding="utf-8")
    r = run_cli(cwd=str(tmp_path))
    assert r.returncode == 1 and r.stdout.startswith("stack.yml:39:15: NET002")


@pytest.mark.parametrize("name", ["bad_assign_public_ip_false"])
def test_terraform_only_run_does_not_import_cloudformation_stack(tmp_path, name):
    import shutil
    import subprocess
    import sys

    shutil.copy(os.path.join(FIXTURES, "NET001", name, "main.tf"), tmp_path / "main.tf")
    td = os.path.join(FIXTURES, "IAM002", "bad_awslogs_no_role.json")
    code = ("import sys; from pullcheck.cli import main; rc = main(sys.argv[1:]); "
            "bad = [m for m in sys.modules if m.startswith(('cfnlint', 'yaml', 'pullcheck.formats.cloudformation', "
            "'hcl2', 'lark'))]; "
            "print('IMPORTED', bad); raise SystemExit(rc)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path), td], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "IMPORTED []" in r.stdout


def test_conforming_task_definition_run_imports_neither_jsonschema_nor_the_hcl_parser():
    import subprocess
    import sys

    good = os.path.join(FIXTURES, "TD001", "good_string_sizes.json")
    code = ("import sys; from pullcheck.cli import main; rc = main(sys.argv[1:]); "
            "bad = [m for m in sys.modules if m.startswith(('jsonschema', 'lark', 'hcl2', 'cfnlint', 'yaml', "
            "'pullcheck.rules.network'))]; "
            "print('IMPORTED', bad); raise SystemExit(rc)")
    r = subprocess.run([sys.executable, "-c", code, good], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "IMPORTED []" in r.stdout


def test_a_foreign_hcl2_module_does_not_matter(tmp_path):
    """checkov's bc-python-hcl2 installs a module also named hcl2: pullcheck reads HCL itself, so a broken
    or foreign hcl2 beside it changes nothing."""
    import shutil
    import subprocess
    import sys

    fake = tmp_path / "site" / "hcl2"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('not the hcl2 you want')", encoding="utf-8")
    (fake / "hcl2.lark").write_text("start: body\n", encoding="utf-8")
    mod = tmp_path / "mod"
    mod.mkdir()
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), mod / "main.tf")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    r = subprocess.run([sys.executable, "-m", "pullcheck", str(mod)], capture_output=True, text=True, env=env,
                       cwd=str(tmp_path))
    assert r.returncode == 1 and "NET002" in r.stdout, r.stderr


def test_a_path_named_twice_is_read_once():
    """A folder and a file in it, or a relative and an absolute path: read twice, the template's resources
    would be declared twice and every lookup of them ambiguous (NET003 went missing)."""
    alone = run_cli("--no-config", "fixtures/NET003")
    assert alone.returncode == 1 and "bad_private_nat_gateway.yaml" in alone.stdout
    twice = run_cli("--no-config", "fixtures/NET003", "fixtures/NET003/bad_private_nat_gateway.yaml",
                    os.path.join(ROOT, "fixtures", "NET003", "bad_private_nat_gateway.yaml"))
    assert twice.stdout == alone.stdout
    tf = run_cli("--no-config", "fixtures/IAM004", os.path.join(ROOT, "fixtures", "IAM004", "bad_trusts_ecs", "main.tf"))
    assert tf.stdout == run_cli("--no-config", "fixtures/IAM004").stdout
