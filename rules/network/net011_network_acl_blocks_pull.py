from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import acls
from pullcheck.facts import security as sec
from pullcheck.rules.network._common import sites


@rule("NET011", "network-acl-blocks-pull", "error", kinds=SITE_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """A network ACL on the task's subnet blocks HTTPS out or the replies back.

    ## What it does
    Evaluates the network ACL of each Fargate task subnet in rule-number order (first match wins, then the
    final deny): outbound TCP 443 to the internet (ECR layers come from S3's public addresses even through
    a gateway endpoint) and inbound TCP 1024-65535 for the replies. Fires when every such packet is
    denied. Subnets without an ACL of their own use the VPC's default ACL, which allows everything unless
    Terraform manages it with `aws_default_network_acl` (adopting it removes its rules).

    ## Why is this bad?
    Network ACLs are stateless: the request must be allowed out and the reply allowed in. When either is
    denied the pull hangs until `CannotPullContainerError` (i/o timeout).

    ## How to fix
    Add an outbound allow entry for TCP 443 to `0.0.0.0/0` and an inbound allow entry for TCP 1024-65535
    from `0.0.0.0/0`, with rule numbers below any deny that would match first.

    ## References
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
    - https://repost.aws/knowledge-center/ecs-tasks-pending-state
    """
    seen = set()
    for launch, td, i, subnet in sites(graph):
        acl, why = acls.subnet_acl(graph, subnet)
        if acl is None:
            continue
        for egress, lo, hi, what in ((True, sec.HTTPS, sec.HTTPS, "outbound TCP 443"),
                                     (False, sec.EPHEMERAL[0], sec.EPHEMERAL[1], "inbound TCP 1024-65535 (replies)")):
            if (acl.key, egress) in seen:
                continue
            v = acls.acl_allows(graph, acl, egress, lo, hi)
            if v.allowed is not False:
                continue
            seen.add((acl.key, egress))
            rule_no = f"rule {v.number}" if v.number not in (None, "*") else "the final deny (*)"
            res, path = (v.entry, ()) if v.entry is not None else (acl, ())
            yield Hit(res, path,
                      f"network ACL {acl.name} on subnet {subnet.label(launch)} (used by {launch.name}) denies {what} from "
                      f"or to the internet ({rule_no} decides); add an allow entry for {what} with a lower "
                      f"rule number")
