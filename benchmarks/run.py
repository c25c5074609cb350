"""Benchmark: pullcheck's wall time and peak memory on generated inputs, beside cfn-lint's.

    python benchmarks/run.py [--sizes 10,100,1000] [--repeat 3] [--no-cfn-lint]

Generates CloudFormation, Terraform and task-definition inputs with N Fargate services (each with its VPC,
subnet, route table, NAT route and task definition) in a temporary folder, then runs each command
``--repeat`` times and prints the best wall time and the peak RSS of the child process.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def cfn(n: int) -> str:
    out = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"]
    for i in range(n):
        out.append(f"""  Vpc{i}:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Subnet{i}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc{i}
      CidrBlock: 10.0.1.0/24
  RouteTable{i}:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc{i}
  Route{i}:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref RouteTable{i}
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: nat-0123456789abcdef{i % 10}
  Assoc{i}:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref Subnet{i}
      RouteTableId: !Ref RouteTable{i}
  TaskDef{i}:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
      ContainerDefinitions:
        - Name: app
          Image: !Sub ${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/app{i}:1
  Service{i}:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: FARGATE
      TaskDefinition: !Ref TaskDef{i}
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: [!Ref Subnet{i}]""")
    return "\n".join(out) + "\n"


def terraform(n: int) -> str:
    out = []
    for i in range(n):
        out.append(f"""resource "aws_vpc" "v{i}" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_subnet" "s{i}" {{
  vpc_id     = aws_vpc.v{i}.id
  cidr_block = "10.0.1.0/24"
}}

resource "aws_route_table" "rt{i}" {{
  vpc_id = aws_vpc.v{i}.id
  route {{
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = "nat-0123456789abcdef0"
  }}
}}

resource "aws_route_table_association" "a{i}" {{
  subnet_id      = aws_subnet.s{i}.id
  route_table_id = aws_route_table.rt{i}.id
}}

resource "aws_ecs_task_definition" "td{i}" {{
  family                   = "app{i}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = "arn:aws:iam::123456789012:role/exec"
  container_definitions = jsonencode([{{
    name  = "app"
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app{i}:1"
  }}])
}}

resource "aws_ecs_service" "svc{i}" {{
  name            = "svc{i}"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.td{i}.arn
  network_configuration {{
    subnets = [aws_subnet.s{i}.id]
  }}
}}
""")
    return "\n".join(out)


def taskdefs(folder: str, n: int) -> None:
    os.makedirs(folder)
    for i in range(n):
        td = {"family": f"app{i}", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
              "cpu": "256", "memory": "512", "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
              "containerDefinitions": [{"name": "app", "image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/a{i}:1",
                                        "essential": True}]}
        with open(os.path.join(folder, f"td{i}.json"), "w") as f:
            json.dump(td, f, indent=2)


_PEAK = ("import resource, subprocess, sys; "
         "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


# As installed: pip byte-compiles a package when it installs it, so the runs may read and write .pyc files
# even where the environment turns that off (PYTHONDONTWRITEBYTECODE); one warm-up run writes them.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd, repeat: int):
    """Best wall time over ``repeat`` runs after a warm-up, and the peak RSS (MB) of one run, taken in a
    fresh parent."""
    best = None
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        wall = time.perf_counter() - start
        best = wall if best is None else min(best, wall)
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, env=ENV).stdout
    return best, int(out.strip() or 0) / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-cfn-lint", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pull = [sys.executable, "-m", "pullcheck"]
    cfnlint = shutil.which("cfn-lint")
    tmp = tempfile.mkdtemp(prefix="pullcheck-bench-")
    try:
        base, _ = measure([sys.executable, "-c", "pass"], max(5, args.repeat))
        one = os.path.join(tmp, "one")
        taskdefs(one, 1)
        start, start_mem = measure(pull + [os.path.join(one, "td0.json")], max(5, args.repeat))
        print(f"python -c pass: {base:.3f} s; pullcheck on one task definition: {start:.3f} s "
              f"({start / base:.1f}x), {start_mem:.0f} MB peak")
        print(f"{'format':<16}{'services':>9}{'pullcheck s':>13}{'peak MB':>9}{'cfn-lint s':>12}{'ratio':>8}")
        for n in sizes:
            cf = os.path.join(tmp, f"cfn{n}.yaml")
            with open(cf, "w") as f:
                f.write(cfn(n))
            tfd = os.path.join(tmp, f"tf{n}")
            os.makedirs(tfd)
            with open(os.path.join(tfd, "main.tf"), "w") as f:
                f.write(terraform(n))
            tdd = os.path.join(tmp, f"td{n}")
            taskdefs(tdd, n)
            t, m = measure(pull + [cf], args.repeat)
            c = None
            if cfnlint and not args.no_cfn_lint:
                c, _ = measure([cfnlint, cf], 1 if n >= 1000 else args.repeat)
            ratio = f"{c / t:.0f}x" if c else "-"
            cs = f"{c:.2f}" if c else "-"
            print(f"{'cloudformation':<16}{n:>9}{t:>13.3f}{m:>9.0f}{cs:>12}{ratio:>8}")
            t, m = measure(pull + [tfd], args.repeat)
            print(f"{'terraform':<16}{n:>9}{t:>13.3f}{m:>9.0f}{'-':>12}{'-':>8}")
            t, m = measure(pull + [tdd], args.repeat)
            print(f"{'taskdef files':<16}{n:>9}{t:>13.3f}{m:>9.0f}{'-':>12}{'-':>8}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
