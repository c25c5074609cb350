"""Baselines: today's findings recorded by a fingerprint without line numbers, so that only new ones
are reported. The fingerprint is the file (relative to the baseline's folder), the rule, the resource,
the attribute path and the message: editing lines above a finding does not change it."""
from __future__ import annotations

import hashlib
import json
import os
from typing import List

from pullcheck.graph.model import Finding

VERSION = 1


class BaselineError(Exception):
    pass


def fingerprint(f: Finding, base_dir: str) -> str:
    rel = os.path.relpath(os.path.abspath(f.file), base_dir).replace(os.sep, "/")
    raw = "\x1f".join((rel, f.rule_id, f.resource, f.path, f.message))
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def dumps(path: str, findings: List[Finding]) -> str:
    """The text of a baseline to be written at ``path`` (files are recorded relative to its folder); the
    command writes it, as it writes reports, never through a symlink."""
    base = os.path.dirname(os.path.abspath(path))
    rows = [{"fingerprint": fingerprint(f, base), "rule": f.rule_id,
             "file": os.path.relpath(os.path.abspath(f.file), base).replace(os.sep, "/"),
             "resource": f.resource, "message": f.message} for f in findings if f.rule_id != "PARSE001"]
    return json.dumps({"pullcheck-baseline": VERSION, "findings": rows}, indent=2) + "\n"


def only_new(path: str, findings: List[Finding]) -> List[Finding]:
    """The findings that are not in the baseline (a finding recorded twice is forgiven twice)."""
    from pullcheck.sources.errors import ParseError, read_text

    try:
        data = json.loads(read_text(path))
        known = [r["fingerprint"] for r in data["findings"]]
        if not all(isinstance(k, str) for k in known):
            raise TypeError("a fingerprint is not a string")
    except (ParseError, ValueError, KeyError, TypeError, RecursionError) as e:
        raise BaselineError(f"cannot read baseline {path}: {e}") from None
    base = os.path.dirname(os.path.abspath(path))
    budget: dict = {}
    for k in known:
        budget[k] = budget.get(k, 0) + 1
    out = []
    for f in findings:
        k = fingerprint(f, base)
        if budget.get(k, 0) > 0:
            budget[k] -= 1
            continue
        out.append(f)
    return out
