"""A stack's own account, Region and partition, and a log group it creates with a generated name, are
unknown before deployment but the same value wherever the stack writes them: an execution role whose policy
names the image's repository or the task's log group through them is judged (allowed, or denied), never
left undecided; the same names in another stack are another stack's."""
import json
import os
import shutil
import textwrap

from conftest import ROOT, lint_paths, run_cli

TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      LogGroup:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 7
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ExecutionRoleArn: !GetAtt ExecutionRole.Arn
          ContainerDefinitions:
            - Name: web
              Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cdk-assets-${AWS::AccountId}-${AWS::Region}:abc"
              LogConfiguration:
                LogDriver: awslogs
                Options:
                  awslogs-group: !Ref LogGroup
                  awslogs-region: !Ref AWS::Region
                  awslogs-stream-prefix: web
      ExecutionRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: pull
              PolicyDocument:
                Statement:
                  - Effect: %(effect)s
                    Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]
                    Resource: !Join ["", ["arn:", !Ref AWS::Partition, ":ecr:", !Ref AWS::Region, ":", !Ref AWS::AccountId, ":repository/", !Sub "%(repository)s"]]
                  - Effect: Allow
                    Action: ecr:GetAuthorizationToken
                    Resource: "*"
                  - Effect: Allow
                    Action: [logs:CreateLogStream, logs:PutLogEvents]
                    Resource: %(logs)s
    """)
SAME = {"effect": "Allow", "repository": "cdk-assets-${AWS::AccountId}-${AWS::Region}",
        "logs": "!GetAtt LogGroup.Arn"}


def _write(tmp_path, name="stack.yaml", **change):
    path = tmp_path / name
    path.write_text(TEMPLATE % dict(SAME, **change))
    return path


def _decisions(path):
    """{action: allowed} of the task definition's execution role, as the account and rules see them."""
    from pullcheck.engine.stages import build_graph
    from pullcheck.facts import iam

    graph, _ = build_graph([str(path)])
    [td] = graph.of_kind("ecs.task_definition")
    role = iam.role_for(graph, td.get("execution_role"))
    pset = iam.role_policies(graph, role)
    return {n.action: iam.check(pset, n).allowed for n in iam.needs(graph, td)}


def test_the_stacks_own_names_match_the_image_and_the_log_group(tmp_path):
    assert _decisions(_write(tmp_path)) == {"ecr:GetAuthorizationToken": True, "ecr:BatchGetImage": True,
                                            "ecr:GetDownloadUrlForLayer": True, "logs:CreateLogStream": True,
                                            "logs:PutLogEvents": True}


def test_a_deny_of_the_same_names_is_a_finding(tmp_path, rules):
    found = lint_paths([str(_write(tmp_path, effect="Deny"))], rules, "IAM005")
    assert [f.rule_id for f in found] == ["IAM005"]
    assert "ecr:BatchGetImage" in found[0].message


def test_other_names_stay_undecided_not_denied(tmp_path, rules):
    decided = _decisions(_write(tmp_path, repository="other-${AWS::Region}", logs="!Sub '${AWS::StackName}-*'"))
    assert decided["ecr:BatchGetImage"] is None and decided["logs:PutLogEvents"] is None
    assert lint_paths([str(_write(tmp_path, repository="other"))], rules, "IAM005") == []


def test_the_launch_site_is_judged(tmp_path):
    path = _write(tmp_path)
    service = textwrap.dedent("""\
      Service:
        Type: AWS::ECS::Service
        Properties:
          LaunchType: FARGATE
          TaskDefinition: !Ref TaskDefinition
          NetworkConfiguration:
            AwsvpcConfiguration:
              AssignPublicIp: ENABLED
              Subnets: [subnet-0123456789abcdef0]
    """)
    path.write_text(path.read_text() + textwrap.indent(service, "  "))
    r = run_cli("--no-config", "--explain", "--format", "json", str(path))
    [site] = json.loads(r.stdout)["launch_sites"]
    assert not any("policies of ExecutionRole" in w["value"] for w in site["waits_on"]), site["waits_on"]


def test_names_are_the_stacks_own(tmp_path):
    """The role in one template, the task definition in another: their AWS::AccountId may differ."""
    from pullcheck.engine.stages import build_graph
    from pullcheck.facts import iam

    text = TEMPLATE % SAME
    role_part = text[text.index("  ExecutionRole:"):]
    task_part = text[:text.index("  ExecutionRole:")].replace("!GetAtt ExecutionRole.Arn",
                                                                "!ImportValue execution-role-arn")
    (tmp_path / "task.yaml").write_text(task_part)
    (tmp_path / "role.yaml").write_text("Resources:\n" + role_part + textwrap.dedent("""\
        Outputs:
          Arn:
            Value: !GetAtt ExecutionRole.Arn
            Export: {Name: execution-role-arn}
        """))
    graph, _ = build_graph([str(tmp_path / "task.yaml"), str(tmp_path / "role.yaml")])
    [td] = graph.of_kind("ecs.task_definition")
    role = iam.role_for(graph, td.get("execution_role"))
    assert role is not None
    pset = iam.role_policies(graph, role)
    decided = {n.action: iam.check(pset, n).allowed for n in iam.needs(graph, td)}
    assert decided["ecr:BatchGetImage"] is None


DATA = os.path.join(ROOT, "tests", "data", "named")


def test_a_secrets_json_key_after_a_looked_up_secret_is_a_secret_not_a_parameter(tmp_path, rules):
    """``valueFrom = "${data.aws_secretsmanager_secret.db.arn}:password::"``: the value starts with the
    secret's ARN, which the data source gives; it is never read as a parameter name."""
    shutil.copy(os.path.join(DATA, "secret_key_from_data_source.tf"), tmp_path / "main.tf")
    assert lint_paths([str(tmp_path)], rules, "IAM") == []


def test_a_secret_the_template_creates_is_the_one_its_policy_names(rules):
    """``ValueFrom: !Ref Sec`` and a policy on ``!Ref Sec``; an image in us-east-1 written with the stack's
    account and a policy on ``arn:${AWS::Partition}:ecr:us-east-1:${AWS::AccountId}:repository/app``."""
    path = os.path.join(DATA, "cdk_secret_and_partition.yaml")
    r = run_cli("--no-config", "--explain", "--format", "json", path)
    doc = json.loads(r.stdout)
    [site] = doc["launch_sites"]
    assert site["judged"] is True, site["waits_on"]
    assert doc["findings"] == []


def test_a_wildcard_never_reads_inside_a_name(tmp_path):
    """A Deny on ``log-group:*7*`` may or may not match a generated log group's name: undecided, never a
    finding, whatever the text a name is written with internally."""
    allow = "              - Effect: Allow\n                Action: ecr:GetAuthorizationToken"
    text = (TEMPLATE % SAME).replace(allow, "              - Effect: Deny\n                Action: logs:PutLogEvents\n"
                                            "                Resource: 'arn:*:logs:*:*:log-group:*7*'\n" + allow)
    assert "Effect: Deny" in text
    (tmp_path / "stack.yaml").write_text(text)
    assert _decisions(tmp_path / "stack.yaml")["logs:PutLogEvents"] is None


def test_a_function_over_an_unknown_waits_on_what_is_unknown_inside_it(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(textwrap.dedent("""\
        variable "image" {
          default = null
        }
        data "aws_ecs_container_definition" "live" {
          task_definition = "app"
          container_name  = "app"
        }
        data "aws_subnets" "private" {}
        resource "aws_ecs_task_definition" "app" {
          family                   = "app"
          requires_compatibilities = ["FARGATE"]
          network_mode             = "awsvpc"
          cpu                      = 256
          memory                   = 512
          container_definitions    = jsonencode([{ name = "app", image = coalesce(var.image, data.aws_ecs_container_definition.live.image) }])
        }
        resource "aws_ecs_service" "app" {
          launch_type     = "FARGATE"
          task_definition = aws_ecs_task_definition.app.arn
          network_configuration {
            subnets = [element(data.aws_subnets.private.ids, 0)]
          }
        }
        """))
    (tmp_path / "cfn.yaml").write_text(textwrap.dedent("""\
        Parameters:
          SubnetIds:
            Type: CommaDelimitedList
        Resources:
          Task:
            Type: AWS::ECS::TaskDefinition
            Properties:
              RequiresCompatibilities: [FARGATE]
              NetworkMode: awsvpc
              Cpu: "256"
              Memory: "512"
              ContainerDefinitions: [{Name: web, Image: "nginx:1.27"}]
          Service:
            Type: AWS::ECS::Service
            Properties:
              LaunchType: FARGATE
              TaskDefinition: !Ref Task
              NetworkConfiguration:
                AwsvpcConfiguration:
                  Subnets: [!Select [0, !Ref SubnetIds]]
        """))
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    waits = {(w["value"], w["supply"]) for s in doc["launch_sites"] for w in s["waits_on"]}
    assert ("${data source data.aws_ecs_container_definition.live}",
            "the resource it looks up, in the run (or the value, given as a variable)") in waits, waits
    assert ("${data source data.aws_subnets.private}", "a network snapshot (--network)") in waits, waits
    assert ("${parameter SubnetIds has no value in the template}",
            "a parameter file or a stacks-file entry") in waits, waits
    assert not any("not evaluated" in v or "cannot be known" in v for v, _ in waits), waits


def test_the_default_subnets_terraform_adopts_wait_on_the_account_and_are_shown_by_name(tmp_path):
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_default_subnet" "a" {
          availability_zone = "eu-west-1a"
        }
        resource "aws_ecs_task_definition" "app" {
          family                   = "app"
          requires_compatibilities = ["FARGATE"]
          network_mode             = "awsvpc"
          cpu                      = 256
          memory                   = 512
          container_definitions    = jsonencode([{ name = "app", image = "nginx:1.27" }])
        }
        resource "aws_ecs_service" "app" {
          launch_type     = "FARGATE"
          task_definition = aws_ecs_task_definition.app.arn
          network_configuration {
            subnets = [aws_default_subnet.a.id]
          }
        }
        """))
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    [site] = doc["launch_sites"]
    assert [(w["value"], w["supply"].split(":")[0]) for w in site["waits_on"]] == [
        ("${aws_default_subnet.a.id}", "a network snapshot (--network)")], site
    text = run_cli("--no-config", "--explain", str(tmp_path)).stdout
    assert "subnets not in the scanned files (not judged): aws_default_subnet.a.id\n" in text, text
