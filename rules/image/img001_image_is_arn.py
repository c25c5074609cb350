import re
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, fixes, rule
from pullcheck.facts.images import classify
from pullcheck.rules.image._common import containers


@rule("IMG001", "image-is-arn", "error", kinds=TASK_DEFINITION_KINDS, fix="safe")
def check(graph: Graph) -> Iterator[Hit]:
    """Container image given as an ARN.

    ## What it does
    Flags a container whose `image` starts with `arn:`, such as a repository ARN.

    ## Why is this bad?
    An ARN is not an image reference: the pull fails with `invalid reference format`, or registration is
    rejected with "Container.image repository contains invalid characters".

    ## How to fix
    Use the repository URI: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG` (`!GetAtt Repo.RepositoryUri`,
    `aws_ecr_repository.x.repository_url`).

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
    """
    for td, i, c in containers(graph):
        if classify(c.get("image")).kind == "arn":
            yield Hit(td, ("containers", i, "image"),
                      f"container {c.get('name')!s} of {td.name} uses an ARN as its image; use the repository "
                      f"URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG)",
                      fix=fixes.replace_in_value(td, ("containers", i, "image"), _ARN, _uri,
                                                 "use the repository URI the ARN names"))


# arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME[:TAG | @DIGEST], as written in the file
_ARN = r"(?P<v>arn:(?P<p>aws[\w-]*):ecr:(?P<r>[a-z0-9-]+):(?P<a>[0-9]{12}):repository/(?P<n>[a-z0-9._/-]+)" \
       r"(?P<t>[:@][\w.:-]+)?)"


def _uri(m: "re.Match[str]") -> str:
    """The registry URI of an ECR repository ARN, its tag or digest kept (amazonaws.com.cn in China)."""
    host = "amazonaws.com.cn" if m.group("p") == "aws-cn" else "amazonaws.com"
    return f"{m.group('a')}.dkr.ecr.{m.group('r')}.{host}/{m.group('n')}{m.group('t') or ''}"
