"""What an image reference points at: ECR private, ECR Public, Docker Hub, another registry, an ARN."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from pullcheck.graph.values import Ref, Template, placeholder

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

    @property
    def shown(self) -> str:
        """The reference for messages, with the parts only the deployment knows written as ``${...}``."""
        return self.text.replace(HOLE, "${...}") if self.text else "(computed)"


def classify(v: Any) -> Image:
    if isinstance(v, Ref):
        if v.rtype in _REPO_TYPES and v.attr in _URI_ATTRS:
            return Image("ecr")
        if v.rtype == "data.aws_ecr_image" and v.attr == "image_uri":
            return Image("ecr")
        return Image("unresolved")
    if isinstance(v, Template):
        first = v.parts[0]
        if isinstance(first, Ref) and first.rtype in _REPO_TYPES and first.attr in _URI_ATTRS:
            return Image("ecr", v.text())
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
