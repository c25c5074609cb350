from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule, spell
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites, table_name


@rule("NET002", "subnet-without-egress", "error", kinds=SITE_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task in a subnet with no way out and no ECR endpoints.

    ## What it does
    Flags a Fargate service or task set with a subnet whose route table has no IPv4 default route to an
    internet gateway, a NAT gateway or another egress (transit gateway, instance, network interface,
    firewall endpoint, virtual private gateway), in a VPC with no ECR interface endpoints.

    ## Why is this bad?
    Fargate pulls the image through the task's own network interface. With no route out and no endpoints
    the pull times out: `CannotPullContainerError ... i/o timeout` or a task stuck in PENDING until
    `DockerTimeoutError`. (A default route to a VPC peering connection or a private NAT gateway is
    reported by NET012 and NET003.)

    ## How to fix
    Add a `0.0.0.0/0` route to a NAT gateway on the subnet's route table, or run the task in a public subnet
    with a public IP, or (private ECR images only) add the `ecr.dkr`, `ecr.api` and S3 gateway endpoints.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
    - https://repost.aws/knowledge-center/ecs-fargate-pull-container-error
    """
    for launch, td, i, subnet in sites(graph):
        # a peering route (NET012) and a private NAT gateway (NET003) have rules of their own
        if net.egress4(graph, subnet).kind != "none":
            continue
        if net.has_ecr_endpoints(graph, subnet) is not False:
            continue
        e = net.egress4(graph, subnet)
        table = table_name(e)
        images = net.images(td)
        # endpoints serve private ECR only: for another registry they are no way out
        endpoints = ", or the ECR VPC endpoints" if images is None or all(im.kind == "ecr" for im in images) \
            else ""
        yield Hit(launch, ("subnets", i),
                  f"{launch.name} runs on Fargate in subnet {subnet.label(launch)}, whose {table} has no 0.0.0.0/0 "
                  f"route, and the VPC "
                  f"has no ECR endpoints: the image cannot be pulled; add a NAT gateway route, or a public "
                  f"subnet with {spell(launch, 'assign_public_ip', 'ENABLED')}{endpoints}")
