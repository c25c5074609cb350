from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.rules.network._common import dead_default_routes, table_name


@rule("NET012", "peering-default-route", "warning", kinds=SITE_KINDS, once_per="place")
def check(graph: Graph) -> Iterator[Hit]:
    """The only default route goes to a VPC peering connection.

    ## What it does
    Flags the default route of a Fargate task's subnet when it points at a VPC peering connection and the
    pull needs the internet (a public image, or missing ECR endpoints).

    ## Why is this bad?
    Peering does not carry traffic on to the peer VPC's internet or NAT gateway (no edge-to-edge routing),
    so a central egress VPC reached over peering gives no internet: the pull times out.

    ## How to fix
    Route `0.0.0.0/0` to a NAT gateway in this VPC, or reach the egress VPC through a transit gateway, or
    (ECR images only) add the ECR VPC endpoints.

    ## References
    - https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html
    """
    for launch, subnet, e in dead_default_routes(graph, "pcx"):
        yield Hit(e.route, e.route_path,
                  f"{launch.name} runs on Fargate in subnet {subnet.label(launch)}, whose {table_name(e)} sends 0.0.0.0/0 "
                  f"to a VPC peering connection, which gives no internet access; route it to a NAT gateway or a "
                  f"transit gateway, or add the ECR VPC endpoints")
