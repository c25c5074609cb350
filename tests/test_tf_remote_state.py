"""A Terraform root module reading another's outputs through data "terraform_remote_state": linked to the root
of the run whose backend keeps that state, and otherwise a wait that names the state."""
import json

import pytest

from conftest import run_cli

NETWORK = '''terraform {
  backend "s3" {
    # the bucket comes from -backend-config at init
    key    = "network.tfstate"
    region = "eu-west-2"
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

# only the local route: no gateway, no NAT, no endpoints
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

output "private_subnet_ids" {
  value = [aws_subnet.private.id]
}
'''

APP = '''variable "state_bucket" {
  type = string
}

data "terraform_remote_state" "network" {
  backend = "s3"
  config = {
    bucket = var.state_bucket
    key    = "%s"
    region = "eu-west-2"
  }
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
    subnets = data.terraform_remote_state.network.outputs.private_subnet_ids
  }
}
'''


def _layout(tmp_path, key="network.tfstate", network=NETWORK):
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "main.tf").write_text(network)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.tf").write_text(APP % key)


def _explained(tmp_path, *args):
    r = run_cli("--no-config", "--explain", "--format", "json", *args, ".", cwd=tmp_path)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("jobs", [[], ["--jobs", "2"]])
def test_outputs_of_the_root_that_keeps_the_state(tmp_path, jobs):
    """The state's key is the network root's (the bucket, given at init and by a variable, decides nothing):
    the service runs in that root's subnet, whose table has no way out, and NET002 says so."""
    _layout(tmp_path)
    doc = _explained(tmp_path, *jobs)
    assert [(f["rule"], f["file"]) for f in doc["findings"]] == [("NET002", "app/main.tf")], doc["findings"]
    assert "aws_subnet.private" in doc["findings"][0]["message"]
    assert [s["judged"] for s in doc["launch_sites"]] == [True]


def test_the_state_of_another_workspace_is_not_the_roots_as_the_run_reads_it(tmp_path):
    """The run evaluates the network root in the default workspace; a reader of workspace prod reads what
    that workspace's apply wrote, which may differ (terraform.workspace decides): unknown, not linked."""
    _layout(tmp_path)
    app = tmp_path / "app" / "main.tf"
    app.write_text(app.read_text().replace('  backend = "s3"\n', '  backend   = "s3"\n  workspace = "prod"\n', 1))
    assert 'workspace = "prod"' in app.read_text()
    doc = _explained(tmp_path)
    assert doc["findings"] == []
    [wait] = doc["launch_sites"][0]["waits_on"]
    assert "the state of workspace prod" in wait["value"] and "default workspace" in wait["supply"], wait
    app.write_text(app.read_text().replace('"prod"', 'terraform.workspace'))  # the reader's own: the default
    assert [f["rule"] for f in _explained(tmp_path)["findings"]] == ["NET002"]


def test_a_state_no_root_of_the_run_keeps_is_named(tmp_path):
    _layout(tmp_path, key="shared/network.tfstate")
    doc = _explained(tmp_path)
    assert doc["findings"] == []
    [wait] = doc["launch_sites"][0]["waits_on"]
    assert wait["value"] == ("${data source data.terraform_remote_state.network (the state "
                             "s3://?/shared/network.tfstate, which no Terraform root module of the run keeps)}")
    assert wait["supply"] == "the Terraform root module whose backend keeps that state, in the run (lint its folder too)"
    # linting the app alone: the same wait (the network folder is not read)
    alone = _explained(tmp_path / "app")
    assert "which no Terraform root module of the run keeps" in alone["launch_sites"][0]["waits_on"][0]["value"]


def test_two_roots_that_may_keep_the_state_decide_nothing(tmp_path):
    _layout(tmp_path)
    (tmp_path / "network-copy").mkdir()
    (tmp_path / "network-copy" / "main.tf").write_text(NETWORK)
    doc = _explained(tmp_path)
    assert doc["findings"] == []
    [wait] = doc["launch_sites"][0]["waits_on"]
    assert "which 2 root modules of the run may keep: network, network-copy" in wait["value"], wait
    assert wait["supply"].startswith("a bucket that tells those root modules apart")


def test_a_local_state_path_names_the_root_that_keeps_it(tmp_path):
    """A local backend reads the state file a root without a backend block writes in its folder."""
    _layout(tmp_path, network=NETWORK[NETWORK.index('resource "aws_vpc"'):])
    text = (tmp_path / "app" / "main.tf").read_text()
    text = text.replace('backend = "s3"', 'backend = "local"').replace(
        'bucket = var.state_bucket\n    key    = "network.tfstate"\n    region = "eu-west-2"',
        'path = "../network/terraform.tfstate"')
    (tmp_path / "app" / "main.tf").write_text(text)
    doc = _explained(tmp_path)
    assert [f["rule"] for f in doc["findings"]] == ["NET002"], doc


def test_the_linked_roots_parse_errors_are_said_once(tmp_path):
    _layout(tmp_path)
    (tmp_path / "network" / "broken.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block = \n')
    doc = _explained(tmp_path)
    assert [f["file"] for f in doc["findings"] if f["rule"] == "PARSE001"] == ["network/broken.tf"], doc["findings"]
