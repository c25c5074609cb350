"""Suppressions as the readers find them: ``# pullcheck: ignore[ID, ...] reason`` comments in a file's text and
``Metadata: {pullcheck: {ignore: ...}}`` on a CloudFormation resource, recorded in the graph while it is built.
Which findings they cover is decided after the rules ran (``pullcheck.engine.suppress``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Tuple

from pullcheck.graph.model import Graph

_COMMENT = re.compile(r"(?:#|//)\s*pullcheck:\s*ignore\[([^\]]*)\]\s*(.*)$")


@dataclass
class Suppression:
    file: str
    line: int
    col: int
    ids: List[str]
    reason: str
    resource: str = ""  # set for Metadata suppressions: the resource they cover
    used: set = field(default_factory=set)


def scan_text(graph: Graph, path: str, text: str) -> None:
    """Record the suppression comments of a file (YAML, HCL) in the graph."""
    if "pullcheck:" not in text:
        return
    out = graph.suppressions
    for n, line in enumerate(text.splitlines(), 1):
        if "pullcheck:" not in line:
            continue
        m = _COMMENT.search(line)
        if m:
            ids = [x.strip() for x in m.group(1).split(",") if x.strip()]
            out.append(Suppression(path, n, m.start() + 1, ids, m.group(2).strip()))


def note_metadata(graph: Graph, path: str, logical: str, meta: object, pos: Tuple[int, int]) -> None:
    """Record ``Metadata.pullcheck.ignore`` of a CloudFormation resource."""
    ignore = meta.get("ignore") if isinstance(meta, dict) else None
    out = graph.suppressions
    items: Iterable[Tuple[object, object]]
    if isinstance(ignore, dict):
        items = ignore.items()
    elif isinstance(ignore, list):  # [{"id": ..., "reason": ...}] or bare IDs (no reason: reported)
        items = [((x.get("id"), x.get("reason")) if isinstance(x, dict) else (x, "")) for x in ignore]
    else:
        return
    for rid, reason in items:
        if isinstance(rid, str):
            out.append(Suppression(path, pos[0], pos[1], [rid], reason.strip() if isinstance(reason, str) else "",
                                   resource=logical))
