"""The image reference grammar that Docker and containerd parse, and ECS's own limits on top of it.

Follows distribution/reference: ``name[:tag][@digest]``, a registry host only when the first component
has a dot or a colon or is ``localhost``, lower-case path components, tags of at most 128 characters; ECS
accepts only ``sha256`` digests of 64 hex digits and at most 255 characters before the digest.
"""
from __future__ import annotations

import re
from typing import Optional

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"^{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[_.]|__|[-]+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")
_SHA256 = re.compile(r"^sha256:[0-9a-fA-F]{64}$")
NAME_MAX = 255


def problem(ref: str) -> Optional[str]:
    """What is wrong with a fully known image reference, or None when it is valid."""
    if not ref:
        return "the image is empty"
    if ref != ref.strip() or any(c.isspace() for c in ref):
        return "the image contains white space"
    name, at, digest = ref.partition("@")
    if at:
        if not _DIGEST.match(digest) and not digest.startswith("sha256:"):
            return f"digest {digest!r} is not ALGORITHM:HEX"
        if not _SHA256.match(digest):
            return f"digest {digest!r} is not sha256: followed by 64 hexadecimal digits, the only form ECS accepts"
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    if tag is not None:
        if len(tag) > 128:
            return f"tag is {len(tag)} characters long; the limit is 128"
        if not _TAG.match(tag):
            return f"tag {tag!r} has characters a tag cannot have (letters, digits, _ . - only, not first . or -)"
    if len(name) > NAME_MAX:
        return f"the name is {len(name)} characters long; the limit is {NAME_MAX}"
    if not at and len(ref) > NAME_MAX:
        return f"the tagged image is {len(ref)} characters long; ECS allows {NAME_MAX}"
    parts = name.split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        if not _DOMAIN.match(first):
            return f"registry host {first!r} is not a valid host[:port]"
        parts = parts[1:]
    for p in parts:
        if not p:
            return "the repository path has an empty component"
        if not _PATH_COMPONENT.match(p):
            if p.lower() != p and _PATH_COMPONENT.match(p.lower()):
                return f"repository path component {p!r} has upper-case letters; repository names are lower case"
            return f"repository path component {p!r} has characters a repository name cannot have"
    return None


# Region name prefixes of the partitions other than "aws", longest first
_PARTITIONS = (("us-isob-", "aws-iso-b"), ("us-isof-", "aws-iso-f"), ("eu-isoe-", "aws-iso-e"), ("us-iso-", "aws-iso"),
               ("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"))


def partition(region: str) -> str:
    """The partition a Region belongs to (``aws`` for every commercial Region)."""
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")


def url_suffix(region: str) -> str:
    """The domain a Region's endpoints end in (``AWS::URLSuffix``)."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
