"""terraform-aws-modules read from models when not downloaded: findings at the module call's inputs."""
import os

import pytest
from conftest import lint_paths

VPC = '''module "vpc" {
  source = "terraform-aws-modules/vpc/aws"

  name            = "demo"
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b"]
  public_subnets  = ["10.0.1.0/24", "10.0.2.0/24"]
  private_subnets = ["10.0.11.0/24", "10.0.12.0/24"]
  intra_subnets   = ["10.0.21.0/24", "10.0.22.0/24"]
%s}
'''
SERVICE = '''
module "service" {
  source = "terraform-aws-modules/ecs/aws//modules/service"

  name       = "web"
  subnet_ids = module.vpc.%s
  container_definitions = {
    web = { image = "%s" }
  }
  security_group_egress_rules = { all = { ip_protocol = "-1", cidr_ipv4 = "0.0.0.0/0" } }
}
'''
ENDPOINTS = '''
module "endpoints" {
  source = "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"

  vpc_id = module.vpc.vpc_id
  endpoints = {
    s3      = { service = "s3", service_type = "Gateway", route_table_ids = module.vpc.intra_route_table_ids }
    ecr_api = { service = "ecr.api", subnet_ids = module.vpc.intra_subnets%s }
    ecr_dkr = { service = "ecr.dkr", subnet_ids = module.vpc.intra_subnets%s }
    logs    = { service = "logs", subnet_ids = module.vpc.intra_subnets%s }
  }
  create_security_group = true
  security_group_rules  = { https = { cidr_blocks = [module.vpc.vpc_cidr_block] } }
}
'''
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0"


def _lint(tmp_path, rules, text, select="NET"):
    (tmp_path / "main.tf").write_text(text)
    return [(f.line, f.rule_id) for f in lint_paths([str(tmp_path)], rules, select)]


def test_nat_gateway_is_off_by_default(tmp_path, rules):
    assert _lint(tmp_path, rules, VPC % "" + SERVICE % ("private_subnets", "nginx:1.27")) == [(16, "NET002")]


def test_single_nat_gateway(tmp_path, rules):
    nat = "  enable_nat_gateway = true\n  single_nat_gateway = true\n"
    assert _lint(tmp_path, rules, VPC % nat + SERVICE % ("private_subnets", "nginx:1.27")) == []


def test_intra_subnets_never_get_a_nat_route(tmp_path, rules):
    nat = "  enable_nat_gateway = true\n"
    assert _lint(tmp_path, rules, VPC % nat + SERVICE % ("intra_subnets", "nginx:1.27")) == [(17, "NET002")]


def test_endpoint_module_private_dns_defaults_to_off(tmp_path, rules):
    text = VPC % "" + SERVICE % ("intra_subnets", ECR) + ENDPOINTS % ("", "", "")
    # one finding per endpoint, at the endpoints input of the call
    assert _lint(tmp_path, rules, text) == [(27, "NET006")] * 3
    on = ", private_dns_enabled = true"
    assert _lint(tmp_path, rules, VPC % "" + SERVICE % ("intra_subnets", ECR) + ENDPOINTS % (on, on, on)) == []
    # the execution role the service module creates is not modelled: nothing is said about it
    assert _lint(tmp_path, rules, VPC % "" + SERVICE % ("intra_subnets", ECR) + ENDPOINTS % (on, on, on),
                 select="IAM") == []


@pytest.mark.parametrize("source, model", [
    ("terraform-aws-modules/vpc/aws", "vpc"),
    ("registry.terraform.io/terraform-aws-modules/vpc/aws", "vpc"),
    ("tfr:///terraform-aws-modules/vpc/aws?version=5.8.1", "vpc"),
    ("tfr://registry.terraform.io/terraform-aws-modules/ecs/aws//modules/service?version=5.11.0", "ecs-service"),
    ("git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git?ref=v5.8.1", "vpc"),
    ("git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git//modules/vpc-endpoints?ref=v5.8.1",
     "vpc-endpoints"),
    ("github.com/terraform-aws-modules/terraform-aws-ecs//modules/cluster", "ecs-cluster"),
    ("git@github.com:terraform-aws-modules/terraform-aws-ecs.git", "ecs"),
    ("tfr:///terraform-aws-modules/ecs/aws//.?version=4.1.3", "ecs"),
    ("git::https://github.com/someone/terraform-aws-vpc.git", None),
    ("tfr:///cloudposse/ecs-alb-service-task/aws?version=0.76.0", None),
    ("terraform-aws-modules/vpc/google", None),
])
def test_a_modelled_module_is_known_by_each_name_its_users_write(source, model):
    from pullcheck.formats.terraform.models import model_folder

    got = model_folder(source)
    assert (os.path.basename(got) if got else None) == model
