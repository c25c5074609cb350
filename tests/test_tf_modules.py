"""Terraform modules: local and downloaded modules evaluated with the inputs the caller passes."""
import json
import os
import shutil

import pytest

from conftest import lint_paths, run_cli

NETWORK = '''variable "cidr" {}
variable "nat_gateway_id" {
  default = null
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, count.index)
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
}

resource "aws_route" "nat" {
  count                  = var.nat_gateway_id == null ? 0 : 1
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = var.nat_gateway_id
}

resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

output "private_subnets" {
  value = aws_subnet.private[*].id
}
'''
SERVICE = '''resource "aws_ecs_task_definition" "app" {
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
    subnets = %s
  }
}
'''


def _project(tmp_path, call, subnets="module.network.private_subnets", source="../modules/network"):
    (tmp_path / "modules" / "network").mkdir(parents=True)
    (tmp_path / "modules" / "network" / "main.tf").write_text(NETWORK)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.tf").write_text(f'module "network" {{\n  source = "{source}"\n{call}}}\n\n'
                                              + SERVICE % subnets)
    return tmp_path


def _found(tmp_path, rules, *paths):
    """The NET findings of linting ``paths`` (or the whole project), with the project as the run's root: a
    module folder beside a linted folder is read only when it lies under the run's paths or roots."""
    return sorted((os.path.relpath(f.file, tmp_path), f.line, f.rule_id)
                  for f in lint_paths([str(tmp_path / p) for p in paths] or [str(tmp_path)], rules, "NET",
                                      roots=[str(tmp_path)]))


def test_inputs_flow_in_and_outputs_flow_back(tmp_path, rules):
    _project(tmp_path, '  cidr   = "10.0.0.0/16"\n')
    # the module folder is walked too, but linted only as the call, with its inputs
    assert _found(tmp_path, rules) == [("app/main.tf", 20, "NET002")]


def test_an_input_that_adds_the_route(tmp_path, rules):
    _project(tmp_path, '  cidr           = "10.0.0.0/16"\n  nat_gateway_id = "nat-0123456789abcdef0"\n')
    assert _found(tmp_path, rules) == []


def test_findings_inside_the_module_name_the_call(tmp_path, rules):
    _project(tmp_path, '  cidr   = "10.0.0.0/16"\n')
    (tmp_path / "modules" / "network" / "nat.tf").write_text(
        'resource "aws_nat_gateway" "this" {\n  subnet_id     = aws_subnet.private[0].id\n'
        '  allocation_id = "eipalloc-0123456789abcdef0"\n}\n')
    found = lint_paths([str(tmp_path / "app")], rules, "NET004", roots=[str(tmp_path)])
    assert [(os.path.relpath(f.file, tmp_path), f.line) for f in found] == [("modules/network/nat.tf", 2)]
    assert found[0].message.startswith("public NAT gateway module.network.aws_nat_gateway.this sits in subnet "
                                       "module.network.aws_subnet.private[0]")


def test_nested_modules(tmp_path, rules):
    _project(tmp_path, '  cidr   = "10.0.0.0/16"\n')
    (tmp_path / "modules" / "wrapper").mkdir()
    (tmp_path / "modules" / "wrapper" / "main.tf").write_text(
        'variable "cidr" {}\nmodule "inner" {\n  source = "../network"\n  cidr   = var.cidr\n}\n'
        'output "subnets" {\n  value = module.inner.private_subnets\n}\n')
    app = tmp_path / "app" / "main.tf"
    app.write_text(app.read_text().replace('"../modules/network"', '"../modules/wrapper"')
                   .replace("module.network.private_subnets", "module.network.subnets"))
    found = lint_paths([str(tmp_path / "app")], rules, "NET", roots=[str(tmp_path)])
    assert [f.rule_id for f in found] == ["NET002"]
    assert "module.network.module.inner.aws_subnet.private[0]" in found[0].message


def test_module_with_count_is_expanded(tmp_path, rules):
    # count = 1: one instance, module.network[0], read as Terraform reads it
    _project(tmp_path, '  count  = 1\n  cidr   = "10.0.0.0/16"\n', subnets="module.network[0].private_subnets")
    found = lint_paths([str(tmp_path / "app")], rules, "NET", roots=[str(tmp_path)])
    assert [f.rule_id for f in found] == ["NET002"]
    assert "module.network[0].aws_subnet.private[0]" in found[0].message


def test_module_with_unknown_count_is_unknown(tmp_path, rules):
    _project(tmp_path, '  count  = var.n\n  cidr   = "10.0.0.0/16"\n', subnets="module.network[0].private_subnets")
    assert _found(tmp_path, rules, "app") == []


def test_registry_module_downloaded_by_init(tmp_path, rules):
    _project(tmp_path, '  cidr   = "10.0.0.0/16"\n', source="example/network/aws")
    downloaded = tmp_path / "app" / ".terraform" / "modules" / "network"
    downloaded.mkdir(parents=True)
    shutil.copy(tmp_path / "modules" / "network" / "main.tf", downloaded / "main.tf")
    (tmp_path / "app" / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "network", "Source": "registry.terraform.io/example/network/aws", "Dir": ".terraform/modules/network"}]}))
    assert _found(tmp_path, rules, "app") == [("app/main.tf", 20, "NET002")]
    shutil.rmtree(tmp_path / "app" / ".terraform")
    assert _found(tmp_path, rules, "app") == []  # not downloaded: unknown


def test_explain_names_the_module_resources(tmp_path):
    _project(tmp_path, '  cidr   = "10.0.0.0/16"\n')
    r = run_cli("--explain", "--root", str(tmp_path), str(tmp_path / "app"))
    assert "subnet module.network.aws_subnet.private[0] (" in r.stdout
    assert "modules/network/main.tf:10)" in r.stdout


def test_a_module_folder_outside_the_run_is_unknown_until_a_root_holds_it(tmp_path):
    """app/ calls ../modules/network: linting app/ alone does not read the module (its subnets are unknown,
    and --explain says why); with the project as --root it does, and the finding on its subnets appears."""
    _project(tmp_path, '  cidr   = "10.0.0.0/16"\n')
    alone = run_cli("--no-config", "--format", "json", str(tmp_path / "app"))
    assert alone.returncode == 0 and json.loads(alone.stdout) == [], alone.stdout + alone.stderr
    explained = run_cli("--no-config", "--explain", "app", cwd=tmp_path).stdout
    assert ("subnets: unknown (module.network (app/main.tf:1) comes from ../modules/network, outside the paths "
            "this run reads)") in explained, explained
    # the call is named once, with the launch site waiting on it and the --root that reads it
    assert ("pullcheck: module.network (app/main.tf:1) comes from ../modules/network, outside the paths this run "
            "reads: its own launch sites cannot be seen, and 1 launch site of the run waits on it; lint from a "
            "folder that holds it, or add --root .\n") in explained, explained
    rooted = run_cli("--no-config", "--format", "json", "--root", str(tmp_path), str(tmp_path / "app"))
    assert [(f["rule"], os.path.relpath(f["file"], tmp_path), f["line"]) for f in json.loads(rooted.stdout)] == [
        ("NET002", "app/main.tf", 20)], rooted.stdout


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_a_module_source_outside_the_run_is_never_read(tmp_path, how):
    """A module outside the linted tree whose outputs and task definition hold a secret token, named by a
    relative source, or by an absolute one that a modules.json records as installed where it is: no output
    of the run shows the token, and the call is an unknown naming why."""
    secret = "zq7secrettoken"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text(
        'resource "aws_ecs_task_definition" "t" {\n  family = "t"\n'
        f'  container_definitions = jsonencode([{{ name = "{secret}", image = "Bad/{secret}:1" }}])\n}}\n'
        f'output "name" {{\n  value = "{secret}"\n}}\noutput "subnets" {{\n  value = ["subnet-{secret}"]\n}}\n',
        encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".terraform" / "modules").mkdir(parents=True)
    (repo / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."}, {"Key": "leak", "Source": str(outside), "Dir": str(outside)}]}))
    source = "../outside" if how == "relative" else str(outside)
    (repo / "main.tf").write_text(
        f'module "leak" {{\n  source = "{source}"\n}}\n'
        'resource "aws_ecs_task_definition" "app" {\n  family = "app"\n'
        '  container_definitions = jsonencode([{ name = module.leak.name, image = "Example/${module.leak.name}:1" }])\n'
        '}\nresource "aws_ecs_service" "app" {\n  name = "app"\n  launch_type = "FARGATE"\n'
        '  task_definition = aws_ecs_task_definition.app.arn\n'
        '  network_configuration {\n    subnets = module.leak.subnets\n  }\n}\n', encoding="utf-8")
    for args in (["--format", "json"], ["--format", "sarif"], ["--explain"], ["--verbose"], []):
        r = run_cli("--no-config", *args, str(repo))
        assert "Traceback" not in r.stderr and r.returncode in (0, 1), (args, r.stderr)
        assert secret not in r.stdout and secret not in r.stderr, args
    explained = run_cli("--no-config", "--explain", str(repo)).stdout
    assert "outside the paths this run reads)" in explained and "subnets: unknown (module.leak (" in explained, explained


SERVICE_MODULE = '''variable "subnets" {
  type = list(string)
}

resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = jsonencode([{ name = "app", image = "nginx:1.27", essential = true }])
}

resource "aws_ecs_service" "app" {
  name            = "app"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {
    subnets = var.subnets
  }
}
'''


@pytest.mark.parametrize("jobs", [[], ["--jobs", "2"]])
def test_a_module_outside_the_run_that_holds_the_services_is_named(tmp_path, jobs):
    """A deployment folder linted on its own calls ../modules/svc, which declares the service: the run cannot
    see that launch site, and says so (the call, its source, and the --root that reads it) instead of
    'No launch sites' alone; the JSON account lists it apart from the modules terraform init would fetch."""
    (tmp_path / "modules" / "svc").mkdir(parents=True)
    (tmp_path / "modules" / "svc" / "main.tf").write_text(SERVICE_MODULE)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "main.tf").write_text(
        'module "svc" {\n  source  = "../modules/svc"\n  subnets = ["subnet-0123456789abcdef0"]\n}\n')
    (tmp_path / "deploy" / "other.tf").write_text('variable "unused" {\n  default = 1\n}\n')
    r = run_cli("--no-config", *jobs, cwd=tmp_path / "deploy")
    assert r.returncode == 0, r.stdout + r.stderr
    assert ("pullcheck: module.svc (main.tf:1) comes from ../modules/svc, outside the paths this run reads: its own "
            "launch sites cannot be seen; lint from a folder that holds it, or add --root ..\n") in r.stdout + r.stderr
    doc = json.loads(run_cli("--no-config", *jobs, "--explain", "--format", "json", cwd=tmp_path / "deploy").stdout)
    assert doc["launch_sites"] == [] and "modules_not_on_disk" not in doc
    assert doc["modules_not_read"] == [{"module": "module.svc", "source": "../modules/svc", "file": "main.tf",
                                        "line": 1, "launch_sites_waiting": 0,
                                        "supply": "lint from a folder that holds it, or add --root .."}]
    # the remedy it names reads the module, and its service is then counted
    rooted = json.loads(run_cli("--no-config", *jobs, "--root", "..", "--explain", "--format", "json", ".",
                                cwd=tmp_path / "deploy").stdout)
    assert [s["name"] for s in rooted["launch_sites"]] == ["module.svc.aws_ecs_service.app"]
    assert "modules_not_read" not in rooted


def test_many_module_calls_outside_the_run_are_said_in_one_line(tmp_path):
    """A pipeline folder calling five shared modules: one line names the first three, counts the rest and
    gives the --root that reads them all."""
    (tmp_path / "modules" / "svc").mkdir(parents=True)
    (tmp_path / "modules" / "svc" / "main.tf").write_text(SERVICE_MODULE)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "main.tf").write_text("".join(
        f'module "svc{i}" {{\n  source  = "../modules/svc"\n  subnets = ["subnet-0123456789abcdef0"]\n}}\n'
        for i in range(5)))
    r = run_cli("--no-config", cwd=tmp_path / "deploy")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [line for line in (r.stdout + r.stderr).splitlines() if "outside the paths this run reads" in line]
    assert lines == ["pullcheck: 5 module calls (module.svc0 (main.tf:1), module.svc1 (main.tf:5), module.svc2 "
                     "(main.tf:9) and 2 more) come from folders outside the paths this run reads: their own launch "
                     "sites cannot be seen; lint from a folder that holds them, or add --root .."], lines


@pytest.mark.parametrize("expansion", ["for_each = var.services", "count = length(var.services)"])
def test_a_module_of_unknown_instances_is_named_with_what_its_launch_sites_wait_on(tmp_path, expansion):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "main.tf").write_text(
        'variable "name" {}\n'
        'resource "aws_ecs_task_definition" "app" {\n'
        '  family                   = var.name\n'
        '  requires_compatibilities = ["FARGATE"]\n'
        '  network_mode             = "awsvpc"\n'
        '  cpu                      = 256\n'
        '  memory                   = 512\n'
        '  container_definitions    = jsonencode([{ name = "app", image = "nginx:1.27" }])\n'
        '}\n'
        'resource "aws_ecs_service" "this" {\n'
        '  launch_type     = "FARGATE"\n'
        '  task_definition = aws_ecs_task_definition.app.arn\n'
        '  network_configuration {\n'
        '    subnets          = ["subnet-0123456789abcdef0"]\n'
        '    assign_public_ip = false\n'
        '  }\n'
        '}\n')
    (tmp_path / "main.tf").write_text(
        'variable "services" {\n  type = any\n}\n'
        f'module "svc" {{\n  source = "./svc"\n  {expansion}\n  name   = "app"\n}}\n')
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    assert doc["findings"] == []  # resources that may not exist are judged by no rule
    [site] = doc["launch_sites"]
    assert site["name"] == "module.svc[*].aws_ecs_service.this" and not site["judged"], site
    assert "variable services has no value" in site["waits_on"][0]["value"], site
