"""What a value the run cannot resolve may stand for, so that one part's unknowns leave another's verdicts
alone.

A run is made of parts, cut as ``--jobs`` cuts it (``pullcheck.engine.links``): a data file (a template, a
task definition) or a Terraform root folder with its plans. A resource one part creates has no ID until
that part is deployed, and another part learns it only through what the run shows: a reference across
files (an imported export, a nested stack's parameter) or a data source that looks resources up. So a
value a part cannot resolve (a parameter without a value, a variable, an unresolved import, a literal ID)
may stand for:

- anything the account holds already: a snapshot's resources, what a data source reads, what Terraform
  adopts (``aws_default_*``);
- what its own part creates, and what the parts joined to it by references create (they are deployed
  knowing each other's IDs);
- anything at all when it is looked up in the account at deployment (a data source, an SSM dynamic
  reference), or when a part joined to it looks resources up by filters (a data source selecting subnets).

Never for a resource created by a part with none of these links: an endpoint whose VPC is a template's
parameter cannot sit in the VPC of an unrelated Terraform root. The engine's hubs still join every part
holding such a value with every part it could concern; within what they join, this says what it reaches.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref, Template, Unknown

# data sources that select resources by filters (pullcheck.engine.links calls them the data-query hub)
SELECTING = ("data.subnets", "data.subnet", "data.vpc", "data.security_group", "data.security_groups",
             "data.route_table", "data.vpc_endpoint")
# how the readers name an unknown looked up in the account when the stack or plan is made
_LOOKED_UP = ("data source ", "dynamic reference")


def part(res: Resource) -> str:
    """The part of the run a resource comes from: its Terraform root folder (a plan's resources, the folder
    the plan was made from, as the engine ties them), else its file."""
    if res.key.startswith("plan:"):
        return "tf:" + os.path.abspath(os.path.dirname(res.file) or ".")
    if ":" in res.key and res.rtype.startswith(("aws_", "data.")):
        return "tf:" + os.path.abspath(res.key.split(":", 1)[0].split("/module.", 1)[0])
    return res.file


def held_by_account(graph: Graph, res: Resource) -> bool:
    """A resource that exists whatever the run deploys: a snapshot's, one a data source reads, the default
    VPC and its subnets Terraform adopts. Any value may name it. The default route table, group or ACL
    Terraform adopts is its VPC's: the account's, or one a part of the run creates."""
    if res.get("snapshot") or res.rtype.startswith(("data.", "aws_default_vpc", "aws_default_subnet")):
        return True
    if res.rtype.startswith("aws_default_"):
        vpc = res.get("vpc")
        owner = graph.resources.get(vpc.target) if isinstance(vpc, Ref) else None
        return owner is None or (owner is not res and held_by_account(graph, owner))
    return False


def looked_up(graph: Graph, value: Any) -> bool:
    """Whether a value is read from the account at deployment: a data source's, or a dynamic reference."""
    if isinstance(value, Ref):
        return value.rtype.startswith("data.")
    if isinstance(value, Unknown):
        return value.origin.startswith(_LOOKED_UP)
    if isinstance(value, Template):
        return any(looked_up(graph, p) for p in value.parts)
    if isinstance(value, list):
        return any(looked_up(graph, v) for v in value)
    return False


@dataclass
class _Parts:
    joined: Dict[str, str] = field(default_factory=dict)  # part -> the first part of those joined to it
    searching: Set[str] = field(default_factory=set)  # joined parts where a data source selects by filters


def _refs(value: Any, out: List[Ref]) -> None:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Ref):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, Template):
            stack.extend(v.parts)


def _build_parts(graph: Graph) -> _Parts:
    parent: Dict[str, str] = {}

    def find(p: str) -> str:
        parent.setdefault(p, p)
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for res in graph.resources.values():
        if res.get("snapshot"):
            continue  # the account's: every part may name it, which joins no two parts
        own = find(part(res))
        refs: List[Ref] = []
        _refs(res.attrs, refs)
        for ref in refs:
            target = graph.resources.get(ref.target)
            if target is None or target.get("snapshot"):
                continue
            other = find(part(target))
            if other != own:
                parent[other] = own
    out = _Parts({p: find(p) for p in list(parent)})
    out.searching = {out.joined[part(r)] for r in graph.of_kind(*SELECTING) if part(r) in out.joined}
    return out


def joined(graph: Graph, res: Resource) -> str:
    """The parts joined to the resource's by references, named by one of them."""
    parts = graph.facts.index(_build_parts)
    p = part(res)
    return parts.joined.get(p, p)


class Unresolved:
    """Values of the run that cannot be resolved, each with the resource that holds it and why it matters;
    asked which of them may stand for a given resource."""

    def __init__(self) -> None:
        self.items: List[Tuple[Resource, Any, str]] = []
        self._anywhere: Optional[str] = None  # why, for the first value that may stand for anything
        self._within: Dict[str, str] = {}  # joined parts -> why, for the first value that reaches them
        self._lookups: List[Tuple[Any, str]] = []  # data sources' lookups, each reaching what it may select

    def add(self, holder: Resource, value: Any, why: str) -> None:
        self.items.append((holder, value, why))
        self._anywhere = None

    def __bool__(self) -> bool:
        return bool(self.items)

    def __str__(self) -> str:
        return self.items[0][2] if self.items else ""

    def about(self, graph: Graph, target: Optional[Resource]) -> str:
        """Why one of the values may stand for ``target`` (a resource of the graph; None when it is not
        declared there: any value may), or "" when none can."""
        if not self.items:
            return ""
        if target is None or held_by_account(graph, target):
            return self.items[0][2]
        if self._anywhere is None:
            self._sort(graph)
        found = self._anywhere or self._within.get(joined(graph, target), "")
        if found:
            return found
        # a data source's lookup reaches what its filters may select, wherever it was declared
        return next((why for value, why in self._lookups if graph.may_select(value, target) is not False), "")

    def _sort(self, graph: Graph) -> None:
        parts = graph.facts.index(_build_parts)
        self._anywhere, self._within, self._lookups = "", {}, []
        for holder, value, why in self.items:
            if graph.narrows(value):
                self._lookups.append((value, why))
                continue
            group = joined(graph, holder)
            if looked_up(graph, value) or group in parts.searching:
                self._anywhere = why
                return
            self._within.setdefault(group, why)
