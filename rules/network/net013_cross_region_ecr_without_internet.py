from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites
from pullcheck.rules.network._images import endpoint_only


@rule("NET013", "cross-region-ecr-without-internet", "error", kinds=SITE_KINDS, once_per="place")
def check(graph: Graph) -> Iterator[Hit]:
    """ECR image in another Region while the only way out is VPC endpoints.

    ## What it does
    Flags a container image in a private ECR registry of a Region other than the task's own, when the task
    subnet has no internet path and relies on the VPC's ECR endpoints. The task's Region is read from the
    Terraform provider or from the Region named by the VPC's endpoint service names; when neither is
    written down the rule stays silent.

    ## Why is this bad?
    VPC endpoints serve their own Region only. A pull from another Region's registry goes to public
    addresses the task cannot reach, and fails with `CannotPullContainerError` (i/o timeout).

    ## How to fix
    Replicate the repository to the task's Region (ECR replication) and use that URI, or give the subnet a
    NAT gateway route.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html
    """
    for launch, td, i, subnet in sites(graph):
        if td is None or not endpoint_only(graph, launch, subnet):
            continue
        here = net.region(graph, launch, subnet)
        if here is None:
            continue
        for c, im in net.container_images(td):
            if im.kind != "ecr" or im.region is None or im.region == here:
                continue
            yield Hit(td, ("containers", c, "image"),
                      f"image {im.shown} is in ECR in {im.region}, but {launch.name} runs in {here} and reaches ECR "
                      f"only through VPC endpoints, which do not serve other Regions; replicate the repository to "
                      f"{here} and use that URI, or add a NAT gateway route")
