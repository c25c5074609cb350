from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule, text_of
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites


@rule("NET015", "pull-through-cache-first-pull", "warning", kinds=SITE_KINDS, once_per="place")
def check(graph: Graph) -> Iterator[Hit]:
    """Pull-through cache image in a subnet with no internet path.

    ## What it does
    Flags a private ECR image whose repository path starts with the prefix of a pull-through cache rule
    declared in the scanned files (`AWS::ECR::PullThroughCacheRule`, `aws_ecr_pull_through_cache_rule`),
    when the task has no internet or NAT path (an internet gateway carries nothing for a task without a
    public IP).

    ## Why is this bad?
    The first pull of an image through a pull-through cache makes ECR fetch it from the upstream registry;
    through interface endpoints that requires a NAT gateway route. Until the cache is warm, the task fails
    to pull. Later pulls work, so the failure shows only on new tags.

    ## How to fix
    Give the task subnet (or the VPC) a NAT gateway route for the first pull, or warm the cache from a
    network that has one before deploying.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
    """
    prefixes = [(text_of(r.get("prefix")), r) for r in graph.of_kind("ecr.pull_through_cache_rule")]
    prefixes = [(p.strip("/"), r) for p, r in prefixes if p]
    if not prefixes:
        return
    for launch, td, i, subnet in sites(graph):
        if td is None or net.task_internet(graph, launch, subnet) != "none":
            continue
        for c, im in net.container_images(td):
            if im.kind != "ecr":
                continue
            for prefix, ptc in prefixes:
                if im.path == prefix or im.path.startswith(prefix + "/"):
                    yield Hit(td, ("containers", c, "image"),
                              f"image {im.shown} comes through pull-through cache rule {ptc.name} (prefix "
                              f"{prefix}), but {launch.name} runs in subnet {subnet.label(launch)} with no internet path: "
                              f"the first pull of each image needs a NAT gateway; add one, or warm the cache first")
                    break
