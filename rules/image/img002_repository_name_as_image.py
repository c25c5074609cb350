import re
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, Ref, Template, fixes, rule
from pullcheck.rules.image._common import containers

_REPO_TYPES = {"AWS::ECR::Repository", "aws_ecr_repository", "data.aws_ecr_repository"}
_NAME_ATTRS = {None: "its name (Ref)", "Arn": "its ARN", "name": "its name", "arn": "its ARN", "id": "its name",
               "RepositoryName": "its name", "registry_id": "its account ID"}


@rule("IMG002", "repository-name-as-image", "error", kinds=TASK_DEFINITION_KINDS, fix="safe")
def check(graph: Graph) -> Iterator[Hit]:
    """Image built from an ECR repository's name or ARN instead of its URI.

    ## What it does
    Flags a container image that starts with a reference to an ECR repository's name or ARN:
    `!Ref Repo`, `!GetAtt Repo.Arn`, `!Sub "${Repo}:latest"`, `aws_ecr_repository.x.name`, `.arn` or `.id`.

    ## Why is this bad?
    `Ref` of an `AWS::ECR::Repository` returns the repository *name*. A bare name is pulled from Docker Hub
    (`docker.io/library/NAME`), which fails with "pull access denied" or times out in a private subnet.

    ## How to fix
    Use `!GetAtt Repo.RepositoryUri` or `aws_ecr_repository.x.repository_url`, or build the URI with
    `!Sub ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${Repo}:TAG`.

    ## References
    - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecr-repository.html
    """
    for td, i, c in containers(graph):
        image = c.get("image")
        first = image.parts[0] if isinstance(image, Template) else image
        if isinstance(first, Ref) and first.rtype in _REPO_TYPES and first.attr in _NAME_ATTRS:
            what = _NAME_ATTRS[first.attr]
            res = graph.resources.get(first.target)
            repo = res.name if res is not None else first.target.rsplit("#", 1)[-1].split(":", 1)[-1]
            fix = "!GetAtt {}.RepositoryUri".format(repo) if first.rtype.startswith("AWS::") \
                else f"{repo}.repository_url"
            yield Hit(td, ("containers", i, "image"),
                      f"container {c.get('name')!s} of {td.name} uses ECR repository {repo} by {what}, "
                      f"which is not a pullable image; use {fix}",
                      fix=_fix(td, ("containers", i, "image"), repo, first.target.rsplit("#", 1)[-1], fix))


def _fix(td, path, repo, logical, uri):
    """The repository's URI in place of its name or ARN, the tag kept (safe: the repository is in the run,
    and its URI is the image name ECS pulls)."""
    kind = fixes.fmt(td)
    title = f"use {uri}"
    if kind == "terraform":
        r = re.escape(repo)
        return fixes.replace_in_value(td, path, rf"(?P<v>(?P<b>{r}(?:\[[^\]]*\])?)\.(?:name|arn|id))\b",
                                      r"\g<b>.repository_url", title)
    r, repo = re.escape(logical), logical
    patterns = [(rf"(?P<v>!Ref\s+{r})(?![\w.])", f"!GetAtt {repo}.RepositoryUri"),
                (rf"(?P<v>!GetAtt\s+{r}\.Arn)\b", f"!GetAtt {repo}.RepositoryUri"),
                (rf"(?P<v>\$\{{{r}(?:\.Arn)?\}})", f"${{{repo}.RepositoryUri}}"),
                (rf'(?P<v>\{{\s*"Ref"\s*:\s*"{r}"\s*\}})', f'{{"Fn::GetAtt": ["{repo}", "RepositoryUri"]}}'),
                (rf'"{r}"\s*,\s*(?P<v>"Arn")', '"RepositoryUri"')]
    for pattern, new in patterns:
        found = fixes.replace_in_value(td, path, pattern, new, title)
        if found is not None:
            return found
    return None
