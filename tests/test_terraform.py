"""Terraform modules as Terraform evaluates them: several files, tfvars, locals, for_each, splats."""
import textwrap

from conftest import lint_paths

NETWORK = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  for_each = local.azs
  vpc_id   = aws_vpc.main.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "egress" {
  count                  = var.nat ? 1 : 0
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = "nat-0123456789abcdef0"
}

resource "aws_route_table_association" "private" {
  for_each       = aws_subnet.private
  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}
"""

SERVICE = """
locals {
  azs = toset(["a", "b"])
}

variable "nat" {
  type = bool
}

resource "aws_ecs_service" "app" {
  name            = "app"
  task_definition = "app:1"
  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }
  network_configuration {
    subnets = [aws_subnet.private["a"].id, aws_subnet.private["b"].id]
  }
}
"""


def _module(tmp_path, tfvars=None):
    (tmp_path / "network.tf").write_text(textwrap.dedent(NETWORK), encoding="utf-8")
    (tmp_path / "service.tf").write_text(textwrap.dedent(SERVICE), encoding="utf-8")
    if tfvars is not None:
        (tmp_path / "terraform.tfvars").write_text(tfvars, encoding="utf-8")
    return str(tmp_path)


def test_tfvars_decide_the_route(tmp_path, rules):
    folder = _module(tmp_path, "nat = false\n")
    found = [(f.rule_id, f.line, f.file.rsplit("/", 1)[-1]) for f in lint_paths([folder], rules)]
    # the association follows for_each over the subnets; the strategy makes it Fargate; line of subnet "a"
    assert found == [("NET002", 18, "service.tf")]


def test_tfvars_with_nat_is_clean(tmp_path, rules):
    assert lint_paths([_module(tmp_path, "nat = true\n")], rules) == []


def test_variable_without_value_is_unknown(tmp_path, rules):
    assert lint_paths([_module(tmp_path)], rules) == []


def test_auto_tfvars_override_terraform_tfvars(tmp_path, rules):
    folder = _module(tmp_path, "nat = false\n")
    (tmp_path / "z.auto.tfvars").write_text("nat = true\n", encoding="utf-8")
    assert lint_paths([folder], rules) == []


def test_data_source_subnets_are_unknown(tmp_path, rules):
    folder = _module(tmp_path, "nat = false\n")
    svc = (tmp_path / "service.tf").read_text(encoding="utf-8")
    svc = svc.replace('[aws_subnet.private["a"].id, aws_subnet.private["b"].id]', "data.aws_subnets.private.ids")
    (tmp_path / "service.tf").write_text(svc, encoding="utf-8")
    assert lint_paths([folder], rules) == []


def test_dynamic_route_blocks_make_routes_unknown(tmp_path, rules):
    folder = _module(tmp_path, "nat = false\n")
    net = (tmp_path / "network.tf").read_text(encoding="utf-8")
    net = net.replace("  vpc_id = aws_vpc.main.id\n}", "  vpc_id = aws_vpc.main.id\n  dynamic \"route\" {\n"
                      "    for_each = var.routes\n    content {}\n  }\n}", 1)
    (tmp_path / "network.tf").write_text(net, encoding="utf-8")
    assert "dynamic" in net
    assert lint_paths([folder], rules) == []
