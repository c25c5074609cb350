"""Rule declaration and discovery through the ``pullcheck.rules`` entry-point group."""
from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from pullcheck.graph.model import ONCE_PER, Graph, Hit, Rule

GROUP = "pullcheck.rules"


class RuleError(Exception):
    pass


def rule(id: str, name: str, severity: str, *, kinds: Optional[Sequence[str]] = None,
         once_per: str = "hit", fix: str = "") -> Callable[[Callable[[Graph], Iterator[Hit]]], Rule]:
    """Declare a rule: ``check(graph) -> Iterator[Hit]``; its docstring is its documentation.

    ``kinds``: the canonical kinds whose presence the rule needs (it is not run on a graph without any of
    them; None runs it always). ``once_per``: "hit", "place" or "resource" (see ``Rule``). ``fix``: "safe"
    or "unsafe" when the rule attaches fixes to its hits (``Hit.fix``), shown in --list-rules and the docs.
    """
    if severity not in ("error", "warning", "info"):
        raise RuleError(f"rule {id}: severity must be error, warning or info, not {severity!r}")
    if fix not in ("", "safe", "unsafe"):
        raise RuleError(f"rule {id}: fix must be safe, unsafe or empty, not {fix!r}")
    if once_per not in ONCE_PER:
        raise RuleError(f"rule {id}: once_per must be one of {', '.join(ONCE_PER)}, not {once_per!r}")

    def wrap(fn: Callable[[Graph], Iterator[Hit]]) -> Rule:
        doc = (fn.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else name
        return Rule(id=id, name=name, severity=severity, check=fn, doc=_dedent(doc), summary=summary,
                    source=f"{fn.__module__}", kinds=tuple(kinds or ()), once_per=once_per, fix=fix)

    return wrap


def _dedent(doc: str) -> str:
    import textwrap

    first, _, rest = doc.partition("\n")
    return (first + "\n" + textwrap.dedent(rest)).strip()


def _entry_points() -> List[Tuple[str, str, str]]:
    """(name, 'module:attr', distribution folder) for the group, read from installed metadata.

    A direct read of ``entry_points.txt`` files (importlib.metadata costs more start-up time than a
    pre-commit hook can spare), remembered in the user cache folder until a folder on sys.path changes:
    installing or removing a distribution changes its folder's modification time.
    """
    import json

    stamp = []
    for base in _plugin_paths():
        try:
            stamp.append([base, os.stat(base or ".").st_mtime_ns])
        except OSError:
            continue
    from pullcheck.engine.cache import read_private, write_private

    cache = _cache_file()
    if cache:
        data = read_private(cache, 4 << 20)
        try:
            saved = json.loads(data) if data is not None else {}
            if saved.get("stamp") == stamp:
                found = [tuple(x) for x in saved["entry_points"]]
                if _complete(found):
                    return found  # type: ignore[return-value]
        except (ValueError, AttributeError, KeyError, TypeError):
            pass  # damaged or foreign: scanned again and rewritten
    found = _scan()
    if cache:
        write_private(cache, json.dumps({"stamp": stamp, "entry_points": found}).encode("utf-8"))
    return found


def _complete(found: List[Tuple[str, str, str]]) -> bool:
    """Whether a remembered list names every built-in rule of rules/index.json with its entry point (a
    list that lost some would silently run fewer rules)."""
    index = _builtin_index()
    if not index:
        return False
    try:
        builtin = {k: v["entry"] for k, v in index.items()}
    except (KeyError, TypeError):
        return False
    have = {x[0]: x[1] for x in found if isinstance(x, tuple) and len(x) == 3}
    return all(have.get(k) == v for k, v in builtin.items())


def _plugin_paths() -> List[str]:
    """The folders of sys.path where installed distributions are looked for: never the current folder
    (``python -m pullcheck`` puts it first, and a scanned repository could hold a *.dist-info there)."""
    cwd = os.path.realpath(os.getcwd())
    out = []
    for base in sys.path:
        if not base or base == "." or os.path.realpath(base) == cwd:
            continue
        out.append(base)
    return out


def _cache_file() -> str:
    import hashlib

    from pullcheck.engine.cache import cache_dir

    folder = cache_dir()
    if not folder:
        return ""
    key = hashlib.sha256(sys.executable.encode("utf-8", "replace")).hexdigest()[:16]
    return os.path.join(folder, f"entry-points-{key}.json")


def _scan() -> List[Tuple[str, str, str]]:
    found: List[Tuple[str, str, str]] = []
    seen = set()
    for base in _plugin_paths():
        try:
            names = os.listdir(base or ".")
        except OSError:
            continue
        for n in names:
            if not (n.endswith(".dist-info") or n.endswith(".egg-info")):
                continue
            dist = n.rsplit("-", 1)[0] if n.endswith(".dist-info") else n[:-9]
            if dist.lower() in seen:
                continue
            path = os.path.join(base or ".", n, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                continue
            seen.add(dist.lower())
            section = None
            for line in text.splitlines():
                line = line.strip()
                if line.startswith("["):
                    section = line.strip("[]").strip()
                elif section == GROUP and "=" in line:
                    k, v = line.split("=", 1)
                    found.append((k.strip(), v.strip(), n))
    return found


class _Deferred:
    """A built-in rule's check, imported on its first call: a run imports only the rules whose kinds its
    graph holds (a task-definition run loads no network rule)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __call__(self, graph: Any) -> Any:
        return _import_rule(self.target).check(graph)


def _import_rule(target: str) -> Rule:
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr or "check")


def rule_doc(r: Rule) -> str:
    """A rule's documentation (a deferred built-in rule is imported for it)."""
    if r.doc or not isinstance(r.check, _Deferred):
        return r.doc
    return _import_rule(r.check.target).doc


@functools.lru_cache(maxsize=1)
def _builtin_index() -> Dict[str, Dict[str, Any]]:
    """rules/index.json (what a run knows of the built-in rules without importing them), read once."""
    import json

    import pullcheck.rules

    index = os.path.join(os.path.dirname(os.path.abspath(pullcheck.rules.__file__)), "index.json")
    try:
        with open(index, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def load_rules(lazy: bool = True) -> Dict[str, Rule]:
    """Every rule, built-in and plugin. ``lazy``: built-in rules come from rules/index.json and import
    their code on first use (``lazy=False`` imports all: what writes that index)."""
    rules: Dict[str, Rule] = {}
    origin: Dict[str, str] = {}
    index = _builtin_index() if lazy else {}
    for name, target, dist in _entry_points():
        meta = index.get(name)
        if isinstance(meta, dict) and meta.get("entry") == target and target.startswith("pullcheck.rules."):
            # a built-in rule: its record comes from the index, its code when a run needs it
            if name in rules and origin[name] != target:
                raise RuleError(f"duplicate rule ID {name}: {origin[name]} and {target} ({dist})")
            rules[name] = Rule(name, meta["name"], meta["severity"], _Deferred(target), "", meta["summary"],
                               target.partition(":")[0], tuple(meta.get("kinds") or ()),
                               meta.get("once_per", "hit"), meta.get("fix", ""))
            origin[name] = target
            continue
        try:
            obj = _import_rule(target)
        except Exception as e:  # a broken plugin must not take the run down silently
            from pullcheck.sources import interrupt

            interrupt.check()
            raise RuleError(f"cannot load rule plugin {name} = {target} ({dist}): {e}") from None
        if not isinstance(obj, Rule):
            raise RuleError(f"rule plugin {target} ({dist}) is not a rule")
        if obj.id in rules and origin[obj.id] != target:
            raise RuleError(f"duplicate rule ID {obj.id}: {origin[obj.id]} and {target} ({dist})")
        rules[obj.id] = obj
        origin[obj.id] = target
    if not rules:
        raise RuleError("no rules found: is pullcheck installed (pip install .)?")
    from pullcheck.engine.core_rules import CORE

    for rid, r in CORE.items():
        if rid in rules:
            raise RuleError(f"duplicate rule ID {rid}: pullcheck's own and {origin[rid]}")
        rules[rid] = r
    return dict(sorted(rules.items()))


def select_rules(rules: Dict[str, Rule], select: List[str], ignore: List[str]) -> Dict[str, Rule]:
    """Longest-prefix selection by ID, ID prefix or rule name, as flake8 and ruff do."""

    def score(r: Rule, pats: List[str]) -> int:
        best = -1
        for p in pats:
            if p == r.name or p.upper() == r.id:
                best = max(best, 100)
            elif p.upper() == "ALL" or (p and r.id.startswith(p.upper())):
                best = max(best, len(p) if p.upper() != "ALL" else 0)
        return best

    for p in select + ignore:
        if p.upper() != "ALL" and not any(p == r.name or r.id.startswith(p.upper()) for r in rules.values()):
            raise RuleError(f"unknown rule or prefix: {p}")
    out = {}
    for rid, r in rules.items():
        s = score(r, select) if select else 0
        i = score(r, ignore)
        if s >= 0 and (i < 0 or s > i):
            out[rid] = r
    return out
