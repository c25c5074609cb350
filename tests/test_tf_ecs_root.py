"""The terraform-aws-modules/ecs root module read from its model when it is not downloaded: one service of the
service model per entry of ``services``, on the cluster of the cluster model, whose default capacity provider
strategy (either version's inputs) decides a service that sets no launch type; findings at the entry."""
import json
import textwrap

import pytest

from conftest import lint_paths, run_cli
from pullcheck.engine.stages import build_graph
from pullcheck.formats.terraform.modules import root_module
from pullcheck.graph.values import Ref, Unknown

VPC = '''module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name               = "demo"
  cidr               = "10.0.0.0/16"
  azs                = ["eu-west-1a", "eu-west-1b"]
  public_subnets     = ["10.0.1.0/24", "10.0.2.0/24"]
  private_subnets    = ["10.0.11.0/24", "10.0.12.0/24"]
  enable_nat_gateway = true
}
'''
EGRESS = 'security_group_egress_rules = { all = { ip_protocol = "-1", cidr_ipv4 = "0.0.0.0/0" } }'


def _write(tmp_path, text):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text), encoding="utf-8")
    return str(tmp_path)


def _found(tmp_path, rules, text, select="NET"):
    return sorted((f.line, f.col, f.rule_id) for f in lint_paths([_write(tmp_path, text)], rules, select))


def _explained(path):
    r = run_cli("--no-config", "--explain", "--format", "json", path)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


def test_a_root_with_the_ecs_and_vpc_modules_gives_judged_launch_sites(tmp_path):
    """Neither module downloaded: two Fargate services (the module's default launch type, and a Fargate
    Spot strategy of 6.x) are judged, the EC2 one is no Fargate launch site."""
    path = _write(tmp_path, VPC + f'''
module "ecs" {{
  source  = "terraform-aws-modules/ecs/aws"
  version = "~> 6.0"

  cluster_name = "demo"
  services = {{
    api = {{
      cpu                   = 512
      memory                = 1024
      container_definitions = {{ api = {{ image = "nginx:1.27" }} }}
      subnet_ids            = module.vpc.private_subnets
      {EGRESS}
    }}
    worker = {{
      capacity_provider_strategy = {{ spot = {{ capacity_provider = "FARGATE_SPOT", weight = 1 }} }}
      container_definitions      = {{ worker = {{ image = "nginx:1.27" }} }}
      subnet_ids                 = module.vpc.private_subnets
      {EGRESS}
    }}
    legacy = {{
      launch_type           = "EC2"
      container_definitions = {{ legacy = {{ image = "nginx:1.27" }} }}
      subnet_ids            = module.vpc.private_subnets
    }}
  }}
}}
''')
    got = _explained(path)
    assert got["findings"] == []
    sites = {s["name"]: s for s in got["launch_sites"]}
    assert sorted(sites) == ['module.ecs.module.service["api"].aws_ecs_service.this[0]',
                             'module.ecs.module.service["worker"].aws_ecs_service.this[0]']
    assert all(s["judged"] and s["waits_on"] == [] for s in sites.values()), sites
    # each service is placed at its entry of services
    assert [sites[n]["line"] for n in sorted(sites)] == [19, 26]


def test_findings_point_at_the_entry_and_its_inputs(tmp_path, rules):
    text = VPC + f'''
module "ecs" {{
  source = "terraform-aws-modules/ecs/aws"

  services = {{
    "api" = {{
      container_definitions = {{ api = {{ image = "nginx:1.27" }} }}
      subnet_ids            = module.vpc.public_subnets
      assign_public_ip      = false
      {EGRESS}
    }}
    web = {{
      container_definitions = {{ web = {{ image = "nginx:1.27" }} }}
      subnet_ids            = module.vpc.public_subnets
      {EGRESS}
    }}
  }}
}}
'''
    # at assign_public_ip where the entry sets it, else at the entry's key
    assert _found(tmp_path, rules, text) == [(20, 31, "NET001"), (23, 5, "NET001")]


CLUSTERS = {
    "5.x, Fargate providers in the default strategy": ("fargate_capacity_providers = { FARGATE = {} }", True),
    "5.x, Fargate Spot by its name": (
        'fargate_capacity_providers = { spot = { name = "FARGATE_SPOT" } }', True),
    "5.x, the autoscaling providers instead": (
        "default_capacity_provider_use_fargate = false\n"
        "  fargate_capacity_providers = { FARGATE = {} }\n"
        '  autoscaling_capacity_providers = { one = { auto_scaling_group_arn = "arn:aws:autoscaling:x" } }', False),
    "6.x, default_capacity_provider_strategy": (
        "default_capacity_provider_strategy = { FARGATE = { weight = 50, base = 20 } }", True),
    "7.x, an EC2 provider by name": (
        'cluster_capacity_providers = ["ec2"]\n'
        '  default_capacity_provider_strategy = { ec2 = { weight = 1 } }', False),
}


@pytest.mark.parametrize("name", sorted(CLUSTERS))
def test_the_cluster_default_strategy_decides_a_service_without_launch_type(tmp_path, rules, name):
    """A null launch_type (as up to 5.x passes it on) and no strategy of its own: the cluster's default
    strategy says whether the service runs on Fargate, so whether its public subnets without a public IP
    are a finding."""
    cluster, fargate = CLUSTERS[name]
    text = VPC + f'''
module "ecs" {{
  source = "terraform-aws-modules/ecs/aws"

  cluster_name = "demo"
  {cluster}
  services = {{
    api = {{
      launch_type           = null
      container_definitions = {{ api = {{ image = "nginx:1.27" }} }}
      subnet_ids            = module.vpc.public_subnets
    }}
  }}
}}
'''
    found = _found(tmp_path, rules, text, "NET001")
    assert [r for _, _, r in found] == (["NET001"] if fargate else []), found


def test_services_not_written_out_point_at_the_call(tmp_path, rules):
    text = VPC + '''
locals {
  services = {
    api = {
      container_definitions = { api = { image = "nginx:1.27" } }
      subnet_ids            = module.vpc.public_subnets
    }
  }
}

module "ecs" {
  source   = "terraform-aws-modules/ecs/aws"
  services = local.services
}
'''
    assert _found(tmp_path, rules, text, "NET001") == [(22, 1, "NET001")]


def test_the_outputs_real_roots_read(tmp_path):
    """cluster_arn, cluster_id, cluster_name and the services map with each service's outputs; an output the
    model does not hold is unknown. A service of the root's own on that cluster, without launch type, is
    judged by the cluster's default strategy."""
    path = _write(tmp_path, VPC + '''
module "ecs" {
  source = "terraform-aws-modules/ecs/aws"

  cluster_name               = "demo"
  fargate_capacity_providers = { FARGATE_SPOT = {} }
  services = {
    api = { container_definitions = { api = { image = "nginx:1.27" } } }
  }
}

resource "aws_ecs_service" "own" {
  name            = "own"
  cluster         = module.ecs.cluster_id
  task_definition = module.ecs.services["api"].task_definition_arn
  network_configuration {
    subnets = module.vpc.public_subnets
  }
}

output "arn" { value = module.ecs.cluster_arn }
output "name" { value = module.ecs.cluster_name }
output "role" { value = module.ecs.services["api"].task_exec_iam_role_arn }
output "tasks_role" { value = module.ecs.services["api"].tasks_iam_role_arn }
output "logs" { value = module.ecs.cloudwatch_log_group_name }
''')
    graph, errors = build_graph([path])
    assert errors == []
    module, _ = root_module(path, graph)
    cluster = f"{path}/module.ecs/module.cluster:aws_ecs_cluster.this[0]"
    assert module.output("arn") == Ref(cluster, "aws_ecs_cluster", "arn")
    assert module.output("name") == Ref(cluster, "aws_ecs_cluster", "name")
    assert module.output("role") == Ref(f'{path}/module.ecs/module.service["api"]:aws_iam_role.task_exec[0]',
                                        "aws_iam_role", "arn")
    assert isinstance(module.output("tasks_role"), Unknown)
    assert isinstance(module.output("logs"), Unknown)
    r = run_cli("--no-config", "--select", "NET001", path)
    assert r.returncode == 1 and "aws_ecs_service.own runs on Fargate" in r.stdout, r.stdout + r.stderr


def test_the_cluster_and_service_submodules_called_apart(tmp_path, rules):
    """//modules/cluster and //modules/service, the service given the cluster's arn and a null launch type."""
    text = VPC + '''
module "cluster" {
  source  = "terraform-aws-modules/ecs/aws//modules/cluster"
  version = "~> 6.0"

  name                               = "demo"
  default_capacity_provider_strategy = { FARGATE_SPOT = { weight = 1 } }
}

module "service" {
  source = "terraform-aws-modules/ecs/aws//modules/service"

  name                  = "api"
  cluster_arn           = module.cluster.arn
  launch_type           = null
  container_definitions = { api = { image = "nginx:1.27" } }
  subnet_ids            = module.vpc.public_subnets
}
'''
    assert _found(tmp_path, rules, text, "NET001") == [(21, 1, "NET001")]


def test_only_a_module_without_a_model_is_said_to_be_not_downloaded(tmp_path):
    path = _write(tmp_path, '''
module "subnets" {
  source  = "cloudposse/dynamic-subnets/aws"
  version = "2.4.2"
}

module "ecs" {
  source = "terraform-aws-modules/ecs/aws"

  services = {
    api = {
      container_definitions = { api = { image = "nginx:1.27" } }
      subnet_ids            = module.subnets.private_subnet_ids
    }
  }
}
''')
    [site] = _explained(path)["launch_sites"]
    assert not site["judged"]
    [wait] = site["waits_on"]
    assert "cloudposse/dynamic-subnets/aws, which is not downloaded here" in wait["value"], wait
    assert wait["line"] == 13 and "terraform init" in wait["supply"]
    text = run_cli("--no-config", "--explain", path).stdout
    assert "terraform-aws-modules/ecs/aws, which is not downloaded" not in text, text


def test_a_downloaded_ecs_module_is_read_instead_of_the_model(tmp_path, rules):
    """With .terraform/modules the module's own code is read (here a copy that makes an EC2 service)."""
    text = VPC + '''
module "ecs" {
  source = "terraform-aws-modules/ecs/aws"

  services = {
    api = {
      container_definitions = { api = { image = "nginx:1.27" } }
      subnet_ids            = module.vpc.public_subnets
    }
  }
}
'''
    assert [r for _, _, r in _found(tmp_path, rules, text, "NET001")] == ["NET001"]
    downloaded = tmp_path / ".terraform" / "modules" / "ecs"
    downloaded.mkdir(parents=True)
    (downloaded / "main.tf").write_text(textwrap.dedent('''\
        variable "services" {
          default = {}
        }
        resource "aws_ecs_service" "this" {
          for_each    = var.services
          name        = each.key
          launch_type = "EC2"
          network_configuration {
            subnets = each.value.subnet_ids
          }
        }
        '''), encoding="utf-8")
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "ecs", "Source": "registry.terraform.io/terraform-aws-modules/ecs/aws",
         "Dir": ".terraform/modules/ecs"}]}))
    assert _found(tmp_path, rules, text, "NET001") == []
    graph, _ = build_graph([str(tmp_path)])
    names = sorted(r.name for r in graph.resources.values() if r.kind == "ecs.service")
    assert names == ['module.ecs.aws_ecs_service.this["api"]']


def test_an_entry_without_its_service_or_with_a_task_definition_of_its_own(tmp_path, rules):
    """create_service = false makes the task definition only: no launch site. create_task_definition =
    false runs the task definition given by task_definition_arn, here the root's own, whose private ECR
    image needs the execution role it lacks."""
    path = _write(tmp_path, VPC + '''
resource "aws_ecs_task_definition" "own" {
  family                   = "own"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions = jsonencode([
    { name = "own", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/own:1" }
  ])
}

module "ecs" {
  source = "terraform-aws-modules/ecs/aws"

  services = {
    task_only = {
      create_service        = false
      container_definitions = { a = { image = "nginx:1.27" } }
      subnet_ids            = module.vpc.public_subnets
    }
    own = {
      create_task_definition = false
      task_definition_arn    = aws_ecs_task_definition.own.arn
      subnet_ids             = module.vpc.private_subnets
    }
  }
}
''')
    graph, errors = build_graph([path])
    assert errors == []
    services = {r.name: r for r in graph.resources.values() if r.kind == "ecs.service"}
    assert sorted(services) == ['module.ecs.module.service["own"].aws_ecs_service.this[0]']
    [own] = services.values()
    assert graph.deref(own.get("task_definition"), "ecs.task_definition").name == "aws_ecs_task_definition.own"
    assert sorted((f.line, f.rule_id) for f in lint_paths([path], rules, "IAM001")) == [(20, "IAM001")]
    sites = _explained(path)["launch_sites"]
    assert [s["name"] for s in sites] == ['module.ecs.module.service["own"].aws_ecs_service.this[0]']
