"""A rule's documentation page, from its docstring and its fixtures: what ``pullcheck rule ID`` prints, and
what ``python -m pullcheck.tools.docs`` writes to ``docs/rules``."""
from __future__ import annotations

import os
from typing import List, Optional

from pullcheck.graph.model import Rule

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # linter/pullcheck, or site-packages/pullcheck
ROOT = os.path.dirname(os.path.dirname(PACKAGE))  # the checkout
_LANG = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".tf": "hcl"}
MAX_EXAMPLE_LINES = 60


def _fixtures(rule_id: str, root: str) -> List[str]:
    folder = os.path.join(root, "fixtures", rule_id)
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if n.startswith(("bad_", "good_")) and not n.endswith(".expect"))


def _files(path: str) -> List[str]:
    """A fixture's files: itself, or (a Terraform module) the files of its folder, sorted."""
    if not os.path.isdir(path):
        return [path]
    return sorted(os.path.join(path, n) for n in os.listdir(path)
                  if not n.endswith(".expect") and os.path.isfile(os.path.join(path, n)))


def _size(path: str) -> int:
    return sum(os.path.getsize(f) for f in _files(path))


def _example(rule_id: str, name: str, root: str) -> Optional[str]:
    """The fixture's text, each file of a folder under its name; None when it is too long to show."""
    path = os.path.join(root, "fixtures", rule_id, name)
    shown: List[str] = []
    for f in _files(path):
        with open(f, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        shown += ([f"`{os.path.basename(f)}`:", ""] if f != path else []) + [
            f"```{_LANG.get(os.path.splitext(f)[1], '')}", *lines, "```", ""]
    if sum(len(s.splitlines()) for s in shown) > MAX_EXAMPLE_LINES + 4 * len(_files(path)):
        return None
    return "\n".join(shown).rstrip("\n")


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
            chosen = sorted((n for n in names if n.startswith(kind + "_")),
                            key=lambda n: _size(os.path.join(root, "fixtures", rule.id, n)))
            if not chosen:
                continue
            text = _example(rule.id, chosen[0], root)  # the smallest: when it is too long, every one is
            heading = f"Flagged, `pullcheck fixtures/{rule.id}/{chosen[0]}` reports it" if kind == "bad" else \
                f"Not flagged, `pullcheck fixtures/{rule.id}/{chosen[0]}` does not report it"
            if text is None:
                out += [f"{heading} (too long to show here).", ""]
                continue
            note = " (the flagged lines carry an `expect` comment or are listed in a `.expect` file)" \
                if kind == "bad" else ""
            out += [f"{heading}{note}:", "", text, ""]
        out += ["All fixtures: " + ", ".join(f"`{n}`" for n in names)]
    return "\n".join(out).rstrip() + "\n"
