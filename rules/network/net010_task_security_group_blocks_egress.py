from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule, text_of
from pullcheck.facts import network as net
from pullcheck.facts import security as sec
from pullcheck.rules.network._common import sites


def _endpoint_peers(graph, subnet, relied):
    """The endpoints' network interfaces and S3 (through the gateway endpoint) as egress destinations: made
    once per VPC and set of endpoints, which every task there shares (the endpoints may sit in every subnet)."""
    vpc = net.vpc_of(graph, subnet)
    key = (vpc.key if vpc else None, tuple(ep.key for _, ep in relied))
    cache = graph.facts.table(_endpoint_peers)
    if key not in cache:
        cache[key] = _make_endpoint_peers(graph, vpc, relied)
    return cache[key]


def _s3_endpoints(graph):
    return frozenset(ep.key for ep in graph.of_kind("ec2.vpc_endpoint")
                     if (text_of(ep.get("service_name")) or "").endswith(".s3"))


def _make_endpoint_peers(graph, vpc, relied):
    groups, cidrs = [], []
    for _, ep in relied:
        groups += sec.peer_keys(sec.endpoint_groups(graph, ep) or [])
        subnets = ep.get("subnets")
        for s in subnets if isinstance(subnets, list) else []:
            res = graph.deref(s, "ec2.subnet")
            n = sec.cidr(res.get("cidr_block")) if res is not None else None
            if n is not None:
                cidrs.append(n)
    eni = sec.Peer(cidrs=cidrs, vpc_cidr=sec.cidr(vpc.get("cidr_block")) if vpc else None, groups=groups)
    return eni, sec.Peer(s3=True, s3_prefix_lists=graph.facts.index(_s3_endpoints))


def _blocked(graph, launch, td, subnet, groups):
    """The destinations of the pull the groups allow no TCP 443 to: the internet when the task goes out
    through a gateway; the endpoints and S3 when it goes through them (an internet gateway carries nothing
    for a task without a public IP); and when nothing serves the pull yet (no route, or no public IP, and no
    endpoint for it), the internet, which every way to add needs, and S3 for private ECR images, which
    endpoints could serve instead."""
    kind = net.task_internet(graph, launch, subnet)
    internet = sec.Peer(internet=True)
    if kind in ("igw", "nat", "assumed"):
        return ["0.0.0.0/0"] if sec.groups_allow(groups, "egress", internet) is False else []
    if kind != "none":
        return []
    relied = net.relied_endpoints(graph, launch, subnet, td)
    if relied:
        eni, s3 = _endpoint_peers(graph, subnet, relied)
        return [what for what, peer in (("the endpoints' security group or subnets", eni),
                                        ("S3 (its prefix list or 0.0.0.0/0)", s3))
                if sec.groups_allow(groups, "egress", peer) is False]
    if relied is None or net.needs_internet(graph, launch, subnet, td) is not True:
        return []
    if sec.groups_allow(groups, "egress", internet) is not False:
        return []
    if all(im.kind == "ecr" for im in net.images(td) or []) and sec.groups_allow(
            groups, "egress", _endpoint_peers(graph, subnet, [])[1]) is not False:
        return []
    return ["0.0.0.0/0"]


@rule("NET010", "task-security-group-blocks-egress", "error", kinds=SITE_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """The task's security groups allow no HTTPS out to where the image comes from.

    ## What it does
    Flags a Fargate launch site whose security groups (the VPC's default group when none is given) have no
    egress rule for TCP 443 (or all traffic) to the destination of its pull: `0.0.0.0/0` when it goes
    through an internet or NAT gateway; the endpoints' groups or subnets and S3 (its prefix list or
    `0.0.0.0/0`) when it goes through VPC endpoints (an internet gateway carries nothing for a task without
    a public IP). A task that has no way out yet (no public IP in a public subnet, no route, no endpoint for
    its image: NET001, NET002) is judged on the way any fix gives it, `0.0.0.0/0` (and S3 as well for private
    ECR images, which endpoints could serve instead), so that both causes are reported in one run. A
    CloudFormation group without egress rules keeps EC2's allow-all rule; a Terraform `aws_security_group`
    without `egress` blocks has none.

    ## Why is this bad?
    Every connection the pull needs is dropped at the task's own network interface; the task waits and
    fails with `CannotPullContainerError` or `ResourceInitializationError`.

    ## How to fix
    Add an egress rule for TCP 443 to `0.0.0.0/0` (in Terraform an `egress` block or an
    `aws_vpc_security_group_egress_rule`), or to the endpoints' group and the S3 prefix list.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
    - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group
    """
    seen = set()
    for launch, td, i, subnet in sites(graph):
        if launch.key in seen:
            continue
        groups = sec.task_groups(graph, launch, subnet.get("vpc"))
        if groups is None:
            continue
        blocked = _blocked(graph, launch, td, subnet, groups)
        if not blocked:
            continue
        seen.add(launch.key)
        names = ", ".join(g.name for g in groups)
        if len(groups) == 1 and groups[0].resource is not None:
            res = groups[0].resource
            path = ("egress",) if res.get("egress") else ()
        else:
            res, path = launch, ("security_groups",)
        yield Hit(res, path,
                  f"{launch.name} runs on Fargate with security group(s) {names}, which allow no TCP 443 egress "
                  f"to {' or '.join(blocked)}, so the image cannot be pulled; add an egress rule for TCP 443 to "
                  f"{' and to '.join(blocked)}")
