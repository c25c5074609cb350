from typing import Iterator

from pullcheck.images import classify
from pullcheck.model import TASK_DEFINITION_KINDS, Graph, Hit
from pullcheck.registry import rule
from pullcheck.rules.image._common import containers
from pullcheck.values import text_of


@rule("IMG005", "bare-name-matches-ecr-repository", "error", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Bare image name equal to an ECR repository declared beside it.

    ## What it does
    Flags a container image with no registry host (`my-app:1.2`) whose name is the name of an ECR
    repository declared in the same files.

    ## Why is this bad?
    Without a registry host the image is pulled from Docker Hub (`docker.io/library/my-app`), not from
    your ECR repository: "pull access denied" or a time-out in a private subnet.

    ## How to fix
    Prefix the image with the registry: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/my-app:1.2`, or use the
    repository's URI attribute.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    repos = {}
    for r in graph.of_kind("ecr.repository"):
        name = text_of(r.get("repository_name"))
        if name:
            repos[name] = r
    if not repos:
        return
    for td, i, c in containers(graph):
        im = classify(c.get("image"))
        if im.kind == "dockerhub" and im.path in repos:
            yield Hit(td, ("containers", i, "image"),
                      f"container {c.get('name')!s} of {td.name} uses the bare image name {im.path!r}, which is "
                      f"pulled from Docker Hub, not from ECR repository {repos[im.path].name}; use the full "
                      f"repository URI")
