from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import network as net
from pullcheck.facts import security as sec
from pullcheck.rules.network._common import sites


@rule("NET009", "endpoint-security-group-blocks-tasks", "error", kinds=SITE_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Interface endpoint whose security groups do not let the task in on port 443.

    ## What it does
    Flags an interface endpoint that a Fargate task with no internet path (none through an internet gateway
    without a public IP) relies on (`ecr.dkr`, `ecr.api`, `logs`, `secretsmanager`, `ssm`) when none of the
    endpoint's security groups admits TCP 443 from the task: from one of the task's groups, or from a range
    that holds the task's subnet. An endpoint without groups gets the VPC's default group, which only admits
    members of that same group; when that default group is not managed in the scanned files the finding is
    a warning.

    ## Why is this bad?
    The endpoint's network interfaces drop the task's HTTPS connections: the auth token, the manifest or
    the log stream never arrive, and the task fails with `CannotPullContainerError` or
    `ResourceInitializationError` after a timeout.

    ## How to fix
    Give the endpoint a security group with an ingress rule for TCP 443 from the task's security group
    (or from the VPC's CIDR range).

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
    """
    for launch, td, i, subnet in sites(graph):
        relied = net.relied_endpoints(graph, launch, subnet, td)
        if not relied:
            continue
        groups, peer = sec.task_peer(graph, launch, subnet)
        if peer is None:
            continue
        for service, ep in relied:
            ep_groups = sec.endpoint_groups(graph, ep)
            if ep_groups is None:
                continue
            if sec.groups_allow(ep_groups, "ingress", peer) is not False:
                continue
            unmanaged = all(g.resource is None for g in ep_groups)
            names = ", ".join(g.name for g in ep_groups)
            yield Hit(ep, ("security_groups",),
                      f"interface endpoint {ep.name} ({service}) admits no TCP 443 from {launch.name} (groups: "
                      f"{', '.join(g.name for g in groups)}; subnet {subnet.label(launch)}) through {names}; add an ingress "
                      f"rule for TCP 443 from the task's security group or the VPC range",
                      severity="warning" if unmanaged else None)

