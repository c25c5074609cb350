"""Terraform read and evaluated as Terraform does: order-free module calls, modules as values, and the
idioms of public modules. Each case is the shape of a real module, cut down to what matters."""
import json
import textwrap

from conftest import run_cli


def _write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _lint(root, *extra):
    r = run_cli("--no-config", "--format", "json", *extra, str(root))
    assert "Traceback" not in r.stderr, r.stderr
    return r, (json.loads(r.stdout) if r.stdout.strip().startswith("[") else None)


NETWORK = """
resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "p" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "p" { vpc_id = aws_vpc.v.id }
resource "aws_route_table_association" "p" {
  subnet_id      = aws_subnet.p.id
  route_table_id = aws_route_table.p.id
}
output "private_subnets" { value = [aws_subnet.p.id] }
"""

SERVICE = """
variable "subnets" {}
resource "aws_ecs_service" "s" {
  name        = "s"
  launch_type = "FARGATE"
  network_configuration {
    subnets = var.subnets
  }
}
"""


def test_a_call_reads_a_module_declared_after_it(tmp_path):
    """(cloudposse-style root: the service module is written before the network module it reads)"""
    _write(tmp_path, {
        "main.tf": """
            module "svc" {
              source  = "./svc"
              subnets = module.net.private_subnets
            }
            module "net" {
              source = "./net"
            }
        """,
        "net/main.tf": NETWORK, "svc/main.tf": SERVICE})
    r, found = _lint(tmp_path)
    assert [(f["rule"], f["file"].rsplit("/", 2)[-2:], f["line"]) for f in found] == [
        ("NET002", ["svc", "main.tf"], 6)]  # at `subnets = var.subnets`, not at a line of net/main.tf


def test_a_whole_module_as_a_value(tmp_path):
    """`output "vpc" { value = module.vpc }` read by the caller as module.network.vpc.private_subnets"""
    _write(tmp_path, {
        "main.tf": """
            module "network" {
              source = "./network"
            }
            module "svc" {
              source  = "./svc"
              subnets = module.network.vpc.private_subnets
            }
        """,
        "network/main.tf": """
            module "vpc" {
              source = "./vpc"
            }
            output "vpc" { value = module.vpc }
        """,
        "network/vpc/main.tf": NETWORK, "svc/main.tf": SERVICE})
    r, found = _lint(tmp_path)
    assert r.returncode == 1, r.stderr
    assert [f["rule"] for f in found] == ["NET002"]
