"""``--format markdown``: a report for a pull-request comment or the GitHub job summary.

A count by rule, then per finding its place, message and fix; for a network finding on a launch site, a
Mermaid flowchart of the path its pull takes (launch site -> subnet -> route table -> default route target,
and the endpoints), the edge that is missing or blocked drawn in red. Long sections are collapsed.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from pullcheck.graph.model import Finding, Graph, Resource, Rule
from pullcheck.outputs.safetext import printable

COLLAPSE_AFTER = 10  # findings of one rule shown open; more are folded in a <details>
_TARGET = {"igw": "internet gateway", "nat": "NAT gateway", "nat-private": "private NAT gateway",
           "assumed": "gateway outside the scanned files", "pcx": "VPC peering (no internet)",
           "none": "no 0.0.0.0/0 route", "unknown": "unknown"}
# which edge a rule says is missing or blocked
_RED = {"NET001": "ip", "NET005": "endpoints", "NET006": "endpoints", "NET009": "endpoints", "NET010": "egress",
        "NET011": "route", "NET013": "endpoints", "NET014": "route", "NET015": "route", "NET016": "route"}


def _label(text: str) -> str:
    """Text that Mermaid reads inside quotes or between bars: no quotes, bars, brackets or line breaks (a
    carriage return would end the line for Markdown and let a label close the code fence). Cut to 80
    characters before it is escaped, so that no escape is cut in half (at most 6 characters stand for one)."""
    text = text[:80]
    for bad, good in (('"', "'"), ("|", "/"), ("\n", " "), ("[", "("), ("]", ")"), ("{", "("), ("}", ")"),
                      ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(bad, good)
    return printable(text)


def mermaid(graph: Graph, launch: Resource, rule_id: str) -> Optional[str]:
    """The path of ``launch``'s pull as a Mermaid flowchart, or None when its subnets are not known."""
    from pullcheck.facts import network as net
    from pullcheck.facts import security as sec

    subnets = net.launch_subnets(graph, launch)
    if not subnets:
        return None
    red = _RED.get(rule_id, "route")
    lines = ["flowchart LR", f'  L["{_label(launch.name)}"]']
    edges: List[Tuple[str, bool]] = []
    ip = net.public_ip(launch)
    for n, (_, subnet) in enumerate(subnets[:4]):
        s, r, t, e = f"S{n}", f"R{n}", f"T{n}", f"E{n}"
        lines.append(f'  {s}["subnet {_label(subnet.name)}"]')
        edges.append((f'  L -->|{"public IP" if ip else "no public IP"}| {s}', red == "ip"))
        tid, table, _ = net.route_table(graph, subnet)
        name = table.name if table is not None else ("main route table" if tid and tid.startswith("main:")
                                                     else "unknown route table")
        lines.append(f'  {r}["{_label(name)}"]')
        edges.append((f"  {s} --> {r}", False))
        kind = net.egress4(graph, subnet).kind
        lines.append(f'  {t}["{_label(_TARGET.get(kind, kind))}"]')
        edges.append((f"  {r} -->|0.0.0.0/0| {t}", red == "route" or kind in ("none", "pcx")))
        eps = net.endpoints(graph, subnet)
        if eps.known and eps.interface:
            lines.append(f'  {e}["endpoints: {_label(", ".join(sorted(eps.interface)))}"]')
            edges.append((f"  {s} -.->|private link| {e}", red == "endpoints"))
        if red == "egress":
            groups = sec.task_groups(graph, launch, subnet.get("vpc"))
            names = ", ".join(g.name for g in groups) if groups else "security groups"
            lines.append(f'  G{n}["{_label(names)}: no TCP 443 out"]')
            edges.append((f"  L -->|egress| G{n}", True))
    lines += [edge for edge, _ in edges]
    lines += [f"  linkStyle {i} stroke:red,stroke-width:3px" for i, (_, bad) in enumerate(edges) if bad]
    return "\n".join(lines)


def markdown(findings: Sequence[Finding], rules: Dict[str, Rule], graph: Optional[Graph] = None,
             silencing: Sequence[Tuple[str, str]] = ()) -> str:
    """The report; ``silencing`` (a configuration's file, what it silences) is noted at the top."""
    top = ["## pullcheck", ""]
    for path, what in silencing:
        top += [f"> Configuration **{_escape(path)}** silences checks ({_escape(what)})", ""]
    if not findings:
        return "\n".join(top + ["No problems found."]) + "\n"
    by_rule: Dict[str, List[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    out = top + [f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found.", "",
                 "| rule | name | severity | count |", "|---|---|---|---|"]
    for rid, fs in sorted(by_rule.items()):
        out.append(f"| {_escape(rid)} | {_escape(fs[0].name)} | {fs[0].severity} | {len(fs)} |")
    launches = {}
    if graph is not None:
        from pullcheck.facts import network as net

        for r in list(graph.of_kind(*net.LAUNCH_KINDS)):
            launches.setdefault((r.file, r.name), r)
    for rid, fs in sorted(by_rule.items()):
        rule = rules.get(rid)
        out += ["", f"### {_escape(rid)} {_escape(fs[0].name)}", ""]
        if rule is not None:
            out += [f"_{_escape(rule.summary)}_", ""]
        items = []
        for f in fs:
            item = [f"- **{_escape(f.file)}:{f.line}:{f.col}** {_escape(f.message)}"]
            if f.fix is not None:
                item.append(f"  - fix ({'safe' if f.fix.safe else 'unsafe'}): {_escape(f.fix.title)}")
            launch = launches.get((f.file, f.resource)) if rid.startswith("NET") else None
            chart = mermaid(graph, launch, rid) if launch is not None and graph is not None else None
            if chart:
                item += ["", "  <details><summary>path of the pull</summary>", "", "  ```mermaid"]
                item += ["  " + line for line in chart.splitlines()]
                item += ["  ```", "", "  </details>"]
            items.append("\n".join(item))
        if len(items) > COLLAPSE_AFTER:
            out += items[:COLLAPSE_AFTER]
            out += ["", f"<details><summary>{len(items) - COLLAPSE_AFTER} more</summary>", ""]
            out += items[COLLAPSE_AFTER:]
            out += ["", "</details>"]
        else:
            out += items
    return "\n".join(out) + "\n"


# Each character that could start Markdown or HTML, taken in one pass (so an entity's ``#`` is not escaped
# again). New lines are gone first (printable), so nothing can start a heading, quote or list; what is left
# to stop is inline: HTML, links and images, emphasis, code, table cells, strikethrough. GitHub links
# @mentions and #references in the rendered text, where a backslash no longer stands, so a zero-width
# joiner after ``@`` and ``#`` keeps them text and reads the same.
_MARKDOWN = {ord(c): "\\" + c for c in "\\`*_[]()!|~"}
_MARKDOWN.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#39;",
                  ord("@"): "@\u200d", ord("#"): "#\u200d"})


def _escape(text: str) -> str:
    """Text from the scanned tree for one line of Markdown (a list item, a table cell, a heading)."""
    return printable(text).translate(_MARKDOWN)
