"""Deploy inputs and lookups written to cost what a run cannot pay: each ends at once, and what the run
could not afford to read stays unknown. Each case runs the real command in a child process, whose
``timeout`` stands for a hang (no run here comes near it)."""
import os
import shutil
import textwrap

import pytest
from conftest import ROOT, run_cli

TEMPLATE = textwrap.dedent("""\
    Parameters:
      Subnet: {Type: String}
    Resources:
      Task:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ContainerDefinitions: [{Name: app, Image: "nginx:1.27"}]
      Service:
        Type: AWS::ECS::Service
        Properties:
          LaunchType: FARGATE
          TaskDefinition: !Ref Task
          NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [!Ref Subnet]}}
    """)
DEPLOY = "aws cloudformation deploy --template-file template.yaml --stack-name s --parameter-overrides Subnet=$S\n"


def _run(tmp_path, files):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    r = run_cli("--no-config", ".", cwd=str(tmp_path))
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    return r


def test_a_read_with_many_flags_is_read_in_one_pass(tmp_path):
    # flags only, no name after them: every way to split them into flags and values fails
    _run(tmp_path, {"deploy.sh": "#!/bin/sh\nread" + " -x" * 200 + "\n" + DEPLOY})


def test_make_variables_that_multiply_stop_at_a_lines_bound(tmp_path):
    make = "A = " + "x" * 64 + "\n"
    for name, prev in (("B", "A"), ("C", "B"), ("D", "C"), ("E", "D")):
        make += f"{name} = " + f"$({prev})" * 1000 + "\n"
    make += "deploy:\n\tS=$(E) " + DEPLOY
    _run(tmp_path, {"Makefile": make})


def test_shell_variables_that_multiply_stop_at_a_lines_bound(tmp_path):
    script = "#!/bin/sh\nA=" + "x" * 60000 + "\nB=" + "$A" * 30000 + "\nS=$B\n" + DEPLOY
    _run(tmp_path, {"deploy.sh": script})


def test_a_tag_filter_written_to_backtrack_matches_in_linear_time(tmp_path):
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_vpc" "v" {
          cidr_block = "10.0.0.0/16"
          tags       = { Name = "%s" }
        }
        data "aws_vpc" "x" {
          filter {
            name   = "tag:Name"
            values = ["%s"]
          }
        }
        resource "aws_subnet" "s" {
          vpc_id     = data.aws_vpc.x.id
          cidr_block = "10.0.1.0/24"
        }
        resource "aws_ecs_service" "svc" {
          name            = "x"
          launch_type     = "FARGATE"
          task_definition = "web:1"
          network_configuration {
            subnets = [aws_subnet.s.id]
          }
        }
        """) % ("a" * 80, "*a" * 30 + "*b"))
    r = run_cli("--no-config", ".", cwd=str(tmp_path))
    assert r.returncode in (0, 1), r.stderr


DATA = os.path.join(ROOT, "tests", "data", "review")


@pytest.mark.parametrize("case, expected", [
    # an association whose subnet a data source selects, from a VPC another data source selects: the NAT route
    ("narrow", []),
    # flatten() of a data source's list of IDs is not one string: its elements are unknown, no fallback taken
    ("flat", []),
    # a custom resource's function is given its template's VPC through its environment: the main table may
    # have routes the template does not show
    ("cr", []),
])
def test_an_unknown_stays_unknown(tmp_path, case, expected):
    shutil.copytree(os.path.join(DATA, case), tmp_path / case)
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path / case))
    assert r.returncode in (0, 1), r.stderr
    assert [line.split(" ")[1] for line in r.stdout.splitlines() if line.strip()] == expected, r.stdout
