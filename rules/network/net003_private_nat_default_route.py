from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import network as net
from pullcheck.rules.network._common import dead_default_routes, table_name


@rule("NET003", "private-nat-default-route", "error", kinds=SITE_KINDS, once_per="place")
def check(graph: Graph) -> Iterator[Hit]:
    """Default route to a private NAT gateway that leads nowhere.

    ## What it does
    Flags the default route of a Fargate task's subnet when it points at a NAT gateway with
    `ConnectivityType: private` whose own subnet routes to an internet gateway (which drops its traffic) or
    to nothing, and the pull needs the internet (a public image, or missing ECR endpoints).

    ## Why is this bad?
    A private NAT gateway has no public address. It can carry traffic to other VPCs or on-premises
    networks through a transit gateway, but not to the internet: the registry is unreachable and the
    task fails with `CannotPullContainerError` (i/o timeout). A private NAT whose subnet routes to a transit
    gateway (a central egress VPC) is not flagged.

    ## How to fix
    Point the default route at a public NAT gateway (`ConnectivityType: public`, in a public subnet with
    an Elastic IP), or route the private NAT's subnet to a transit gateway with internet egress.

    ## References
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
    """
    for launch, subnet, e in dead_default_routes(graph, "nat-private"):
        nat = graph.deref(net.route_target(e), "ec2.nat_gateway")
        yield Hit(e.route, e.route_path,
                  f"{launch.name} runs on Fargate in subnet {subnet.label(launch)}, whose {table_name(e)} sends 0.0.0.0/0 "
                  f"to private NAT gateway {nat.name if nat else ''}, which cannot reach the internet (its own "
                  f"subnet routes to an internet gateway or nowhere); route to a public NAT gateway instead")
