"""Values in the resource graph: plain Python data, references and explicit unknowns."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple, Union


# The longest text an expression may build (a function's result, Fn::Sub, Fn::Join) and the longest list it
# may split from text: past them the value is unknown, so that a file of megabytes cannot make gigabytes
MAX_STRING = 1 << 20
MAX_ITEMS = 100_000


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known statically; ``origin`` says why (parameter, variable, import...)."""

    origin: str

    def __str__(self) -> str:
        return f"<unknown: {self.origin}>"


@dataclass(frozen=True)
class Missing(Unknown):
    """A value that does not exist (an attribute an object lacks, an undeclared local): an error in
    Terraform, which ``try()`` passes over; everywhere else as unknown as any Unknown."""


@dataclass(frozen=True)
class Undeclared(Missing):
    """A reference to a local, variable or resource the module does not declare: Terraform reports it while
    validating, before anything is evaluated, so ``try()`` and ``can()`` do not pass over it."""


@dataclass(frozen=True)
class Ref:
    """A reference to an attribute of a resource.

    ``target`` is the graph key of the resource, ``rtype`` its native type (``AWS::ECR::Repository``,
    ``aws_ecr_repository``, ``data.aws_ecr_repository``) and ``attr`` the attribute (None for CloudFormation Ref).
    A reference whose target is not in the graph is as unknown as an Unknown. ``ty`` is the type a format
    knows the value to have (a Terraform variable's type constraint, which the reference was given to): it
    tells which attributes and indexes are errors; it takes no part in equality.
    """

    target: str
    rtype: str
    attr: Optional[str] = None
    ty: Any = field(default=None, compare=False, hash=False, repr=False)

    def __str__(self) -> str:
        return f"{self.target}.{self.attr}" if self.attr else self.target


@dataclass(frozen=True)
class Template:
    """A string built from parts, some of which are not plain text (``!Sub``, ``"${...}"``)."""

    parts: Tuple[Any, ...]

    def known_prefix(self) -> str:
        out = []
        for p in self.parts:
            if not isinstance(p, str):
                break
            out.append(p)
        return "".join(out)

    def text(self, hole: str = "\x00") -> str:
        """The string with every non-text part replaced by ``hole``."""
        return "".join(p if isinstance(p, str) else hole for p in self.parts)


def make_template(parts: list) -> Any:
    """Join adjacent text parts; a template of plain text is a plain string."""
    merged: list = []
    text: list = []  # the run of text parts not yet joined: joined once, not copied at every part
    for p in parts:
        if isinstance(p, (int, float)) and not isinstance(p, bool):
            p = str(p)
        if isinstance(p, str):
            if p:
                text.append(p)
            continue
        if text:
            merged.append(text[0] if len(text) == 1 else "".join(text))
            text = []
        merged.append(p)
    if text:
        merged.append(text[0] if len(text) == 1 else "".join(text))
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    return Template(tuple(merged))


def text_size(parts: Any) -> int:
    """The length of the text among a template's parts: what joining them builds."""
    return sum(len(p) for p in parts if isinstance(p, str))


Value = Union[str, int, float, bool, None, list, dict, Unknown, Ref, Template]


def is_known(v: Any) -> bool:
    return not isinstance(v, (Unknown, Ref, Template))


def as_list(v: Any) -> Any:
    """A list value as a list, a single value as a one-item list, an unknown as itself."""
    if v is None:
        return []
    if isinstance(v, list):
        return v
    if isinstance(v, Unknown):
        return v
    return [v]


def text_of(v: Any) -> Optional[str]:
    """The known text of a string value, else None."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return str(v)
    return None


def shown(v: Any) -> str:
    """A value as a person reads it: text as is, references and unknown parts as ``${...}``."""
    if isinstance(v, Template):
        return "".join(p if isinstance(p, str) else shown_part(p) for p in v.parts)
    if isinstance(v, (Ref, Unknown)):
        return shown_part(v)
    return str(v)


def shown_part(v: Any) -> str:
    if isinstance(v, Ref):
        return "${" + str(v).split(":", 1)[-1] + "}"
    if isinstance(v, Unknown):
        return "${" + v.origin + "}"
    return "${...}"


def truthy(v: Any) -> Optional[bool]:
    """Three-valued truth of a boolean-ish value: True, False or None (unknown)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        low = v.lower()
        if low in ("true", "enabled"):
            return True
        if low in ("false", "disabled"):
            return False
    return None


_PLACEHOLDER = re.compile(r"<[A-Za-z0-9_ .-]+>|\{\{.*?\}\}|\$\{[^}]*\}|#\{[^}]*\}|%\{[^}]*\}|\$[A-Z_][A-Z0-9_]*")


def placeholder(text: str) -> bool:
    """Whether a literal holds a slot that a build step fills in (``<IMAGE>``, ``${TAG}``, ``{{ image }}``).

    Such task-definition files are templates: the value is not known until the pipeline renders them.
    """
    return bool(_PLACEHOLDER.search(text))
