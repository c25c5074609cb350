"""``--changed`` (what the pre-commit hook runs): the changed files linted with what links them to the rest of
the repository, and only the findings in them or caused by them reported."""
import os
import shutil
import subprocess
import sys
import textwrap

from conftest import FIXTURES, run_cli

NETWORK_MODULE = textwrap.dedent("""\
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "private" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }

    resource "aws_route_table" "private" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "private" {
      subnet_id      = aws_subnet.private.id
      route_table_id = aws_route_table.private.id
    }

    output "subnet_id" {
      value = aws_subnet.private.id
    }
    """)
ROOT_MODULE = textwrap.dedent("""\
    module "network" {
      source = "../../modules/network"
    }

    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions    = jsonencode([{ name = "app", image = "nginx:1.27" }])
    }

    resource "aws_ecs_service" "app" {
      name            = "app"
      launch_type     = "FARGATE"
      task_definition = aws_ecs_task_definition.app.arn
      network_configuration {
        subnets = [module.network.subnet_id]
      }
    }
    """)


def _terraform_repo(tmp_path):
    (tmp_path / "modules" / "network").mkdir(parents=True)
    (tmp_path / "modules" / "network" / "main.tf").write_text(NETWORK_MODULE)
    (tmp_path / "envs" / "prod").mkdir(parents=True)
    (tmp_path / "envs" / "prod" / "main.tf").write_text(ROOT_MODULE)
    (tmp_path / "other").mkdir()  # broken, and not changed
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), tmp_path / "other" / "main.tf")
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), tmp_path / "broken.yaml")
    return tmp_path


def _changed(repo, *files):
    return run_cli("--no-config", "--infrastructure-only", "--root", ".", "--changed", *files, cwd=str(repo))


def test_a_changed_module_is_linted_through_the_root_that_calls_it(tmp_path):
    repo = _terraform_repo(tmp_path)
    r = _changed(repo, "modules/network/main.tf")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [x for x in r.stdout.splitlines() if ": NET" in x]
    assert len(lines) == 1 and lines[0].startswith("envs/prod/main.tf:") and "NET002" in lines[0], r.stdout
    # alone, the module declares no service: nothing to judge
    alone = run_cli("--no-config", "--infrastructure-only", "--root", ".", "modules/network/main.tf", cwd=str(repo))
    assert alone.returncode == 0, alone.stdout


def test_a_changed_root_module_reports_what_it_causes_and_not_the_unrelated_broken_files(tmp_path):
    repo = _terraform_repo(tmp_path)
    r = _changed(repo, "envs/prod/main.tf")
    assert r.returncode == 1 and "envs/prod/main.tf:" in r.stdout and "NET002" in r.stdout
    assert "other/" not in r.stdout and "broken.yaml" not in r.stdout


def test_an_unrelated_change_passes_whatever_else_is_broken(tmp_path):
    repo = _terraform_repo(tmp_path)
    shutil.copy(os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml"), repo / "good.yaml")
    r = _changed(repo, "good.yaml")
    assert r.returncode == 0, r.stdout + r.stderr


TASK_DEFINITION = """{
  "family": "web",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "256",
  "memory": "512",
  "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}]
}
"""


def test_a_changed_task_definition_is_judged_where_a_service_runs_it_by_family(tmp_path):
    # the service (in a template nobody changed) names the task definition by its family
    bad = open(os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml"), encoding="utf-8").read()
    assert "TaskDefinition: !Ref TaskDefinition" in bad
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "service.yaml").write_text(bad.replace("TaskDefinition: !Ref TaskDefinition",
                                                                  "TaskDefinition: web"))
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "task-definition.json").write_text(TASK_DEFINITION)
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), tmp_path / "broken.yaml")
    r = _changed(tmp_path, "deploy/task-definition.json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "stacks/service.yaml:" in r.stdout and "NET002" in r.stdout and "broken.yaml" not in r.stdout
    alone = run_cli("--no-config", "deploy/task-definition.json", cwd=str(tmp_path))
    assert alone.returncode == 0, alone.stdout


def test_a_hook_run_without_cloudformation_in_its_links_imports_no_cloudformation_code(tmp_path):
    repo = _terraform_repo(tmp_path)  # broken.yaml, a template, is in the repository but not linked
    code = ("import sys; from pullcheck.cli import main; rc = main(sys.argv[1:]); "
            "bad = [m for m in sys.modules if m.startswith(('cfnlint', 'yaml', 'pullcheck.formats.cloudformation'))]; "
            "print('IMPORTED', bad); raise SystemExit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "--no-config", "--infrastructure-only", "--root", ".",
                        "--changed", "modules/network/main.tf"], capture_output=True, text=True, cwd=str(repo))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "IMPORTED []" in r.stdout


def test_nothing_outside_the_repository_is_read(tmp_path):
    repo = _terraform_repo(tmp_path / "repo")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), outside / "vpc.yaml")
    r = _changed(repo, "../elsewhere/vpc.yaml")
    assert r.returncode == 1 and "NET001" not in r.stdout, r.stdout + r.stderr
    assert r.stdout.startswith("../elsewhere/vpc.yaml:1:1: PARSE001 lies outside --root"), r.stdout


def _nested(tmp_path):
    """A parent template that declares a public subnet and nests a service template, passing it the subnet:
    the service gives its tasks no public IP (NET001, seen only through the parent)."""
    with open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), encoding="utf-8") as f:
        head, service = f.read().split("  TaskDefinition:\n", 1)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "parent.yaml").write_text(
        head + "  Service:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: ./service.yaml\n      Parameters: {SubnetId: !Ref PublicSubnet}\n")
    (tmp_path / "stacks" / "service.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  SubnetId: {Type: String}\nResources:\n'
        "  TaskDefinition:\n" + service.replace("!Ref PublicSubnet", "!Ref SubnetId"))
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), tmp_path / "broken.yaml")
    return tmp_path


def test_a_changed_nested_template_is_linted_through_its_parent(tmp_path):
    repo = _nested(tmp_path)
    r = _changed(repo, "stacks/service.yaml")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [x for x in r.stdout.splitlines() if ": NET" in x]
    assert len(lines) == 1 and lines[0].startswith("stacks/service.yaml:") and "NET001" in lines[0], r.stdout
    alone = run_cli("--no-config", "--infrastructure-only", "stacks/service.yaml", cwd=str(repo))
    assert alone.returncode == 0, alone.stdout


def test_a_changed_service_takes_the_export_built_from_the_same_unset_parameter(tmp_path):
    with open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), encoding="utf-8") as f:
        head, service = f.read().split("  TaskDefinition:\n", 1)
    parameter = 'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  ProjectName: {Type: String}\n'
    (tmp_path / "vpc.yaml").write_text(parameter + head.split("\n", 1)[1] + "Outputs:\n  Subnet:\n"
                                       "    Value: !Ref PublicSubnet\n"
                                       '    Export: {Name: !Sub "${ProjectName}-public-subnet"}\n')
    (tmp_path / "service.yaml").write_text(
        parameter + "Resources:\n  TaskDefinition:\n"
        + service.replace("!Ref PublicSubnet", '!ImportValue {"Fn::Sub": "${ProjectName}-public-subnet"}'))
    r = _changed(tmp_path, "service.yaml")
    assert r.returncode == 1 and r.stdout.startswith("service.yaml:") and "NET001" in r.stdout, r.stdout + r.stderr


def test_a_changed_template_of_a_stacks_file_is_judged_as_its_stacks(tmp_path):
    from test_stacks import NETWORK, SERVICE, _write_stacks

    (tmp_path / "network.yaml").write_text(NETWORK)
    (tmp_path / "service.yaml").write_text(SERVICE)
    _write_stacks(tmp_path, '{ Egress = "none" }')
    r = _changed(tmp_path, "--stacks", "stacks.toml", "--select", "NET", "network.yaml")
    assert r.returncode == 1 and r.stdout.startswith("service.yaml:21:") and "NET002" in r.stdout, r.stdout
    _write_stacks(tmp_path, '{ Egress = "nat" }')
    assert _changed(tmp_path, "--stacks", "stacks.toml", "--select", "NET", "network.yaml").returncode == 0


def test_every_file_changed_is_the_repository_s_run(tmp_path):
    # pre-commit run --all-files: nothing is left to link, every finding is the change's
    repo = _nested(_terraform_repo(tmp_path))
    every = sorted(os.path.relpath(os.path.join(d, n), repo) for d, _, names in os.walk(repo) for n in names)
    plain = run_cli("--no-config", "--infrastructure-only", "--root", ".", *every, cwd=str(repo))
    assert plain.returncode == 1 and plain.stdout.count(": NET") == 4, plain.stdout
    for jobs in ("1", "2"):
        r = _changed(repo, "--jobs", jobs, *every)
        assert (r.returncode, r.stdout) == (plain.returncode, plain.stdout)


def test_a_changed_file_that_a_terraform_folder_reads_lints_that_folder(tmp_path):
    with open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8") as f:
        main = f.read()
    start = main.index("  container_definitions = jsonencode(")
    end = main.index("  ])\n", start) + len("  ])\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.tf").write_text(
        main[:start] + '  container_definitions = file("${path.module}/containers.json")\n' + main[end:])
    (tmp_path / "app" / "containers.json").write_text('[{"name": "app", "image": "nginx:1.27"}]\n')
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), tmp_path / "broken.yaml")
    r = _changed(tmp_path, "app/containers.json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("app/main.tf:") and "NET002" in r.stdout and "broken.yaml" not in r.stdout
