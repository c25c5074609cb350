"""An execution role's permissions on resources the same files create: a secret named with a JSON key after
its ARN, an ECR repository whose URI (or CDK's split of its ARN) writes the image, a policy that is optional
for another role. Each is decided against the policy that names the resource, never left open."""
import json
import textwrap

from conftest import lint_paths, run_cli

from pullcheck.engine.stages import build_graph
from pullcheck.facts import iam

ROLE_TF = """
resource "aws_iam_role" "exec" {
  name = "exec"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}
"""

TASK_TF = """
resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.exec.arn
  container_definitions = jsonencode([{
    name = "app", image = %s, essential = true
    secrets = %s
  }])
}
"""


def _decisions(folder):
    graph, _ = build_graph([str(folder)])
    [td] = graph.of_kind("ecs.task_definition")
    pset = iam.role_policies(graph, iam.role_for(graph, td.get("execution_role")))
    return {n.action: iam.check(pset, n).allowed for n in iam.needs(graph, td)}


def _tf(tmp_path, *parts):
    (tmp_path / "main.tf").write_text("".join(parts))
    return tmp_path


def _policy_tf(actions, resource):
    return """
resource "aws_iam_role_policy" "exec" {
  role = aws_iam_role.exec.id
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = %s, Resource = %s },
    { Effect = "Allow", Action = "ecr:GetAuthorizationToken", Resource = "*" } ] })
}
""" % (json.dumps(actions), resource)


SECRETS_TF = """
resource "aws_secretsmanager_secret" "db" {
  name = "db"
}
resource "aws_secretsmanager_secret" "other" {
  name = "other"
}
locals {
  secret_arns = { db = aws_secretsmanager_secret.db.arn }
}
"""


def test_a_looked_up_secret_with_a_json_key_matches_the_policy_on_that_lookup(tmp_path):
    looked_up = """
data "aws_secretsmanager_secret" "db" {
  name = "db"
}
data "aws_secretsmanager_secret" "other" {
  name = "other"
}
"""
    task = TASK_TF % ('"nginx:1.27"', '[{ name = "PW", valueFrom = "${data.aws_secretsmanager_secret.db.arn}:pw::" }]')
    allowed = _policy_tf(["secretsmanager:GetSecretValue"], "[data.aws_secretsmanager_secret.db.arn]")
    assert _decisions(_tf(tmp_path, looked_up, ROLE_TF, task, allowed)) == {"secretsmanager:GetSecretValue": True}
    other = _policy_tf(["secretsmanager:GetSecretValue"], "data.aws_secretsmanager_secret.other.arn")
    assert _decisions(_tf(tmp_path, looked_up, ROLE_TF, task, other)) == {"secretsmanager:GetSecretValue": None}


def test_a_secret_with_a_json_key_matches_the_policy_on_that_secret(tmp_path):
    task = TASK_TF % ('"nginx:1.27"', '[{ name = "PW", valueFrom = "${local.secret_arns["db"]}:password::" }]')
    allowed = _policy_tf(["secretsmanager:GetSecretValue"], "values(local.secret_arns)")
    assert _decisions(_tf(tmp_path, SECRETS_TF, ROLE_TF, task, allowed)) == {
        "secretsmanager:GetSecretValue": True}
    # another secret of the run is another ARN: not decided for this one
    other = _policy_tf(["secretsmanager:GetSecretValue"], "aws_secretsmanager_secret.other.arn")
    assert _decisions(_tf(tmp_path, SECRETS_TF, ROLE_TF, task, other)) == {"secretsmanager:GetSecretValue": None}


def test_a_policy_that_misses_the_action_on_the_keyed_secret_is_a_finding(tmp_path, rules):
    task = TASK_TF % ('"nginx:1.27"', '[{ name = "PW", valueFrom = "${aws_secretsmanager_secret.db.arn}:pw::" }]')
    folder = _tf(tmp_path, SECRETS_TF, ROLE_TF, task,
                 _policy_tf(["secretsmanager:DescribeSecret"], "aws_secretsmanager_secret.db.arn"))
    [found] = lint_paths([str(folder)], rules, "IAM007")
    assert "secretsmanager:GetSecretValue (secret aws_secretsmanager_secret.db)" in found.message


def test_cloudformation_join_of_a_secret_and_its_key(tmp_path):
    (tmp_path / "template.yml").write_text(textwrap.dedent("""\
        Resources:
          Secret:
            Type: AWS::SecretsManager::Secret
          ExecRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref Secret}
          Task:
            Type: AWS::ECS::TaskDefinition
            Properties:
              RequiresCompatibilities: [FARGATE]
              NetworkMode: awsvpc
              ExecutionRoleArn: !GetAtt ExecRole.Arn
              ContainerDefinitions:
                - Name: web
                  Image: nginx:1.27
                  Secrets:
                    - Name: PW
                      ValueFrom: !Join ["", [!Ref Secret, ":password::"]]
        """))
    assert _decisions(tmp_path) == {"secretsmanager:GetSecretValue": True}


ECR_TF = 'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n'
PULL = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def test_an_image_from_a_repository_url_matches_a_policy_on_its_arn(tmp_path):
    task = TASK_TF % ('"${aws_ecr_repository.app.repository_url}:latest"', "[]")
    folder = _tf(tmp_path, ECR_TF, ROLE_TF, task, _policy_tf(PULL, "aws_ecr_repository.app.arn"))
    assert _decisions(folder) == {"ecr:GetAuthorizationToken": True, "ecr:BatchGetImage": True,
                                  "ecr:GetDownloadUrlForLayer": True}
    narrow = _tf(tmp_path, ECR_TF, ROLE_TF, task, _policy_tf(["ecr:BatchGetImage"], "aws_ecr_repository.app.arn"))
    assert _decisions(narrow)["ecr:GetDownloadUrlForLayer"] is False


CDK_TEMPLATE = """\
Resources:
  Repo:
    Type: AWS::ECR::Repository
  ExecRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: pull
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer], Resource: !GetAtt Repo.Arn}
              - {Effect: Allow, Action: ecr:GetAuthorizationToken, Resource: "*"}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      ExecutionRoleArn: !GetAtt ExecRole.Arn
      ContainerDefinitions:
        - Name: web
          Image: !Join
            - ""
            - - !Select [4, !Split [":", !GetAtt Repo.Arn]]
              - .dkr.ecr.
              - !Select [3, !Split [":", !GetAtt Repo.Arn]]
              - .
              - !Ref AWS::URLSuffix
              - /
              - !Ref Repo
              - :latest
"""


def test_cdk_image_of_a_repository_of_the_template_matches_a_policy_on_its_arn(tmp_path):
    (tmp_path / "template.yml").write_text(CDK_TEMPLATE)
    assert _decisions(tmp_path) == {"ecr:GetAuthorizationToken": True, "ecr:BatchGetImage": True,
                                    "ecr:GetDownloadUrlForLayer": True}


def test_cdk_image_is_decided_with_the_stacks_account_and_region_too(tmp_path):
    service = textwrap.indent(textwrap.dedent("""\
        Service:
          Type: AWS::ECS::Service
          Properties:
            LaunchType: FARGATE
            TaskDefinition: !Ref Task
            NetworkConfiguration:
              AwsvpcConfiguration:
                AssignPublicIp: ENABLED
                Subnets: [subnet-0123456789abcdef0]
        """), "  ")
    (tmp_path / "template.yml").write_text(CDK_TEMPLATE + service)
    (tmp_path / "stacks.toml").write_text(
        '[stacks.app]\ntemplate = "template.yml"\naccount = "123456789012"\nregion = "us-east-1"\n')
    for extra in ([], ["--stacks", str(tmp_path / "stacks.toml")]):
        r = run_cli("--no-config", "--explain", "--format", "json", *extra, str(tmp_path))
        [site] = json.loads(r.stdout)["launch_sites"]
        assert [w["value"] for w in site["waits_on"]] == ["subnet-0123456789abcdef0"], (extra, site)


def test_an_optional_policy_of_another_role_leaves_this_roles_permissions_decided(tmp_path):
    task = TASK_TF % ('"nginx:1.27"', '[{ name = "T", valueFrom = "arn:aws:ssm:eu-west-2:123456789012:parameter/t" }]')
    optional = """
variable "task_policy" {
  type = string
}
resource "aws_iam_role" "task" {
  name = "task"
  assume_role_policy = aws_iam_role.exec.assume_role_policy
}
resource "aws_iam_policy" "task" {
  count  = var.task_policy == "" ? 0 : 1
  name   = "task"
  policy = var.task_policy
}
resource "aws_iam_role_policy_attachment" "task" {
  count      = var.task_policy == "" ? 0 : 1
  role       = aws_iam_role.task.name
  policy_arn = aws_iam_policy.task[0].arn
}
"""
    folder = _tf(tmp_path, ROLE_TF, task, optional)
    assert _decisions(folder) == {"ssm:GetParameters": False}
    # the same optional attachment on the execution role itself keeps it open
    (tmp_path / "main.tf").write_text((tmp_path / "main.tf").read_text().replace(
        "role       = aws_iam_role.task.name", "role       = aws_iam_role.exec.name"))
    assert _decisions(folder) == {"ssm:GetParameters": None}


def test_the_wait_names_the_need_whose_arn_cannot_be_known(tmp_path):
    task = TASK_TF % ('"${var.account}.dkr.ecr.eu-west-1.amazonaws.com/app:1"', "[]")
    service = """
variable "account" {}
resource "aws_ecs_service" "app" {
  name            = "app"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {
    subnets          = ["subnet-0123456789abcdef0"]
    assign_public_ip = true
  }
}
"""
    folder = _tf(tmp_path, ROLE_TF, task, service,
                 _policy_tf(PULL, '"arn:aws:ecr:eu-west-1:123456789012:repository/app"'))
    r = run_cli("--no-config", "--explain", "--format", "json", str(folder))
    [site] = json.loads(r.stdout)["launch_sites"]
    [wait] = [w for w in site["waits_on"] if "policies of" in w["value"]]
    assert "(the ARN of image ${...}.dkr.ecr.eu-west-1.amazonaws.com/app:1 cannot be known)" in wait["value"]
    assert wait["supply"].startswith("the values the task definition names it from")


NAMED_SECRET = """\
Parameters:
  AppName:
    Type: String
    Default: shop
Resources:
  DbUrl:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: !Sub "${AppName}/DATABASE_URL"
  ExecRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: !Sub "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:%s"
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ExecutionRoleArn: !GetAtt ExecRole.Arn
      ContainerDefinitions:
        - Name: web
          Image: nginx:1.27
          Secrets:
            - {Name: DATABASE_URL, ValueFrom: !Ref DbUrl}
  Service:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: FARGATE
      TaskDefinition: !Ref Task
      NetworkConfiguration:
        AwsvpcConfiguration:
          AssignPublicIp: ENABLED
          Subnets: [subnet-0123456789abcdef0]
"""


def _waits(tmp_path, pattern, *extra):
    (tmp_path / "template.yml").write_text(NAMED_SECRET % pattern)
    (tmp_path / "stacks.toml").write_text(
        '[stacks.app]\ntemplate = "template.yml"\naccount = "123456789012"\nregion = "us-east-1"\n')
    args = ["--stacks", str(tmp_path / "stacks.toml")] if extra else []
    r = run_cli("--no-config", "--explain", "--format", "json", *args, str(tmp_path))
    [site] = json.loads(r.stdout)["launch_sites"]
    return [w["value"] for w in site["waits_on"]], r


def test_a_secret_named_by_the_template_meets_a_policy_on_its_name_once_the_stack_is_placed(tmp_path):
    # the stack's partition is not known: a policy written for the aws partition may not apply
    waits, _ = _waits(tmp_path, "${AppName}/*")
    assert len(waits) == 2 and "policies of ExecRole" in waits[0]
    waits, r = _waits(tmp_path, "${AppName}/*", "stacks")
    assert waits == ["subnet-0123456789abcdef0"] and r.returncode == 0
    # a pattern for other names is decided too: the secret is not among them
    waits, r = _waits(tmp_path, "other/*", "stacks")
    assert r.returncode == 1 and "IAM007" in r.stdout, r.stdout
