"""The verdict account as a run shows it: the text summary's ``judged N of M launch sites``, the launch sites
not judged (``--verbose``), what each waits on (``--explain``), and the JSON object ``--explain --format json``
prints: ``{"findings": [...], "launch_sites": [...]}``.
"""
from __future__ import annotations

import json
from typing import List

from pullcheck.facts.verdicts import Site, counts, not_judged, summary
from pullcheck.outputs.safetext import printable


def summary_line(sites: List[Site]) -> str:
    """The line the text output ends with when a launch site is not judged, findings or none: a clean run
    then no longer reads as safe, and silence (or "Found N problems." last) still means every launch site
    was judged. "" otherwise."""
    waiting = len(not_judged(sites))
    if not waiting:
        return ""
    return (f"pullcheck {summary(sites)}; {waiting} not judged, waiting on values the run does not give "
            f"(--explain says which).\n")


def _where(file: str, line: int) -> str:
    return f"{printable(file)}:{line}"


def verbose_text(sites: List[Site]) -> str:
    """On standard error: the count, then one line per launch site not judged."""
    if not sites:
        return ""
    return f"pullcheck: {summary(sites)}\n" + "".join(f"pullcheck: not judged: {printable(s.name)} ({_where(s.file, s.line)}), waiting on "
                   f"{len(s.waits_on)} value{'s' if len(s.waits_on) != 1 else ''}\n" for s in not_judged(sites))


def explain_text(sites: List[Site]) -> str:
    """``--explain``'s account: the count, then per launch site not judged each value it waits on, where the
    value is used and how to supply it."""
    if not sites:
        return ""
    n, m = counts(sites)
    lines = [f"Verdict account: judged {n} of {m} launch site{'s' if m != 1 else ''}"]
    for s in not_judged(sites):
        lines.append(f"{printable(s.name)} ({printable(s.kind)}, {_where(s.file, s.line)}): not judged, waits on")
        for w in s.waits_on:
            lines.append(f"  {printable(w.value)} (used at {_where(w.file, w.line)}): supply {printable(w.supply)}")
    return "\n".join(lines) + "\n\n"


def json_account(findings_json: str, sites: List[Site]) -> str:
    """The one JSON object ``--explain --format json`` prints: the findings as the bare JSON list has them,
    and the launch sites. Written as the list is: no line can start a workflow command."""
    doc = {"findings": json.loads(findings_json), "launch_sites": [s.as_dict() for s in sites]}
    return json.dumps(doc, indent=2).replace("##[", "#\\u0023[") + "\n"


def console(fmt: str, text: str, sites: List[Site], explain: bool) -> str:
    """The console output with the account: the summary line after text output, the object for JSON with
    ``--explain``; other formats as they are."""
    if fmt == "text":
        return text + summary_line(sites)
    if fmt == "json" and explain:
        return json_account(text, sites)
    return text
