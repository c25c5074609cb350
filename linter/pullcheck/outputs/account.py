"""The verdict account as a run shows it: the text summary's ``judged N of M launch sites``, the launch sites
not judged (``--verbose``), what each waits on (``--explain``), and the JSON object ``--explain --format json``
prints: ``{"findings": [...], "launch_sites": [...]}``.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional, Sequence

from pullcheck.facts.verdicts import (UNIT_INPUTS, Absent, Site, absent_modules, account, counts, not_judged, summary,
                                      units_not_linted)
from pullcheck.graph.values import shown
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
        if graph.inputs.tf_roots or graph.inputs.account is not None:  # Terraform in the run: modules to name
            sys.stderr.write(absent_text(absent_modules(graph, _quiet_account(graph)), units_not_linted(graph)))
        return None
    try:
        sites = Sites(account(graph))
        sites.absent = absent_modules(graph, sites)
        sites.unread = units_not_linted(graph)
        sites.inputs = dict(graph.inputs.tf_folders.get(UNIT_INPUTS, {})) if args.explain else {}
    except Exception as e:
        from pullcheck.engine.stages import internal as internal_error

        internal.append(internal_error("accounting for the launch sites", "", e))
        print(f"pullcheck: error: {printable(internal[-1].message)}", file=sys.stderr)
        return None
    if args.verbose:
        sys.stderr.write(verbose_text(sites))
    if console_format != "text" and not (console_format == "json" and args.explain):
        sys.stderr.write(absent_text(sites.absent, sites.unread))  # the console output is a report: beside it
    return sites


def _quiet_account(graph: Any) -> Optional[List[Site]]:
    """The account when only the modules not on disk need it: a defect in it leaves their counts out."""
    try:
        return account(graph)
    except Exception:
        return None


class Sites(list):
    """The launch sites of the account, and the modules not on disk (``Absent``), each named once."""

    absent: List[Absent] = []
    unread: List[tuple] = []  # Terragrunt units whose module cannot be read: (configuration file, why)
    inputs: dict = {}  # Terragrunt unit -> its inputs (pullcheck.facts.verdicts.unit_inputs), for --explain


def inputs_text(units: dict) -> List[str]:
    """--explain's origin of the values a Terragrunt unit gives its module: each input, where it is set."""
    lines = []
    for unit, given in sorted(units.items()):
        lines.append(f"Terragrunt unit {printable(unit)}: its module's variables take these inputs")
        for name, value, file, line in given:
            lines.append(f"  {printable(name)} = {printable(_short(value))} (set at {_where(file, line)})")
    return lines


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, default=shown, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        text = shown(value)
    return text if len(text) <= 120 else text[:117] + "..."


def absent_text(absent: List[Absent], unread: Any = ()) -> str:
    """One line per module not on disk (what calls it, its source, the launch sites waiting on it), and per
    Terragrunt unit whose module cannot be read."""
    out = [f"pullcheck: {printable(path)} is not linted: {printable(why)}\n" for path, why in unread]
    out += _outside_text([a for a in absent if a.remedy])
    for a in absent:
        if a.remedy:  # said above
            continue
        if a.what.startswith("the unit "):  # Terragrunt downloads it into its cache, which is not linted
            waiting = "its launch sites cannot be seen; give the unit a local source to lint it"
        else:
            waiting = (f"{a.waiting} launch site{'s' if a.waiting != 1 else ''} wait{'s' if a.waiting == 1 else ''}"
                       f" on it; run `terraform init`")
        out.append(f"pullcheck: {printable(a.what)} ({_where(a.file, a.line)}) comes from {printable(a.source)}, "
                   f"which is not on disk: {waiting}\n")
    return "".join(out)


MAX_NAMED_CALLS = 3  # module calls outside the run named one by one; past it, one line for those read alike


def _outside_text(outside: List[Absent]) -> List[str]:
    """The module calls whose folders lie outside the paths the run reads: one line each, or, past
    MAX_NAMED_CALLS, one line per --root that would read them, naming the first few."""
    if len(outside) <= MAX_NAMED_CALLS:
        return [f"pullcheck: {printable(a.what)} ({_where(a.file, a.line)}) comes from {printable(a.source)}, outside "
                f"the paths this run reads: its own launch sites cannot be seen{_waiting(a.waiting, 'it')}; "
                f"{printable(a.remedy)}\n" for a in outside]
    by_remedy: Dict[str, List[Absent]] = {}
    for a in outside:
        by_remedy.setdefault(a.remedy, []).append(a)
    out = []
    for remedy, calls in by_remedy.items():
        named = ", ".join(f"{printable(a.what)} ({_where(a.file, a.line)})" for a in calls[:MAX_NAMED_CALLS])
        more = f" and {len(calls) - MAX_NAMED_CALLS} more" if len(calls) > MAX_NAMED_CALLS else ""
        them = "it" if len(calls) == 1 else "them"
        out.append(f"pullcheck: {len(calls)} module call{'s' if len(calls) != 1 else ''} ({named}{more}) "
                   f"come{'s' if len(calls) == 1 else ''} from folders outside the paths this run reads: their own "
                   f"launch sites cannot be seen{_waiting(sum(a.waiting for a in calls), them)}; "
                   f"{printable(remedy).replace('holds it', 'holds ' + them)}\n")
    return out


def _waiting(n: int, on: str) -> str:
    if not n:
        return ""
    return f", and {n} launch site{'s' if n != 1 else ''} of the run wait{'s' if n == 1 else ''} on {on}"


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
    lines = inputs_text(getattr(sites, "inputs", {}))
    lines.append(f"Verdict account: judged {n} of {m} launch site{'s' if m != 1 else ''}")
    deployed = [s for s in sites if s.deployed_as]
    if deployed:
        lines.append("Stacks read from the repository's deploy inputs:")
        lines += [f"  {printable(s.name)} ({_where(s.file, s.line)}): {printable(s.deployed_as)}" for s in deployed]
    for s in not_judged(sites):
        lines.append(f"{printable(s.name)} ({printable(s.kind)}, {_where(s.file, s.line)}): not judged, waits on")
        for w in s.waits_on:
            lines.append(f"  {printable(w.value)} (used at {_where(w.file, w.line)}): supply {printable(w.supply)}")
    return "\n".join(lines) + "\n\n"


def json_account(findings_json: str, sites: List[Site], assumed: Sequence[str] = ()) -> str:
    """The one JSON object ``--explain --format json`` prints: the findings as the bare JSON list has them,
    the launch sites and, when the run has them, the assumptions its values rest on (an import matched to
    the one export built the same way from parameters), the modules not on disk, the units not linted and
    their inputs. Written as the list is: no line can start a workflow command."""
    doc: dict = {"findings": json.loads(findings_json), "launch_sites": [s.as_dict() for s in sites]}
    if assumed:
        doc["assumptions"] = list(assumed)
    absent = getattr(sites, "absent", None) or []
    if any(not a.remedy for a in absent):
        doc["modules_not_on_disk"] = [a.as_dict() for a in absent if not a.remedy]
    if any(a.remedy for a in absent):  # on disk, outside the paths the run reads
        doc["modules_not_read"] = [a.as_dict() for a in absent if a.remedy]
    if getattr(sites, "unread", None):
        doc["units_not_linted"] = [{"file": path, "why": why} for path, why in getattr(sites, "unread")]
    if getattr(sites, "inputs", None):
        doc["unit_inputs"] = {unit: [{"name": k, "value": _short(v), "file": f, "line": line}
                                     for k, v, f, line in given] for unit, given in getattr(sites, "inputs").items()}
    return json.dumps(doc, indent=2).replace("##[", "#\\u0023[") + "\n"


def of_graph(graph: Any) -> Optional[List[Site]]:
    """The account of a built graph for a report (SARIF, markdown); None without one."""
    return None if graph is None else account(graph)


def sarif_properties(sites: List[Site]) -> dict:
    """The counts a SARIF run carries in its property bag."""
    n, m = counts(sites)
    return {"launchSites": m, "judged": n, "notJudged": m - n}


def console(fmt: str, text: str, sites: Optional[List[Site]], explain: bool, assumed: Sequence[str] = ()) -> str:
    """The console output with the account: the summary line after text output, the object for JSON with
    ``--explain``; other formats as they are."""
    if sites is None:
        return text
    if fmt == "text":
        return text + summary_line(sites) + absent_text(getattr(sites, "absent", []), getattr(sites, "unread", []))
    if fmt == "json" and explain:
        return json_account(text, sites, assumed)
    return text
