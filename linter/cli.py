"""Command line: ``pullcheck [PATH ...]``, ``pullcheck rule ID``."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from linter import __version__


def _split(values: List[str]) -> List[str]:
    out: List[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pullcheck",
        description="Find why a Fargate task will not pull its image, in CloudFormation, Terraform and "
                    "ECS task-definition files.",
        epilog="pullcheck rule ID   print a rule's documentation")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the current folder)")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument("--select", action="append", default=[], metavar="RULES",
                   help="rule IDs, ID prefixes or names to run (comma-separated)")
    p.add_argument("--ignore", action="append", default=[], metavar="RULES",
                   help="rule IDs, ID prefixes or names to skip (comma-separated)")
    p.add_argument("--explain", action="store_true",
                   help="print, per launch site, the network path found or the unknown that stopped a verdict")
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.add_argument("--version", action="version", version=f"pullcheck {__version__}")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # output piped into head and the like
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _main(argv: List[str]) -> int:
    from linter.registry import RuleError, load_rules, select_rules

    try:
        if argv[:1] == ["rule"]:
            return _rule_doc(argv[1:], load_rules())
        try:
            args = _parser().parse_args(argv)
        except SystemExit as e:
            return int(e.code or 0) if e.code in (0, None) else 2
        rules = load_rules()
        if args.list_rules:
            for r in rules.values():
                print(f"{r.id}  {r.name:<38} {r.severity:<8} {r.summary}")
            return 0
        selected = select_rules(rules, _split(args.select), _split(args.ignore))
    except RuleError as e:
        print(f"pullcheck: error: {e}", file=sys.stderr)
        return 2
    from linter.engine import PARSE_ID, lint_graph
    from linter.output import WRITERS

    graph, findings = lint_graph(args.paths or ["."], selected)
    if args.explain:
        from linter.explain import explain

        # machine-readable formats keep stdout to themselves
        (sys.stdout if args.format == "text" else sys.stderr).write(explain(graph, findings))
    sys.stdout.write(WRITERS[args.format](findings, selected))
    if any(f.rule_id == PARSE_ID for f in findings):
        return 2
    return 1 if findings else 0


def _rule_doc(args: List[str], rules) -> int:
    if len(args) != 1:
        print("usage: pullcheck rule ID", file=sys.stderr)
        return 2
    key = args[0]
    for r in rules.values():
        if key.upper() == r.id or key == r.name:
            print(f"# {r.id} {r.name} ({r.severity})\n\n{r.doc}")
            return 0
    print(f"pullcheck: error: unknown rule: {key}", file=sys.stderr)
    return 2
