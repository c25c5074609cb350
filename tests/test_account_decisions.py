"""The verdict account counts the decisions of the permission, group, ACL and endpoint rules too: a launch
site whose shape is known but whose execution role's policies, security-group egress, network ACL or
endpoints leave a rule undecided is not judged, and says what it waits on."""
import json
import textwrap

import pytest
from conftest import run_cli

BASE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Open:
        Type: String
    Resources:
      VPC:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      PrivateSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref VPC
          CidrBlock: 10.0.1.0/24
      PrivateRouteTable:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref VPC
      DefaultRoute:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRouteTable
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: nat-0123456789abcdef0
      PrivateSubnetAssociation:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateSubnet
          RouteTableId: !Ref PrivateRouteTable
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
              Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1
      ExecutionRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
    %(trust_condition)s
          %(policies)s
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: tasks
          VpcId: !Ref VPC
          SecurityGroupEgress:
            - IpProtocol: tcp
              FromPort: 443
              ToPort: 443
              CidrIp: %(egress)s
      Service:
        Type: AWS::ECS::Service
        Properties:
          LaunchType: FARGATE
          TaskDefinition: !Ref TaskDefinition
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [!Ref PrivateSubnet]
              SecurityGroups: [!Ref Group]
    %(more)s
    """)
GOOD = {"trust_condition": "", "policies": "ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/"
                                           "AmazonECSTaskExecutionRolePolicy]",
        "egress": "0.0.0.0/0", "more": ""}
DEPUTY = """\
            Condition:
              ArnLike:
                aws:SourceArn: !Sub arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:*
              StringEquals:
                aws:SourceAccount: %s"""
ACL = """\
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: !Ref VPC
  AclAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties:
      SubnetId: !Ref PrivateSubnet
      NetworkAclId: !Ref Acl
  AclOut:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      Egress: true
      CidrBlock: %s
      PortRange: {From: 443, To: 443}
  AclIn:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      Egress: false
      CidrBlock: 0.0.0.0/0
      PortRange: {From: 1024, To: 65535}"""


def _site(tmp_path, **change):
    values = dict(GOOD, **change)
    (tmp_path / "stack.yaml").write_text(BASE % values)
    r = run_cli("--no-config", "--explain", "--format", "json", str(tmp_path / "stack.yaml"))
    assert r.returncode in (0, 1), r.stderr
    [site] = json.loads(r.stdout)["launch_sites"]
    return site, json.loads(r.stdout)["findings"]


def test_the_base_is_judged_and_clean(tmp_path):
    site, findings = _site(tmp_path)
    assert site["judged"] is True, site
    assert findings == []


@pytest.mark.parametrize("change, waits, supply", [
    ({"policies": "ManagedPolicyArns: [arn:aws:iam::aws:policy/SomeOtherPolicy]"},
     "whether the policies of ExecutionRole allow ecr:", "AWS managed policy is not modelled"),
    ({"policies": "ManagedPolicyArns: [!Ref Open]"}, "whether the policies of ExecutionRole allow ecr:",
     "the policy in the run"),
    ({"trust_condition": DEPUTY % "'111122223333'"}, "whether ExecutionRole trusts ecs-tasks.amazonaws.com",
     "the policy in the run"),
    ({"egress": "!Ref Open"}, "whether the egress rules of Group allow TCP 443 out", "network snapshot"),
    ({"more": ACL % "!Ref Open"}, "whether network ACL Acl allows outbound TCP 443", "network ACL and its entries"),
])
def test_an_undecided_rule_leaves_the_site_not_judged(tmp_path, change, waits, supply):
    site, findings = _site(tmp_path, **change)
    assert site["judged"] is False
    found = [w for w in site["waits_on"] if w["value"].startswith(waits)]
    assert found, site["waits_on"]
    assert supply in found[0]["supply"]
    assert found[0]["line"] > 0
    assert findings == []  # undecided: no rule fires on it


def test_the_trust_condition_aws_recommends_holds_for_the_own_account(tmp_path):
    site, findings = _site(tmp_path, trust_condition=DEPUTY % "!Ref AWS::AccountId")
    assert site["judged"] is True, site["waits_on"]
    assert findings == []


def test_a_network_acl_that_is_known_is_judged_both_ways(tmp_path):
    site, findings = _site(tmp_path, more=ACL % "0.0.0.0/0")
    assert site["judged"] is True, site["waits_on"]
    site, findings = _site(tmp_path, more=ACL % "10.9.0.0/16")
    assert site["judged"] is True
    assert [f["rule"] for f in findings] == ["NET011"]


def test_a_group_rule_written_as_the_vpcs_own_range_is_judged(tmp_path):
    """``CidrIp: !GetAtt VPC.CidrBlock`` (what CDK writes for endpoint groups) is the VPC's range."""
    import os

    from conftest import ROOT

    src = open(os.path.join(ROOT, "fixtures", "NET009", "bad_ingress_from_other_range.yaml")).read()
    assert src.count("CidrIp: 192.168.0.0/16") == 1
    path = tmp_path / "stack.yaml"
    path.write_text(src.replace("CidrIp: 192.168.0.0/16", "CidrIp: !GetAtt VPC.CidrBlock"))
    r = run_cli("--no-config", "--explain", "--format", "json", str(path))
    doc = json.loads(r.stdout)
    assert [f["rule"] for f in doc["findings"]] == []
    [site] = doc["launch_sites"]
    assert site["waits_on"] and not any("groups of endpoint" in w["value"] for w in site["waits_on"])
    r = run_cli("--no-config", "--format", "json", os.path.join(ROOT, "fixtures", "NET009",
                                                                 "bad_ingress_from_other_range.yaml"))
    assert {f["rule"] for f in json.loads(r.stdout)} == {"NET009"}
