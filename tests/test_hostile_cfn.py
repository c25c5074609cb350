"""Hostile CloudFormation: nested stacks that fan out or lead outside the run, text that grows a thousandfold,
numbers no template can mean, and networks large enough to show a cost that grows faster than the input.
Each run ends within its time and memory, reads nothing outside the paths it is given, and reports only what
the graph proves."""
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys

import pytest
from conftest import FIXTURES, lint_paths

MEMORY = 1 << 30  # address space of a run: ten times what these inputs take once bounded
TOKEN = "OutsideToken7f3a"  # in files outside the run: it must never be printed


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(*args, cwd=None, timeout=30):
    """The command in a process of its own, under the memory ceiling; a run past ``timeout`` fails the test."""
    return subprocess.run([sys.executable, "-m", "pullcheck", "--jobs", "1", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, preexec_fn=_limited)


def _ended_cleanly(r):
    assert r.returncode in (0, 1), (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr[-2000:]


def _no_egress(prefix):
    """Resources of a Fargate service in a subnet whose route table has no way out (NET002), named ``prefix...``."""
    p = prefix
    return (f"  {p}Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {{CidrBlock: 10.0.0.0/16}}\n"
            f"  {p}Subnet:\n    Type: AWS::EC2::Subnet\n"
            f"    Properties: {{VpcId: !Ref {p}Vpc, CidrBlock: 10.0.1.0/24}}\n"
            f"  {p}Routes:\n    Type: AWS::EC2::RouteTable\n    Properties: {{VpcId: !Ref {p}Vpc}}\n"
            f"  {p}Association:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n"
            f"    Properties: {{SubnetId: !Ref {p}Subnet, RouteTableId: !Ref {p}Routes}}\n"
            f"  {p}Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n"
            f"      RequiresCompatibilities: [FARGATE]\n      NetworkMode: awsvpc\n      Cpu: \"256\"\n"
            f"      Memory: \"512\"\n      ContainerDefinitions: [{{Name: web, Image: \"nginx:1.27\"}}]\n"
            f"  {p}Service:\n    Type: AWS::ECS::Service\n    Properties:\n      LaunchType: FARGATE\n"
            f"      TaskDefinition: !Ref {p}Task\n      NetworkConfiguration:\n        AwsvpcConfiguration:\n"
            f"          Subnets: [!Ref {p}Subnet]\n")


HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\n'
# a service whose subnets come from a nested stack's output: --explain says why they are unknown
FROM_CHILD = ("  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      LaunchType: FARGATE\n"
              "      NetworkConfiguration:\n        AwsvpcConfiguration:\n"
              "          Subnets: !GetAtt {}.Outputs.Subnets\n")


# --------------------------------------------------------------------------- nested stacks fanning out

def test_nested_stack_fan_out_is_bounded(tmp_path):
    """Ten small files, each with 8 nested stacks of the next: 8^9 stacks if each were evaluated. Past the
    bound the children are unknowns that name it, and the root's own service is still judged."""
    for k in range(10):
        body = ""
        if k < 9:
            body = "".join(f"  S{i}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
                           f"      TemplateURL: ./l{k + 1}.yaml\n      Parameters: {{Level: \"{k + 1}\"}}\n"
                           for i in range(8)) + FROM_CHILD.format("S0")
        params = "Parameters:\n  Level: {Type: String}\n" if k else ""
        root = _no_egress("Root") if not k else ""
        (tmp_path / f"l{k}.yaml").write_text(HEAD + params + "Resources:\n" + body + root)
    r = _run("--no-config", "--format", "parseable", "--explain", str(tmp_path))
    _ended_cleanly(r)
    assert r.returncode == 1 and " NET002 RootService " in r.stdout, r.stdout[-2000:]
    from pullcheck.formats.cloudformation import MAX_STACK_INSTANCES

    assert f"nested stack S0: past {MAX_STACK_INSTANCES} nested stacks" in r.stderr  # --explain's


# --------------------------------------------------------------------------- text that grows

def _big(tmp_path, default, resources, last=""):
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + f"Parameters:\n  Big:\n    Type: String\n    Default: {default}\n"
                    f"Resources:\n{resources}{last}")
    return path


SUBNETS_OF = ("  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      LaunchType: FARGATE\n"
              "      NetworkConfiguration:\n        AwsvpcConfiguration:\n          Subnets: {}\n")


def test_substitutions_of_a_large_parameter_are_bounded(tmp_path):
    """2000 substitutions of a parameter just under a megabyte would hold two gigabytes: past the text one
    template may build, the rest are unknowns that name the bound."""
    subs = "".join(f"  S{i}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      CidrBlock: !Sub \"a${{Big}}\"\n"
                   for i in range(2000))
    path = _big(tmp_path, "x" * 1_040_000, subs, SUBNETS_OF.format('!Sub "b${Big}"'))
    r = _run("--no-config", "--format", "parseable", "--explain", str(path))
    _ended_cleanly(r)
    from pullcheck.formats.cloudformation import MAX_TEXT

    assert f"past {MAX_TEXT} characters of text built by one template" in r.stderr, r.stderr[-2000:]


@pytest.mark.parametrize("expression", ['!Sub "${Big}${Big}"', '!Join ["", [!Ref Big, !Ref Big]]'])
def test_one_value_over_the_longest_string_is_unknown(tmp_path, expression):
    path = _big(tmp_path, "x" * 600_000, "", SUBNETS_OF.format(expression))
    r = _run("--no-config", "--format", "parseable", "--explain", str(path))
    _ended_cleanly(r)
    from pullcheck.graph.values import MAX_STRING

    assert f"builds a string over {MAX_STRING} characters" in r.stderr, r.stderr[-2000:]


@pytest.mark.parametrize("kind,value", [
    ("join", '!Join ["", [!Ref Big, !Ref Big, !Ref Big, !Ref Big]]'),  # 1000 joins of 1.2 MB
    ("split", '!Split [",", !Ref Big]'),  # 1000 lists of 300,000 items
    ("list", "!Ref Big"),  # a CommaDelimitedList default split at each of 1000 references
])
def test_text_built_a_thousand_times_is_bounded(tmp_path, kind, value):
    default = "x" * 300_000 if kind == "join" else "ab," * 300_000
    attr = "CidrBlock" if kind == "join" else "Subnets"
    rtype = "AWS::EC2::Subnet" if kind == "join" else "AWS::ECS::Service"
    prop = f"      {attr}: {value}\n" if kind == "join" else \
        f"      NetworkConfiguration:\n        AwsvpcConfiguration:\n          {attr}: {value}\n"
    many = "".join(f"  R{i}:\n    Type: {rtype}\n    Properties:\n{prop}" for i in range(1000))
    path = _big(tmp_path, default, many)
    if kind == "list":
        path.write_text(path.read_text().replace("Type: String", "Type: CommaDelimitedList", 1))
    r = _run("--no-config", "--format", "parseable", str(path))
    _ended_cleanly(r)
    assert r.returncode == 0 and r.stdout == "", r.stdout[-2000:]  # unknown subnets and ranges: nothing proven


# --------------------------------------------------------------------------- files outside the run

def _outside(tmp_path):
    """A repository folder and, beside it, a folder the run is not given, holding a template (and a
    parameters file) whose names and values carry the token."""
    repo, out = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    out.mkdir()
    (out / "child.yaml").write_text(HEAD + "Resources:\n" + _no_egress(TOKEN) +
                                    f"Outputs:\n  Subnets:\n    Value: !Ref {TOKEN}Subnet\n")
    (out / "params.json").write_text(json.dumps([{"ParameterKey": "Image", "ParameterValue": f"{TOKEN}/app:1"}]))
    return repo, out


def _never_read(r, out):
    _ended_cleanly(r)
    assert TOKEN not in r.stdout + r.stderr
    assert r.returncode == 0 and not [line for line in r.stdout.splitlines() if str(out) in line.split(":")[0]]


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_nested_stack_outside_the_run_is_not_read(tmp_path, how):
    repo, out = _outside(tmp_path)
    where = {"relative": "../outside/child.yaml", "absolute": str(out / "child.yaml"), "symlink": "./link.yaml"}[how]
    if how == "symlink":
        os.symlink(out / "child.yaml", repo / "link.yaml")
    (repo / "parent.yaml").write_text(HEAD + "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n"
                                      f"    Properties:\n      TemplateURL: {where}\n" + FROM_CHILD.format("Child"))
    r = _run("--no-config", "--format", "parseable", "--explain", "--verbose", str(repo))
    _never_read(r, out)
    assert "nested stack Child: its template lies outside the paths this run reads" in r.stderr


APP = HEAD + ("Parameters:\n  Image: {Type: String}\nResources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n"
              "    Properties:\n      RequiresCompatibilities: [FARGATE]\n      NetworkMode: awsvpc\n"
              "      Cpu: \"256\"\n"
              "      Memory: \"512\"\n      ContainerDefinitions: [{Name: web, Image: !Ref Image}]\n")


@pytest.mark.parametrize("where", ["configuration", "stacks-file"])
@pytest.mark.parametrize("what", ["template", "parameters"])
def test_stack_entry_outside_the_run_is_left_out(tmp_path, where, what):
    """A stacks entry whose template or parameters file lies outside the run: the stack is left out, with a
    warning (the user named it), and the run goes on."""
    repo, out = _outside(tmp_path)
    (repo / "app.yaml").write_text(APP)
    entry = '[stacks.net]\ntemplate = "../outside/child.yaml"\n' if what == "template" else \
        '[stacks.app]\ntemplate = "app.yaml"\nparameters = "../outside/params.json"\n'
    (repo / (".pullcheck.toml" if where == "configuration" else "stacks.toml")).write_text(entry)
    args = ["--stacks", "stacks.toml"] if where == "stacks-file" else []
    r = _run(*args, "--format", "parseable", cwd=str(repo))
    _never_read(r, out)
    warned = [line for line in r.stderr.splitlines() if line.startswith("pullcheck: warning: stack ")]
    assert len(warned) == 1 and "lies outside the paths this run reads" in warned[0], r.stderr


# --------------------------------------------------------------------------- numbers no template can mean

def _egress_rule(tmp_path, rule):
    """A Fargate service routed to a NAT gateway, its group's one egress rule given: NET010 judges it."""
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + "Resources:\n" + _no_egress("").replace(
        "  Association:", "  Default:\n    Type: AWS::EC2::Route\n    Properties: {RouteTableId: !Ref Routes, "
        "DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: nat-0123456789abcdef0}\n  Association:").replace(
        "Subnets: [!Ref Subnet]", "Subnets: [!Ref Subnet]\n          SecurityGroups: [!Ref Tasks]") +
        "  Tasks:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: tasks\n"
        f"      VpcId: !Ref Vpc\n      SecurityGroupEgress: [{rule}]\n")
    return str(path)


@pytest.mark.parametrize("rule", [
    "{IpProtocol: tcp, FromPort: 444, ToPort: 442, CidrIp: 0.0.0.0/0}",  # a range that ends before it starts
    "{IpProtocol: tcp, FromPort: -5, ToPort: 80, CidrIp: 0.0.0.0/0}",  # no port below -1
    "{IpProtocol: tcp, FromPort: 444, ToPort: 70000, CidrIp: 0.0.0.0/0}",  # no port above 65535
    "{IpProtocol: tcp, FromPort: 80.0, ToPort: 80.0, CidrIp: 0.0.0.0/0}",  # floats where integers are required
    "{IpProtocol: 6.0, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}",
    "{IpProtocol: .inf, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}",
    "{IpProtocol: 300, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}",  # no protocol above 255
    "{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.1}",  # an address without its length is no range
])
def test_egress_rule_numbers_a_template_cannot_mean_are_unknown(tmp_path, rules, rule):
    assert [f.rule_id for f in lint_paths([_egress_rule(tmp_path, rule)], rules, select="NET010")] == []


def test_egress_rule_that_misses_https_is_found(tmp_path, rules):
    rule = "{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}"
    assert [f.rule_id for f in lint_paths([_egress_rule(tmp_path, rule)], rules, select="NET010")] == ["NET010"]


@pytest.mark.parametrize("version", ["!Ref Version", ".inf"])
def test_platform_version_that_cannot_be_known_leaves_ecr_api_unknown(tmp_path, rules, version):
    """Only ecr.api is missing, and whether the platform version needs it is not known: no NET005."""
    text = open(os.path.join(FIXTURES, "NET011", "bad_deny_before_allow.yaml"), encoding="utf-8").read()
    start = text.index("  EcrApiEndpoint:")
    text = text[:start] + text[text.index("  LogsEndpoint:"):]
    text = text.replace("Resources:", "Parameters:\n  Version: {Type: String}\nResources:", 1)
    path = tmp_path / "t.yaml"
    path.write_text(text.replace("LaunchType: FARGATE", f"LaunchType: FARGATE\n      PlatformVersion: {version}"))
    assert lint_paths([str(path)], rules, select="NET005") == []
    path.write_text(text.replace("LaunchType: FARGATE", "LaunchType: FARGATE\n      PlatformVersion: 1.4.0"))
    assert [f.rule_id for f in lint_paths([str(path)], rules, select="NET005")] == ["NET005"]


# --------------------------------------------------------------------------- cost that grows with the input

def _services(path, n):
    """n Fargate services, each in its own subnet with its own security group, in one VPC whose ECR endpoints
    sit in every subnet: what each task may reach is the endpoints' ranges, one per subnet."""
    subnets = ", ".join(f"!Ref Sub{i}" for i in range(n))
    out = [HEAD + "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/8}\n"
           "  Rt:\n    Type: AWS::EC2::RouteTable\n    Properties: {VpcId: !Ref Vpc}\n"
           "  EpSg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: endpoints\n"
           "      VpcId: !Ref Vpc\n      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, "
           "CidrIp: 10.0.0.0/8}]\n"
           "  Td:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      RequiresCompatibilities: [FARGATE]\n"
           "      NetworkMode: awsvpc\n      Cpu: \"256\"\n      Memory: \"512\"\n"
           "      ExecutionRoleArn: arn:aws:iam::123456789012:role/x\n"
           "      ContainerDefinitions: [{Name: app, Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1}]\n"
           "  S3:\n    Type: AWS::EC2::VPCEndpoint\n    Properties: {VpcId: !Ref Vpc, VpcEndpointType: Gateway, "
           "ServiceName: com.amazonaws.eu-west-1.s3, RouteTableIds: [!Ref Rt]}\n"]
    for svc in ("dkr", "api"):
        out.append(f"  Ep{svc}:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref Vpc\n"
                   f"      ServiceName: com.amazonaws.eu-west-1.ecr.{svc}\n      VpcEndpointType: Interface\n"
                   f"      PrivateDnsEnabled: true\n      SubnetIds: [{subnets}]\n"
                   "      SecurityGroupIds: [!Ref EpSg]\n")
    for i in range(n):
        cidr = f"10.{i // 256}.{i % 256}"
        out.append(f"  Sub{i}:\n    Type: AWS::EC2::Subnet\n"
                   f"    Properties: {{VpcId: !Ref Vpc, CidrBlock: {cidr}.0/24}}\n"
                   f"  Assoc{i}:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n"
                   f"    Properties: {{SubnetId: !Ref Sub{i}, RouteTableId: !Ref Rt}}\n"
                   f"  Sg{i}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: tasks\n"
                   f"      VpcId: !Ref Vpc\n      SecurityGroupEgress: [{{IpProtocol: tcp, FromPort: 443, ToPort: 443, "
                   f"CidrIp: 192.168.{i % 256}.0/24}}, {{IpProtocol: tcp, FromPort: 443, ToPort: 443, "
                   f"CidrIp: {cidr}.0/25}}]\n"
                   f"  Svc{i}:\n    Type: AWS::ECS::Service\n    Properties:\n      LaunchType: FARGATE\n"
                   f"      TaskDefinition: !Ref Td\n      NetworkConfiguration:\n        AwsvpcConfiguration:\n"
                   f"          Subnets: [!Ref Sub{i}]\n          SecurityGroups: [!Ref Sg{i}]\n")
    path.write_text("".join(out))
    return str(path)


def test_network_rules_cost_grows_linearly(tmp_path, rules):
    """The work (function calls, counted, not timed) for 800 services in 800 subnets is about 8 times that for
    100: no rule scans every subnet, endpoint or range once per service."""
    lint_paths([_services(tmp_path / "warm.yaml", 3)], rules, select="NET")  # imports and first-use tables

    def calls(n):
        path = _services(tmp_path / f"s{n}.yaml", n)
        profile = cProfile.Profile()
        profile.enable()
        found = lint_paths([path], rules, select="NET")
        profile.disable()
        assert len([f for f in found if f.rule_id == "NET010"]) == n  # each blocks HTTPS to S3: all are judged
        return pstats.Stats(profile).total_calls

    small, large = calls(100), calls(800)
    assert large < 10 * small, (small, large)


def test_a_configuration_reads_its_stacks_beside_the_linted_path(tmp_path):
    """A configuration at the repository's root names a stack's parameters in a folder beside the linted
    one: read (it is under the configuration's own folder), so `pullcheck app` judges the image they give."""
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "params").mkdir()
    (repo / "app" / "app.yaml").write_text(APP)
    (repo / "params" / "app.json").write_text(json.dumps([{"ParameterKey": "Image",
                                                           "ParameterValue": "Example/App:1"}]))
    (repo / ".pullcheck.toml").write_text('[stacks.app]\ntemplate = "app/app.yaml"\n'
                                          'parameters = "params/app.json"\n')
    r = _run("--format", "parseable", "app", cwd=str(repo))
    _ended_cleanly(r)
    assert r.returncode == 1 and " IMG003 " in r.stdout and "Example/App" in r.stdout, r.stdout + r.stderr
