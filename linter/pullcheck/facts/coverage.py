"""What the verdict account asks beyond a launch site's shape: the decisions the permission, security-group,
network-ACL and endpoint rules make once the shape is known. Each function yields (value as shown, file,
line, how to supply it) for a decision those rules would leave undecided, asking the same facts they ask:
the execution role's trust and policies, the task's egress, the subnet's network ACL, and, for a task that
pulls through endpoints, the endpoints' private DNS, their groups and the VPC's DNS attributes."""
from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple

from pullcheck.facts import acls
from pullcheck.facts import endpoints as eps
from pullcheck.facts import iam
from pullcheck.facts import security as sec
from pullcheck.facts.policy import HOLE
from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import truthy

Waiting = Tuple[str, str, int, str]

_POLICY = "the policy in the run (its template or module), or its document inline on the role"
_MANAGED = "nothing the run can be given: the AWS managed policy is not modelled (IAM009 names it); write the " \
           "actions the task needs in a policy of the role's own"
_VALUES = "the values the statements are built from (a parameter file, a stacks-file entry with the stack's " \
          "account and Region, or the sibling stack)"
_NAMED_BY = "the values the task definition names it from (a variable or parameter value, a stacks-file " \
            "entry with the stack's account and Region)"
_CONDITION = "nothing the run can be given: the statement's condition is decided at request time"
_GROUPS = "a network snapshot (--network), or the security groups' rules in the run"
_ACL = "a network snapshot (--network), or the network ACL and its entries in the run"
_ENDPOINT = "a network snapshot (--network), or the endpoint and its VPC in the run"
_REGION = "the Region it is deployed in (a stacks-file entry's region, or the Terraform provider's)"


def at(res: Resource, *path: Any) -> Tuple[str, int]:
    """The file and line where ``res`` writes the attribute ``path``."""
    sp = res.locate(path)
    return (getattr(sp, "file", None) or res.file), sp.line


def role_waits(graph: Graph, td: Resource, role: Resource, needs: Optional[List[iam.Need]]) -> Iterator[Waiting]:
    """The execution role's undecided trust and permissions (IAM004-IAM007 stop on them)."""
    file, line = at(role)
    if iam.trusts_ecs_tasks(graph, role) is None:
        yield f"whether {role.name} trusts ecs-tasks.amazonaws.com", *at(role, "trust"), _POLICY
    if needs is None:
        yield f"what {td.name} needs of its execution role", *at(td, "containers"), _POLICY
        return
    pset = iam.role_policies(graph, role)
    decisions = [(n, iam.check(pset, n)) for n in needs]
    undecided = [(n, d) for n, d in decisions if d.allowed is None]
    if not undecided:
        return
    actions = ", ".join(sorted({n.action for n, _ in undecided}))
    if not pset.complete:
        why = pset.why
        supply = _MANAGED if "AWS managed policy" in why else _POLICY
    elif all(d.conditional for _, d in undecided):
        why, supply = "an Allow with a condition", _CONDITION
    else:
        why = _undecided_why([n for n, _ in undecided])
        supply = _NAMED_BY if why.startswith("the ARN of") else _VALUES
    yield f"whether the policies of {role.name} allow {actions} ({why})", file, line, supply


def _undecided_why(needs: List[iam.Need]) -> str:
    """Which side leaves a permission undecided: what the task asks for (an ARN the files do not give in
    full), or else the statements that might grant it."""
    unknown = [n.what for n in needs if HOLE in n.resource]
    if unknown:
        return f"the ARN of {', '.join(sorted(set(unknown)))} cannot be known"
    return "a statement whose action or resource cannot be known"


def egress_waits(graph: Graph, launch: Resource, subnet: Resource, groups: List[sec.Group]) -> Iterator[Waiting]:
    """The task's groups' egress to the internet, for a task that goes out through a gateway (NET010)."""
    if eps.task_internet(graph, launch, subnet) not in ("igw", "nat"):
        return
    if sec.groups_allow(groups, "egress", sec.Peer(internet=True)) is None:
        names = ", ".join(g.name for g in groups)
        yield f"whether the egress rules of {names} allow TCP 443 out", *at(launch, "security_groups"), _GROUPS


def acl_waits(graph: Graph, subnet: Resource) -> Iterator[Waiting]:
    """The subnet's network ACL, both ways of the pull (NET011)."""
    acl, why = acls.subnet_acl(graph, subnet)
    if acl is None:
        if why:
            yield f"the network ACL of subnet {subnet.name} ({why})", subnet.file, subnet.span.line, _ACL
        return
    for egress, lo, hi in ((True, sec.HTTPS, sec.HTTPS), (False, sec.EPHEMERAL[0], sec.EPHEMERAL[1])):
        v = acls.acl_allows(graph, acl, egress, lo, hi)
        if v.allowed is None:
            what = "outbound TCP 443" if egress else "inbound replies"
            yield f"whether network ACL {acl.name} allows {what} ({v.why or 'an entry that cannot be known'})", \
                acl.file, acl.span.line, _ACL
            return


def endpoint_waits(graph: Graph, launch: Resource, subnet: Resource, td: Optional[Resource]) -> Iterator[Waiting]:
    """The endpoints a task with no internet path pulls through: private DNS (NET006), the groups that admit
    it (NET009) and the VPC's DNS attributes (NET007)."""
    relied = eps.relied_endpoints(graph, launch, subnet, td) or []
    if relied and eps.region(graph, launch, subnet) is None:  # NET013: endpoints serve their own Region only
        regions = sorted({im.region for im in eps.images(td) or () if im.kind == "ecr" and im.region})
        if regions:
            yield f"the Region {launch.name} runs in (its ECR images are in {', '.join(regions)})", *at(launch), \
                _REGION
    _, peer = sec.task_peer(graph, launch, subnet)
    for service, ep in relied:
        if ep.get("private_dns") is not None and truthy(ep.get("private_dns")) is None:
            yield f"whether endpoint {ep.name} ({service}) has private DNS", *at(ep, "private_dns"), _ENDPOINT
        groups = sec.endpoint_groups(graph, ep)
        if groups is None:
            yield f"the security groups of endpoint {ep.name}", *at(ep, "security_groups"), _ENDPOINT
        elif peer is not None and sec.groups_allow(groups, "ingress", peer) is None:
            yield f"whether the groups of endpoint {ep.name} admit TCP 443 from the task", \
                *at(ep, "security_groups"), _GROUPS
        if truthy(ep.get("private_dns")) is True:
            vpc = graph.deref(ep.get("vpc"), "ec2.vpc")
            if vpc is None:
                continue
            for attr in ("enable_dns_hostnames", "enable_dns_support"):
                v = vpc.get(attr)
                if v is not None and truthy(v) is None:
                    yield f"{attr} of VPC {vpc.name}", *at(vpc, attr), _ENDPOINT
