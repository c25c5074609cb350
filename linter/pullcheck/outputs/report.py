"""``--format markdown``: a report for a pull-request comment or the GitHub job summary.

A count by rule, then per finding its place, message and fix; for a network finding on a launch site, a
Mermaid flowchart of the path its pull takes (``pullcheck.outputs.pathchart``), shown open unless it has
more than FOLD_NODES nodes. In GitHub Actions (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and
``GITHUB_SHA`` set) each place links to its line at the commit (``pullcheck.outputs.locations``). Rules with
more than COLLAPSE_AFTER findings have the rest folded. Last, when a launch site is not judged, a "Not
judged" section lists each with the values it waits on and how to supply them, so "No problems found." is
never read as "every task can pull".
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from pullcheck.graph.model import Finding, Graph, Rule
from pullcheck.outputs.safetext import printable

COLLAPSE_AFTER = 10  # findings of one rule shown open; more are folded in a <details>
FOLD_NODES = 20  # a picture of more nodes than this is folded in a <details>


def markdown(findings: Sequence[Finding], rules: Dict[str, Rule], graph: Optional[Graph] = None,
             silencing: Sequence[Tuple[str, str]] = (), environ: Optional[Mapping[str, str]] = None) -> str:
    """The report; ``silencing`` (a configuration's file, what it silences) is noted at the top. ``environ``
    (default: the process's) holds GitHub's variables for the links."""
    top = ["## pullcheck", ""]
    for path, what in silencing:
        top += [f"> Configuration **{_escape(path)}** silences checks ({_escape(what)})", ""]
    place = _Places(environ)
    unjudged = _not_judged(graph, place)
    if not findings:
        return "\n".join(top + ["No problems found."] + unjudged) + "\n"
    by_rule: Dict[str, List[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    out = top + [f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found.", "",
                 "| rule | name | severity | count |", "|---|---|---|---|"]
    for rid, fs in sorted(by_rule.items()):
        out.append(f"| {_escape(rid)} | {_escape(fs[0].name)} | {fs[0].severity} | {len(fs)} |")
    pictures = None
    if graph is not None:
        from pullcheck.outputs.pathchart import Pictures

        pictures = Pictures(graph)
    for rid, fs in sorted(by_rule.items()):
        rule = rules.get(rid)
        out += ["", f"### {_escape(rid)} {_escape(fs[0].name)}", ""]
        if rule is not None:
            out += [f"_{_escape(rule.summary)}_", ""]
        items = [_item(f, place, pictures) for f in fs]
        if len(items) > COLLAPSE_AFTER:
            out += items[:COLLAPSE_AFTER]
            out += ["", f"<details><summary>{len(items) - COLLAPSE_AFTER} more</summary>", ""]
            out += items[COLLAPSE_AFTER:]
            out += ["", "</details>"]
        else:
            out += items
    return "\n".join(out + unjudged) + "\n"


def _not_judged(graph: Optional[Graph], place: "_Places") -> List[str]:
    """The section of the launch sites not judged, each with what it waits on; [] when all were judged."""
    from pullcheck.outputs.account import of_graph
    from pullcheck.facts.verdicts import not_judged, summary

    sites = of_graph(graph)
    waiting = not_judged(sites) if sites else []
    if not waiting:
        return []
    out = ["", "### Not judged", "", f"pullcheck {_escape(summary(sites))}; these wait on values the run does not "
           "give:", ""]
    for s in waiting:
        out.append(f"- {place.at(s.file, s.line)} {_escape(s.name)} ({_escape(s.kind)}) waits on")
        for w in s.waits_on:
            out.append(f"  - {_escape(w.value)} (used at {place.at(w.file, w.line)}): supply {_escape(w.supply)}")
    return out


class _Places:
    """A finding's place as Markdown: its file, line and column, linked to the line on GitHub when the
    run is in GitHub Actions and the file is in the checkout."""

    def __init__(self, environ: Optional[Mapping[str, str]]) -> None:
        from pullcheck.outputs import locations

        self.blob = locations.github_blob(environ)
        self.root = locations.source_root(environ) if self.blob else ""
        self.relative: Dict[str, Optional[str]] = {}

    def __call__(self, f: Finding) -> str:
        return self.at(f.file, f.line, f.col)

    def at(self, file: str, line: int, col: Optional[int] = None) -> str:
        from pullcheck.outputs import locations

        text = f"{_escape(file)}:{line}" + (f":{col}" if col is not None else "")
        if self.blob is None:
            return f"**{text}**"
        if file not in self.relative:
            self.relative[file] = locations.relative(file, self.root)
        rel = self.relative[file]
        return f"**[{text}]({locations.line_link(self.blob, rel, line)})**" if rel is not None else f"**{text}**"


def _item(f: Finding, place: _Places, pictures: Any) -> str:
    """One finding as a list item: place, message, fix, and the picture of its launch site's pull."""
    item = [f"- {place(f)} {_escape(f.message)}"]
    if f.fix is not None:
        item.append(f"  - fix ({'safe' if f.fix.safe else 'unsafe'}): {_escape(f.fix.title)}")
    drawn = pictures.of(f.rule_id, f.file, f.resource) if pictures is not None else None
    if drawn is not None:
        chart, nodes = drawn
        fence = ["", "  ```mermaid"] + ["  " + line for line in chart.splitlines()] + ["  ```"]
        if nodes > FOLD_NODES:
            fence = ["", f"  <details><summary>path of the pull ({nodes} boxes)</summary>"] + fence + ["", "  </details>"]
        item += fence
    return "\n".join(item)


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
