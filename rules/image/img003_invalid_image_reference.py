import re
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, fixes, reference, rule, text_of
from pullcheck.facts.images import classify
from pullcheck.rules.image._common import containers


@rule("IMG003", "invalid-image-reference", "error", kinds=TASK_DEFINITION_KINDS, fix="safe")
def check(graph: Graph) -> Iterator[Hit]:
    """Image reference that breaks the image grammar.

    ## What it does
    Checks every fully known image against the reference grammar Docker and containerd parse
    (`[host[:port]/]path[:tag][@digest]`): lower-case path components, a tag of at most 128 characters, a
    `sha256:` digest of 64 hexadecimal digits (the only digest ECS accepts), at most 255 characters. Images
    with parts only the deployment knows (parameters, `${...}`) are skipped; ARNs are IMG001's.

    ## Why is this bad?
    The agent cannot even parse the reference: `CannotPullContainerError: invalid reference format`, or
    registration fails with "Container.image repository contains invalid characters".

    ## How to fix
    Write the repository path in lower case, shorten the tag, or give the digest as `sha256:` and 64 hex
    digits.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    - https://github.com/distribution/reference/blob/main/reference.go
    """
    for td, i, c in containers(graph):
        image = c.get("image")
        text = text_of(image)
        if text is None or classify(image).kind in ("arn", "unresolved"):
            continue
        why = reference.problem(text)
        if why:
            yield Hit(td, ("containers", i, "image"),
                      f"container {c.get('name')!s} of {td.name} has image {text!r}, which cannot be pulled: {why}",
                      fix=_lower_case(td, ("containers", i, "image"), text))


def _lower_case(td, path, text):
    """The repository written in lower case, when that is all that is wrong (repository names are lower
    case in every registry, so the lower-case name is the only one that can exist); the tag kept as is."""
    name, sep, rest = text.partition("@")
    base, colon, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    fixed = base.lower() + colon + tag + sep + rest
    if fixed == text or reference.problem(fixed):
        return None
    return fixes.replace_in_value(td, path, "(?P<v>" + re.escape(text) + ")", fixed, f"write {fixed}")
