"""Templates deployed as stacks that import from each other, with parameters from the three usual places."""
import json
import textwrap

import pytest
from conftest import run_cli

NETWORK = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Egress:
        Type: String
        AllowedValues: ["nat", "none"]
    Conditions:
      WithNat: !Equals [!Ref Egress, nat]
    Resources:
      VPC:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      Subnet:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.1.0/24}
      RouteTable:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref VPC}
      Association:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref RouteTable}
      NatRoute:
        Type: AWS::EC2::Route
        Condition: WithNat
        Properties: {RouteTableId: !Ref RouteTable, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: nat-0123456789abcdef0}
    Outputs:
      Subnets:
        Value: !Join [",", [!Ref Subnet]]
        Export: {Name: !Sub "${AWS::StackName}-Subnets"}
    """)
SERVICE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Network:
        Type: String
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
              Subnets: !Split [",", !ImportValue {"Fn::Sub": "${Network}-Subnets"}]
    """)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "network.yaml").write_text(NETWORK)
    (tmp_path / "service.yaml").write_text(SERVICE)
    return tmp_path


def _write_stacks(project, network_params):
    (project / "stacks.toml").write_text(
        '[stacks.net]\ntemplate = "network.yaml"\nparameters = ' + network_params + "\n"
        '[stacks.app]\ntemplate = "service.yaml"\nparameters = { Network = "net" }\n')


def test_alone_the_service_is_unknown(project):
    assert run_cli("service.yaml", cwd=str(project)).returncode == 0


@pytest.mark.parametrize("params,code", [('{ Egress = "nat" }', 0), ('{ Egress = "none" }', 1)])
def test_inline_parameters(project, params, code):
    _write_stacks(project, params)
    r = run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(project))
    assert r.returncode == code, r.stdout + r.stderr
    if code:
        assert r.stdout.startswith("service.yaml:21:") and "NET002" in r.stdout


def test_cli_parameter_file(project):
    (project / "net-params.json").write_text(json.dumps([{"ParameterKey": "Egress", "ParameterValue": "none"}]))
    _write_stacks(project, '"net-params.json"')
    assert run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(project)).returncode == 1


def test_codepipeline_template_configuration(project):
    (project / "net-config.json").write_text(json.dumps({"Parameters": {"Egress": "nat"}, "Tags": {}}))
    _write_stacks(project, '"net-config.json"')
    assert run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(project)).returncode == 0


def test_one_template_as_two_stacks(project):
    (project / "stacks.toml").write_text(
        '[stacks.blue]\ntemplate = "network.yaml"\nparameters = { Egress = "nat" }\n'
        '[stacks.green]\ntemplate = "network.yaml"\nparameters = { Egress = "none" }\n'
        '[stacks.app-blue]\ntemplate = "service.yaml"\nparameters = { Network = "blue" }\n'
        '[stacks.app-green]\ntemplate = "service.yaml"\nparameters = { Network = "green" }\n')
    r = run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(project))
    assert r.returncode == 1 and r.stdout.count("NET002") == 1, r.stdout


def test_stacks_in_pyproject(project):
    (project / "pyproject.toml").write_text(
        '[tool.pullcheck.stacks.net]\ntemplate = "network.yaml"\nparameters = { Egress = "none" }\n'
        '[tool.pullcheck.stacks.app]\ntemplate = "service.yaml"\nparameters = { Network = "net" }\n')
    assert run_cli("--select", "NET", cwd=str(project)).returncode == 1


def test_bad_stacks_file_is_a_usage_error(project):
    (project / "stacks.toml").write_text('[stacks.net]\ntemplate = "missing.yaml"\n')
    r = run_cli("--stacks", "stacks.toml", cwd=str(project))
    assert r.returncode == 2 and "no such template missing.yaml" in r.stderr


PARENT = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Network:
        Type: AWS::CloudFormation::Stack
        Properties:
          TemplateURL: ./network.yaml
          Parameters: {Egress: %s}
      App:
        Type: AWS::CloudFormation::Stack
        Properties:
          TemplateURL: ./app.yaml
          Parameters:
            Subnets: !GetAtt Network.Outputs.Subnets
    """)
APP = SERVICE.replace("Network:\n    Type: String", "Subnets:\n    Type: List<AWS::EC2::Subnet::Id>").replace(
    '!Split [",", !ImportValue {"Fn::Sub": "${Network}-Subnets"}]', "!Ref Subnets")


@pytest.mark.parametrize("egress,code", [("nat", 0), ("none", 1)])
def test_nested_stacks_with_parent_parameters(tmp_path, egress, code):
    (tmp_path / "network.yaml").write_text(NETWORK)
    (tmp_path / "app.yaml").write_text(APP)
    (tmp_path / "parent.yaml").write_text(PARENT % egress)
    r = run_cli("--select", "NET", ".", cwd=str(tmp_path))
    assert r.returncode == code, r.stdout + r.stderr
    if code:
        assert r.stdout.startswith("app.yaml:21:") and "(stack parent.yaml/Network, network.yaml)" in r.stdout
