"""Parameters with AllowedValues and conditions nobody decided: a finding must hold in every case."""
import textwrap

import pytest
from conftest import lint_paths

TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Reach:
        Type: String
        Default: Public
        AllowedValues: [Public, Private]
      Flag:
        Type: String
    Conditions:
      IsPublic: !Equals [!Ref Reach, Public]
      FlagSet: !Equals [!Ref Flag, "yes"]
    Resources:
      VPC:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      IGW:
        Type: AWS::EC2::InternetGateway
      Attach:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties: {VpcId: !Ref VPC, InternetGatewayId: !Ref IGW}
      PublicSubnet:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.0.0/24}
      PublicTable:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref VPC}
      PublicRoute:
        Type: AWS::EC2::Route
        Properties: {RouteTableId: !Ref PublicTable, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref IGW}
      PublicAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref PublicSubnet, RouteTableId: !Ref PublicTable}
      PrivateSubnet:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.1.0/24}
      PrivateTable:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref VPC}
      PrivateAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref PrivateSubnet, RouteTableId: !Ref PrivateTable}
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
              AssignPublicIp: %(ip)s
              Subnets:
                - %(subnet)s
    """)


@pytest.mark.parametrize("ip,subnet,want", [
    # correlated through one parameter: Public + ENABLED, or Private + DISABLED without NAT
    ("!If [IsPublic, ENABLED, DISABLED]", "!If [IsPublic, !Ref PublicSubnet, !Ref PrivateSubnet]", []),
    # the default alone would pass, but Private is allowed and has no way out in either case
    ("ENABLED", "!If [IsPublic, !Ref PublicSubnet, !Ref PrivateSubnet]", []),
    # every allowed value fails, but by different rules (NET001 in the public subnet, NET002 in the private
    # one): no rule's verdict holds for every value, so none is claimed
    ("DISABLED", "!If [IsPublic, !Ref PublicSubnet, !Ref PrivateSubnet]", []),
    # a condition on a parameter with no value: both branches can be taken; one works
    ("!If [FlagSet, ENABLED, DISABLED]", "!Ref PublicSubnet", []),
    # both branches of an undecided condition fail
    ("DISABLED", "!If [FlagSet, !Ref PrivateSubnet, !Ref PrivateSubnet]", [(59, "NET002")]),
    # the default fails and so does the other allowed value, by the same rule
    ("DISABLED", "!If [IsPublic, !Ref PrivateSubnet, !Ref PrivateSubnet]", [(59, "NET002")]),
])
def test_every_world_must_fail(tmp_path, rules, ip, subnet, want):
    (tmp_path / "t.yaml").write_text(TEMPLATE % {"ip": ip, "subnet": subnet})
    found = [(f.line, f.rule_id) for f in lint_paths([str(tmp_path / "t.yaml")], rules, "NET")]
    assert found == want


def test_a_conditional_resource_is_judged_where_it_exists():
    """(awslabs/ecs-refarch-continuous-deployment: a `Condition: Fargate` service exists only when the
    LaunchType parameter is Fargate; with no route at all it was never reported)"""
    import json
    import os

    from conftest import ROOT, run_cli

    path = os.path.join(ROOT, "tests", "data", "worlds", "conditional_fargate_service.yaml")
    r = run_cli("--no-config", "--format", "json", path)
    found = json.loads(r.stdout)
    assert [(f["rule"], f["line"]) for f in found] == [("NET002", 29)]
    assert found[0]["message"].endswith("(when LaunchType is Fargate)")
