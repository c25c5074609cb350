"""Suppressions: ``# pullcheck: ignore[ID, ...] reason`` comments and CloudFormation resource Metadata.

A comment covers findings on its own line and on the line below it (a comment line above the attribute).
In a template, ``Metadata: {pullcheck: {ignore: {NET001: "reason"}}}`` on a resource covers that
resource's findings; that is the form for JSON templates, which have no comments. A reason is required;
a suppression without one suppresses nothing and is reported, and so is one that matches no finding.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

from pullcheck.graph.model import Finding, Graph
from pullcheck.graph.suppressions import Suppression, note_metadata, scan_text

__all__ = ["Suppression", "apply", "note_metadata", "scan_text", "UNUSED_ID", "NO_REASON_ID"]

UNUSED_ID = "SUP001"
NO_REASON_ID = "SUP002"


def _covers(s: Suppression, f: Finding, calls: Dict[Tuple[str, int], str]) -> bool:
    if s.resource:
        return s.file == f.file and (f.resource == s.resource or f.resource.startswith(s.resource + "."))
    # a comment on a module block (or the line above it) covers what that call produces, in any file
    prefix = calls.get((s.file, s.line)) or calls.get((s.file, s.line + 1))
    if prefix and (f.resource.startswith(prefix) or f.resource.startswith(prefix[:-1] + "[")):  # or an instance
        return True
    if f.origin and s.file == f.origin[0] and f.origin[1] in (s.line, s.line + 1):
        return True  # written in the module where the value is, though reported at the caller
    if s.file != f.file:
        return False
    return f.line in (s.line, s.line + 1)


def _matches(rid: str, f: Finding) -> bool:
    return f.rule_id == rid or (rid.isalpha() and f.rule_id.startswith(rid)) or rid == "ALL"


def _end(s: "Suppression") -> int:
    """The end of the directive ``pullcheck: ignore[IDS]`` a suppression finding points at."""
    return s.col + len(f"pullcheck: ignore[{','.join(s.ids)}]")


def apply(graph: Graph, findings: List[Finding], selected: Iterable[str]) -> List[Finding]:
    """Drop suppressed findings; add SUP002 for suppressions without a reason and SUP001 for unused ones
    (only for rules that ran, as an unused suppression of a rule that was not selected says nothing)."""
    sups: List[Suppression] = graph.suppressions
    if not sups:
        return findings
    ran = set(selected)
    kept: List[Finding] = []
    calls = graph.inputs.module_calls
    by_file: Dict[str, List[Suppression]] = {}
    on_calls: List[Suppression] = []  # comments on a module block: they cover findings in other files
    for s in sups:
        by_file.setdefault(s.file, []).append(s)
        if not s.resource and ((s.file, s.line) in calls or (s.file, s.line + 1) in calls):
            on_calls.append(s)
    for f in findings:
        hit: Optional[Suppression] = None
        files = {f.file, f.origin[0]} if f.origin else {f.file}
        here = [s for name in files for s in by_file.get(name, [])]
        for s in here + [s for s in on_calls if s.file not in files]:
            if s.reason and _covers(s, f, graph.inputs.module_calls):
                for rid in s.ids:
                    if _matches(rid, f):
                        s.used.add(rid)
                        hit = s
        if hit is None:
            kept.append(f)
    for s in sups:
        if not s.reason:
            kept.append(Finding(s.file, s.line, s.col, s.line, _end(s), NO_REASON_ID, "warning",
                                f"suppression of {', '.join(s.ids) or 'nothing'} has no reason, so it is not "
                                f"applied; write the reason after it: pullcheck: ignore[{','.join(s.ids)}] why",
                                "suppression-without-reason"))
            continue
        for rid in s.ids:
            if rid in s.used:
                continue
            if any(r == rid or (rid.isalpha() and r.startswith(rid)) or rid == "ALL" for r in ran):
                kept.append(Finding(s.file, s.line, s.col, s.line, _end(s), UNUSED_ID, "warning",
                                    f"suppression of {rid} matches no finding; remove it", "unused-suppression"))
    return sorted(set(kept))
