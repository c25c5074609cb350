"""A subnet with no association uses its VPC's main route table. A Terraform configuration that does not
manage that table (no aws_default_route_table, no main association) leaves it to whatever else edits it: its
routes are unknown, and the launch site says so instead of being reported; once the run manages the table
(an adopted aws_default_route_table, routes on the VPC's main_route_table_id), it is judged."""
import textwrap

import pytest
from conftest import lint_paths

BASE = textwrap.dedent("""\
    resource "aws_vpc" "v" {
      cidr_block = "10.0.0.0/16"
    }
    resource "aws_subnet" "s" {
      vpc_id     = aws_vpc.v.id
      cidr_block = "10.0.1.0/24"
    }
    resource "aws_internet_gateway" "gw" {
      vpc_id = aws_vpc.v.id
    }
    resource "aws_ecs_task_definition" "t" {
      family                   = "t"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions    = jsonencode([{ name = "web", image = "nginx:1.27", essential = true }])
    }
    resource "aws_ecs_service" "s" {
      name            = "s"
      launch_type     = "FARGATE"
      task_definition = aws_ecs_task_definition.t.arn
      network_configuration {
        subnets          = [aws_subnet.s.id]
        assign_public_ip = true
      }
    }
    """)

ROUTE_ON_MAIN = """
resource "aws_route" "out" {
  route_table_id         = aws_vpc.v.main_route_table_id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}
"""
ADOPTED = """
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.v.default_route_table_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}
"""
FOREIGN = """
variable "vpc_id" {}
resource "aws_route_table" "other" {
  vpc_id = var.vpc_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = "igw-0123456789abcdef0"
  }
}
resource "aws_main_route_table_association" "m" {
  vpc_id         = var.vpc_id
  route_table_id = aws_route_table.other.id
}
"""


ADOPTED_EMPTY = """
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.v.default_route_table_id
}
"""


@pytest.mark.parametrize("extra, expected", [
    ("", []),  # the main table is not managed here: unknown, not a finding
    (ROUTE_ON_MAIN, []),
    (ADOPTED, []),
    (ADOPTED_EMPTY, ["NET002"]),  # adopted: Terraform removes its routes, and none is added
    (FOREIGN, []),  # a main association of a VPC named by a variable may be this VPC's: unknown, not a finding
])
def test_the_main_table_of_a_terraform_vpc(tmp_path, rules, extra, expected):
    (tmp_path / "main.tf").write_text(BASE + extra)
    found = lint_paths([str(tmp_path)], rules)
    assert [f.rule_id for f in found if f.rule_id.startswith("NET")] == expected


def test_the_main_table_not_managed_waits_on_it(tmp_path):
    import json

    from conftest import run_cli

    (tmp_path / "main.tf").write_text(BASE)
    r = run_cli("--no-config", "--explain", "--format", "json", str(tmp_path))
    [site] = json.loads(r.stdout)["launch_sites"]
    assert [w["value"] for w in site["waits_on"]] == [
        "the 0.0.0.0/0 route of subnet aws_subnet.s (the subnet uses the VPC's main route table, which the scanned "
        "files do not manage)"]


def test_the_message_offers_endpoints_only_for_private_ecr_images(tmp_path, rules):
    base = BASE + ADOPTED_EMPTY
    (tmp_path / "main.tf").write_text(base)
    [found] = lint_paths([str(tmp_path)], rules, "NET002")
    assert "aws_default_route_table.main" in found.message and "ECR VPC endpoints" not in found.message.split("the image cannot")[1]
    ecr = base.replace("nginx:1.27", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1")
    (tmp_path / "main.tf").write_text(ecr)
    [found] = lint_paths([str(tmp_path)], rules, "NET002")
    assert found.message.endswith("or the ECR VPC endpoints")
