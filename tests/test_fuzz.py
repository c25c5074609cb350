"""A fuzzer that lives in the repository: generated CloudFormation templates (random resources, properties
and intrinsics), Terraform modules (random expressions, blocks and functions) and task definitions, run
through the engine in-process. Properties: no exception and no internal error (only the documented parse
error), at most 2 s per input, and the same findings for a template and its re-serialised form. The --fix
target runs the command on all three side by side (CRLF or LF, with or without a byte-order mark): a lint's
exit code, no file left unreadable, a second --fix changes nothing, nothing written outside the folder or
through a symlink planted in it, no temporary file left.

The default suite runs a short profile; `python -m pytest -m slow tests/test_fuzz.py` runs the long one
(PULLCHECK_FUZZ_EXAMPLES sets how many inputs per format, default 2,000). A failure hypothesis finds is kept
in its example database (.hypothesis/) and should be added below as an @example."""
import json
import os
import tempfile

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pullcheck.engine.stages import INTERNAL_ID, lint  # noqa: E402
from pullcheck.engine.registry import load_rules  # noqa: E402

RULES = load_rules()
# no deadline: a slow example on a loaded machine is no defect (the evaluators' budgets bound the work)
SHORT = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
LONG = settings(max_examples=int(os.environ.get("PULLCHECK_FUZZ_EXAMPLES", "2000")), deadline=None,
                suppress_health_check=list(HealthCheck))

# ------------------------------------------------------------------------------------ CloudFormation
TYPES = ["AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::EC2::Subnet", "AWS::EC2::VPC",
         "AWS::EC2::RouteTable", "AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation",
         "AWS::EC2::VPCEndpoint", "AWS::EC2::SecurityGroup", "AWS::IAM::Role", "AWS::ECR::Repository",
         "AWS::EC2::NatGateway", "AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry", "AWS::Events::Rule",
         "AWS::StepFunctions::StateMachine", "AWS::ECS::Cluster", "Custom::Thing"]
KEYS = ["LaunchType", "NetworkConfiguration", "AwsvpcConfiguration", "Subnets", "AssignPublicIp", "VpcId",
        "CidrBlock", "RouteTableId", "SubnetId", "GatewayId", "NatGatewayId", "DestinationCidrBlock",
        "ContainerDefinitions", "Image", "ExecutionRoleArn", "LogConfiguration", "LogDriver", "ServiceName",
        "SecurityGroupEgress", "IpProtocol", "FromPort", "ToPort", "CidrIp", "Protocol", "RuleNumber", "Egress",
        "RequiresCompatibilities", "NetworkMode", "Cpu", "Memory", "Family", "TaskDefinition", "Cluster"]
LOGICAL = ["A", "B", "C", "Vpc", "Sub", "Rt"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=True),
                    st.sampled_from(["FARGATE", "ENABLED", "DISABLED", "0.0.0.0/0", "10.0.0.0/16", "awsvpc", "tcp",
                                     "-1", "nginx:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1", "",
                                     "arn:aws:ecr:us-east-1:123456789012:repository/a", "igw-1", "nat-1"]))


def _intrinsics(children):
    return st.one_of(
        st.builds(lambda x: {"Ref": x}, st.sampled_from(LOGICAL + ["P", "AWS::Region", "Nope"])),
        st.builds(lambda x, a: {"Fn::GetAtt": [x, a]}, st.sampled_from(LOGICAL), st.sampled_from(["Arn", "Id", "X"])),
        st.builds(lambda s: {"Fn::Sub": s}, st.sampled_from(["${AWS::Region}", "${A}", "x-${P}", "${!y}"])),
        st.builds(lambda i, xs: {"Fn::Select": [i, xs]}, scalars, st.lists(children, max_size=3)),
        st.builds(lambda xs: {"Fn::Join": ["", xs]}, st.lists(children, max_size=3)),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.sampled_from(["C1", "Nope"]), children, children),
        st.builds(lambda x: {"Fn::ImportValue": x}, children),
        st.builds(lambda k: {"Fn::FindInMap": ["M", "K", k]}, st.sampled_from(["a", "b", "zz"])),
        st.builds(lambda x: {"Fn::Split": [",", x]}, children),
    )


values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    _intrinsics(children)), max_leaves=25)

templates = st.builds(
    lambda res: {"AWSTemplateFormatVersion": "2010-09-09",
                 "Parameters": {"P": {"Type": "String", "AllowedValues": ["a", "b"], "Default": "a"}},
                 "Conditions": {"C1": {"Fn::Equals": [{"Ref": "P"}, "a"]}},
                 "Mappings": {"M": {"K": {"a": "FARGATE", "b": ["x"]}}},
                 "Resources": res},
    st.dictionaries(st.sampled_from(LOGICAL), st.builds(
        lambda t, props, cond: {"Type": t, "Properties": props, **({"Condition": cond} if cond else {})},
        st.sampled_from(TYPES), st.dictionaries(st.sampled_from(KEYS), values, max_size=6),
        st.sampled_from([None, "C1", "Nope"])), min_size=1, max_size=5))


def _to_yaml(doc):
    import yaml

    return yaml.safe_dump(doc, sort_keys=False)


def _findings(path):
    found = lint([path], RULES)
    internal = [f for f in found if f.rule_id == INTERNAL_ID]
    assert not internal, internal
    return sorted((f.rule_id, f.resource, f.path, f.message) for f in found)


def _check_template(doc):
    with tempfile.TemporaryDirectory() as d:
        j, y = os.path.join(d, "t.json"), os.path.join(d, "t.yaml")
        with open(j, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, allow_nan=True)
        with open(y, "w", encoding="utf-8") as f:
            f.write(_to_yaml(doc))
        a, b = _findings(j), _findings(y)
        if not any(r == "PARSE001" for r, *_ in a + b):
            assert a == b  # the same template, written as JSON or as YAML


# ------------------------------------------------------------------------------------ Terraform
EXPRS = ["1", '"2"', "var.v", "local.l", "aws_subnet.a.id", "aws_subnet.a[0].id", "aws_vpc.v.id", "null",
         "true", '"FARGATE"', "[1, 2]", '{ a = 1 }', "count.index", "each.key", "module.m.out", "data.x.y.z",
         "1e400", "-1", '"${var.v}-x"', "aws_subnet.a[*].id"]
FUNCS = ["max", "min", "format", "join", "split", "concat", "length", "element", "lookup", "merge", "cidrsubnet",
         "replace", "regex", "zipmap", "tolist", "toset", "try", "can", "one", "sum", "range", "jsonencode",
         "coalesce", "flatten", "distinct", "nope"]

exprs = st.recursive(st.sampled_from(EXPRS), lambda inner: st.one_of(
    st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(FUNCS), st.lists(inner, max_size=3)),
    st.builds(lambda a, b: f"{a} + {b}", inner, inner),
    st.builds(lambda c, a, b: f"{c} ? {a} : {b}", inner, inner, inner),
    st.builds(lambda a: f"[for x in {a} : x]", inner),
    st.builds(lambda a: f"[{a}]", inner)), max_leaves=12)

TF_TYPES = ["aws_subnet", "aws_vpc", "aws_route_table", "aws_route", "aws_route_table_association",
            "aws_ecs_service", "aws_ecs_task_definition", "aws_vpc_endpoint", "aws_security_group"]
TF_ATTRS = ["count", "for_each", "vpc_id", "cidr_block", "subnet_id", "route_table_id", "launch_type",
            "task_definition", "container_definitions", "gateway_id", "service_name", "name"]

modules = st.lists(st.tuples(st.sampled_from(TF_TYPES), st.sampled_from(["a", "b", "v"]),
                             st.dictionaries(st.sampled_from(TF_ATTRS), exprs, max_size=4),
                             st.booleans()), min_size=1, max_size=5)


def _tf(resources, local_expr):
    out = ['variable "v" {\n  default = 2\n}', f"locals {{\n  l = {local_expr}\n}}"]
    for t, n, attrs, net in resources:
        body = "".join(f"  {k} = {v}\n" for k, v in attrs.items())
        if net:
            body += "  network_configuration {\n    subnets = [aws_subnet.a.id]\n  }\n"
        out.append(f'resource "{t}" "{n}" {{\n{body}}}')
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------ task definitions
taskdefs = st.fixed_dictionaries({
    "family": st.one_of(st.text(max_size=8), st.integers()),
    "containerDefinitions": st.lists(st.dictionaries(
        st.sampled_from(["name", "image", "logConfiguration", "secrets", "memory", "cpu", "essential"]),
        values, max_size=5), max_size=3),
}, optional={"requiresCompatibilities": values, "networkMode": values, "cpu": values, "memory": values,
             "executionRoleArn": values, "taskDefinitionArn": values})


def _check_taskdef(doc):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "td.json")
        with open(p, "w", encoding="utf-8") as f:
            json.dump(doc, f, allow_nan=True)
        _findings(p)


def _check_tf(resources, local_expr):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "main.tf"), "w", encoding="utf-8") as f:
            f.write(_tf(resources, local_expr))
        _findings(d)


# ------------------------------------------------------------------------------------ --fix
FIX_SHORT = settings(SHORT, max_examples=12)
FIX_LONG = settings(LONG, max_examples=max(1, LONG.max_examples // 10))  # a --fix case is four runs

wrapped_taskdefs = st.builds(lambda doc, wrap: {"taskDefinition": doc} if wrap else doc, taskdefs, st.booleans())
layouts = st.tuples(st.booleans(), st.booleans())  # (CRLF line endings, a byte-order mark)


def _files_of(d):
    out = {}
    for n in os.listdir(d):
        p = os.path.join(d, n)
        out[n] = ("link", os.readlink(p)) if os.path.islink(p) else ("file", open(p, "rb").read())
    return out


def _parse_errors(d):
    return {f.file for f in lint([d], RULES) if f.rule_id == "PARSE001"}


def _fix_run(d, *extra):
    import contextlib
    import io

    from pullcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--no-config", "--fix", *extra, d])
    assert code in (0, 1), (code, err.getvalue())
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue(), err.getvalue()


def _check_fix(doc, td, resources, local_expr, layout):
    """Random inputs fixed in a folder: the exit code of a lint, every file that parsed still parses, a
    second --fix changes nothing, nothing is written outside the folder nor through a symlink in it (one
    beside each file, named like it, to a copy of it outside; one at each file's old temporary name), and
    no temporary file stays."""
    crlf, bom = layout
    with tempfile.TemporaryDirectory() as top:
        d = os.path.join(top, "repo")
        os.mkdir(d)
        texts = {"t.json": json.dumps(doc, indent=1, allow_nan=True) + "\n", "t.yaml": _to_yaml(doc),
                 "td.json": json.dumps(td, indent=2, allow_nan=True) + "\n", "main.tf": _tf(resources, local_expr)}
        planted: dict = {}  # link in the checkout -> the file outside it that it names
        for name, text in texts.items():
            data = text.replace("\n", "\r\n" if crlf else "\n").encode("utf-8")
            data = (b"\xef\xbb\xbf" if bom and name.endswith(".json") else b"") + data
            for path in (os.path.join(d, name), os.path.join(top, "outside-" + name)):
                with open(path, "wb") as f:
                    f.write(data)
            planted["link-" + name] = os.path.join(top, "outside-" + name)
            planted[name + ".pullcheck-fix"] = os.path.join(top, "outside-" + name)
        for name, target in planted.items():
            os.symlink(target, os.path.join(d, name))
        before = {n: open(os.path.join(top, n), "rb").read() for n in os.listdir(top) if n != "repo"}
        broken = _parse_errors(d)
        _fix_run(d)
        _fix_run(d, "--unsafe-fixes")
        once = _files_of(d)
        _fix_run(d, "--unsafe-fixes")
        assert _files_of(d) == once, "a second --fix changed something"
        assert _parse_errors(d) <= broken, "a fix left a file unreadable"
        assert {n: open(os.path.join(top, n), "rb").read() for n in os.listdir(top) if n != "repo"} == before
        assert all(once[name] == ("link", target) for name, target in planted.items())
        assert all(once[name][0] == "file" for name in texts)
        assert set(once) == set(texts) | set(planted), "a temporary file stayed"


# ------------------------------------------------------------------------------------ the tests
@SHORT
@given(templates)
@example({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "AWS::ECS::Service", "Properties": {
    "LaunchType": {"Fn::Select": [float("inf"), ["FARGATE"]]}}}}})
def test_cloudformation(doc):
    _check_template(doc)


@SHORT
@given(modules, exprs)
@example([("aws_subnet", "a", {"count": "1e400"}, False)], "local.l")
@example([("aws_subnet", "a", {"count": "1", "for_each": "1", "vpc_id": 'replace(1, "2", 1)'}, False)], "1")
def test_terraform(resources, local_expr):
    _check_tf(resources, local_expr)


@SHORT
@given(taskdefs)
def test_task_definitions(doc):
    _check_taskdef(doc)


@pytest.mark.slow
@LONG
@given(templates)
def test_cloudformation_long(doc):
    _check_template(doc)


@pytest.mark.slow
@LONG
@given(modules, exprs)
def test_terraform_long(resources, local_expr):
    _check_tf(resources, local_expr)


@pytest.mark.slow
@LONG
@given(taskdefs)
def test_task_definitions_long(doc):
    _check_taskdef(doc)


@FIX_SHORT
@given(templates, wrapped_taskdefs, modules, exprs, layouts)
@example({"Resources": {}}, {"taskDefinition": {"family": "web", "containerDefinitions": [], "revision": 1}},
         [("aws_vpc", "v", {}, False)], "1", (True, True))
def test_fix(doc, td, resources, local_expr, layout):
    _check_fix(doc, td, resources, local_expr, layout)


@pytest.mark.slow
@FIX_LONG
@given(templates, wrapped_taskdefs, modules, exprs, layouts)
def test_fix_long(doc, td, resources, local_expr, layout):
    _check_fix(doc, td, resources, local_expr, layout)
