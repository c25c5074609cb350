"""Images written from an ECR repository's URL: the repository they are an image of, whatever follows the URL,
and what the execution-role rules make of them. Terraform's join() and format() give such an image as the
text of its parts (a Template whose first part is the reference), as CloudFormation's !Join and !Sub and
Terraform's own interpolation do."""
import os
import textwrap

import pytest
from conftest import lint_paths

from pullcheck.facts.images import classify, repository_path
from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.graph.values import Ref, Template, Unknown

REPO = Ref("main:aws_ecr_repository.app", "aws_ecr_repository", "repository_url")
TAG = Unknown("variable tag has no value")


@pytest.mark.parametrize("value,repository", [
    (REPO, REPO.target),
    (Template((REPO, ":latest")), REPO.target),  # join(":", [url, "latest"]), format("%s:%s", url, "latest")
    (Template((REPO, ":", TAG)), REPO.target),  # join(":", [url, var.tag]), "${url}:${var.tag}"
    (Template((REPO, "@sha256:" + "a" * 64)), REPO.target),
    (Template((Ref("t.yaml#Repo", "AWS::ECR::Repository", "RepositoryUri"), ":", TAG)), "t.yaml#Repo"),
    (Template((REPO, "/sidecar:1")), None),  # another repository of the same registry
    (Template((REPO, TAG)), None),  # whatever follows may be a path
], ids=["url", "text-tag", "unknown-tag", "digest", "cloudformation", "other-path", "unknown-rest"])
def test_a_reference_from_a_repository_url_is_an_ecr_image(value, repository):
    image = classify(value)
    assert (image.kind, image.repository) == ("ecr", repository)


@pytest.mark.parametrize("value", [Template((Ref("main:aws_ecr_repository.app", "aws_ecr_repository", "name"),
                                             ":latest")), Template((TAG, REPO)), TAG])
def test_other_values_are_not_images_of_a_repository(value):
    assert classify(value).repository is None and classify(value).kind != "ecr"


def test_the_repository_path_comes_from_the_repository_of_the_graph():
    graph = Graph()
    repo = Resource(REPO.target, "ecr.repository", "aws_ecr_repository", "aws_ecr_repository.app", "main.tf",
                    Span(1, 1), {"repository_name": "team/app"})
    graph.add(repo)
    assert repository_path(graph, classify(Template((REPO, ":", TAG)))) == "team/app"
    repo.attrs["repository_name"] = TAG
    assert repository_path(graph, classify(Template((REPO, ":", TAG)))) == ""


# Terraform's forms of the same image, through join() and format()
TERRAFORM = """\
    variable "tag" {}
    resource "aws_ecr_repository" "app" {
      name = "app"
    }
    resource "aws_ecs_task_definition" "joined" {
      family                   = "joined"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions = jsonencode([{
        name  = "app"
        image = join(":", [aws_ecr_repository.app.repository_url, var.tag])
      }])
    }
    resource "aws_ecs_task_definition" "formatted" {
      family                   = "formatted"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions = jsonencode([{
        name  = "app"
        image = format("%s:%s", aws_ecr_repository.app.repository_url, "latest")
      }])
    }
    """


def _terraform(tmp_path):
    (tmp_path / "main.tf").write_text(textwrap.dedent(TERRAFORM), encoding="utf-8")
    return str(tmp_path)


def test_join_and_format_give_the_text_of_their_parts(tmp_path):
    """The evaluator gives join() and format() over a repository's URL as a Template whose first part is
    the reference, as an interpolation gives it."""
    from pullcheck.engine.stages import build_graph

    graph, _ = build_graph([_terraform(tmp_path)])
    repo = next(graph.of_kind("ecr.repository"))
    url = Ref(repo.key, repo.rtype, "repository_url")
    made = {"joined": Template((url, ":", Unknown("variable tag has no value"))),
            "formatted": Template((url, ":latest"))}
    images = {td.get("family"): td.get("containers")[0]["image"] for td in graph.of_kind("ecs.task_definition")}
    assert images == made
    assert {f: classify(v).repository for f, v in images.items()} == {f: repo.key for f in made}


def test_join_and_format_straight_from_the_evaluator(tmp_path, rules):
    """The task definitions are judged: no execution role for an image of a private repository."""
    found = lint_paths([_terraform(tmp_path)], rules, "IAM001")
    assert sorted((os.path.basename(f.file), f.line) for f in found) == [("main.tf", 13), ("main.tf", 24)]


# the calls an execution role makes for such an image name the repository (a policy written for one
# repository is then matched against it, where the parts of the ARN the deployment gives allow a decision)
STACK = """\
    Resources:
      Repository:
        Type: AWS::ECR::Repository
        Properties:
          RepositoryName: team/app
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
          ContainerDefinitions:
            - Name: app
              Image: !Sub "${Repository.RepositoryUri}:latest"
    """


def test_the_execution_role_needs_the_pull_on_the_repository_of_the_image(tmp_path):
    from pullcheck.engine.stages import build_graph
    from pullcheck.facts import iam

    (tmp_path / "stack.yaml").write_text(textwrap.dedent(STACK), encoding="utf-8")
    graph, _ = build_graph([str(tmp_path / "stack.yaml")])
    td = next(graph.of_kind("ecs.task_definition"))
    pulls = {n.resource for n in iam.needs(graph, td) if n.action == "ecr:BatchGetImage"}
    # the stack's own partition, Region and account (named unknowns), the name as written
    [pull] = pulls
    assert pull.startswith("arn:\x01") and pull.endswith(":repository/team/app")
