"""The registry module models expose what the real modules expose and the rules read: the security group
the vpc-endpoints module creates (its id output, the rules of security_group_rules), the VPC's default group
the vpc module manages (no rules unless given), the database subnets on the private route tables, and the
service module's own group with either version's rule inputs. Each case is shaped as the modules' READMEs
write their calls."""
import textwrap

import pytest

from conftest import lint_paths, run_cli

VPC = '''module "vpc" {
  source = "terraform-aws-modules/vpc/aws"

  name             = "demo"
  cidr             = "10.0.0.0/16"
  azs              = ["eu-west-1a", "eu-west-1b"]
  private_subnets  = ["10.0.11.0/24", "10.0.12.0/24"]
  database_subnets = ["10.0.21.0/24", "10.0.22.0/24"]
}

module "endpoints" {
  source = "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"

  vpc_id                = module.vpc.vpc_id
  create_security_group = true
  security_group_rules  = { %s }
  endpoints = {
    s3      = { service = "s3", service_type = "Gateway", route_table_ids = %s }
    ecr_api = { service = "ecr.api", subnet_ids = module.vpc.private_subnets, private_dns_enabled = true }
    ecr_dkr = { service = "ecr.dkr", subnet_ids = module.vpc.private_subnets, private_dns_enabled = true }
    logs    = { service = "logs", subnet_ids = module.vpc.private_subnets, private_dns_enabled = true }
  }
}

module "service" {
  source = "terraform-aws-modules/ecs/aws//modules/service"

  name       = "web"
  subnet_ids = module.vpc.%s
  container_definitions = {
    web = { image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0" }
  }
%s}
'''
HTTPS_IN = 'https = { cidr_blocks = [module.vpc.vpc_cidr_block] }'
ALL_OUT = '  security_group_egress_rules = { all = { ip_protocol = "-1", cidr_ipv4 = "0.0.0.0/0" } }\n'


def _found(tmp_path, rules, rules_in=HTTPS_IN, tables="module.vpc.private_route_table_ids", subnets="private_subnets",
           service=ALL_OUT):
    (tmp_path / "main.tf").write_text(VPC % (rules_in, tables, subnets, service), encoding="utf-8")
    return sorted({(f.line, f.rule_id) for f in lint_paths([str(tmp_path)], rules, "NET")})


def test_endpoints_with_the_group_the_module_creates_are_clean(tmp_path, rules):
    assert _found(tmp_path, rules) == []


def test_the_endpoints_group_without_an_https_rule_shuts_the_task_out(tmp_path, rules):
    assert _found(tmp_path, rules, rules_in="") == [(11, "NET009")]


def test_a_task_whose_only_group_is_the_endpoints_group_is_judged(tmp_path, rules):
    """The endpoints module's group lets in HTTPS and lets nothing out: a task given only that group
    (security_group_id output) cannot reach the endpoints."""
    service = '  create_security_group = false\n  security_group_ids    = [module.endpoints.security_group_id]\n'
    assert _found(tmp_path, rules, service=service) == [(11, "NET010")]
    # and its verdict is whole: the execution role the module creates (ECR and logs allowed) is judged too
    r = run_cli("--no-config", "--fail-on-unjudged", str(tmp_path))
    assert r.returncode == 1 and "not judged" not in r.stderr, r.stderr


def test_the_execution_role_the_service_module_creates_allows_the_pull(tmp_path, rules):
    # the provider's Region: with endpoints only, an ECR image of eu-west-1 is pulled only from eu-west-1 (NET013)
    region = 'provider "aws" {\n  region = "eu-west-1"\n}\n\n'
    (tmp_path / "main.tf").write_text(region + VPC % (HTTPS_IN, "module.vpc.private_route_table_ids",
                                                      "private_subnets", ALL_OUT), encoding="utf-8")
    assert [f.rule_id for f in lint_paths([str(tmp_path)], rules, "IAM")] == []
    r = run_cli("--no-config", "--fail-on-unjudged", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("service", [
    "",  # the group the service module creates has no rules unless given some
    '  security_group_egress_rules = { vpc = { ip_protocol = "-1", cidr_ipv4 = "10.0.0.0/16" } }\n',
])
def test_the_service_group_without_egress_to_s3_blocks_the_pull(tmp_path, rules, service):
    found = _found(tmp_path, rules, service=service)
    assert [rid for _, rid in found] == ["NET010"], found


def test_the_service_group_of_the_older_inputs(tmp_path, rules):
    """Up to 5.x the module took security_group_rules, each with its type."""
    older = ('  security_group_rules = {\n    egress_all = { type = "egress", from_port = 0, to_port = 0, '
             'protocol = "-1", cidr_blocks = ["0.0.0.0/0"] }\n  }\n')
    assert _found(tmp_path, rules, service=older) == []


def test_the_vpc_default_group_the_module_manages_holds_no_rules(tmp_path, rules):
    service = '  create_security_group = false\n  security_group_ids    = [module.vpc.default_security_group_id]\n'
    assert [rid for _, rid in _found(tmp_path, rules, service=service)] == ["NET010"]


def test_database_subnets_use_the_private_route_tables(tmp_path, rules):
    """Without their own route table the database subnets are associated with the private ones, where the
    S3 gateway endpoint is (database_route_table_ids names them too)."""
    assert _found(tmp_path, rules, subnets="database_subnets") == []
    assert _found(tmp_path, rules, tables="module.vpc.database_route_table_ids", subnets="database_subnets") == []
    found = _found(tmp_path, rules, tables="[module.vpc.default_route_table_id]", subnets="database_subnets")
    assert [rid for _, rid in found] == ["NET005"], found


def test_a_lookup_by_the_tags_the_vpc_module_gives_its_subnets_selects_them(tmp_path):
    """The vpc module tags each subnet with its Name, ``tags``, the kind's ``*_subnet_tags`` and their
    per-zone maps: a ``data "aws_subnets"`` selecting by those tags finds the module's subnets."""
    from pullcheck.engine.stages import build_graph

    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        module "vpc" {
          source              = "terraform-aws-modules/vpc/aws"
          name                = "app"
          cidr                = "10.0.0.0/16"
          azs                 = ["eu-west-1a", "eu-west-1b"]
          private_subnets     = ["10.0.1.0/24", "10.0.2.0/24"]
          public_subnets      = ["10.0.101.0/24", "10.0.102.0/24"]
          private_subnet_names = ["first"]
          tags                = { Team = "core" }
          private_subnet_tags = { Tier = "private" }
          private_subnet_tags_per_az = { "eu-west-1b" = { Zone = "b" } }
        }
        data "aws_subnets" "private" {
          filter {
            name   = "vpc-id"
            values = [module.vpc.vpc_id]
          }
          tags = { Tier = "private", Team = "core" }
        }
        """))
    graph, errors = build_graph([str(tmp_path)])
    assert errors == []
    [query] = [r for r in graph.resources.values() if r.kind == "data.subnets"]
    from pullcheck.graph.values import Ref

    found = graph.select(Ref(query.key, "data.aws_subnets", "ids"))
    assert [r.name for r in found] == ["module.vpc.aws_subnet.private[0]", "module.vpc.aws_subnet.private[1]"]
    tags = [r.get("tags") for r in found]
    assert tags[0] == {"Name": "first", "Team": "core", "Tier": "private"}
    assert tags[1] == {"Name": "app-private-eu-west-1b", "Team": "core", "Tier": "private", "Zone": "b"}
