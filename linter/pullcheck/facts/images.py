"""What an image reference points at: ECR private, ECR Public, Docker Hub, another registry, an ARN.

A reference written from a repository's URL attribute (``!GetAtt Repo.RepositoryUri``,
``aws_ecr_repository.app.repository_url``) is an image of that repository, whatever follows it: a tag or a
digest given as text, a parameter, a variable. CloudFormation's ``!Sub`` and ``!Join`` and Terraform's
interpolation give such a value as a ``Template`` whose first part is the reference; Terraform's ``join()``
and ``format()`` are to give the same (``Template((Ref(...), ":", Unknown(...)))``) rather than an unknown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from pullcheck.graph.model import Graph
from pullcheck.graph.values import Ref, Template, placeholder, text_of

HOLE = "\x00"
_ECR_HOST = re.compile(r"^([0-9]{12}|\x00)\.dkr(?:\.ecr(?:-fips)?|-ecr(?:-fips)?)\.([a-z0-9-]+|\x00)\.")
_URI_ATTRS = {"RepositoryUri", "repository_url", "image_uri"}
_REPO_TYPES = {"AWS::ECR::Repository", "aws_ecr_repository", "data.aws_ecr_repository"}


@dataclass(frozen=True)
class Image:
    kind: str  # ecr | ecr-public | dockerhub | other | arn | unresolved
    text: str = ""
    account: Optional[str] = None
    region: Optional[str] = None
    path: str = ""
    repository: Optional[str] = None  # the graph key of the repository it is an image of, when written from its URL

    @property
    def shown(self) -> str:
        """The reference for messages, with the parts only the deployment knows written as ``${...}``."""
        return self.text.replace(HOLE, "${...}") if self.text else "(computed)"


def _repository_url(v: Any) -> bool:
    return isinstance(v, Ref) and v.rtype in _REPO_TYPES and v.attr in _URI_ATTRS


def _public_repository_url(v: Any) -> bool:
    """Terraform's ``aws_ecrpublic_repository.x.repository_uri``: ``public.ecr.aws/<alias>/<name>``, an
    ECR Public image whatever the registry's alias (which only the account knows)."""
    return isinstance(v, Ref) and v.rtype == "aws_ecrpublic_repository" and v.attr == "repository_uri"


def classify(v: Any) -> Image:
    if _public_repository_url(v) or (isinstance(v, Template) and _public_repository_url(v.parts[0])):
        rest = v.text(HOLE)[1:] if isinstance(v, Template) else ""
        return Image("ecr-public", f"public.ecr.aws/{HOLE}{rest}")
    if isinstance(v, Ref):
        if _repository_url(v):
            return Image("ecr", repository=v.target)
        if v.rtype == "data.aws_ecr_image" and v.attr == "image_uri":
            return Image("ecr")
        return Image("unresolved")
    if isinstance(v, Template):
        first = v.parts[0]
        if _repository_url(first):
            # the URL, then a tag or a digest (of that repository), or a path (another one of its registry)
            rest = v.parts[1] if len(v.parts) > 1 else ""
            same = isinstance(rest, str) and rest[:1] in ("", ":", "@")
            return Image("ecr", v.text(), repository=first.target if same else None)
        text = v.text(HOLE)
    elif isinstance(v, str):
        text = v.strip()
        if placeholder(text):
            return Image("unresolved", text)
    else:
        return Image("unresolved")
    if not text:
        return Image("unresolved")
    if text.startswith("arn:"):
        return Image("arn", text)
    name = text.split("@", 1)[0]
    first, slash, rest = name.partition("/")
    if not slash:
        if HOLE in first.split(":", 1)[0]:
            return Image("unresolved", text)
        return Image("dockerhub", text, path=first.split(":", 1)[0])
    m = _ECR_HOST.match(first + ".")
    if m or ".dkr.ecr." in first or "dkr-ecr." in first:
        acct = m.group(1) if m and m.group(1) != HOLE else None
        region = m.group(2) if m and m.group(2) != HOLE else None
        return Image("ecr", text, acct, region, rest.split(":", 1)[0])
    if HOLE in first:
        return Image("unresolved", text)
    if first == "public.ecr.aws":
        return Image("ecr-public", text, path=rest)
    if "." in first or ":" in first or first == "localhost":
        return Image("other", text, path=rest)
    return Image("dockerhub", text, path=name.split(":", 1)[0])


def repository_path(graph: Graph, image: Image) -> str:
    """The repository path of an ECR image: written in its reference, or the name of the repository of the
    graph it is written from; "" when neither says."""
    if image.path or image.repository is None:
        return image.path
    repo = graph.resources.get(image.repository)
    name = text_of(repo.get("repository_name")) if repo is not None else None
    return name if name and HOLE not in name else ""
