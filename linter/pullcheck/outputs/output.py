"""Output formats over a list of findings."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Sequence, Tuple

from pullcheck.graph.model import Finding, Rule
from pullcheck.outputs.safetext import json_text, printable

FORMATS = ("text", "json", "sarif", "github", "junit", "parseable")


# What a configuration of the run silences: (the file as shown, what it silences), for the reports that name it
Silencing = Sequence[Tuple[str, str]]


def text(findings: List[Finding], rules: Dict[str, Rule], silencing: Silencing = ()) -> str:
    # each field escaped on its own (names and file names come from the scanned tree), so the separators hold
    lines = [f"{printable(f.file)}:{f.line}:{f.col}: {printable(f.rule_id)} "
             f"{'' if f.severity == 'error' else f.severity + ': '}{printable(f.message)} [{printable(f.name)}]"
             for f in findings]
    if findings:
        n = len(findings)
        lines.append(f"Found {n} problem{'s' if n != 1 else ''}.")
    lines += [f"Configuration {printable(path)} silences checks ({printable(what)})." for path, what in silencing]
    return "\n".join(lines) + ("\n" if lines else "")


def as_json(findings: List[Finding], rules: Dict[str, Rule]) -> str:
    rows = [{"file": f.file, "line": f.line, "column": f.col, "end_line": f.end_line, "end_column": f.end_col,
             "rule": f.rule_id, "name": f.name, "severity": f.severity, "message": f.message,
             "resource": f.resource, "path": f.path, "fingerprint": f.fingerprint,
             **({"fix": f.fix.as_dict()} if f.fix is not None else {})} for f in findings]
    return json_text(rows)


def sarif(findings: List[Finding], rules: Dict[str, Rule], errors: Sequence[str] = (),
          silencing: Silencing = (), graph: Any = None) -> str:
    """SARIF 2.1.0 for GitHub code scanning (``pullcheck.outputs.sarif``)."""
    from pullcheck.outputs.sarif import sarif as write

    return write(findings, rules, errors, silencing, graph=graph)


def render(fmt: str, findings: List[Finding], rules: Dict[str, Rule], errors: Sequence[str] = (),
           graph: Any = None, silencing: Silencing = ()) -> str:
    """A report in ``fmt``; only SARIF has a place for the run's internal errors (stderr has them all).
    The markdown report draws network paths from ``graph`` when it is given. ``silencing`` names the
    configurations that turn checks off, in the formats a reviewer reads (text, github, SARIF, markdown);
    JSON stays a bare list of findings, and parseable and JUnit hold findings only."""
    if fmt == "sarif":
        return sarif(findings, rules, errors, silencing, graph)
    if fmt == "markdown":
        from pullcheck.outputs.report import markdown

        return markdown(findings, rules, graph, silencing)
    if fmt in ("text", "github"):
        return WRITERS[fmt](findings, rules, silencing)
    return WRITERS[fmt](findings, rules)


def _gh_escape(text: str, prop: bool = False) -> str:
    """A value for a workflow command: printable (no escape bytes; a new line shows as ``\\n`` rather than
    breaking the annotation), then encoded as the runner decodes it: ``%``, CR and LF everywhere, and ``:``
    and ``,`` in a property, where they would end the value."""
    text = printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def github(findings: List[Finding], rules: Dict[str, Rule], silencing: Silencing = ()) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on the file and line, and a notice on
    each configuration that silences checks."""
    lines = []
    for f in findings:
        props = (f"file={_gh_escape(f.file, True)},line={f.line},col={f.col},endLine={max(f.end_line, f.line)},"
                 f"endColumn={max(f.end_col, f.col)},title={_gh_escape(f.rule_id + ' ' + f.name, True)}")
        lines.append(f"::{_GH_LEVEL.get(f.severity, 'error')} {props}::{_gh_escape(f.message)}")
    for path, what in silencing:
        lines.append(f"::notice file={_gh_escape(path, True)},title={_gh_escape('pullcheck configuration', True)}"
                     f"::{_gh_escape(f'silences checks ({what})')}")
    return "\n".join(lines) + ("\n" if lines else "")


def parseable(findings: List[Finding], rules: Dict[str, Rule]) -> str:
    """``file:line:col:end_line:end_col: severity ID message`` for editors and problem matchers."""
    return "".join(f"{printable(f.file)}:{f.line}:{f.col}:{max(f.end_line, f.line)}:{max(f.end_col, f.col)}: "
                   f"{f.severity} {printable(f.rule_id)} {printable(f.message)}\n" for f in findings)


# what XML 1.0 cannot hold at all, not even as a character reference: C0 controls but tab, LF and CR, lone
# surrogates (a file name that is not UTF-8), U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for an XML attribute or element: printable (one line, no escape bytes), and what XML cannot
    hold written as a backslash escape, as printable writes the rest."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def junit(findings: List[Finding], rules: Dict[str, Rule]) -> str:
    """JUnit XML: one test case per finding (failed), or one passing case when there is none."""
    from xml.sax.saxutils import escape, quoteattr

    def attr(text: str) -> str:
        return quoteattr(_xml_text(text))

    failures = [f for f in findings if f.severity in ("error", "warning")]
    cases = []
    for f in findings:
        body = escape(_xml_text(f"{f.file}:{f.line}:{f.col}: {f.message}"))
        kind = "failure" if f in failures else "skipped"
        inner = (f"<failure message={attr(f.message)} type={attr(f.rule_id)}>{body}</failure>"
                 if kind == "failure" else f"<skipped message={attr(f.message)}/>")
        cases.append(f'    <testcase classname={attr(f.file)} name={attr(f"{f.rule_id} {f.name} line {f.line}")}'
                     f' file={attr(f.file)} line="{f.line}">{inner}</testcase>')
    if not findings:
        cases.append('    <testcase classname="pullcheck" name="no problems found"/>')
    skipped = len(findings) - len(failures)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="pullcheck" tests="{len(cases)}" failures="{len(failures)}" errors="0">\n'
            f'  <testsuite name="pullcheck" tests="{len(cases)}" failures="{len(failures)}" errors="0" '
            f'skipped="{skipped}">\n' + "\n".join(cases) + "\n  </testsuite>\n</testsuites>\n")


WRITERS = {"text": text, "json": as_json, "sarif": sarif, "github": github, "junit": junit, "parseable": parseable}
EXTENSIONS = {".sarif": "sarif", ".json": "json", ".xml": "junit", ".txt": "text", ".md": "markdown"}
