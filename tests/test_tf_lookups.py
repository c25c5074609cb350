"""Terraform data sources that look up what the configuration itself names: an AWS managed policy looked up
by name (``data "aws_iam_policy"``) is that policy."""
import textwrap

import pytest
from conftest import lint_paths

CONFIG = textwrap.dedent("""\
    resource "aws_iam_role" "exec" {
      name               = "exec"
      assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
    }
    data "aws_iam_policy" "managed" {
      %(lookup)s
    }
    resource "aws_iam_role_policy_attachment" "exec" {
      role       = aws_iam_role.exec.name
      policy_arn = data.aws_iam_policy.managed.arn
    }
    resource "aws_ecs_task_definition" "t" {
      family                   = "t"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      execution_role_arn       = aws_iam_role.exec.arn
      container_definitions = jsonencode([{ name = "app", essential = true,
        image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1" }])
    }
    """)


def _decisions(tmp_path, lookup):
    from pullcheck.engine.stages import build_graph
    from pullcheck.facts import iam

    (tmp_path / "main.tf").write_text(CONFIG % {"lookup": lookup})
    graph, errors = build_graph([str(tmp_path)])
    assert errors == []
    [td] = graph.of_kind("ecs.task_definition")
    role = iam.role_for(graph, td.get("execution_role"))
    pset = iam.role_policies(graph, role)
    return {n.action: iam.check(pset, n).allowed for n in iam.needs(graph, td)}


@pytest.mark.parametrize("lookup, allowed", [
    ('name = "AmazonECSTaskExecutionRolePolicy"', True),
    ('arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"', True),
    ('name = "AmazonECSTaskExecutionRolePolicy"\n  path_prefix = "/service-role/"', True),
    ('name = "AmazonECSTaskExecutionRolePolicy"\n  path_prefix = "/other/"', None),  # finds nothing we know
    ('name = "CloudWatchLogsFullAccess"', False),  # known, and it grants no ECR pull
    ('name = "team-policy"', None),  # a customer policy: not in the files
])
def test_a_managed_policy_looked_up_by_name(tmp_path, lookup, allowed):
    assert _decisions(tmp_path, lookup)["ecr:BatchGetImage"] is allowed


def test_a_known_policy_without_the_pull_is_a_finding(tmp_path, rules):
    (tmp_path / "main.tf").write_text(CONFIG % {"lookup": 'name = "CloudWatchLogsFullAccess"'})
    assert {f.rule_id for f in lint_paths([str(tmp_path)], rules, "IAM005")} == {"IAM005"}


SERVICE = textwrap.dedent("""\
    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions    = jsonencode([{ name = "app", essential = true, image = "nginx:1.27" }])
    }
    data "aws_ecs_task_definition" "app" {
      task_definition = %(family)s
    }
    resource "aws_ecs_service" "app" {
      name            = "app"
      launch_type     = "FARGATE"
      task_definition = data.aws_ecs_task_definition.app.arn
      network_configuration {
        subnets = ["subnet-0123456789abcdef0"]
      }
    }
    """)


@pytest.mark.parametrize("family, found", [
    ("aws_ecs_task_definition.app.family", True),
    ('"app"', True),
    ('"other"', False),  # a family the run does not register
])
def test_a_family_looked_up_through_the_data_source_is_the_runs_task_definition(tmp_path, family, found):
    from pullcheck.engine.stages import build_graph
    from pullcheck.facts import launches

    (tmp_path / "main.tf").write_text(SERVICE % {"family": family})
    graph, errors = build_graph([str(tmp_path)])
    assert errors == []
    [service] = graph.of_kind("ecs.service")
    td = launches.task_definition(graph, service)
    assert (td is not None and td.name == "aws_ecs_task_definition.app") is found
