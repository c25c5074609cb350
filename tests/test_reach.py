"""What a value the run cannot resolve may stand for (pullcheck.facts.reach): another part's resources only
when the run shows a way for the value to be theirs. Each case lints a part alone, beside an unrelated part
holding an unknown of the same kind (the verdict stays), and where it applies beside a part linked to it or
looking the value up in the account (the verdict goes)."""
import os
import shutil
import textwrap

import pytest
from conftest import FIXTURES, ROOT, lint_paths

from pullcheck.cli import main
from pullcheck.engine import parallel

MONOREPO = os.path.join(FIXTURES, "monorepo")

# a VPC whose private subnet has no route out, a Fargate service in it, and what other parts may import
NETWORK = """\
    Resources:
      VPC:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      PrivateSubnet:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.1.0/24}
      PrivateRouteTable:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref VPC}
      PrivateAssociation:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref PrivateSubnet, RouteTableId: !Ref PrivateRouteTable}
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
          ContainerDefinitions:
            - Name: app
              Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0
      Service:
        Type: AWS::ECS::Service
        Properties:
          LaunchType: FARGATE
          TaskDefinition: !Ref TaskDefinition
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [!Ref PrivateSubnet]
    Outputs:
      Subnet:
        Value: !Ref PrivateSubnet
        Export: {Name: net-private-subnet}
      Cidr:
        Value: !GetAtt VPC.CidrBlock
        Export: {Name: net-cidr}
    """


def _endpoint(extra="", subnets="[]"):
    """A template adding an ECR endpoint to a VPC it is given as a parameter, and ``extra`` resources."""
    return textwrap.dedent(f"""\
        Parameters:
          VpcId: {{Type: AWS::EC2::VPC::Id}}
        Resources:
          Endpoint:
            Type: AWS::EC2::VPCEndpoint
            Properties:
              VpcId: !Ref VpcId
              ServiceName: com.amazonaws.eu-west-1.ecr.dkr
              VpcEndpointType: Interface
              PrivateDnsEnabled: true
              SubnetIds: {subnets}
        """) + textwrap.indent(textwrap.dedent(extra), "  ")


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _found(rules, paths, where, select):
    """(line, rule) of the findings in file ``where`` when ``paths`` are linted together."""
    return sorted((f.line, f.rule_id) for f in lint_paths([str(p) for p in paths], rules, select)
                  if os.path.basename(f.file) == where)


def test_a_monorepo_keeps_each_folders_verdicts(rules):
    """A template whose endpoint's VPC is a parameter without a default leaves an unrelated Terraform
    folder's public subnet as it is judged alone."""
    service = os.path.join(MONOREPO, "service")
    alone = lint_paths([service], rules, "NET")
    together = [f for f in lint_paths([MONOREPO], rules, "NET") if f.file.startswith(service)]
    assert [f.rule_id for f in alone] == ["NET001"], alone
    assert together == alone


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_monorepo_gives_the_same_bytes_in_one_process_and_in_parts(fmt, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(parallel, "BATCHES_PER_PROCESS", 10 ** 9)  # every part in a batch of its own
    runs = []
    for jobs in ("1", "2"):
        code = main(["--jobs", jobs, "--no-config", "--format", fmt, os.path.join("fixtures", "monorepo")])
        runs.append((code, capsys.readouterr().out))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and "NET001" in runs[0][1]


def test_an_endpoint_of_an_unrelated_part_leaves_a_subnet_judged(tmp_path, rules):
    _write(tmp_path, {"net/network.yaml": NETWORK, "ep/endpoint.yaml": _endpoint()})
    net, ep = tmp_path / "net", tmp_path / "ep"
    assert _found(rules, [net], "network.yaml", "NET002") == [(32, "NET002")]
    assert _found(rules, [net, ep], "network.yaml", "NET002") == [(32, "NET002")]


def test_an_endpoint_of_a_linked_part_may_be_in_the_vpc(tmp_path, rules):
    """The endpoint's template imports the network's range: deployed knowing it, its VPC parameter may be
    the network's VPC, whose endpoints are then unknown."""
    _write(tmp_path, {"net/network.yaml": NETWORK, "ep/endpoint.yaml": _endpoint("""\
        Group:
          Type: AWS::EC2::SecurityGroup
          Properties:
            GroupDescription: endpoint
            VpcId: !Ref VpcId
            SecurityGroupIngress:
              - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !ImportValue net-cidr}
        """)})
    assert _found(rules, [tmp_path / "net", tmp_path / "ep"], "network.yaml", "NET") == []


def test_an_endpoint_in_a_known_subnet_is_in_that_subnets_vpc(tmp_path, rules):
    """AWS places an interface endpoint in subnets of its own VPC: whatever its VPC parameter, an endpoint in
    the network's subnet is one of the network's, and the set is judged (incomplete here)."""
    _write(tmp_path, {"net/network.yaml": NETWORK,
                      "ep/endpoint.yaml": _endpoint(subnets="[!ImportValue net-private-subnet]")})
    found = lint_paths([str(tmp_path / "net"), str(tmp_path / "ep")], rules, "NET")
    assert [(os.path.basename(f.file), f.line, f.rule_id) for f in found] == [("network.yaml", 32, "NET005")]
    assert "ecr.api, s3 (gateway" in found[0].message


LOOKED_UP = {
    # a parameter of the parameter store, read when the plan is made
    "ep/main.tf": ("data \"aws_ssm_parameter\" \"vpc\" {\n  name = \"/network/vpc-id\"\n}\n", "data.aws_ssm_parameter.vpc.value"),
    # another configuration's outputs
    "ep/state.tf": ("data \"terraform_remote_state\" \"net\" {\n  backend = \"s3\"\n"
                    "  config  = { bucket = \"state\", key = \"network\", region = \"eu-west-1\" }\n}\n",
                    "data.terraform_remote_state.net.outputs.vpc_id"),
}


@pytest.mark.parametrize("name", sorted(LOOKED_UP) + ["ep/endpoint.yaml"])
def test_an_endpoint_whose_vpc_is_looked_up_may_be_anywhere(name, tmp_path, rules):
    """A VPC read from the account when the stack or the plan is made may be one another part of the run
    created."""
    if name.endswith(".yaml"):  # a dynamic reference to the parameter store
        text = _endpoint().replace("VpcId: !Ref VpcId", "VpcId: '{{resolve:ssm:/network/vpc-id}}'")
    else:
        source, value = LOOKED_UP[name]
        text = source + textwrap.dedent(f"""\
            resource "aws_vpc_endpoint" "ecr_dkr" {{
              vpc_id              = {value}
              service_name        = "com.amazonaws.eu-west-1.ecr.dkr"
              vpc_endpoint_type   = "Interface"
              private_dns_enabled = true
            }}
            """)
    _write(tmp_path, {"net/network.yaml": NETWORK, name: text})
    assert _found(rules, [tmp_path / "net", tmp_path / "ep"], "network.yaml", "NET") == []


def test_a_route_of_an_unrelated_part_leaves_a_table_judged(tmp_path, rules):
    _write(tmp_path, {"net/network.yaml": NETWORK, "rt/route.yaml": """\
        Parameters:
          RouteTableId: {Type: String}
        Resources:
          DefaultRoute:
            Type: AWS::EC2::Route
            Properties:
              RouteTableId: !Ref RouteTableId
              DestinationCidrBlock: 0.0.0.0/0
              NatGatewayId: nat-0123456789abcdef0
        """})
    assert _found(rules, [tmp_path / "net", tmp_path / "rt"], "network.yaml", "NET002") == [(32, "NET002")]


def test_a_main_table_of_an_unrelated_part_leaves_a_template_main_table_judged(tmp_path, rules):
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_main_route_table_local_only.yaml"), tmp_path / "vpc.yaml")
    _write(tmp_path, {"tf/main.tf": """\
        variable "vpc_id" {}
        resource "aws_route_table" "egress" {
          vpc_id = var.vpc_id
          route {
            cidr_block     = "0.0.0.0/0"
            nat_gateway_id = "nat-0123456789abcdef0"
          }
        }
        resource "aws_main_route_table_association" "main" {
          vpc_id         = var.vpc_id
          route_table_id = aws_route_table.egress.id
        }
        """})
    alone = _found(rules, [tmp_path / "vpc.yaml"], "vpc.yaml", "NET002")
    assert alone and _found(rules, [tmp_path / "vpc.yaml", tmp_path / "tf"], "vpc.yaml", "NET002") == alone


def test_a_rule_of_an_unrelated_group_leaves_a_group_judged(tmp_path, rules):
    shutil.copy(os.path.join(FIXTURES, "NET010", "bad_egress_only_to_vpc.yaml"), tmp_path / "svc.yaml")
    _write(tmp_path, {"sg/main.tf": """\
        variable "group" {}
        resource "aws_security_group_rule" "https_out" {
          type              = "egress"
          security_group_id = var.group
          protocol          = "tcp"
          from_port         = 443
          to_port           = 443
          cidr_blocks       = ["0.0.0.0/0"]
        }
        """})
    alone = _found(rules, [tmp_path / "svc.yaml"], "svc.yaml", "NET010")
    assert alone and _found(rules, [tmp_path / "svc.yaml", tmp_path / "sg"], "svc.yaml", "NET010") == alone


def test_an_acl_entry_of_an_unrelated_part_leaves_an_acl_judged(tmp_path, rules):
    shutil.copy(os.path.join(FIXTURES, "NET011", "bad_deny_before_allow.yaml"), tmp_path / "acl.yaml")
    _write(tmp_path, {"other/entry.yaml": """\
        Parameters:
          AclId: {Type: String}
        Resources:
          AllowAll:
            Type: AWS::EC2::NetworkAclEntry
            Properties:
              NetworkAclId: !Ref AclId
              RuleNumber: 1
              Protocol: -1
              RuleAction: allow
              Egress: true
              CidrBlock: 0.0.0.0/0
        """})
    alone = _found(rules, [tmp_path / "acl.yaml"], "acl.yaml", "NET011")
    assert alone and _found(rules, [tmp_path / "acl.yaml", tmp_path / "other"], "acl.yaml", "NET011") == alone


ATTACH = """\
    Parameters:
      RoleName: {Type: String}
    Resources:
      PullPolicy:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: pull
          Roles: [!Ref RoleName]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "ecr:*", Resource: "*"}
    """


def test_a_policy_of_an_unrelated_part_leaves_a_role_of_generated_name_judged(tmp_path, rules):
    shutil.copy(os.path.join(FIXTURES, "IAM005", "bad_no_ecr_actions.yaml"), tmp_path / "task.yaml")
    _write(tmp_path, {"iam/attach.yaml": ATTACH})
    alone = _found(rules, [tmp_path / "task.yaml"], "task.yaml", "IAM005")
    assert alone and _found(rules, [tmp_path / "task.yaml", tmp_path / "iam"], "task.yaml", "IAM005") == alone


def test_a_policy_may_attach_to_a_role_whose_name_is_written(tmp_path, rules):
    """A written role name is known before anything is deployed: a parameter anywhere may hold it."""
    text = open(os.path.join(FIXTURES, "IAM005", "bad_no_ecr_actions.yaml"), encoding="utf-8").read()
    (tmp_path / "task.yaml").write_text(text.replace("    Properties:\n      AssumeRolePolicyDocument:",
                                                     "    Properties:\n      RoleName: app-exec\n"
                                                     "      AssumeRolePolicyDocument:", 1))
    _write(tmp_path, {"iam/attach.yaml": ATTACH})
    assert _found(rules, [tmp_path / "task.yaml"], "task.yaml", "IAM005")
    assert _found(rules, [tmp_path / "task.yaml", tmp_path / "iam"], "task.yaml", "IAM005") == []


def test_a_default_group_adopted_in_a_vpc_of_the_run_is_that_vpcs(tmp_path, rules):
    """aws_default_security_group adopts the default group of the VPC it names: of a VPC the run creates,
    only the parts joined to it can name that group."""
    from test_network import EP_TF, TF_CASES, _variant

    path = _variant(tmp_path, EP_TF, TF_CASES["managed_default_group"][0])
    _write(tmp_path, {"sg/main.tf": """\
        variable "group" {}
        resource "aws_security_group_rule" "https_out" {
          type              = "egress"
          security_group_id = var.group
          protocol          = "tcp"
          from_port         = 443
          to_port           = 443
          cidr_blocks       = ["0.0.0.0/0"]
        }
        """})
    alone = _found(rules, [path], "main.tf", "NET010")
    assert alone == [(85, "NET010")]
    assert [x for x in _found(rules, [path, tmp_path / "sg"], "main.tf", "NET010") if x in alone] == alone


@pytest.mark.parametrize("tags, expected", [
    ("Tags: [{Key: Name, Value: app-vpc}]", ["NET002"]),  # the lookup's filter rules this VPC out
    # the one VPC of the run it selects: the endpoint is this VPC's, and judged there
    ("Tags: [{Key: Name, Value: core-infra}]", ["NET005", "NET007"]),
    ("", ["NET002"]),  # no Name tag: a tag filter selects no such VPC
])
def test_an_endpoint_whose_vpc_a_data_source_looks_up_reaches_what_its_filters_may_select(tmp_path, rules,
                                                                                        tags, expected):
    network = NETWORK.replace("Properties: {CidrBlock: 10.0.0.0/16}",
                              "Properties:\n          CidrBlock: 10.0.0.0/16\n          " + tags if tags else
                              "Properties: {CidrBlock: 10.0.0.0/16}")
    lookup = textwrap.dedent("""\
        data "aws_vpc" "core" {
          filter {
            name   = "tag:Name"
            values = ["core-infra"]
          }
        }
        resource "aws_vpc_endpoint" "ecr_dkr" {
          vpc_id              = data.aws_vpc.core.id
          service_name        = "com.amazonaws.eu-west-1.ecr.dkr"
          vpc_endpoint_type   = "Interface"
          private_dns_enabled = true
        }
        """)
    _write(tmp_path, {"net/network.yaml": network, "ep/main.tf": lookup})
    assert sorted(r for _, r in _found(rules, [tmp_path / "net", tmp_path / "ep"], "network.yaml", "NET")) == expected
