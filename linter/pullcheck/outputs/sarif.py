"""SARIF 2.1.0, as GitHub code scanning reads it.

What code scanning asks of a file (its "SARIF support for code scanning" page), each held by
``tests/test_sarif_github.py``: every rule has an ``id``, a ``name`` of at most 255 characters, a
``shortDescription`` and a ``fullDescription`` of at most 1,024 characters each, and ``help`` (the whole
documentation, as text and as Markdown); every result has a message, one location with a file and a whole
region (start and end line and column), and ``partialFingerprints.primaryLocationLineHash``, computed as
GitHub's own upload step does (``pullcheck.outputs.linehash``), beside pullcheck's own fingerprint under
its own key; at most 25,000 results and rules a run (past that GitHub rejects the file: the results kept
are the most severe, and a notification says how many were left out). A file's URI is relative to
``%SRCROOT%`` and percent-encoded, and the run's ``originalUriBaseIds`` gives that root as a ``file://``
URI ending in ``/`` (``pullcheck.outputs.locations``); a file outside the root is named by its absolute
``file://`` URI. Columns count Unicode code points, as the readers count them. The run's ``properties``
hold the verdict account's counts (``launchSites``, ``judged``, ``notJudged``), so a run that judged only
part of its launch sites says so to whatever reads the file.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from pullcheck import __version__
from pullcheck.graph.model import Finding, Rule
from pullcheck.outputs import account, locations
from pullcheck.outputs.safetext import json_text

MAX_RESULTS = 25_000  # results of a run, and rules: GitHub rejects a file with more
MAX_NAME = 255  # a rule's name
MAX_DESCRIPTION = 1024  # a rule's short and full description
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_BUILTIN = {"PARSE001": "File cannot be read or parsed", "SUP001": "Suppression that matches no finding",
            "SUP002": "Suppression without a reason"}


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: whole if it fits, else cut at the last blank before the limit
    and ended with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    blank = max(head.rfind(" "), head.rfind("\n"))
    return (head[:blank] if blank > limit // 2 else head).rstrip() + "\u2026"


def _unwrapped(paragraph: str) -> str:
    """A paragraph's lines as one, but each list item on a line of its own."""
    out: List[str] = []
    for line in paragraph.splitlines():
        line = " ".join(line.split())
        if out and not line.startswith(("- ", "* ")):
            out[-1] += " " + line
        elif line:
            out.append(line)
    return "\n".join(out)


def description(doc: str, summary: str) -> str:
    """A rule's ``fullDescription``: its first paragraph (the summary) and its "What it does" section,
    within 1,024 characters (cut at a blank, with an ellipsis, when the section is longer); the whole
    documentation is its ``help``."""
    first, _, rest = doc.strip().partition("\n\n")
    first = _unwrapped(first) or summary
    what: List[str] = []
    for section in ("\n" + rest).split("\n## ")[1:]:
        head, _, body = section.partition("\n")
        if head.strip().lower() == "what it does":
            what = [_unwrapped(p) for p in body.split("\n\n") if p.strip()]
            break
    return cut("\n\n".join([first] + what), MAX_DESCRIPTION)


def descriptor(rid: str, rule: Optional[Rule], findings: Sequence[Finding]) -> Dict[str, Any]:
    """The reporting descriptor of a rule; PARSE001 and the suppression checks may have no Rule."""
    if rule is None:
        name = next((f.name for f in findings if f.rule_id == rid), rid) or rid
        text = _BUILTIN.get(rid, name)
        return {"id": rid, "name": cut(name, MAX_NAME), "shortDescription": {"text": text},
                "fullDescription": {"text": text}, "help": {"text": text, "markdown": text},
                "defaultConfiguration": {"level": "error" if rid == "PARSE001" else "warning"}}
    from pullcheck.engine.registry import rule_doc

    doc = rule_doc(rule) or rule.summary or rule.id
    summary = cut(" ".join((rule.summary or rule.id).split()), MAX_DESCRIPTION)
    return {
        "id": rule.id, "name": cut(rule.name or rule.id, MAX_NAME),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": description(doc, summary)},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
        "properties": {"tags": [rule.id[:3].lower()]},
    }


def sarif(findings: List[Finding], rules: Dict[str, Rule], errors: Sequence[str] = (),
          silencing: Sequence[Tuple[str, str]] = (), environ: Optional[Mapping[str, str]] = None,
          graph: Any = None) -> str:
    """The SARIF log; internal errors of the run (``errors``) become tool execution notifications and mark
    the invocation as not successful; a configuration that silences checks is a tool configuration
    notification on that file. With the run's ``graph``, the run's property bag holds the verdict account's
    counts: launch sites, judged, not judged."""
    kept, dropped = _within_limit(findings)
    ids = sorted(set(rules) | {f.rule_id for f in kept})
    index = {rid: i for i, rid in enumerate(ids)}
    root = locations.source_root(environ)
    where = _Places(root)
    hashes = line_hashes(kept)
    results = [_result(f, index[f.rule_id], where, hashes) for f in kept]
    run: Dict[str, Any] = {
        "tool": {"driver": {"name": "pullcheck", "version": __version__,
                            "informationUri": "https://pypi.org/project/pullcheck/",
                            "rules": [descriptor(rid, rules.get(rid), kept) for rid in ids]}},
        "originalUriBaseIds": {locations.SOURCE_ROOT_ID: {"uri": locations.file_uri(root + os.sep)}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    sites = account.of_graph(graph)
    if sites is not None:
        run["properties"] = account.sarif_properties(sites)
    notes = [{"level": "error", "message": {"text": e}} for e in errors]
    if dropped:
        notes.append({"level": "warning", "message": {"text": (
            f"{dropped} results left out: code scanning takes at most {MAX_RESULTS:,} a run (the most severe "
            "are kept)")}})
    if notes or silencing:
        invocation: Dict[str, Any] = {"executionSuccessful": not errors}
        if notes:
            invocation["toolExecutionNotifications"] = notes
        if silencing:
            invocation["toolConfigurationNotifications"] = [
                {"level": "note", "message": {"text": f"configuration {path} silences checks ({what})"},
                 "locations": [{"physicalLocation": {"artifactLocation": where.artifact(path)}}]}
                for path, what in silencing]
        run["invocations"] = [invocation]
    return json_text({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                      "runs": [run]})


_RANK = {"error": 0, "warning": 1}


def _within_limit(findings: List[Finding]) -> Tuple[List[Finding], int]:
    """The findings a run may carry, in their order: all, or the MAX_RESULTS most severe (errors, then
    warnings, then the rest; the earlier first among equals); and how many were left out."""
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    order = sorted(range(len(findings)), key=lambda i: (_RANK.get(findings[i].severity, 2), i))
    keep = sorted(order[:MAX_RESULTS])
    return [findings[i] for i in keep], len(findings) - MAX_RESULTS


class _Places:
    """Each file's artifact location, worked out once."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.known: Dict[str, Dict[str, str]] = {}

    def artifact(self, path: str) -> Dict[str, str]:
        found = self.known.get(path)
        if found is None:
            rel = locations.relative(path, self.root)
            found = self.known[path] = ({"uri": locations.encoded(rel), "uriBaseId": locations.SOURCE_ROOT_ID}
                                        if rel is not None else {"uri": locations.file_uri(path)})
        return dict(found)


def _result(f: Finding, rule_index: int, where: _Places, hashes: Dict[str, Dict[int, str]]) -> Dict[str, Any]:
    fingerprints = {"pullcheck/v1": f.fingerprint}
    line_hash = hashes.get(f.file, {}).get(f.line)
    if line_hash is not None:
        fingerprints["primaryLocationLineHash"] = line_hash
    return {
        "ruleId": f.rule_id, "ruleIndex": rule_index, "level": LEVEL.get(f.severity, "error"),
        "message": {"text": f.message or f.name or f.rule_id},
        "locations": [{"physicalLocation": {
            "artifactLocation": where.artifact(f.file),
            "region": {"startLine": f.line, "startColumn": f.col,
                       "endLine": max(f.end_line, f.line), "endColumn": max(f.end_col, f.col)}}}],
        "partialFingerprints": fingerprints,
        **({"fixes": [_fix(f.fix, where)]} if f.fix is not None else {}),
    }


def _fix(fix: Any, where: _Places) -> Dict[str, Any]:
    """A fix as SARIF 2.1.0 has it: a description and, per file, the replacements (deleted region and
    inserted text)."""
    by_file: Dict[str, List[Dict[str, Any]]] = {}
    for e in fix.edits:
        region = {"startLine": e.line, "startColumn": e.col, "endLine": e.end_line, "endColumn": e.end_col}
        by_file.setdefault(e.file, []).append({"deletedRegion": region, "insertedContent": {"text": e.text}})
    return {"description": {"text": fix.title + ("" if fix.safe else " (unsafe)")},
            "artifactChanges": [{"artifactLocation": where.artifact(file), "replacements": reps}
                                for file, reps in by_file.items()]}


def line_hashes(findings: Sequence[Finding]) -> Dict[str, Dict[int, str]]:
    """GitHub's line hash of each finding's line, by file. A file is read again only when it lies in the
    run's scope (under the named paths, as every file the run reads) once links are resolved, and then by
    that resolved name (as the URI names it), never through a link put in its place, within the readers'
    size bound, as GitHub reads it: UTF-8, a byte-order mark kept as a character, bytes
    that are not UTF-8 read as U+FFFD. A file that cannot be read so has none, and GitHub's upload step
    computes it."""
    from pullcheck.outputs.linehash import line_hashes as hashes_of
    from pullcheck.sources.errors import MAX_BYTES
    from pullcheck.sources.files import read_regular
    from pullcheck.sources.scope import readable

    last: Dict[str, int] = {}
    for f in findings:
        last[f.file] = max(last.get(f.file, 0), f.line)
    out: Dict[str, Dict[int, str]] = {}
    for path, upto in last.items():
        got = read_regular(os.path.realpath(path), MAX_BYTES) if readable(path) else None
        if got is not None:
            out[path] = hashes_of(got[1].decode("utf-8", "replace"), upto)
    return out
