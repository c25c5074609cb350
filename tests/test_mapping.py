"""The attribute mapping: every canonical attribute is produced by every format that can express it, and
messages spell attributes the way the user's format does."""
import glob
import os

import pytest
from conftest import FIXTURES, SHARED
from pullcheck.graph import mapping
from pullcheck.engine.stages import build_graph

SERVICE_INPUT = """{
  "cluster": "main", "serviceName": "web", "taskDefinition": "web:3", "launchType": "FARGATE",
  "desiredCount": 1, "platformVersion": "LATEST",
  "capacityProviderStrategy": [],
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"],
                                                   "securityGroups": ["sg-0123456789abcdef0"],
                                                   "assignPublicIp": "DISABLED"}}
}
"""


def _graphs(tmp):
    service = os.path.join(tmp, "create-service.json")
    with open(service, "w", encoding="utf-8") as f:
        f.write(SERVICE_INPUT)
    yield build_graph([service])[0]
    paths = [os.path.join(FIXTURES, d) for d in sorted(os.listdir(FIXTURES)) if d != "plans"]
    for p in paths:
        tf = sorted(glob.glob(os.path.join(p, "*.tf")))
        # each Terraform fixture is a module of its own; the rest of the folder is read as one run
        yield build_graph([x for x in glob.glob(os.path.join(p, "*")) if not x.endswith((".tf", ".expect"))])[0]
        for f in tf:
            yield build_graph([f])[0]
    corpus = os.path.join(SHARED, "corpus")
    if os.path.isdir(corpus):
        yield build_graph([corpus])[0]


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    out = {}
    for g in _graphs(str(tmp_path_factory.mktemp("inputs"))):
        for r in g.resources.values():
            fmt = mapping.format_of(r.rtype, r.file)
            if r.key.startswith("plan:"):
                fmt = "plan"
            out.setdefault((fmt, r.kind), set()).update(r.attrs)
    return out


def test_every_attribute_is_produced_by_every_format_that_has_it(produced):
    checked = 0
    for kind, attrs in mapping.ATTRIBUTES.items():
        for fmt in ("cfn", "tf", "api"):
            seen = produced.get((fmt, kind))
            if seen is None:
                continue  # no resource of this kind in this format among the inputs
            for a in attrs:
                if a.column(fmt):
                    checked += 1
                    assert a.name in seen, f"{kind}.{a.name} is not produced from {fmt} ({a.column(fmt)})"
    assert checked > 100


def test_every_format_is_seen_for_the_main_kinds(produced):
    for kind in ("ecs.service", "ecs.task_definition", "ec2.subnet", "ec2.vpc_endpoint", "iam.role"):
        assert ("cfn", kind) in produced and ("tf", kind) in produced, kind
    assert ("api", "ecs.task_definition") in produced and ("api", "ecs.service") in produced


class _Res:
    def __init__(self, kind, rtype, file):
        self.kind, self.rtype, self.file = kind, rtype, file


@pytest.mark.parametrize("rtype,file,want", [
    ("AWS::ECS::Service", "stack.yaml", "AssignPublicIp: ENABLED"),
    ("aws_ecs_service", "main.tf", "assign_public_ip = true"),
    ("CreateService", "service.json", '"assignPublicIp": "ENABLED"'),
])
def test_spelling_per_format(rtype, file, want):
    assert mapping.spell(_Res("ecs.service", rtype, file), "assign_public_ip", "ENABLED") == want


def test_spelling_of_names_and_booleans():
    td = _Res("ecs.task_definition", "aws_ecs_task_definition", "main.tf")
    assert mapping.spell(td, "execution_role") == "execution_role_arn"
    ep = _Res("ec2.vpc_endpoint", "AWS::EC2::VPCEndpoint", "stack.yaml")
    assert mapping.spell(ep, "private_dns", True) == "PrivateDnsEnabled: true"
    ep_tf = _Res("ec2.vpc_endpoint", "aws_vpc_endpoint", "main.tf")
    assert mapping.spell(ep_tf, "private_dns", True) == "private_dns_enabled = true"
    td_api = _Res("ecs.task_definition", "TaskDefinition", "td.json")
    assert mapping.spell(td_api, "network_mode", "awsvpc") == '"networkMode": "awsvpc"'
