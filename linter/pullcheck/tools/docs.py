"""Rule documentation, generated from each rule's docstring and its fixtures.

``python -m pullcheck.tools.docs`` writes ``docs/rules/<ID>.md``, ``rules/index.json`` and the rule table of README.md (between the
``rules:start`` / ``rules:end`` markers); ``pullcheck rule ID`` prints the same page. A test fails when
the files on disk differ from what this module generates.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Dict, List

from pullcheck.graph.model import Rule
from pullcheck.outputs.rulepage import PACKAGE, ROOT, page

__all__ = ["PACKAGE", "ROOT", "START", "END", "page", "ordered", "table", "index", "generated", "main"]

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


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
