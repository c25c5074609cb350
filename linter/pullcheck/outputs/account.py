"""The verdict account as a run shows it: the text summary's ``judged N of M launch sites``, the launch sites
not judged (``--verbose``), what each waits on (``--explain``), and the JSON object ``--explain --format json``
prints: ``{"findings": [...], "launch_sites": [...]}``.
"""
from __future__ import annotations

import json
import sys
from typing import Any, List, Optional

from pullcheck.facts.verdicts import Site, account, counts, not_judged, summary
from pullcheck.outputs.safetext import printable


def options(p: Any) -> Any:
    """The command line's flag of the account."""
    p.add_argument("--fail-on-unjudged", action="store_true",
                   help="exit 1 when a launch site is not judged (a value a rule needs for it is unknown)")
    return p


def for_run(graph: Any, args: Any, console_format: str, cfg: Any, internal: list) -> Optional[List[Site]]:
    """The run's account, computed only when the run shows or needs it (text output, --explain, --verbose,
    --fail-on-unjudged), else None; with --verbose said on standard error. A defect in it is said and added
    to ``internal`` (the run then exits 2, as for any internal error)."""
    if not (console_format == "text" or args.explain or args.verbose or args.fail_on_unjudged
            or cfg.fail_on_unjudged):
        return None
    try:
        sites = account(graph)
    except Exception as e:
        from pullcheck.engine.stages import internal as internal_error

        internal.append(internal_error("accounting for the launch sites", "", e))
        print(f"pullcheck: error: {printable(internal[-1].message)}", file=sys.stderr)
        return None
    if args.verbose:
        sys.stderr.write(verbose_text(sites))
    return sites


def fails(sites: Optional[List[Site]], args: Any, cfg: Any) -> bool:
    """--fail-on-unjudged (or the configuration's fail-on-unjudged) and a launch site not judged."""
    return bool((args.fail_on_unjudged or cfg.fail_on_unjudged) and sites and not_judged(sites))


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


def explain_text(sites: Optional[List[Site]], explain: bool = True) -> str:
    """``--explain``'s account: the count, then per launch site not judged each value it waits on, where the
    value is used and how to supply it ("" without --explain)."""
    if not sites or not explain:
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


def of_graph(graph: Any) -> Optional[List[Site]]:
    """The account of a built graph for a report (SARIF, markdown); None without one."""
    return None if graph is None else account(graph)


def sarif_properties(sites: List[Site]) -> dict:
    """The counts a SARIF run carries in its property bag."""
    n, m = counts(sites)
    return {"launchSites": m, "judged": n, "notJudged": m - n}


def console(fmt: str, text: str, sites: Optional[List[Site]], explain: bool) -> str:
    """The console output with the account: the summary line after text output, the object for JSON with
    ``--explain``; other formats as they are."""
    if sites is None:
        return text
    if fmt == "text":
        return text + summary_line(sites)
    if fmt == "json" and explain:
        return json_account(text, sites)
    return text
