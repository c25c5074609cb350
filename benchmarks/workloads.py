"""The benchmark's workloads: whole Fargate services with their network and IAM (29 resources each in
CloudFormation; the same in Terraform, with count, for_each, policy documents and jsonencode), task
definitions, and a monorepo of 1000 small files.

    python benchmarks/workloads.py OUTDIR [--sizes 1,10,100,1000,5000]

writes OUTDIR/cfn/cfn-N.yaml (one template), OUTDIR/tf/tf-N/*.tf (one root module over five files),
OUTDIR/td/td-N/*.json (N register-task-definition inputs) per N, and OUTDIR/mono/ once: 100 Terraform folders
of 3 files, 100 CloudFormation folders of 4 templates (2 YAML, 2 JSON) and 100 folders of 3 task definitions.

Per service: VPC with DNS, internet gateway, two public subnets routed to it, EIP and NAT gateway, two private
subnets routed to the NAT, S3 gateway endpoint, ecr.api / ecr.dkr / logs interface endpoints with a security
group admitting 443 from the VPC, a task security group, execution and task roles with policies, a log group,
a task definition (awslogs, private ECR image) and the service, on one shared cluster. So that findings are
written too, every tenth service (i % 10 == 3) sits in the public subnets without a public IP and every
tenth (i % 10 == 7) has no execution role.
"""
from __future__ import annotations

import argparse
import json
import os


# ----------------------------------------------------------------------------------------- CloudFormation
def cfn_service(i: int) -> str:
    public_no_ip = i % 10 == 3
    no_exec = i % 10 == 7
    b = i % 250  # second octet, keeps CIDRs valid
    subnets = f"[!Ref PubSubA{i}, !Ref PubSubB{i}]" if public_no_ip else f"[!Ref PrivSubA{i}, !Ref PrivSubB{i}]"
    exec_line = "" if no_exec else f"      ExecutionRoleArn: !GetAtt ExecRole{i}.Arn\n"
    return f"""  Vpc{i}:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.{b}.0.0/16
      EnableDnsSupport: true
      EnableDnsHostnames: true
      Tags:
        - Key: Name
          Value: svc{i}
  Igw{i}:
    Type: AWS::EC2::InternetGateway
  IgwAttach{i}:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc{i}
      InternetGatewayId: !Ref Igw{i}
  PubSubA{i}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc{i}
      CidrBlock: 10.{b}.0.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
      MapPublicIpOnLaunch: true
  PubSubB{i}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc{i}
      CidrBlock: 10.{b}.1.0/24
      AvailabilityZone: !Select [1, !GetAZs ""]
      MapPublicIpOnLaunch: true
  PubRt{i}:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc{i}
  PubRoute{i}:
    Type: AWS::EC2::Route
    DependsOn: IgwAttach{i}
    Properties:
      RouteTableId: !Ref PubRt{i}
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw{i}
  PubAssocA{i}:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PubSubA{i}
      RouteTableId: !Ref PubRt{i}
  PubAssocB{i}:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PubSubB{i}
      RouteTableId: !Ref PubRt{i}
  NatEip{i}:
    Type: AWS::EC2::EIP
    DependsOn: IgwAttach{i}
    Properties:
      Domain: vpc
  Nat{i}:
    Type: AWS::EC2::NatGateway
    Properties:
      AllocationId: !GetAtt NatEip{i}.AllocationId
      SubnetId: !Ref PubSubA{i}
  PrivSubA{i}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc{i}
      CidrBlock: 10.{b}.10.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  PrivSubB{i}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc{i}
      CidrBlock: 10.{b}.11.0/24
      AvailabilityZone: !Select [1, !GetAZs ""]
  PrivRt{i}:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc{i}
  PrivRoute{i}:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PrivRt{i}
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: !Ref Nat{i}
  PrivAssocA{i}:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivSubA{i}
      RouteTableId: !Ref PrivRt{i}
  PrivAssocB{i}:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivSubB{i}
      RouteTableId: !Ref PrivRt{i}
  S3Endpoint{i}:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc{i}
      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.s3
      VpcEndpointType: Gateway
      RouteTableIds: [!Ref PrivRt{i}]
  EndpointSg{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: endpoints of svc{i}
      VpcId: !Ref Vpc{i}
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.{b}.0.0/16
  EcrApiEndpoint{i}:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc{i}
      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.ecr.api
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      SubnetIds: [!Ref PrivSubA{i}, !Ref PrivSubB{i}]
      SecurityGroupIds: [!Ref EndpointSg{i}]
  EcrDkrEndpoint{i}:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc{i}
      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.ecr.dkr
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      SubnetIds: [!Ref PrivSubA{i}, !Ref PrivSubB{i}]
      SecurityGroupIds: [!Ref EndpointSg{i}]
  LogsEndpoint{i}:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc{i}
      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.logs
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      SubnetIds: [!Ref PrivSubA{i}, !Ref PrivSubB{i}]
      SecurityGroupIds: [!Ref EndpointSg{i}]
  TaskSg{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tasks of svc{i}
      VpcId: !Ref Vpc{i}
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  ExecRole{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ecs-tasks.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  TaskRole{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ecs-tasks.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ["s3:GetObject"]
                Resource: !Sub arn:aws:s3:::bucket-{i}/*
  LogGroup{i}:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /ecs/svc{i}
      RetentionInDays: 30
  TaskDef{i}:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: svc{i}
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
{exec_line}      TaskRoleArn: !GetAtt TaskRole{i}.Arn
      ContainerDefinitions:
        - Name: app
          Image: !Sub ${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/svc{i}:1.0
          Essential: true
          PortMappings:
            - ContainerPort: 8080
          Environment:
            - Name: SERVICE
              Value: svc{i}
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref LogGroup{i}
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: app
  Service{i}:
    Type: AWS::ECS::Service
    DependsOn: PrivRoute{i}
    Properties:
      ServiceName: svc{i}
      Cluster: !Ref Cluster
      LaunchType: FARGATE
      DesiredCount: 2
      TaskDefinition: !Ref TaskDef{i}
      NetworkConfiguration:
        AwsvpcConfiguration:
          AssignPublicIp: DISABLED
          Subnets: {subnets}
          SecurityGroups: [!Ref TaskSg{i}]
"""


def cfn(n: int, start: int = 0) -> str:
    out = ['AWSTemplateFormatVersion: "2010-09-09"', "Description: generated Fargate services",
           "Resources:", "  Cluster:", "    Type: AWS::ECS::Cluster"]
    for i in range(start, start + n):
        out.append(cfn_service(i).rstrip("\n"))
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------------------- Terraform
TF_MAIN = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "azs" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b"]
}

locals {
  account_id = "123456789012"
  registry   = "${local.account_id}.dkr.ecr.${var.region}.amazonaws.com"
  # interface endpoints every service needs
  endpoints = ["ecr.api", "ecr.dkr", "logs"]
}

resource "aws_ecs_cluster" "main" {
  name = "main"
}

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}
"""


def tf_network(i: int) -> str:
    b = i % 250
    return f"""
resource "aws_vpc" "svc{i}" {{
  cidr_block           = "10.{b}.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = {{
    Name = "svc{i}"
  }}
}}

resource "aws_internet_gateway" "svc{i}" {{
  vpc_id = aws_vpc.svc{i}.id
}}

resource "aws_subnet" "svc{i}_public" {{
  count                   = 2
  vpc_id                  = aws_vpc.svc{i}.id
  cidr_block              = cidrsubnet(aws_vpc.svc{i}.cidr_block, 8, count.index)
  availability_zone       = var.azs[count.index]
  map_public_ip_on_launch = true
}}

resource "aws_route_table" "svc{i}_public" {{
  vpc_id = aws_vpc.svc{i}.id
  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.svc{i}.id
  }}
}}

resource "aws_route_table_association" "svc{i}_public" {{
  count          = 2
  subnet_id      = aws_subnet.svc{i}_public[count.index].id
  route_table_id = aws_route_table.svc{i}_public.id
}}

resource "aws_eip" "svc{i}_nat" {{
  domain     = "vpc"
  depends_on = [aws_internet_gateway.svc{i}]
}}

resource "aws_nat_gateway" "svc{i}" {{
  allocation_id = aws_eip.svc{i}_nat.id
  subnet_id     = aws_subnet.svc{i}_public[0].id
}}

resource "aws_subnet" "svc{i}_private" {{
  count             = 2
  vpc_id            = aws_vpc.svc{i}.id
  cidr_block        = cidrsubnet(aws_vpc.svc{i}.cidr_block, 8, count.index + 10)
  availability_zone = var.azs[count.index]
}}

resource "aws_route_table" "svc{i}_private" {{
  vpc_id = aws_vpc.svc{i}.id
}}

resource "aws_route" "svc{i}_private_nat" {{
  route_table_id         = aws_route_table.svc{i}_private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.svc{i}.id
}}

resource "aws_route_table_association" "svc{i}_private" {{
  count          = 2
  subnet_id      = aws_subnet.svc{i}_private[count.index].id
  route_table_id = aws_route_table.svc{i}_private.id
}}
"""


def tf_endpoints(i: int) -> str:
    b = i % 250
    return f"""
resource "aws_vpc_endpoint" "svc{i}_s3" {{
  vpc_id            = aws_vpc.svc{i}.id
  service_name      = "com.amazonaws.${{var.region}}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.svc{i}_private.id]
}}

resource "aws_security_group" "svc{i}_endpoints" {{
  name   = "svc{i}-endpoints"
  vpc_id = aws_vpc.svc{i}.id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.{b}.0.0/16"]
  }}
}}

resource "aws_vpc_endpoint" "svc{i}_interface" {{
  for_each            = toset(local.endpoints)
  vpc_id              = aws_vpc.svc{i}.id
  service_name        = "com.amazonaws.${{var.region}}.${{each.value}}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.svc{i}_private[*].id
  security_group_ids  = [aws_security_group.svc{i}_endpoints.id]
}}
"""


def tf_iam(i: int) -> str:
    return f"""
resource "aws_iam_role" "svc{i}_exec" {{
  name               = "svc{i}-exec"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}}

resource "aws_iam_role_policy_attachment" "svc{i}_exec" {{
  role       = aws_iam_role.svc{i}_exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}}

resource "aws_iam_role" "svc{i}_task" {{
  name               = "svc{i}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}}

resource "aws_iam_role_policy" "svc{i}_task" {{
  name = "app"
  role = aws_iam_role.svc{i}_task.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::bucket-{i}/*"
    }}]
  }})
}}
"""


def tf_ecs(i: int) -> str:
    public_no_ip = i % 10 == 3
    no_exec = i % 10 == 7
    subnets = f"aws_subnet.svc{i}_public[*].id" if public_no_ip else f"aws_subnet.svc{i}_private[*].id"
    exec_line = "" if no_exec else f"  execution_role_arn       = aws_iam_role.svc{i}_exec.arn\n"
    return f"""
resource "aws_security_group" "svc{i}_task" {{
  name   = "svc{i}-task"
  vpc_id = aws_vpc.svc{i}.id
  egress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_cloudwatch_log_group" "svc{i}" {{
  name              = "/ecs/svc{i}"
  retention_in_days = 30
}}

resource "aws_ecs_task_definition" "svc{i}" {{
  family                   = "svc{i}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
{exec_line}  task_role_arn            = aws_iam_role.svc{i}_task.arn
  container_definitions = jsonencode([
    {{
      name         = "app"
      image        = "${{local.registry}}/svc{i}:1.0"
      essential    = true
      portMappings = [{{ containerPort = 8080 }}]
      environment  = [{{ name = "SERVICE", value = "svc{i}" }}]
      logConfiguration = {{
        logDriver = "awslogs"
        options = {{
          "awslogs-group"         = aws_cloudwatch_log_group.svc{i}.name
          "awslogs-region"        = var.region
          "awslogs-stream-prefix" = "app"
        }}
      }}
    }}
  ])
}}

resource "aws_ecs_service" "svc{i}" {{
  name            = "svc{i}"
  cluster         = aws_ecs_cluster.main.id
  launch_type     = "FARGATE"
  desired_count   = 2
  task_definition = aws_ecs_task_definition.svc{i}.arn
  network_configuration {{
    subnets          = {subnets}
    security_groups  = [aws_security_group.svc{i}_task.id]
    assign_public_ip = false
  }}
  depends_on = [aws_route.svc{i}_private_nat]
}}
"""


def terraform(folder: str, n: int, start: int = 0, split: bool = True) -> None:
    os.makedirs(folder, exist_ok=True)
    parts = {"network.tf": tf_network, "endpoints.tf": tf_endpoints, "iam.tf": tf_iam, "ecs.tf": tf_ecs}
    with open(os.path.join(folder, "main.tf"), "w") as f:
        f.write(TF_MAIN)
    for name, fn in parts.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write("".join(fn(i) for i in range(start, start + n)))


# ------------------------------------------------------------------------------------- task definitions
def taskdef(i: int) -> dict:
    td = {
        "family": f"svc{i}",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "taskRoleArn": f"arn:aws:iam::123456789012:role/svc{i}-task",
        "containerDefinitions": [{
            "name": "app",
            "image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc{i}:1.0",
            "essential": True,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            "environment": [{"name": "SERVICE", "value": f"svc{i}"}],
            "secrets": [{"name": "DB_PASSWORD",
                         "valueFrom": f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:svc{i}-db"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": f"/ecs/svc{i}", "awslogs-region": "eu-west-1",
                "awslogs-stream-prefix": "app"}},
        }],
    }
    if i % 10 == 7:
        del td["executionRoleArn"]  # IAM001/2/3
    return td


def taskdefs(folder: str, n: int, start: int = 0) -> None:
    os.makedirs(folder, exist_ok=True)
    for i in range(start, start + n):
        with open(os.path.join(folder, f"svc{i}.json"), "w") as f:
            json.dump(taskdef(i), f, indent=2)


# ------------------------------------------------------------------------------------------- monorepo
def cfn_to_json(i: int) -> str:
    """The single-service template as JSON (long-form intrinsics), via PyYAML if present."""
    import yaml

    class L(yaml.SafeLoader):
        pass

    def multi(loader, suffix, node):
        name = {"Ref": "Ref", "GetAtt": "Fn::GetAtt"}.get(suffix, "Fn::" + suffix)
        if isinstance(node, yaml.ScalarNode):
            v = loader.construct_scalar(node)
            if suffix == "GetAtt":
                v = v.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            v = loader.construct_sequence(node, deep=True)
        else:
            v = loader.construct_mapping(node, deep=True)
        return {name: v}

    L.add_multi_constructor("!", multi)
    return json.dumps(yaml.load(cfn(1, i), Loader=L), indent=2)


def monorepo(folder: str) -> int:
    count = 0
    k = 0
    for d in range(300):
        kind = d % 3
        sub = os.path.join(folder, f"team{d // 30:02d}", f"{['infra', 'stacks', 'taskdefs'][kind]}-{d:03d}")
        os.makedirs(sub, exist_ok=True)
        if kind == 0:  # Terraform module: 3 files, one service
            with open(os.path.join(sub, "main.tf"), "w") as f:
                f.write(TF_MAIN + tf_iam(k))
            with open(os.path.join(sub, "network.tf"), "w") as f:
                f.write(tf_network(k) + tf_endpoints(k))
            with open(os.path.join(sub, "ecs.tf"), "w") as f:
                f.write(tf_ecs(k))
            k += 1
            count += 3
        elif kind == 1:  # 4 CloudFormation templates, 2 YAML + 2 JSON, one service each
            for j in range(4):
                if j < 2:
                    with open(os.path.join(sub, f"svc{k}.yaml"), "w") as f:
                        f.write(cfn(1, k))
                else:
                    with open(os.path.join(sub, f"svc{k}.template.json"), "w") as f:
                        f.write(cfn_to_json(k))
                k += 1
                count += 1
        else:  # 3 task definitions
            for j in range(3):
                with open(os.path.join(sub, f"svc{k}-taskdef.json"), "w") as f:
                    json.dump(taskdef(k), f, indent=2)
                k += 1
                count += 1
    return count


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--sizes", default="1,10,100,1000,5000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for n in sizes:
        os.makedirs(os.path.join(args.out, "cfn"), exist_ok=True)
        with open(os.path.join(args.out, "cfn", f"cfn-{n}.yaml"), "w") as f:
            f.write(cfn(n))
        terraform(os.path.join(args.out, "tf", f"tf-{n}"), n)
        taskdefs(os.path.join(args.out, "td", f"td-{n}"), n)
    print("monorepo files:", monorepo(os.path.join(args.out, "mono")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
