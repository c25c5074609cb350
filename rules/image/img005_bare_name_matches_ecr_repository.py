import os
import re
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, fixes, rule, text_of
from pullcheck.facts.images import classify
from pullcheck.rules.image._common import containers


@rule("IMG005", "bare-name-matches-ecr-repository", "error", kinds=TASK_DEFINITION_KINDS, fix="safe")
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
                      f"repository URI", fix=_fix(td, ("containers", i, "image"), repos[im.path], im.path))


def _fix(td, path, repo, name):
    """The bare name written as the repository's URI, the tag kept: a reference to the repository beside
    it (same template, or same Terraform folder at the root). None for task-definition JSON, which cannot
    refer to it."""
    kind = fixes.fmt(td)
    if kind == "json" or os.path.dirname(repo.file) != os.path.dirname(td.file):
        return None
    rx = rf"""(?P<v>(?P<q>["']?){re.escape(name)}(?P<t>[:@][\w.:-]+)?(?P=q))(?![\w./-])"""
    if kind == "terraform":
        if "module." in repo.name or "module." in td.name:
            return None  # a reference across modules is not written this way
        ref = f"{repo.name}.repository_url"
        # an interpolation in quotes: right in HCL and inside JSON written in a heredoc alike
        return fixes.replace_in_value(td, path, rx, lambda m: f'"${{{ref}}}{m.group("t") or ""}"', f"use {ref}")
    if repo.file != td.file:
        return None
    logical = repo.key.rsplit("#", 1)[-1]
    if kind == "cfn-yaml":
        return fixes.replace_in_value(td, path, rx, lambda m: f'!Sub "${{{logical}.RepositoryUri}}{m.group("t")}"'
                                      if m.group("t") else f"!GetAtt {logical}.RepositoryUri",
                                      f"use {logical}.RepositoryUri")
    return fixes.replace_in_value(td, path, rx, lambda m: f'{{"Fn::Sub": "${{{logical}.RepositoryUri}}{m.group("t")}"}}'
                                  if m.group("t") else f'{{"Fn::GetAtt": ["{logical}", "RepositoryUri"]}}',
                                  f"use {logical}.RepositoryUri")
