"""Inputs within the size and depth bounds that try to blow up evaluation: each ends with an unknown (or
PARSE001 where the file itself is invalid) and never a traceback or an internal error, and the work the
evaluators count stays within their budgets (what bounds the time, whatever the input's growth)."""
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, run_counted, within
from pullcheck.formats import cloudformation
from pullcheck.formats.terraform import budget

CASES = {
    "select_infinite_index.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  S:\n'
                                  '    Type: AWS::ECS::Service\n    Properties:\n'
                                  '      LaunchType: !Select [.inf, [FARGATE]]\n',
    "huge_integer.json": '{"family": "x", "containerDefinitions": [{"name": "a", "image": "x", "memory": '
                         + "9" * 5000 + "}]}",
    "huge_integer/main.tf": 'locals {\n  n = ' + "9" * 5000 + '\n}\nresource "aws_subnet" "s" {\n'
                            '  count = local.n\n  cidr_block = "10.0.0.0/24"\n}\n',
    "doubling/main.tf": "locals {\n  a0 = \"xxxxxxxxxxxxxxxx\"\n" + "".join(
        f'  a{i} = "${{local.a{i - 1}}}${{local.a{i - 1}}}"\n' for i in range(1, 26))
        + '  l0 = ["x"]\n' + "".join(f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})\n" for i in range(1, 26))
        + '}\nresource "aws_ecs_service" "s" {\n  name = local.a25\n  launch_type = "FARGATE"\n'
          '  task_definition = length(local.l25)\n}\n',
    "nested_for/main.tf": "locals {\n  r = range(1000)\n  p = [for a in local.r : [for b in local.r : [for c in local.r : a]]]\n}\n"
                          'resource "aws_ecs_service" "s" {\n  name = length(local.p)\n  launch_type = "FARGATE"\n}\n',
    "counts/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'
                      'resource "aws_subnet" "a" {\n  count = 1e9\n  vpc_id = aws_vpc.v.id\n}\n'
                      'resource "aws_subnet" "b" {\n  count = 1e400\n}\n'
                      'resource "aws_subnet" "c" {\n  count = -3\n}\n'
                      'resource "aws_subnet" "d" {\n  count = 2.5\n}\n',
    "importvalue_chain.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  S:\n'
                              '    Type: AWS::ECS::Service\n    Properties:\n      LaunchType: !ImportValue e39\n'
                              'Outputs:\n  O0:\n    Value: FARGATE\n    Export: {Name: e0}\n' + "".join(
        f'  O{i}:\n    Value: !Join ["", [!ImportValue e{i - 1}, !ImportValue e{i - 1}]]\n    Export: {{Name: e{i}}}\n'
        for i in range(1, 40)),
    "nested_lists/main.tf": "locals {\n  a0 = [\"x\"]\n" + "".join(
        f"  a{i} = [local.a{i - 1}, local.a{i - 1}]\n" for i in range(1, 40))
        + '}\nresource "aws_ecs_service" "s" {\n  name = length(flatten(local.a39))\n  launch_type = "FARGATE"\n}\n',
    "self_default/main.tf": 'variable "v" {\n  default = var.v\n}\nresource "aws_subnet" "s" {\n  count = var.v\n}\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bounded(tmp_path, name):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CASES[name], encoding="utf-8")
    target = path.parent if name.endswith(".tf") else path
    r, counts = run_counted("--no-config", str(target))
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.returncode in (0, 1)
    assert counts is not None, r.stderr
    # the evaluation budgets bound the work, not the input's growth (2^40 imports, 2^25 doublings, 10^9 elements)
    assert within(counts["cfn_steps"], cloudformation.MAX_STEPS), counts
    assert within(counts["tf_steps"], budget.MAX_STEPS) and within(counts["tf_items"], budget.MAX_BUILT), counts


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400", "256"])
def test_non_finite_protocols_and_rule_numbers_are_unknown(tmp_path, value):
    """A protocol or rule number no template can mean (an infinity, NaN, a number out of range) is unknown:
    the deny entry and the endpoints' group rule decide nothing, so nothing is found. The same file with
    numbers EC2 takes gives the fixture's finding."""
    text = open(os.path.join(FIXTURES, "NET011", "bad_deny_before_allow.yaml"), encoding="utf-8").read()

    def run(v: str, protocol: str) -> subprocess.CompletedProcess:
        changed = text.replace("RuleNumber: 90", f"RuleNumber: {v}").replace("Protocol: -1", f"Protocol: {protocol}")
        (tmp_path / "t.yaml").write_text(changed.replace("IpProtocol: tcp", f"IpProtocol: {protocol}", 1),
                                         encoding="utf-8")
        return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "parseable",
                               str(tmp_path / "t.yaml")], capture_output=True, text=True, timeout=60)

    r = run(value, value)
    assert "Traceback" not in r.stderr and "failed" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.returncode == 0 and r.stdout == "", r.stdout
    valid = run("90", "-1").stdout.replace(str(tmp_path / "t.yaml"), "t.yaml")
    assert valid.startswith("t.yaml:82:3:82:13: error NET011 ") and valid.count("\n") == 1, valid


def test_module_fan_out_is_bounded(tmp_path):
    """Four calls of four calls of ... nine deep is 4^8 module instances: past the bound of module instances
    per configuration the rest are unknowns, and each instance that is made is still judged."""
    from pullcheck.formats.terraform.modules import MAX_MODULE_INSTANCES

    leaf = open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8").read()
    for d in range(9):
        folder = tmp_path / (f"m{d}" if d else "root")
        folder.mkdir()
        calls = "".join(f'module "c{k}" {{\n  source = "../m{d + 1}"\n}}\n' for k in range(4)) if d < 8 else ""
        (folder / "main.tf").write_text(calls + (leaf if d == 8 else ""), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "parseable", "--root",
                        str(tmp_path), str(tmp_path / "root")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    net002 = [line for line in r.stdout.splitlines() if " NET002 " in line]
    assert 0 < len(net002) <= MAX_MODULE_INSTANCES
