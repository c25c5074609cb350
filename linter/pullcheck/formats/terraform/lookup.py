"""Terraform data sources that select resources by tags, names or IDs (``aws_subnets`` with a
``tag:Name`` filter, ``aws_subnet``, ``aws_vpc``), answered from resources declared elsewhere in the same
run. An answer is given only when every candidate can be judged and the match is not empty (and unique
where the data source returns one resource); otherwise the value stays unknown.

A route table is found by a subnet (``subnet_id``, the ``association.subnet-id`` filter) as EC2's
DescribeRouteTables finds it: through the subnet's explicit association only. A subnet left on its VPC's main
table has none, so Terraform finds no table and the answer stays unknown; the main table is the one the
``association.main`` filter names.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

from pullcheck.graph.values import Ref, text_of

if TYPE_CHECKING:  # the graph module uses this one; nothing here needs it at run time
    from pullcheck.graph.model import Graph, Resource

QUERY_KINDS = {"data.subnets": "ec2.subnet", "data.subnet": "ec2.subnet", "data.vpc": "ec2.vpc",
               "data.security_group": "ec2.security_group", "data.security_groups": "ec2.security_group",
               "data.route_table": "ec2.route_table", "data.vpc_endpoint": "ec2.vpc_endpoint"}
PLURAL = ("data.subnets", "data.security_groups")  # answered as a list of IDs (``ids``)
# the filters that name a candidate's own ID (an account's resource has it; the run's do not until applied)
_OWN_ID = {"ec2.subnet": ("id", "subnet-id"), "ec2.vpc": ("id", "vpc-id"), "ec2.security_group": ("id", "group-id"),
           "ec2.route_table": ("id", "route-table-id"), "ec2.vpc_endpoint": ("id", "vpc-endpoint-id")}
# filters on an attribute of the candidate, compared as text
_TEXT = {"group-name": "group_name", "service-name": "service_name", "vpc-endpoint-type": "type"}


def _like(have: str, pattern: str) -> bool:
    """An EC2 filter value's match: ``*`` any run of characters, ``?`` any one, everything else itself
    (``[0]`` in a tag is text, not a set of characters as in a shell pattern). Greedy with one step back to
    the last ``*``: time linear in the two lengths' product at worst, never exponential."""
    i = j = 0
    star, mark = -1, 0
    while i < len(have):
        if j < len(pattern) and pattern[j] != "*" and (pattern[j] == "?" or pattern[j] == have[i]):
            i, j = i + 1, j + 1
        elif j < len(pattern) and pattern[j] == "*":
            star, mark, j = j, i, j + 1
        elif star >= 0:
            mark += 1
            i, j = mark, star + 1
        else:
            return False
    while j < len(pattern) and pattern[j] == "*":
        j += 1
    return j == len(pattern)


def _tags(res: Resource) -> Any:
    """A resource's tags as a mapping of known strings, or None when some cannot be known."""
    tags = res.get("tags")
    if tags is None:
        return {}
    if isinstance(tags, list):  # CloudFormation: [{Key, Value}]
        out = {}
        for t in tags:
            k, v = (text_of(t.get("Key")), text_of(t.get("Value"))) if isinstance(t, dict) else (None, None)
            if k is None or v is None:
                return None
            out[k] = v
        return out
    if isinstance(tags, dict):
        out = {}
        for k, v in tags.items():
            tv = text_of(v)
            if tv is None:
                return None
            out[k] = tv
        return out
    return None


def _criterion(graph: Graph, res: Resource, name: str, values: Any) -> Optional[bool]:
    """Whether a candidate meets one filter (``tag:Name``, ``vpc-id``, ``cidr-block``); None if unknown."""
    if not isinstance(values, list):
        return None
    if res.kind == "ec2.route_table" and name == "association.subnet-id":
        return _associated(graph, res, values)
    if res.kind == "ec2.route_table" and name == "association.main":
        flags = {str(text_of(v)).lower() for v in values}
        main = _is_main(graph, res)
        return None if main is None or not flags <= {"true", "false"} else str(main).lower() in flags
    if name in _OWN_ID.get(res.kind, ()):
        return _own_id(res, values)
    if name in _TEXT:
        have = text_of(res.get(_TEXT[name]))
        wanted = [text_of(v) for v in values]
        if have is None or None in wanted:
            return None
        return any(_like(have, w) for w in wanted if w is not None)
    if name.startswith("tag:"):
        tags = _tags(res)
        if tags is None:
            return None
        have = tags.get(name[4:])
        wanted = [text_of(v) for v in values]
        if None in wanted:
            return None
        return have is not None and any(_like(have, w) for w in wanted if w is not None)
    if name in ("vpc-id", "vpc_id"):
        vpc = res.get("vpc")
        if not isinstance(vpc, Ref):
            return None
        out: Optional[bool] = False
        for v in values:
            if isinstance(v, Ref) and v.rtype.startswith("data."):
                found = graph.deref(v, "ec2.vpc")  # a data source that selects one VPC of the run
                v = Ref(found.key, found.rtype, "id") if found is not None else v
            if isinstance(v, Ref) and v.target == vpc.target:
                return True
            other = graph.resources.get(v.target) if isinstance(v, Ref) else None
            if other is not None and other.kind == "ec2.vpc" and not other.rtype.startswith("data.") \
                    and not other.get("conditional"):
                continue  # another VPC: one the run creates, or the account's
            known = text_of(graph.resources[vpc.target].get("id")) if vpc.target in graph.resources else None
            if known is not None and text_of(v) is not None and known != text_of(v):
                continue  # the account's VPC, whose ID is known, named by another ID
            out = None  # a data source's VPC, an ID written out: may be this one
        return out
    if name in ("cidr-block", "cidr_block", "cidr"):
        have = text_of(res.get("cidr_block"))
        wanted = [text_of(v) for v in values]
        return None if have is None or None in wanted else have in wanted
    return None  # a filter this does not model


def _own_id(res: Resource, values: List[Any]) -> Optional[bool]:
    """Whether the candidate is the resource one of the values names: a reference to it, or its ID."""
    have = text_of(res.get("id"))
    out: Optional[bool] = False
    for v in values:
        if isinstance(v, Ref):
            if v.target == res.key or (res.kind == "ec2.route_table" and v.attr == "main_route_table_id"
                                       and _names_table(None, v, res)):
                return True
            continue
        wanted = text_of(v)
        if wanted is None or have is None:
            out = None
        elif wanted == have:
            return True
    return out


def _identity(graph: Graph, v: Any) -> Any:
    """What a value names, comparable across forms: a resource's key (a reference, or the ID of a resource
    that has one), other text as it is; None when it cannot be known (a data source not yet answered)."""
    if isinstance(v, Ref):
        target = graph.resources.get(v.target)
        if target is None or target.kind.startswith("data.") or v.attr not in (None, "id"):
            return None
        return ("key", v.target)
    text = text_of(v)
    if text is None:
        return None
    for res in graph.resources.values():
        if res.get("id") == text and res.get("snapshot"):
            return ("key", res.key)
    return ("text", text)


def _names_table(graph: Optional[Graph], v: Any, table: Resource) -> Optional[bool]:
    """Whether an association's route table is ``table`` (a VPC's main table is named through its VPC)."""
    if isinstance(v, Ref) and v.attr == "main_route_table_id":
        vpc = table.get("vpc")
        if table.get("main") is True and isinstance(vpc, Ref):
            return vpc.target == v.target
        return False if table.get("main") is False else None
    if graph is None:
        return None
    got, own = _identity(graph, v), ("key", table.key)
    if got is None:
        return None
    return got == own or (got[0] == "text" and got[1] == text_of(table.get("id")))


def _associated(graph: Graph, table: Resource, values: List[Any]) -> Optional[bool]:
    """Whether one of the subnets is explicitly associated with ``table``."""
    wanted = [_identity(graph, v) for v in values]
    out: Optional[bool] = False
    for a in graph.of_kind("ec2.route_table_association"):
        if a.get("subnet") is None:
            continue  # the VPC's main association, or a gateway's
        named = _names_table(graph, a.get("route_table"), table)
        if named is False:
            continue
        subnet = _identity(graph, a.get("subnet"))
        hit: Optional[bool] = None if subnet is None or None in wanted else subnet in wanted
        if named and hit:
            return True
        if hit is not False:
            out = None
    return out


def _is_main(graph: Graph, table: Resource) -> Optional[bool]:
    """Whether a route table is its VPC's main one: the account's say so; a run's is when it is the VPC's
    default table or a main association names it."""
    if table.get("main") is True:
        return True
    for a in graph.of_kind("ec2.route_table_association"):
        if a.get("main_for_vpc") is not None:
            named = _names_table(graph, a.get("route_table"), table)
            if named is not False:
                return named
    return False if table.get("main") is False else None


def matches(graph: Graph, query: Resource) -> Optional[List[Resource]]:
    """The resources a data source selects, or None when that cannot be known."""
    cached = graph.facts.table(matches)
    if query.key in cached:
        return cached[query.key]
    result = _matches(graph, query)
    cached[query.key] = result
    return result


def _matches(graph: Graph, query: Resource) -> Optional[List[Resource]]:
    criteria = query.get("criteria")
    if not isinstance(criteria, list) or not criteria or query.get("conditional"):
        return None  # no selector (the default VPC, say) or one that cannot be read
    out = []
    for res in graph.of_kind(QUERY_KINDS[query.kind]):
        verdicts = [_criterion(graph, res, name, values) for name, values in criteria]
        if False in verdicts:
            continue
        if None in verdicts or res.get("conditional"):
            return None
        out.append(res)
    if not out or (query.kind not in PLURAL and len(out) != 1):
        return None
    return out


def resolve(graph: Graph, v: Any, kind: Optional[str] = None) -> Any:
    """A reference to a data source replaced by what it selects: a resource, a list for ``ids``."""
    if not isinstance(v, Ref):
        return None
    query = graph.resources.get(v.target)
    if query is None or query.kind not in QUERY_KINDS:
        return None
    found = matches(graph, query)
    if found is None:
        return None
    if query.kind in PLURAL:
        return found if v.attr == "ids" else None
    return found[0] if kind is None or found[0].kind == kind else None


def may_select(graph: Graph, v: Ref, res: Resource) -> Optional[bool]:
    """Whether the data source ``v`` reads from may stand for ``res``: False when ``v`` names what the data
    source selects (its ``id``/``ids``) and a filter rules ``res`` out, or ``res`` is of another kind; None
    otherwise (another attribute, such as a subnet's ``vpc_id``, or filters that cannot tell)."""
    query = graph.resources.get(v.target)
    if query is None or query.kind not in QUERY_KINDS or query.get("conditional") or v.attr not in ("id", "ids"):
        return None
    if res.kind != QUERY_KINDS[query.kind]:
        return False
    criteria = query.get("criteria")
    if not isinstance(criteria, list):
        return None
    verdicts = [_criterion(graph, res, name, values) for name, values in criteria]
    return False if False in verdicts else None
