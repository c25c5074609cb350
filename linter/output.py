"""Output formats over a list of findings."""
from __future__ import annotations

import json
from typing import Dict, List

from linter import __version__
from linter.model import Finding, Rule

FORMATS = ("text", "json", "sarif")


def text(findings: List[Finding], rules: Dict[str, Rule]) -> str:
    lines = [f"{f.file}:{f.line}:{f.col}: {f.rule_id} {'' if f.severity == 'error' else f.severity + ': '}"
             f"{f.message} [{f.name}]" for f in findings]
    if findings:
        n = len(findings)
        lines.append(f"Found {n} problem{'s' if n != 1 else ''}.")
    return "\n".join(lines) + ("\n" if lines else "")


def as_json(findings: List[Finding], rules: Dict[str, Rule]) -> str:
    rows = [{"file": f.file, "line": f.line, "column": f.col, "end_line": f.end_line, "end_column": f.end_col,
             "rule": f.rule_id, "name": f.name, "severity": f.severity, "message": f.message,
             "resource": f.resource, "path": f.path, "fingerprint": f.fingerprint} for f in findings]
    return json.dumps(rows, indent=2) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif(findings: List[Finding], rules: Dict[str, Rule]) -> str:
    ids = sorted(set(rules) | {f.rule_id for f in findings})
    descriptors = []
    for rid in ids:
        r = rules.get(rid)
        if r is None:
            descriptors.append({"id": rid, "name": "parse-error",
                                "shortDescription": {"text": "File cannot be read or parsed"},
                                "defaultConfiguration": {"level": "error"}})
            continue
        descriptors.append({
            "id": r.id, "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.doc},
            "help": {"text": r.doc, "markdown": r.doc},
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
            "properties": {"tags": [r.id[:3].lower()]},
        })
    index = {rid: i for i, rid in enumerate(ids)}
    results = []
    for f in findings:
        results.append({
            "ruleId": f.rule_id, "ruleIndex": index[f.rule_id], "level": _SARIF_LEVEL.get(f.severity, "error"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.file},
                "region": {"startLine": f.line, "startColumn": f.col,
                           "endLine": max(f.end_line, f.line), "endColumn": max(f.end_col, f.col)}}}],
            "partialFingerprints": {"pullcheck/v1": f.fingerprint},
        })
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "pullcheck", "version": __version__,
                                         "informationUri": "https://pypi.org/project/pullcheck/",
                                         "rules": descriptors}},
                     "results": results}]}
    return json.dumps(doc, indent=2) + "\n"


WRITERS = {"text": text, "json": as_json, "sarif": sarif}
