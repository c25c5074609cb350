from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import network as net
from pullcheck.facts import security as sec
from pullcheck.rules.network._common import sites


def _ipv6_egress(groups):
    """Whether any group allows TCP 443 to ::/0; None if a group cannot be evaluated."""
    out = []
    for g in groups:
        rules = g.rules.get("egress") if g.rules else None
        if rules is None:
            out.append(None)
            continue
        for r in rules:
            if sec.ports_cover(r, sec.HTTPS, sec.HTTPS) is not False and any(
                    (sec.cidr(c) is not None and sec.cidr(c).prefixlen == 0) for c in sec.items(r.get("cidr6"))):
                return True
    return None if None in out else False


@rule("NET016", "ipv6-only-subnet-pull", "warning", kinds=SITE_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task in an IPv6-only subnet without an IPv6 way to its registry.

    ## What it does
    Flags a Fargate task in an IPv6-only subnet (`Ipv6Native` / `ipv6_native`) when the subnet has no
    `::/0` route to an internet gateway or egress-only internet gateway, when its security groups allow no
    IPv6 HTTPS egress, or when a private ECR image does not use the dual-stack host
    (`ACCOUNT.dkr-ecr.REGION.on.aws`).

    ## Why is this bad?
    An IPv6-only task has no IPv4 address: it can reach only registries it can address over IPv6. The
    IPv4-only ECR host names do not resolve to IPv6 addresses without DNS64 and NAT64, which the scanned
    files do not show. The feature is recent and AWS's documents disagree in places, hence a warning.

    ## How to fix
    Route `::/0` to an egress-only internet gateway (or the internet gateway), allow TCP 443 egress to `::/0`,
    and use the dual-stack image URI `ACCOUNT.dkr-ecr.REGION.on.aws/REPO:TAG`.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html
    """
    for launch, td, i, subnet in sites(graph, ipv4=False):
        if net.ipv6_only(subnet) is not True:
            continue
        problems = []
        if net.egress6(graph, subnet) == "none":
            problems.append("its route table has no ::/0 route to an internet or egress-only internet gateway")
        groups = sec.task_groups(graph, launch, subnet.get("vpc"))
        if groups is not None and _ipv6_egress(groups) is False:
            problems.append("its security groups allow no TCP 443 egress to ::/0")
        for c, im in net.container_images(td):
            if im.kind == "ecr" and im.text and "dkr-ecr." not in im.text.split("/", 1)[0]:
                problems.append(f"image {im.shown} uses an IPv4-only ECR host (use ACCOUNT.dkr-ecr.REGION.on.aws)")
                break
        if problems:
            yield Hit(launch, ("subnets", i),
                      f"{launch.name} runs on Fargate in IPv6-only subnet {subnet.label(launch)}, but {'; '.join(problems)}")
