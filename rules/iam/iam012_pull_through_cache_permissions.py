from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule, text_of
from pullcheck.facts import iam
from pullcheck.facts import network as net
from pullcheck.rules.iam._common import execution_sites


@rule("IAM012", "pull-through-cache-permissions", "warning", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Pull-through cache image and an execution role without `ecr:BatchImportUpstreamImage`.

    ## What it does
    Flags a private ECR image under the prefix of a pull-through cache rule declared in the scanned files
    when the execution role's visible policies do not allow `ecr:BatchImportUpstreamImage`. A registry
    policy in the scanned files (which may grant it) makes the verdict unknown.

    ## Why is this bad?
    The first pull of an image that is not cached yet makes ECR import it from upstream on the caller's
    behalf; without that permission (and `ecr:CreateRepository` when the repository does not exist yet)
    the pull fails. Images already cached still pull, so the failure shows on new tags.

    ## How to fix
    Allow `ecr:BatchImportUpstreamImage` (and `ecr:CreateRepository`) to the execution role, or attach
    `AmazonEC2ContainerRegistryPullOnly`.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html
    """
    prefixes = [p.strip("/") for p in (text_of(r.get("prefix")) for r in graph.of_kind("ecr.pull_through_cache_rule"))
                if p]
    if not prefixes or any(True for _ in graph.of_kind("ecr.registry_policy")):
        return
    seen = set()
    for td, role, _ in execution_sites(graph):
        pset = iam.role_policies(graph, role)
        if not pset.complete:
            continue
        for i, im in net.container_images(td):
            if im.kind != "ecr" or not any(im.path == p or im.path.startswith(p + "/") for p in prefixes):
                continue
            need = iam.Need("ptc", "ecr:BatchImportUpstreamImage", f"arn:\x00:ecr:\x00:\x00:repository/{im.path}", "")
            if iam.check(pset, need).allowed is False and (role.key, td.key) not in seen:
                seen.add((role.key, td.key))
                yield Hit(role, (), f"image {im.shown} of {td.name} comes through a pull-through cache, but execution "
                                    f"role {role.name} does not allow ecr:BatchImportUpstreamImage, so the first pull "
                                    f"of each image fails; allow it (and ecr:CreateRepository)")
