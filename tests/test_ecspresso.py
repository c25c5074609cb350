"""ecspresso deploys a service from a service definition (CreateService input without the service's name and
task definition) and a task definition its configuration names, and fills ``{{ tfstate `ADDRESS` }}`` from
the state of a Terraform configuration: the service is a launch site running that task definition, and
each placeholder is the resource of the run's Terraform folder whose backend holds that state."""
import json
import textwrap

import pytest
from conftest import run_cli

CONFIG = textwrap.dedent("""\
    region: eu-west-1
    cluster: app
    service: app-server
    service_definition: ecs-service-def.json
    task_definition: ecs-task-def.json
    plugins:
      - name: tfstate
        config:
          url: %s
    """)
SERVICE = {
    "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
    "desiredCount": 1,
    "launchType": "FARGATE",
    "networkConfiguration": {"awsvpcConfiguration": {
        "assignPublicIp": "DISABLED",
        "securityGroups": ["{{ tfstate `aws_security_group.app.id` }}"],
        "subnets": ["{{ tfstate `module.net.aws_subnet.public[0].id` }}"]}},
    "platformVersion": "LATEST",
    "schedulingStrategy": "REPLICA",
}
TASK = {"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
        "memory": "512", "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": True}]}
TERRAFORM = textwrap.dedent("""\
    terraform {
      backend "s3" {
        bucket = "team-state"
        key    = "app.tfstate"
        region = "eu-west-1"
      }
    }
    module "net" {
      source = "./net"
    }
    resource "aws_security_group" "app" {
      vpc_id = module.net.vpc_id
      egress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    """)
NET = textwrap.dedent("""\
    resource "aws_vpc" "v" {
      cidr_block = "10.0.0.0/16"
    }
    resource "aws_internet_gateway" "gw" {
      vpc_id = aws_vpc.v.id
    }
    resource "aws_subnet" "public" {
      count      = 1
      vpc_id     = aws_vpc.v.id
      cidr_block = "10.0.1.0/24"
    }
    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.v.id
      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.gw.id
      }
    }
    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public[0].id
      route_table_id = aws_route_table.public.id
    }
    output "vpc_id" {
      value = aws_vpc.v.id
    }
    """)


def _repo(tmp_path, url="s3://team-state/app.tfstate"):
    (tmp_path / "ecspresso").mkdir()
    (tmp_path / "ecspresso" / "config.yaml").write_text(CONFIG % url)
    (tmp_path / "ecspresso" / "ecs-service-def.json").write_text(json.dumps(SERVICE, indent=2))
    (tmp_path / "ecspresso" / "ecs-task-def.json").write_text(json.dumps(TASK, indent=2))
    (tmp_path / "terraform" / "net").mkdir(parents=True)
    (tmp_path / "terraform" / "main.tf").write_text(TERRAFORM)
    (tmp_path / "terraform" / "net" / "main.tf").write_text(NET)
    return tmp_path


def _account(repo):
    r = run_cli("--no-config", "--explain", "--format", "json", ".", cwd=str(repo))
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


def test_the_service_definition_is_a_launch_site_judged_through_the_state_it_reads(tmp_path):
    code, doc = _account(_repo(tmp_path))
    [site] = doc["launch_sites"]
    assert (site["name"], site["file"]) == ("app-server", "ecspresso/ecs-service-def.json")
    # a public subnet and no public IP: NET001, found on the subnet the placeholder names
    assert code == 1 and [f["rule"] for f in doc["findings"]] == ["NET001"], doc["findings"]
    assert site["judged"] is True


@pytest.mark.parametrize("url", ["s3://other-state/app.tfstate", "s3://team-state/other.tfstate"])
def test_a_state_no_folder_of_the_run_holds_leaves_the_placeholders_as_written(tmp_path, url):
    code, doc = _account(_repo(tmp_path, url))
    [site] = doc["launch_sites"]
    assert code == 0 and doc["findings"] == []
    assert not site["judged"] and any("tfstate" in w["value"] for w in site["waits_on"])


def test_without_its_configuration_the_service_definition_waits_on_its_task_definition(tmp_path):
    repo = _repo(tmp_path)
    (repo / "ecspresso" / "config.yaml").unlink()
    code, doc = _account(repo)
    [site] = doc["launch_sites"]
    assert not site["judged"] and site["name"] == "ecspresso/ecs-service-def.json"
