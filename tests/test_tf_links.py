"""What ties one Terraform resource to another when no plain reference does: a route made for_each over the
IDs of route tables, a task definition ARN written around a family; and what a count that cannot be known
waits on, named by the value behind it."""
import json

from conftest import run_cli

VPC = '''resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_route_table" "private" {
  count  = 2
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}
'''

SERVICE = '''resource "aws_ecs_task_definition" "app" {
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
    subnets = aws_subnet.private[*].id
  }
}
'''


def _explained(folder):
    r = run_cli("--no-config", "--explain", "--format", "json", str(folder))
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


def test_a_route_for_each_over_the_tables_ids_is_on_each_table(tmp_path):
    """Each private table's default route goes to a transit gateway (whose egress is assumed): the route is
    made once per table, so both subnets have a way out and the service is judged."""
    (tmp_path / "main.tf").write_text(VPC + SERVICE + '''
resource "aws_route" "tgw" {
  for_each               = toset(aws_route_table.private[*].id)
  route_table_id         = each.value
  destination_cidr_block = "0.0.0.0/0"
  transit_gateway_id     = "tgw-0123456789abcdef0"
}
''')
    doc = _explained(tmp_path)
    assert doc["findings"] == [] and [s["judged"] for s in doc["launch_sites"]] == [True], doc
    # without the route the same service has no way out: the route was what made it judged clean
    (tmp_path / "main.tf").write_text(VPC + SERVICE)
    assert [f["rule"] for f in _explained(tmp_path)["findings"]] == ["NET002"]


def test_a_route_whose_tables_a_variable_gives_waits_on_that_variable(tmp_path):
    (tmp_path / "main.tf").write_text(VPC + SERVICE + '''
variable "route_tables" {
  type = set(string)
}

resource "aws_route" "tgw" {
  for_each               = var.route_tables
  route_table_id         = each.value
  destination_cidr_block = "0.0.0.0/0"
  transit_gateway_id     = "tgw-0123456789abcdef0"
}
''')
    waits = _explained(tmp_path)["launch_sites"][0]["waits_on"]
    assert waits and {w["supply"] for w in waits} == {"--var-file or --var"}, waits


def test_a_count_on_an_output_of_a_module_not_downloaded_names_the_module(tmp_path):
    """The label module is a registry module that terraform init has not fetched: the service's count reads
    its enabled output through a local, and the wait says which module and that terraform init brings it."""
    (tmp_path / "main.tf").write_text('''module "label" {
  source  = "cloudposse/label/null"
  version = "0.25.0"
}

variable "service_enabled" {
  type    = bool
  default = true
}

locals {
  enabled = module.label.enabled && var.service_enabled
}
''' + SERVICE.replace('  name            = "app"\n', '  count           = local.enabled ? 1 : 0\n  name            = "app"\n')
         .replace("aws_subnet.private[*].id", '["subnet-0123456789abcdef0"]'))
    r = run_cli("--no-config", "--explain", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "comes from cloudposse/label/null, which is not downloaded here}) (used at" in r.stdout, r.stdout
    assert "supply terraform init (the module is not in .terraform/modules)" in r.stdout
    assert "which is not on disk: 1 launch site waits on it; run `terraform init`" in r.stdout


def test_an_event_target_arn_built_around_the_family_runs_that_task_definition(tmp_path):
    """A schedule names its task definition as an ARN of the caller's account and the family (the latest
    revision): that is the task definition of the module, so the target without a network configuration is
    found (NET017) on that task definition, and the account ID is not waited on."""
    (tmp_path / "main.tf").write_text('''data "aws_caller_identity" "current" {}

resource "aws_ecs_task_definition" "job" {
  family                   = "nightly-job"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = jsonencode([{ name = "job", image = "nginx:1.27", essential = true }])
}

resource "aws_cloudwatch_event_target" "job" {
  arn  = "arn:aws:ecs:eu-west-2:123456789012:cluster/main"
  rule = "nightly"
  ecs_target {
    task_definition_arn = "arn:aws:ecs:eu-west-2:${data.aws_caller_identity.current.account_id}:task-definition/${aws_ecs_task_definition.job.family}"
    launch_type         = "FARGATE"
  }
}
''')
    doc = _explained(tmp_path)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("NET017", 16)], doc["findings"]
    assert "starts task definition aws_ecs_task_definition.job, whose network mode is awsvpc" in \
        doc["findings"][0]["message"]
    assert [s["judged"] for s in doc["launch_sites"]] == [True]
    # a family of no task definition of the run: the account ID is waited on, and no file can give it
    text = (tmp_path / "main.tf").read_text().replace("${aws_ecs_task_definition.job.family}", "other-job")
    (tmp_path / "main.tf").write_text(text)
    doc = _explained(tmp_path)
    assert "starts a task on Fargate" in doc["findings"][0]["message"]  # no task definition: Fargate's own mode
    [wait] = doc["launch_sites"][0]["waits_on"]
    assert wait["value"] == "${data.aws_caller_identity.current.account_id}"
    assert wait["supply"].startswith("nothing a run can give a Terraform module")
