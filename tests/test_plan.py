"""`terraform show -json` plans: planned values are facts, findings point back to the .tf source."""
import copy
import json
import os
import shutil

from conftest import FIXTURES, lint_paths

PLAN_DIR = os.path.join(FIXTURES, "plans", "new-service")
PLAN = json.load(open(os.path.join(PLAN_DIR, "plan.json"), encoding="utf-8"))


def _found(paths, rules):
    return [(os.path.basename(f.file), f.line, f.rule_id) for f in lint_paths(paths, rules, "NET")]


def test_plan_alone(rules):
    assert _found([os.path.join(PLAN_DIR, "plan.json")], rules) == [("plan.json", 99, "NET002")]


def test_plan_with_its_source_points_at_the_tf_line_once(rules):
    assert _found([PLAN_DIR], rules) == [("main.tf", 35, "NET002")]


def _write(tmp_path, plan, with_source=True):
    if with_source:
        shutil.copy(os.path.join(PLAN_DIR, "main.tf"), tmp_path / "main.tf")
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=2))
    return str(tmp_path)


def test_planned_route_is_a_fact(tmp_path, rules):
    """The route comes from a variable the .tf files do not show; the plan shows its value."""
    plan = copy.deepcopy(PLAN)
    for r in plan["planned_values"]["root_module"]["resources"]:
        if r["address"] == "aws_route_table.private":
            r["values"]["route"] = [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-0123456789abcdef0",
                                     "gateway_id": "", "ipv6_cidr_block": ""}]
    assert _found([_write(tmp_path, plan)], rules) == []


def test_existing_resources_are_linked_by_their_ids(tmp_path, rules):
    """An update plan: every ID is known, and references are plain strings."""
    plan = copy.deepcopy(PLAN)
    ids = {"aws_vpc.main": "vpc-0a", "aws_subnet.private[0]": "subnet-0b", "aws_route_table.private": "rtb-0c",
           "aws_route_table_association.private[0]": "rtbassoc-0d"}
    for r in plan["planned_values"]["root_module"]["resources"]:
        v = r["values"]
        if r["address"] in ids:
            v["id"] = ids[r["address"]]
        if r["type"] in ("aws_subnet", "aws_route_table"):
            v["vpc_id"] = "vpc-0a"
        if r["type"] == "aws_route_table_association":
            v.update(subnet_id="subnet-0b", route_table_id="rtb-0c")
        if r["type"] == "aws_ecs_task_definition":
            v["arn"] = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:3"
        if r["type"] == "aws_ecs_service":
            v["task_definition"] = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:3"
            v["network_configuration"][0]["subnets"] = ["subnet-0b"]
    plan["resource_changes"] = []
    plan["configuration"] = {"root_module": {}}
    assert _found([_write(tmp_path, plan, with_source=False)], rules) == [("plan.json", 112, "NET002")]
