"""The account's network offline: a platform VPC built in a real AWS API server (moto, on a loopback port) through
boto3's HTTP calls, taken with ``pullcheck snapshot`` through the same API, then given to a lint of a service that
receives its subnets as parameters, an import, variables or data sources; and what a bad snapshot gets."""
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

pytest.importorskip("moto.server")
pytest.importorskip("boto3")

import aws_server  # noqa: E402

TASK_CFN = """\
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
          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1
"""


def _service(name, subnets, groups=None):
    groups = f"\n          SecurityGroups: {groups}" if groups else ""
    return f"""\
  {name}:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: FARGATE
      TaskDefinition: !Ref TaskDefinition
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: {subnets}{groups}
"""


def _platform(url):
    """Two VPCs as a platform team leaves them: one with a public subnet, a subnet behind a NAT gateway, a subnet
    whose NAT route was removed and a group without egress; one with ECR endpoints, private DNS off on ecr.dkr."""
    session, _ = aws_server.session(url)
    ec2 = session.client("ec2", endpoint_url=url)
    ids = {}
    vpc = ids["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "platform"}]}])["Vpc"]["VpcId"]
    for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=vpc, **{attr: {"Value": True}})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    def subnet(name, cidr, tier, vpc_id=vpc):
        sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, TagSpecifications=[{"ResourceType": "subnet", "Tags": [
            {"Key": "Name", "Value": name}, {"Key": "Tier", "Value": tier}]}])["Subnet"]["SubnetId"]
        rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rt, SubnetId=sid)
        ids[name], ids[name + "-rt"] = sid, rt
        return sid, rt

    _, public_rt = subnet("public-a", "10.0.0.0/24", "public")
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ids["nat"] = ec2.create_nat_gateway(SubnetId=ids["public-a"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    _, nat_rt = subnet("private-a", "10.0.1.0/24", "private")
    ec2.create_tags(Resources=[nat_rt], Tags=[{"Key": "Name", "Value": "behind-nat"}, {"Key": "Slot",
                                                                                     "Value": "tables[0]"}])
    ec2.create_route(RouteTableId=nat_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    _, broken_rt = subnet("private-b", "10.0.2.0/24", "private")
    ec2.create_route(RouteTableId=broken_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.delete_route(RouteTableId=broken_rt, DestinationCidrBlock="0.0.0.0/0")  # the NAT route removed
    # two spare subnets on the VPC's main table: one implicitly (no association), one explicitly
    main = ids["main-rt"] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {
        "Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]
    for name, cidr in (("spare-implicit", "10.0.8.0/24"), ("spare-explicit", "10.0.9.0/24")):
        ids[name] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    ec2.associate_route_table(RouteTableId=main, SubnetId=ids["spare-explicit"])
    sg = ids["sg-closed"] = ec2.create_security_group(GroupName="closed", Description="no egress",
                                                      VpcId=vpc)["GroupId"]
    ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    other = ids["vpc-endpoints"] = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=other, **{attr: {"Value": True}})
    sid, rt = subnet("isolated-a", "10.1.1.0/24", "isolated", other)
    for service, dns in (("ecr.dkr", False), ("ecr.api", True)):
        ec2.create_vpc_endpoint(VpcId=other, ServiceName=f"com.amazonaws.{aws_server.REGION}.{service}",
                                VpcEndpointType="Interface", SubnetIds=[sid], PrivateDnsEnabled=dns)
    ec2.create_vpc_endpoint(VpcId=other, ServiceName=f"com.amazonaws.{aws_server.REGION}.s3",
                            VpcEndpointType="Gateway", RouteTableIds=[rt])
    for group in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
        # EC2's default group admits its own members; moto's has no ingress rule at all
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group["GroupId"]}]}])
    cfn = session.client("cloudformation", endpoint_url=url)
    cfn.create_stack(StackName="platform", TemplateBody=json.dumps({
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"Private": {"Value": ids["private-b"], "Export": {"Name": "platform-PrivateSubnet"}},
                    "Public": {"Value": ids["public-a"], "Export": {"Name": "platform-PublicSubnet"}}}}))
    return ids


@pytest.fixture(scope="module")
def aws():
    server, url = aws_server.start()
    try:
        yield url, _platform(url)
    finally:
        server.stop()


def _run(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "pullcheck", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


@pytest.fixture(scope="module")
def taken(aws, tmp_path_factory):
    """The snapshot taken by the command, through the server's API."""
    url, ids = aws
    folder = tmp_path_factory.mktemp("taken")
    got = _run("snapshot", "--endpoint-url", url, "--region", aws_server.REGION, "-o", "network.json",
               cwd=folder, env=aws_server.env(url))
    assert got.returncode == 0, got.stderr
    assert "network.json" in got.stderr and "Subnets" in got.stderr
    return folder, json.loads((folder / "network.json").read_text()), ids


def _keys_within(value, spec, where=""):
    """Every field of a snapshot's item is one the list's spec names."""
    if isinstance(value, list):
        for i, v in enumerate(value):
            _keys_within(v, spec, f"{where}[{i}]")
    elif isinstance(value, dict):
        extra = set(value) - set(spec)
        assert not extra, f"{where} keeps {extra}"
        for k, v in value.items():
            if spec[k] is not True:
                _keys_within(v, spec[k], f"{where}.{k}")


def test_the_snapshot_keeps_only_the_listed_facts(taken):
    from pullcheck.integrations.snapshot_fields import FIELDS

    _, snap, ids = taken
    assert (snap["format"], snap["version"], snap["region"]) == ("pullcheck-snapshot", 1, aws_server.REGION)
    assert snap["account"] == "123456789012" and snap["taken"].endswith("Z")
    for key, spec in FIELDS.items():
        _keys_within(snap.get(key, []), spec, key)
    vpc = next(v for v in snap["Vpcs"] if v["VpcId"] == ids["vpc"])
    assert vpc["EnableDnsHostnames"] is True and vpc["EnableDnsSupport"] is True
    assert {e["Name"] for e in snap["Exports"]} >= {"platform-PrivateSubnet", "platform-PublicSubnet"}
    assert "secret" not in json.dumps(snap).lower() and "testing" not in json.dumps(snap)


def _service_tree(folder, ids):
    template = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  SubnetIds:\n    Type: List<AWS::EC2::Subnet::Id>\n" \
               "  TaskGroup:\n    Type: AWS::EC2::SecurityGroup::Id\nResources:\n" + TASK_CFN + \
               _service("Service", "!Ref SubnetIds") + \
               _service("Closed", f"[{ids['private-a']}]", "[!Ref TaskGroup]") + \
               _service("Imported", "[!ImportValue platform-PrivateSubnet]") + \
               _service("Isolated", f"[{ids['isolated-a']}]")
    (folder / "service.yaml").write_text(template)
    (folder / "params.json").write_text(json.dumps([
        {"ParameterKey": "SubnetIds", "ParameterValue": f"{ids['public-a']},{ids['private-a']}"},
        {"ParameterKey": "TaskGroup", "ParameterValue": ids["sg-closed"]}]))
    (folder / "stacks.toml").write_text(f'network = "network.json"\nregion = "{aws_server.REGION}"\n'
                                        '[stacks.service]\ntemplate = "service.yaml"\nparameters = "params.json"\n')


LAUNCHES = ("Service", "Closed", "Imported", "Isolated")


def _found(out):
    """(rule, launch site) of each finding, wherever it is reported (the account's resources: the snapshot)."""
    found = []
    for line in out.splitlines():
        if ": NET" in line:
            rule, message = line.split(": ", 1)[1].split(" ", 1)
            found.append((rule, next(n for n in LAUNCHES if re.search(rf"\b{n}\b", message))))
    return sorted(found)


def test_a_service_with_subnet_parameters_is_judged_against_the_snapshot(taken):
    folder, _, ids = taken
    _service_tree(folder, ids)
    got = _run("--stacks", "stacks.toml", "--select", "NET", "service.yaml", cwd=folder)
    assert got.returncode == 1, got.stderr
    assert _found(got.stdout) == [("NET001", "Service"), ("NET002", "Imported"), ("NET006", "Isolated"),
                                  ("NET010", "Closed")], got.stdout
    assert f"public subnet {ids['public-a']} (network.json)" in got.stdout
    # without the snapshot, every one of them is unknown
    alone = _run("--select", "NET", "service.yaml", cwd=folder)
    assert alone.returncode == 0 and "Found" not in alone.stdout, alone.stdout


def test_explain_says_what_came_from_the_snapshot_and_its_age(taken):
    folder, _, ids = taken
    _service_tree(folder, ids)
    got = _run("--network", "network.json", "--explain", "--select", "NET", "service.yaml", cwd=folder)
    assert "Account facts from network.json (snapshot of account 123456789012, Region eu-west-1, taken " in got.stdout
    assert "less than a minute ago" in got.stdout or "minute" in got.stdout
    assert f"subnet {ids['private-a']} (network.json:" in got.stdout and "[snapshot]" in got.stdout


TF = """\
provider "aws" {{ region = "eu-west-1" }}
variable "public_subnets" {{
  type    = list(string)
  default = ["{public}"]
}}
data "aws_vpc" "platform" {{
  tags = {{ Name = "platform" }}
}}
data "aws_subnets" "private" {{
  filter {{
    name   = "vpc-id"
    values = [data.aws_vpc.platform.id]
  }}
  tags = {{ Tier = "private" }}
}}
data "aws_security_group" "closed" {{
  vpc_id = data.aws_vpc.platform.id
  name   = "closed"
}}
resource "aws_ecs_task_definition" "app" {{
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = "arn:aws:iam::123456789012:role/exec"
  container_definitions    = jsonencode([{{ name = "app", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1" }}])
}}
resource "aws_ecs_service" "private" {{
  name            = "private"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {{
    subnets = data.aws_subnets.private.ids
  }}
}}
resource "aws_ecs_service" "public" {{
  name            = "public"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {{
    subnets         = var.public_subnets
    assign_public_ip = true
    security_groups = [data.aws_security_group.closed.id]
  }}
}}
"""


def test_terraform_variables_and_data_sources_select_from_the_snapshot(taken):
    folder, _, ids = taken
    tf = folder / "tf"
    tf.mkdir(exist_ok=True)
    (tf / "main.tf").write_text(TF.format(public=ids["public-a"]))
    got = _run("--network", "../network.json", "--select", "NET", ".", cwd=tf)
    assert got.returncode == 1, got.stderr
    lines = got.stdout.splitlines()
    # the two private subnets: one behind the NAT gateway (fine), one whose NAT route was removed
    assert any("NET002 aws_ecs_service.private" in x and ids["private-b"] in x for x in lines), got.stdout
    assert not any(ids["private-a"] in x for x in lines), got.stdout
    assert any("NET010 aws_ecs_service.public" in x for x in lines), got.stdout
    assert len([x for x in lines if ": NET" in x]) == 2, got.stdout


ROUTE_TABLES = """\
variable "subnet" {{
  type    = string
  default = "{private-b}"
}}
data "aws_route_table" "by_subnet" {{
  subnet_id = "{private-a}"
}}
data "aws_route_table" "by_variable" {{
  subnet_id = var.subnet
}}
data "aws_route_table" "by_id" {{
  route_table_id = "{public-a-rt}"
}}
data "aws_route_table" "by_tags" {{
  tags = {{ Name = "behind-nat" }}
}}
data "aws_route_table" "bracketed" {{
  filter {{
    name   = "tag:Slot"
    values = ["tables[0]"]
  }}
}}
data "aws_route_table" "wildcards" {{
  filter {{
    name   = "tag:Slot"
    values = ["t*s?0]"]
  }}
}}
data "aws_route_table" "no_character_sets" {{
  filter {{
    name   = "tag:Slot"
    values = ["tables[01]"]
  }}
}}
data "aws_route_table" "main" {{
  vpc_id = "{vpc}"
  filter {{
    name   = "association.main"
    values = ["true"]
  }}
}}
data "aws_route_table" "main_by_id" {{
  route_table_id = "{main-rt}"
}}
data "aws_route_table" "explicitly_on_main" {{
  subnet_id = "{spare-explicit}"
}}
data "aws_route_table" "implicitly_on_main" {{
  subnet_id = "{spare-implicit}"
}}
data "aws_route_table" "isolated" {{
  filter {{
    name   = "vpc-id"
    values = ["{vpc-endpoints}"]
  }}
  filter {{
    name   = "association.main"
    values = ["false"]
  }}
}}
data "aws_route_table" "two_of_them" {{
  vpc_id = "{vpc-endpoints}"
}}
data "aws_vpc_endpoint" "dkr" {{
  vpc_id       = "{vpc-endpoints}"
  service_name = "com.amazonaws.eu-west-1.ecr.dkr"
}}
data "aws_vpc_endpoint" "s3" {{
  service_name = "com.amazonaws.eu-west-1.s3"
}}
data "aws_vpc_endpoint" "none_there" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.eu-west-1.ecr.dkr"
}}
"""


def test_route_tables_and_endpoints_are_found_as_aws_finds_them(taken):
    """``data "aws_route_table"`` by subnet (explicit associations only, as DescribeRouteTables' filter), by ID,
    tags, VPC, filters and the main association; ``data "aws_vpc_endpoint"`` by service and VPC."""
    from pullcheck.engine.stages import build_graph
    from pullcheck.formats import snapshot
    from pullcheck.formats.terraform.lookup import matches

    folder, snap, ids = taken
    tf = folder / "tables"
    tf.mkdir(exist_ok=True)
    (tf / "main.tf").write_text(ROUTE_TABLES.format(**ids))
    graph, _ = build_graph([str(tf)], network=snapshot.load(str(folder / "network.json")))
    found = {}
    for q in list(graph.of_kind("data.route_table")) + list(graph.of_kind("data.vpc_endpoint")):
        got = matches(graph, q)
        found[q.name.rsplit(".", 1)[1]] = None if got is None else [r.get("id") for r in got]
    isolated_rt = ids["isolated-a-rt"]
    dkr = next(e["VpcEndpointId"] for e in snap["VpcEndpoints"] if e["ServiceName"].endswith("ecr.dkr"))
    s3 = next(e["VpcEndpointId"] for e in snap["VpcEndpoints"] if e["ServiceName"].endswith(".s3"))
    assert found == {"by_subnet": [ids["private-a-rt"]], "by_variable": [ids["private-b-rt"]],
                     "by_id": [ids["public-a-rt"]], "by_tags": [ids["private-a-rt"]], "main": [ids["main-rt"]],
                     # EC2's filters know * and ? only: brackets are text
                     "bracketed": [ids["private-a-rt"]], "wildcards": [ids["private-a-rt"]],
                     "no_character_sets": None,
                     "main_by_id": [ids["main-rt"]], "explicitly_on_main": [ids["main-rt"]],
                     "implicitly_on_main": None, "isolated": [isolated_rt], "two_of_them": None,
                     "dkr": [dkr], "s3": [s3], "none_there": None}


ROUTE_ADDED = """\
data "aws_route_table" "b" {{
  subnet_id = "{private-b}"
}}
resource "aws_route" "back" {{
  route_table_id         = data.aws_route_table.b.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = "{nat}"
}}
resource "aws_ecs_task_definition" "app" {{
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = "arn:aws:iam::123456789012:role/exec"
  container_definitions    = jsonencode([{{ name = "app", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1" }}])
}}
resource "aws_ecs_service" "b" {{
  name            = "b"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {{
    subnets = ["{private-b}"]
  }}
}}
"""


def test_a_route_added_to_a_table_found_by_subnet_counts(taken):
    folder, _, ids = taken
    tf = folder / "route"
    tf.mkdir(exist_ok=True)
    (tf / "main.tf").write_text(ROUTE_ADDED.format(**ids))
    got = _run("--network", "../network.json", "--select", "NET", ".", cwd=tf)
    assert got.returncode == 0 and "NET002" not in got.stdout, got.stdout + got.stderr
    (tf / "main.tf").write_text(ROUTE_ADDED.format(**ids).replace('subnet_id = "' + ids["private-b"],
                                                                  'subnet_id = "' + ids["private-a"]))
    got = _run("--network", "../network.json", "--select", "NET", ".", cwd=tf)
    assert got.returncode == 1 and "NET002 aws_ecs_service.b" in got.stdout, got.stdout + got.stderr


def _cli_outputs(url, folder):
    """What a user without the extra has: the AWS CLI's JSON answers, in files of any name."""
    session, _ = aws_server.session(url)
    ec2, cfn = session.client("ec2", endpoint_url=url), session.client("cloudformation", endpoint_url=url)
    folder.mkdir(exist_ok=True)
    for i, (client, call) in enumerate(((ec2, "describe_vpcs"), (ec2, "describe_subnets"),
                                        (ec2, "describe_route_tables"), (ec2, "describe_vpc_endpoints"),
                                        (ec2, "describe_security_groups"), (ec2, "describe_network_acls"),
                                        (ec2, "describe_nat_gateways"), (ec2, "describe_internet_gateways"),
                                        (cfn, "list_exports"))):
        answer = getattr(client, call)()
        answer.pop("ResponseMetadata", None)
        (folder / f"out-{i}.json").write_text(json.dumps(answer, default=str, indent=2))


def test_a_folder_of_aws_cli_outputs_is_a_snapshot_too(aws, tmp_path):
    url, ids = aws
    _cli_outputs(url, tmp_path / "cli")
    _service_tree(tmp_path, ids)
    got = _run("--network", "cli", "--select", "NET", "--region", aws_server.REGION, "service.yaml", cwd=tmp_path)
    # the same verdicts without a stacks file: the parameters' defaults are unknown, the literal IDs are not
    assert _found(got.stdout) == [("NET002", "Imported"), ("NET006", "Isolated")], got.stdout + got.stderr
    explained = _run("--network", "cli", "--explain", "service.yaml", cwd=tmp_path).stdout
    assert "Account facts from cli (AWS CLI outputs of account 123456789012, Region eu-west-1" in explained


# -- bad snapshots: one line, exit 2

def _bad(tmp_path, text, *args):
    (tmp_path / "t.yaml").write_text("Resources: {}\n")
    if text is not None:
        (tmp_path / "network.json").write_text(text)
    got = _run("--network", "network.json", *args, "t.yaml", cwd=tmp_path)
    assert got.returncode == 2, got.stdout + got.stderr
    assert got.stdout == "" and len(got.stderr.strip().splitlines()) == 1, got.stderr
    return got.stderr


GOOD = {"format": "pullcheck-snapshot", "version": 1, "account": "123456789012", "region": "eu-west-1",
        "taken": "2025-01-01T00:00:00Z", "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}]}


@pytest.mark.parametrize("text, args, said", [
    (json.dumps(GOOD)[:-20], (), "network.json:1:"),
    ("[]", (), "a JSON object was expected"),
    (json.dumps({**GOOD, "Subnets": {"SubnetId": "x"}}), (), "Subnets must be a list of objects, not an object"),
    (json.dumps({**GOOD, "Subnets": [{"SubnetId": 7}]}), (), "Subnets[0].SubnetId must be text, not a number"),
    (json.dumps({**GOOD, "Subnets": [{"VpcId": "vpc-1"}]}), (), "Subnets[0].SubnetId is missing"),
    (json.dumps({**GOOD, "version": 0}), (), "snapshot format version 0; this pullcheck reads version 1"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "format"}), (), "not a pullcheck snapshot"),
    (json.dumps(GOOD), ("--region", "us-east-1"), "of Region eu-west-1, but this run is for us-east-1"),
    (None, (), "no such snapshot file or folder"),
])
def test_a_bad_snapshot_is_one_line_and_exit_2(tmp_path, text, args, said):
    assert said in _bad(tmp_path, text, *args)


def test_the_stacks_files_region_is_checked_too(tmp_path):
    (tmp_path / "stacks.toml").write_text('network = "network.json"\nregion = "us-east-2"\n')
    said = _bad(tmp_path, json.dumps(GOOD), "--stacks", "stacks.toml")
    assert "but this run is for us-east-2" in said


def test_a_snapshot_is_bounded_like_every_input(tmp_path):
    from pullcheck.sources.errors import MAX_BYTES

    big = json.dumps({**GOOD, "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}] * (MAX_BYTES // 30)})
    assert "larger than 20 MB" in _bad(tmp_path, big)


def test_a_lint_with_a_snapshot_never_imports_boto3(tmp_path):
    (tmp_path / "network.json").write_text(json.dumps(GOOD))
    (tmp_path / "t.yaml").write_text("Resources: {}\n")
    code = ("import sys\nfrom pullcheck.cli import main\nmain(['--network', 'network.json', 't.yaml'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto')))\n")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert got.stdout.strip().splitlines()[-1] == "[]", got.stdout + got.stderr


def test_only_the_snapshot_command_imports_boto3():
    for folder, _, files in os.walk(os.path.join(ROOT, "linter", "pullcheck")):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".py") and not path.endswith(os.path.join("integrations", "snapshot.py")):
                with open(path, encoding="utf-8") as f:
                    assert "boto3" not in f.read().replace("# boto3", ""), path


def test_the_command_says_what_is_missing_in_one_line(aws, tmp_path):
    url, _ = aws
    got = _run("snapshot", "--endpoint-url", url, "--region", aws_server.REGION, "--role", "nobody", "-o", "n.json",
               cwd=tmp_path, env=aws_server.env(url))
    assert got.returncode == 2 and got.stderr.count("\n") == 1, got.stderr
    assert "get-role: NoSuchEntity" in got.stderr and not (tmp_path / "n.json").exists()


def test_the_command_writes_to_standard_output_unless_asked(aws, tmp_path):
    url, ids = aws
    got = _run("snapshot", "--endpoint-url", url, "--region", aws_server.REGION, "--vpc", ids["vpc-endpoints"],
               cwd=tmp_path, env=aws_server.env(url))
    assert got.returncode == 0 and list(tmp_path.iterdir()) == [], got.stderr
    snap = json.loads(got.stdout)
    assert {v["VpcId"] for v in snap["Vpcs"]} == {ids["vpc-endpoints"]}
    assert {s["VpcId"] for s in snap["Subnets"]} == {ids["vpc-endpoints"]}
    assert len(snap["VpcEndpoints"]) == 3
