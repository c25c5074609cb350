from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites
from pullcheck.rules.network._images import endpoint_only, host, public_host


@rule("NET014", "public-registry-without-internet", "error", kinds=SITE_KINDS, once_per="place")
def check(graph: Graph) -> Iterator[Hit]:
    """Image from Docker Hub, ECR Public or another registry, with only VPC endpoints as a way out.

    ## What it does
    Flags a container image that is not in private ECR (Docker Hub, `public.ecr.aws`, `ghcr.io`,
    `quay.io`, ...) in a Fargate task whose subnet has no internet path and relies on ECR VPC endpoints.
    For a registry host that is not a known public service (a mirror that may resolve inside the network)
    the finding is a warning.

    ## Why is this bad?
    VPC endpoints exist for AWS services only; there is no endpoint for Docker Hub or other registries,
    and ECR Public pulls are not served by the ECR endpoints. The pull times out.

    ## How to fix
    Copy the image into a private ECR repository (or a pull-through cache rule with a NAT gateway for the
    first pull) and use its URI, or give the subnet a NAT gateway route.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    """
    for launch, td, i, subnet in sites(graph):
        if td is None or not endpoint_only(graph, launch, subnet):
            continue
        for c, im in net.container_images(td):
            if im.kind not in ("dockerhub", "ecr-public", "other"):
                continue
            where = "Docker Hub" if im.kind == "dockerhub" else host(im)
            yield Hit(td, ("containers", c, "image"),
                      f"image {im.shown} comes from {where}, but {launch.name} runs in subnet {subnet.label(launch)}, which "
                      f"has no internet path, only VPC endpoints that do not serve it; push it to private ECR and "
                      f"use that URI, or add a NAT gateway route",
                      severity=None if public_host(im) else "warning")
