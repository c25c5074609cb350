"""The run's resources joined to the account's: a value that is the ID of a resource of the snapshot (a
parameter of type ``List<AWS::EC2::Subnet::Id>``, a Terraform variable holding ``subnet-...`` IDs, an imported
export, a literal) becomes a reference to it, and a reference to a data source that selects resources
(``data.aws_subnets.x.ids``, ``data.aws_security_group.x.id``) becomes a reference to what it selects, once its
own filters are joined too. Only where the facts read references; idempotent, so each world of a template's
parameters is joined again after it is built."""
from __future__ import annotations

from typing import Any, Dict, Set

from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref, text_of

# the attributes (and the fields of their records: routes, rules) that hold references
LINKED = frozenset({"subnets", "security_groups", "vpc", "subnet", "route_table", "route_tables", "target",
                    "main_for_vpc", "group", "groups", "acl", "vpc_endpoint", "internet_gateway", "options",
                    "routes", "ingress", "egress", "rule", "nat_gateway"})
# what an attribute of a selecting data source is, once it is known what it selects
_SAME = ("id", "ids", "arn", "route_table_id", None)


def ids(graph: Graph) -> Dict[str, Ref]:
    """AWS ID -> the reference to the snapshot's resource (a VPC's main route table through its VPC)."""
    out: Dict[str, Ref] = {}
    for res in graph.resources.values():
        ident = res.get("id") if res.get("snapshot") else None
        if not isinstance(ident, str) or not res.kind.startswith("ec2."):
            continue
        if res.kind == "ec2.route_table" and res.get("main") and isinstance(res.get("vpc"), Ref):
            out[ident] = Ref(res.get("vpc").target, "ec2:Vpc", "main_route_table_id")
        else:
            out[ident] = Ref(res.key, res.rtype, None)
    return out


def link(graph: Graph) -> None:
    """Join the run's resources to the snapshot's (a no-op on a graph without a snapshot)."""
    if not any(True for _ in graph.of_kind("account.snapshot")):
        return
    linker = _Linker(graph, ids(graph))
    for res in list(graph.resources.values()):
        if res.get("snapshot"):
            continue
        if res.kind.startswith("data."):
            linker.query(res)
    for res in list(graph.resources.values()):
        if res.get("snapshot"):
            continue
        for attr in LINKED.intersection(res.attrs):
            res.attrs[attr] = linker.value(res.attrs[attr])


class _Linker:
    def __init__(self, graph: Graph, ids: Dict[str, Ref]) -> None:
        self.graph, self.ids = graph, ids
        self.done: Set[str] = set()

    def query(self, q: Resource) -> None:
        """A data source's filters joined (its ``vpc-id`` may be another data source, or a literal ID)."""
        if q.key in self.done:
            return
        self.done.add(q.key)
        criteria = q.get("criteria")
        if isinstance(criteria, list):
            q.attrs["criteria"] = [(name, self.value(values)) if isinstance(values, list) else (name, values)
                                   for name, values in criteria]

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.ids.get(v.strip(), v)
        if isinstance(v, Ref):
            return self.selected(v)
        if isinstance(v, list):
            out = []
            for item in v:
                got = self.value(item)
                if isinstance(got, list) and not isinstance(item, list):
                    out.extend(got)  # a data source's list of IDs inside a list
                else:
                    out.append(got)
            v[:] = out
            return v
        if isinstance(v, dict):
            for k in LINKED.intersection(v):
                v[k] = self.value(v[k])
        return v

    def selected(self, v: Ref) -> Any:
        """What a reference to a selecting data source stands for, when the selection is known."""
        q = self.graph.resources.get(v.target)
        if q is None or not q.kind.startswith("data.") or v.attr not in _SAME + ("vpc_id", "cidr_block",
                                                                                  "main_route_table_id"):
            return v
        self.query(q)
        if v.attr == "ids":
            found = self.graph.select(v)
            return [self._ref(r) for r in found] if found is not None else v
        from pullcheck.formats.terraform.lookup import QUERY_KINDS

        r = self.graph.deref(Ref(v.target, v.rtype, "id"), QUERY_KINDS.get(q.kind, "?"))
        if r is None:
            return v
        if v.attr in _SAME:
            return self._ref(r)
        if v.attr == "main_route_table_id" and r.kind == "ec2.vpc":
            return Ref(r.key, r.rtype, "main_route_table_id")
        got = r.get("vpc" if v.attr == "vpc_id" else v.attr)
        return got if isinstance(got, Ref) or text_of(got) is not None else v

    def _ref(self, r: Resource) -> Ref:
        if r.kind == "ec2.route_table" and r.get("main") and isinstance(r.get("vpc"), Ref):
            return Ref(r.get("vpc").target, "ec2:Vpc", "main_route_table_id")
        return Ref(r.key, r.rtype, None)
