from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites


@rule("NET005", "incomplete-ecr-endpoints", "error", kinds=SITE_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task that relies on VPC endpoints, but the set is incomplete.

    ## What it does
    Flags a Fargate service or task set whose subnet has no internet path, in a VPC that has some ECR
    endpoints but not all that a pull needs: interface endpoints `ecr.dkr` and `ecr.api` (platform 1.4.0
    and later), an S3 gateway endpoint on the subnet's route table (image layers live in S3), `logs` when
    a container uses the awslogs driver, and `secretsmanager` / `ssm` when the task reads secrets.

    ## Why is this bad?
    Each missing endpoint is a call that cannot leave the VPC: the auth token, the manifest, the layers,
    the log stream or the secret. The task fails with `CannotPullContainerError` or
    `ResourceInitializationError`.

    ## How to fix
    Add the missing endpoints named in the message (interface endpoints with private DNS enabled; the S3
    endpoint as a gateway endpoint with the task subnets' route tables), or give the subnet a NAT route.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-version-migration.html
    """
    for launch, td, i, subnet in sites(graph):
        if net.internet_kind(graph, subnet) != "none":
            continue
        if net.has_ecr_endpoints(graph, subnet) is not True:
            continue
        missing = net.missing_endpoints(graph, launch, subnet, td)
        if not missing:
            continue
        yield Hit(launch, ("subnets", i),
                  f"{launch.name} runs on Fargate in subnet {subnet.label(launch)}, which has no internet path, and "
                  f"the VPC lacks the endpoints: {', '.join(missing)}; add them, or a NAT gateway route")
