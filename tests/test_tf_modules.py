"""Terraform modules: local and downloaded modules evaluated with the inputs the caller passes."""
import json
import os
import shutil

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
    return sorted((os.path.relpath(f.file, tmp_path), f.line, f.rule_id)
                  for f in lint_paths([str(tmp_path / p) for p in paths] or [str(tmp_path)], rules, "NET"))


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
    found = lint_paths([str(tmp_path / "app")], rules, "NET004")
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
    found = lint_paths([str(tmp_path / "app")], rules, "NET")
    assert [f.rule_id for f in found] == ["NET002"]
    assert "module.network.module.inner.aws_subnet.private[0]" in found[0].message


def test_module_with_count_is_unknown(tmp_path, rules):
    _project(tmp_path, '  count  = 1\n  cidr   = "10.0.0.0/16"\n', subnets="module.network[0].private_subnets")
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
    r = run_cli("--explain", str(tmp_path / "app"))
    assert "subnet module.network.aws_subnet.private[0] (" in r.stdout
    assert "modules/network/main.tf:10)" in r.stdout
