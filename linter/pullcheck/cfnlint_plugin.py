"""pullcheck's rules inside cfn-lint: ``cfn-lint --append-rules pullcheck.cfnlint_plugin template.yaml``.

cfn-lint imports this module and runs its rule classes on each template. They run pullcheck on the same
file and report each finding under cfn-lint's rule IDs E9901 (errors), W9901 (warnings) and I9901 (info),
with the pullcheck ID at the start of the message, at the same line and column. This module is imported
only by cfn-lint; pullcheck itself never imports cfn-lint.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

try:
    from cfnlint.rules import CloudFormationLintRule, RuleMatch
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("pullcheck's cfn-lint bridge needs cfn-lint: pip install 'pullcheck[cfn-lint]'") from None

_CACHE: Dict[str, List[Any]] = {}


def _findings(filename: str) -> List[Any]:
    if filename not in _CACHE:
        from pullcheck.engine import config as cfgmod
        from pullcheck.engine.stages import finish, lint
        from pullcheck.engine.registry import load_rules, select_rules

        rules = load_rules()
        cfg = cfgmod.Config()
        found = cfgmod.find([filename])
        if found:
            cfg = cfgmod.load(found, rules)
        _CACHE[filename] = [f for f in finish(lint([filename], select_rules(rules, cfg.select, cfg.ignore)), cfg)
                            if f.rule_id not in ("PARSE001", "INTERNAL")]  # cfn-lint reports its own parse errors
    return _CACHE[filename]


def _positions(node: Any, path: Tuple[Any, ...], out: Dict[Tuple[int, int], Tuple[Any, ...]]) -> None:
    """Map the (line, column) of every key and value of cfn-lint's template to its path. A key's own mark
    wins over the start of the mapping it opens (both are at the first key of a block mapping): a finding
    on that key is about the key, not about its parent."""
    mark = getattr(node, "start_mark", None)
    if mark is not None:
        out.setdefault((mark.line + 1, mark.column + 1), path)
    if isinstance(node, dict):
        for k, v in node.items():
            km = getattr(k, "start_mark", None)
            if km is not None:
                out[(km.line + 1, km.column + 1)] = path + (k,)
            _positions(v, path + (k,), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _positions(v, path + (i,), out)


def _location(f: Any) -> Dict[str, Tuple[int, int, int, int]]:
    """The finding's range as cfn-lint takes it from a match (0-based, the end exclusive), so that a match
    is reported where pullcheck reports it, its end included, whatever the path resolves to; none for a
    finding of the whole file."""
    if f.line < 1:
        return {}
    end_line, end_col = (f.end_line, f.end_col) if f.end_line >= f.line and f.end_col >= 1 else (f.line, f.col)
    return {"location": (f.line - 1, f.col - 1, end_line - 1, end_col - 1)}


class _Pullcheck(CloudFormationLintRule):
    severity_name = "error"
    description = ("pullcheck: causes of a Fargate task failing to pull its image (network path, endpoints, "
                   "security groups, images, execution role)")
    source_url = "https://pypi.org/project/pullcheck/"
    tags = ["pullcheck", "ecs", "fargate"]

    def match(self, cfn: Any) -> List[RuleMatch]:
        filename = getattr(cfn, "filename", None)
        if not filename:
            return []
        index: Dict[Tuple[int, int], Tuple[Any, ...]] = {}
        _positions(cfn.template, (), index)
        resources = cfn.template.get("Resources", {}) if isinstance(cfn.template, dict) else {}
        out = []
        for f in _findings(filename):
            if f.severity != self.severity_name:
                continue
            path = index.get((f.line, f.col))
            if path is None:
                name = f.resource.split(".", 1)[0]
                path = ("Resources", name) if name in resources else ()
            out.append(RuleMatch(list(path), f"{f.rule_id} {f.message} [{f.name}]", **_location(f)))
        return out


class PullcheckErrors(_Pullcheck):
    id = "E9901"
    shortdesc = "pullcheck error"


class PullcheckWarnings(_Pullcheck):
    id = "W9901"
    shortdesc = "pullcheck warning"
    severity_name = "warning"


class PullcheckInfo(_Pullcheck):
    id = "I9901"
    shortdesc = "pullcheck information"
    severity_name = "info"
