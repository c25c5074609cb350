"""Stacks wired by a parameter nobody gives: ``!ImportValue !Sub '${ProjectName}:Subnet'`` in a service
template and ``Export: {Name: !Sub '${ProjectName}:Subnet'}`` in a network template, ProjectName without a
default in both. The import takes the one export of the run built the same way; several or none leave it
unknown."""
import json
import textwrap

import pytest
from conftest import run_cli

from pullcheck.engine.stages import lint_graph

NETWORK = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      ProjectName:
        Type: String
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
    Outputs:
      Subnet:
        Value: !Ref Subnet
        Export: {Name: EXPORT_NAME}
    """)
SERVICE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      PARAMETER:
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
              Subnets: [!ImportValue IMPORT_NAME]
    """)

SUB = '!Sub "${ProjectName}:Subnet"'
SUB_LONG = '{"Fn::Sub": "${ProjectName}:Subnet"}'  # YAML takes one tag a node: !ImportValue's argument is long
JOIN = '{"Fn::Join": [":", [{"Ref": "ProjectName"}, "Subnet"]]}'
SUB_LIST = '{"Fn::Sub": ["${Env}:Subnet", {"Env": {"Ref": "ProjectName"}}]}'
STACK = '!Sub "${AWS::StackName}-Subnet"'
BY_STACK_PARAMETER = '{"Fn::Sub": "${NetworkStackName}-Subnet"}'


def _write(folder, export, imported, parameter="ProjectName", networks=1):
    for i in range(networks):
        (folder / f"network{i or ''}.yaml").write_text(NETWORK.replace("EXPORT_NAME", export))
    (folder / "service.yaml").write_text(SERVICE.replace("IMPORT_NAME", imported).replace("PARAMETER", parameter))
    return folder


def _lint(folder, rules):
    graph, found = lint_graph([str(folder)], rules)
    return graph, [f for f in found if f.rule_id.startswith("NET")]


@pytest.mark.parametrize("export, imported, parameter", [
    (SUB, SUB_LONG, "ProjectName"),
    (JOIN, JOIN, "ProjectName"),
    (SUB, JOIN, "ProjectName"),  # built alike, written differently
    (SUB_LIST, SUB_LONG, "ProjectName"),
    (JOIN, SUB_LIST, "ProjectName"),
    (STACK, BY_STACK_PARAMETER, "NetworkStackName"),
])
def test_an_import_takes_the_one_export_built_the_same_way(tmp_path, rules, export, imported, parameter):
    graph, found = _lint(_write(tmp_path, export, imported, parameter), rules)
    assert [(f.file.rsplit("/", 1)[-1], f.rule_id) for f in found] == [("service.yaml", "NET002")]
    assert "subnet Subnet (" in found[0].message and "network.yaml" in found[0].message
    assert len(graph.inputs.assumed) == 1
    note = graph.inputs.assumed[0]
    assert "service.yaml" in note and "network.yaml" in note
    if parameter == "NetworkStackName":
        assert "NetworkStackName names the stack made of" in note
    else:
        assert "deployed with the same ProjectName" in note


def test_alone_the_import_stays_unknown(tmp_path, rules):
    _write(tmp_path, SUB, SUB_LONG)
    graph, found = lint_graph([str(tmp_path / "service.yaml")], rules)
    assert [f for f in found if f.rule_id.startswith("NET")] == [] and graph.inputs.assumed == []


@pytest.mark.parametrize("export, imported, parameter, networks", [
    (SUB, SUB_LONG, "ProjectName", 2),  # two exports built that way: which one is not known
    (SUB, '{"Fn::Sub": "${Environment}:Subnet"}', "Environment", 1),  # another parameter: another convention
    (SUB, '{"Fn::Sub": "${ProjectName}-Subnet"}', "ProjectName", 1),  # other text
    (STACK, '{"Fn::Sub": "${AWS::StackName}-Subnet"}', "ProjectName", 1),  # its own stack's name: not the network's
    ('!Ref ProjectName', '{"Ref": "ProjectName"}', "ProjectName", 1),  # no text of their own: too loose to match
])
def test_no_match_or_several_stay_unknown(tmp_path, rules, export, imported, parameter, networks):
    graph, found = _lint(_write(tmp_path, export, imported, parameter, networks), rules)
    assert found == [] and graph.inputs.assumed == []


def test_a_parameter_with_a_default_is_not_matched_by_shape(tmp_path, rules):
    _write(tmp_path, SUB, SUB_LONG)
    service = tmp_path / "service.yaml"
    service.write_text(service.read_text().replace("Type: String", "Type: String\n    Default: shop", 1))
    graph, found = _lint(tmp_path, rules)
    assert found == [] and graph.inputs.assumed == []


def test_explain_and_the_json_account_say_the_assumption(tmp_path):
    _write(tmp_path, SUB, SUB_LONG)
    r = run_cli("--no-config", "--explain", str(tmp_path))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Assumed: Fn::ImportValue ${ProjectName}:Subnet in " in r.stdout
    assert "assuming both stacks are deployed with the same ProjectName" in r.stdout
    r = run_cli("--no-config", "--explain", "--format", "json", str(tmp_path))
    doc = json.loads(r.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["NET002"]
    assert len(doc["assumptions"]) == 1 and "same ProjectName" in doc["assumptions"][0]


def test_jobs_join_the_exporting_and_the_importing_template(tmp_path):
    _write(tmp_path, SUB, SUB_LONG)
    one = run_cli("--no-config", "--jobs", "1", str(tmp_path))
    two = run_cli("--no-config", "--jobs", "2", str(tmp_path))
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and "NET002" in one.stdout
