"""Whether a launch site runs on Fargate, decided where the files decide it: a strategy naming a capacity
provider the run declares (never Fargate's), the run's cluster with no default strategy (ECS then launches on
EC2), a task definition compatible with EC2 only, an empty launch type (an unset one). A cluster the run does
not show stays unknown."""
import json
import textwrap

from conftest import run_cli

from pullcheck.engine.stages import build_graph
from pullcheck.facts.launches import is_fargate

TASK = """
resource "aws_ecs_task_definition" "app" {{
  family                   = "app"
  requires_compatibilities = {compat}
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{ name = "app", image = "nginx:1.27", essential = true }}])
}}
"""

SERVICE = """
resource "aws_ecs_service" "app" {{
  name            = "app"
  cluster         = {cluster}
  task_definition = aws_ecs_task_definition.app.arn
  {launch}
  network_configuration {{
    subnets = ["subnet-0123456789abcdef0"]
  }}
}}
"""

CLUSTER = """
resource "aws_ecs_cluster" "main" {
  name = "main"
}
"""


def _module(tmp_path, *parts, name="main.tf"):
    folder = tmp_path / "mod"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent("".join(parts)))
    return str(folder)


def _fargate(folder, name="aws_ecs_service.app"):
    graph, _ = build_graph([folder])
    [launch] = [r for r in graph.of_kind("ecs.service") if r.name == name]
    return is_fargate(launch, graph)


def _tf(tmp_path, compat='["FARGATE"]', cluster="aws_ecs_cluster.main.id", launch="", *more):
    return _module(tmp_path, TASK.format(compat=compat), SERVICE.format(cluster=cluster, launch=launch), *more)


ASG_PROVIDER = """
resource "aws_ecs_capacity_provider" "asg" {
  name = "asg"
  auto_scaling_group_provider {
    auto_scaling_group_arn = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x:autoScalingGroupName/asg"
  }
}
"""


def test_a_strategy_naming_a_declared_capacity_provider_is_not_fargate(tmp_path):
    strategy = "capacity_provider_strategy {\n    capacity_provider = aws_ecs_capacity_provider.asg.name\n" \
               "    weight = 1\n  }"
    assert _fargate(_tf(tmp_path, '["FARGATE"]', '"main"', strategy, ASG_PROVIDER)) is False


def test_a_strategy_naming_fargate_beside_a_declared_provider_is_fargate(tmp_path):
    strategy = ("capacity_provider_strategy {\n    capacity_provider = aws_ecs_capacity_provider.asg.name\n"
                "    weight = 1\n  }\n  capacity_provider_strategy {\n    capacity_provider = \"FARGATE\"\n"
                "    weight = 1\n  }")
    assert _fargate(_tf(tmp_path, '["FARGATE"]', '"main"', strategy, ASG_PROVIDER)) is True


def test_a_strategy_naming_a_provider_from_a_variable_stays_unknown(tmp_path):
    strategy = "capacity_provider_strategy {\n    capacity_provider = var.provider\n    weight = 1\n  }"
    assert _fargate(_tf(tmp_path, '["FARGATE"]', '"main"', strategy, 'variable "provider" {}\n')) is None


def test_the_runs_cluster_without_a_default_strategy_launches_on_ec2(tmp_path):
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "aws_ecs_cluster.main.id", "", CLUSTER)) is False


def test_the_runs_cluster_with_a_fargate_default_strategy_launches_on_fargate(tmp_path):
    assoc = """
    resource "aws_ecs_cluster_capacity_providers" "main" {
      cluster_name       = aws_ecs_cluster.main.name
      capacity_providers = ["FARGATE"]
      default_capacity_provider_strategy {
        capacity_provider = "FARGATE"
      }
    }
    """
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "aws_ecs_cluster.main.id", "", CLUSTER, assoc)) is True


def test_an_association_without_a_default_strategy_leaves_ec2(tmp_path):
    assoc = """
    resource "aws_ecs_cluster_capacity_providers" "main" {
      cluster_name       = aws_ecs_cluster.main.name
      capacity_providers = ["FARGATE"]
    }
    """
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "aws_ecs_cluster.main.id", "", CLUSTER, assoc)) is False


def test_an_association_whose_cluster_cannot_be_known_keeps_the_cluster_unknown(tmp_path):
    assoc = """
    variable "cluster" {}
    resource "aws_ecs_cluster_capacity_providers" "other" {
      cluster_name       = var.cluster
      capacity_providers = ["FARGATE"]
      default_capacity_provider_strategy {
        capacity_provider = "FARGATE"
      }
    }
    """
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "aws_ecs_cluster.main.id", "", CLUSTER, assoc)) is None


def test_a_cluster_looked_up_by_the_name_of_the_runs_cluster_is_that_cluster(tmp_path):
    lookup = """
    data "aws_ecs_cluster" "this" {
      cluster_name = aws_ecs_cluster.main.name
    }
    """
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "data.aws_ecs_cluster.this.arn", "", CLUSTER, lookup)) is False
    by_text = lookup.replace("aws_ecs_cluster.main.name", '"main"')
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "data.aws_ecs_cluster.this.arn", "", CLUSTER, by_text)) is False


def test_a_cluster_outside_the_run_stays_unknown(tmp_path):
    lookup = """
    data "aws_ecs_cluster" "this" {
      cluster_name = "shared"
    }
    """
    assert _fargate(_tf(tmp_path, '["FARGATE"]', "data.aws_ecs_cluster.this.arn", "", CLUSTER, lookup)) is None
    assert _fargate(_tf(tmp_path, '["FARGATE"]', '"shared"', "", CLUSTER)) is None


def test_a_task_definition_for_ec2_only_rules_fargate_out(tmp_path):
    folder = _tf(tmp_path, '["EC2"]', '"shared"', "")
    assert _fargate(folder) is False
    # the launch type says Fargate: the site is Fargate's (its registration would fail), whatever the task says
    assert _fargate(_tf(tmp_path, '["EC2"]', '"shared"', 'launch_type = "FARGATE"')) is True
    # no compatibilities written: ECS decides whether it fits Fargate
    assert _fargate(_tf(tmp_path, "null", '"shared"', "")) is None


def test_cloudformation_capacity_provider_of_the_template_is_not_fargate(tmp_path):
    (tmp_path / "template.yml").write_text(textwrap.dedent("""\
        Resources:
          Provider:
            Type: AWS::ECS::CapacityProvider
            Properties:
              AutoScalingGroupProvider:
                AutoScalingGroupArn: arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x:autoScalingGroupName/a
          Task:
            Type: AWS::ECS::TaskDefinition
            Properties:
              RequiresCompatibilities: [EC2, FARGATE]
              NetworkMode: awsvpc
              ContainerDefinitions:
                - Name: app
                  Image: nginx:1.27
          Service:
            Type: AWS::ECS::Service
            Properties:
              Cluster: shared
              TaskDefinition: !Ref Task
              CapacityProviderStrategy:
                - CapacityProvider: !Ref Provider
                  Weight: 1
              NetworkConfiguration:
                AwsvpcConfiguration:
                  Subnets: [subnet-0123456789abcdef0]
        """))
    graph, _ = build_graph([str(tmp_path)])
    [launch] = graph.of_kind("ecs.service")
    assert is_fargate(launch, graph) is False


def test_an_empty_launch_type_with_a_fargate_spot_strategy_is_counted(tmp_path):
    (tmp_path / "ecspresso.yml").write_text(
        "region: eu-west-1\ncluster: shared\nservice: web\nservice_definition: ecs-service-def.json\n"
        "task_definition: ecs-task-def.json\n")
    (tmp_path / "ecs-service-def.json").write_text(json.dumps({
        "launchType": "", "desiredCount": 1, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}}}))
    (tmp_path / "ecs-task-def.json").write_text(json.dumps({
        "family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
        "memory": "512", "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}]}))
    r = run_cli("--no-config", "--explain", "--format", "json", str(tmp_path))
    [site] = json.loads(r.stdout)["launch_sites"]
    assert site["name"] == "web" and site["judged"] is False
    assert [w["value"] for w in site["waits_on"]] == ["subnet-0123456789abcdef0"]


def test_sites_decided_not_fargate_leave_the_account(tmp_path):
    folder = _tf(tmp_path, '["FARGATE"]', "aws_ecs_cluster.main.id", "", CLUSTER)
    r = run_cli("--no-config", "--explain", "--format", "json", folder)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["launch_sites"] == []
    r = run_cli("--no-config", "--explain", "--format", "json", _tf(tmp_path, '["FARGATE"]', '"shared"', ""))
    [site] = json.loads(r.stdout)["launch_sites"]
    assert site["waits_on"][0]["value"] == "the launch type or capacity provider strategy"


def test_a_cluster_in_another_folder_decides_the_same_with_one_process_or_two(tmp_path):
    """The cluster, the service that names it (through a lookup by name) and an association whose cluster
    cannot be known are in three Terraform roots: linted apart, each must still see the others."""
    # each folder big enough to be a batch of its own (batches are cut by bytes, neighbours by path together)
    roots = {
        "cluster": CLUSTER + "# the cluster the services of the other folders run on\n" * 8,
        "service": TASK.format(compat='["FARGATE"]') + SERVICE.format(
            cluster="data.aws_ecs_cluster.main.arn", launch="")
        + 'data "aws_ecs_cluster" "main" {\n  cluster_name = "main"\n}\n',
        "zz_association": 'variable "cluster" {}\nresource "aws_ecs_cluster_capacity_providers" "c" {\n'
                          '  cluster_name = var.cluster\n  capacity_providers = ["FARGATE"]\n'
                          '  default_capacity_provider_strategy {\n    capacity_provider = "FARGATE"\n  }\n}\n',
    }
    for name, text in roots.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(text)

    def runs():
        out = [run_cli("--no-config", "--jobs", jobs, str(tmp_path)).stdout for jobs in ("1", "2")]
        assert out[0] == out[1]
        return out[0]

    # the association may be the cluster's: unknown, so counted
    assert "judged 0 of 1 launch site" in runs()
    (tmp_path / "zz_association" / "main.tf").unlink()
    assert "launch site" not in runs()


def test_a_provider_name_the_deploy_fills_in_stays_unknown(tmp_path):
    """An ecspresso service naming its capacity provider by a placeholder: FARGATE or not, the deploy says."""
    for name in ("ecs-service-def.json", "ecs-task-def.json"):
        (tmp_path / name).write_text("")
    (tmp_path / "ecspresso.yml").write_text(textwrap.dedent("""\
        region: eu-west-1
        cluster: main
        service: web
        service_definition: ecs-service-def.json
        task_definition: ecs-task-def.json
        """))
    (tmp_path / "ecs-service-def.json").write_text(json.dumps({
        "capacityProviderStrategy": [{"capacityProvider": "{{ must_env `CAPACITY_PROVIDER` }}", "weight": 1}],
        "desiredCount": 1,
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}}}, indent=2))
    (tmp_path / "ecs-task-def.json").write_text(json.dumps({
        "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
        "memory": "512", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True}]}))
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    [site] = doc["launch_sites"]  # counted, not taken for an EC2 service
    assert not site["judged"] and "CAPACITY_PROVIDER" in site["waits_on"][0]["value"], site
