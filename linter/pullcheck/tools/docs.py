"""Rule documentation, generated from each rule's docstring and its fixtures.

``python -m pullcheck.tools.docs`` writes ``docs/rules/<ID>.md``, ``rules/index.json`` and the rule table of README.md (between the
``rules:start`` / ``rules:end`` markers); ``pullcheck rule ID`` prints the same page. A test fails when
the files on disk differ from what this module generates.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Dict, List, Optional

from pullcheck.graph.model import Rule

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # linter/pullcheck, or site-packages/pullcheck
ROOT = os.path.dirname(os.path.dirname(PACKAGE))  # the checkout
START, END = "<!-- rules:start -->", "<!-- rules:end -->"
_LANG = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".tf": "hcl"}
MAX_EXAMPLE_LINES = 60


def _fixtures(rule_id: str, root: str) -> List[str]:
    folder = os.path.join(root, "fixtures", rule_id)
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if n.startswith(("bad_", "good_")) and not n.endswith(".expect"))


def _example(rule_id: str, name: str, root: str) -> Optional[str]:
    path = os.path.join(root, "fixtures", rule_id, name)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if len(lines) > MAX_EXAMPLE_LINES:
        return None
    lang = _LANG.get(os.path.splitext(name)[1], "")
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def installed_page(rule: Rule) -> Optional[str]:
    """The generated page of a built-in rule: shipped in the package (``pullcheck/ruledocs``) or, in a
    checkout, ``docs/rules``; None for a rule whose page was not generated (a third-party plugin)."""
    if not rule.source.startswith(("pullcheck.rules.", "pullcheck.core")):
        return None
    for folder in (os.path.join(PACKAGE, "ruledocs"), os.path.join(ROOT, "docs", "rules")):
        try:
            with open(os.path.join(folder, f"{rule.id}.md"), encoding="utf-8") as f:
                return f.read()
        except OSError:
            continue
    return None


def page(rule: Rule, root: str = ROOT) -> str:
    """The documentation page of one rule, in Markdown."""
    from pullcheck.engine.registry import rule_doc

    body = rule_doc(rule).strip()
    if body.startswith(rule.summary):
        body = body[len(rule.summary):].strip()
    fix = {"safe": "Fix: **safe**, applied by `--fix` (and offered in the editor).",
           "unsafe": "Fix: **unsafe**, applied by `--fix --unsafe-fixes` (a judgement call: review it)."}.get(
        rule.fix, "Fix: no automatic fix.")
    out = [f"# {rule.id} {rule.name}", "", f"Severity: **{rule.severity}**. {rule.summary}", "", fix, "", body]
    names = _fixtures(rule.id, root)
    if names:
        out += ["", "## Examples", ""]
        for kind in ("bad", "good"):
            chosen = [n for n in names if n.startswith(kind + "_")]
            shown = None
            for n in sorted(chosen, key=lambda n: os.path.getsize(os.path.join(root, "fixtures", rule.id, n))):
                shown = (n, _example(rule.id, n, root))
                if shown[1]:
                    break
            if shown and shown[1]:
                heading = "Flagged" if kind == "bad" else "Not flagged"
                note = " (the flagged lines carry an `expect` comment or are listed in a `.expect` file)" \
                    if kind == "bad" else ""
                out += [f"{heading}: `fixtures/{rule.id}/{shown[0]}`{note}", "", shown[1], ""]
        out += ["All fixtures: " + ", ".join(f"`{n}`" for n in names)]
    return "\n".join(out).rstrip() + "\n"


_FAMILY = {"NET": 0, "IMG": 1, "IAM": 2, "TD": 3, "PARSE": 4, "SUP": 5}


def ordered(rules: Dict[str, Rule]) -> List[Rule]:
    """The catalogue's order: network, images, roles, task definitions, then anything else."""
    return sorted(rules.values(), key=lambda r: (_FAMILY.get(r.id.rstrip("0123456789"), 9), r.id))


def table(rules: Dict[str, Rule]) -> str:
    rows = ["| ID | name | severity | what it catches |", "|---|---|---|---|"]
    for r in ordered(rules):
        summary = r.summary.replace("|", "\\|")
        rows.append(f"| [{r.id}](docs/rules/{r.id}.md) | {r.name} | {r.severity} | {summary} |")
    return "\n".join(rows)


def index(rules: Dict[str, Rule]) -> str:
    """``rules/index.json``: what a run needs to know of each built-in rule without importing it (its
    entry point, name, severity and the kinds it reads), so that a run can import only the rules whose
    kinds its graph holds."""
    import json

    body = {r.id: {"entry": f"{r.source}:check", "name": r.name, "severity": r.severity, "summary": r.summary,
                   "kinds": list(r.kinds), "once_per": r.once_per, **({"fix": r.fix} if r.fix else {})}
            for r in ordered(rules)
            if r.source.startswith("pullcheck.rules.")}
    return json.dumps(body, indent=1) + "\n"


def generated(rules: Dict[str, Rule], root: str = ROOT) -> Dict[str, str]:
    """Path (relative to the repository) -> content, for every generated file."""
    out = {f"docs/rules/{r.id}.md": page(r, root) for r in rules.values()}
    out["rules/index.json"] = index(rules)
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if pattern.search(readme):
        readme = pattern.sub(lambda m: f"{START}\n{table(rules)}\n{END}", readme)
    out["README.md"] = readme
    return out


def main() -> int:
    from pullcheck.engine.registry import load_rules

    rules = {k: v for k, v in load_rules(lazy=False).items()
             if v.source.startswith(("pullcheck.rules.", "pullcheck.core"))}
    files = generated(rules)
    folder = os.path.join(ROOT, "docs", "rules")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".md") and f"docs/rules/{name}" not in files:
            os.remove(os.path.join(folder, name))
    for rel, text in files.items():
        with open(os.path.join(ROOT, rel), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"wrote {len(files) - 2} rule pages, the rule index and the README rule table", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
