"""What a module declares, as expressions and the builder see it: a resource or data source (Declared), one of
its instances, a counted one before it is indexed, and the names that lead to them (namespaces such as
``var`` or a resource type, a called module). All but Declared are values opaque to functions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from pullcheck.formats.terraform.budget import Opaque
from pullcheck.formats.terraform.convert import TfSet, to_count
from pullcheck.formats.terraform.hcl_nodes import Node
from pullcheck.formats.terraform.syntax import Body
from pullcheck.graph.values import Missing, Ref, Unknown, shown_part

if TYPE_CHECKING:
    from pullcheck.formats.terraform.evaluate import Module

MAX_INSTANCES = 10_000


class Declared:
    def __init__(self, rtype: str, name: str, body: Body, pos: Tuple[int, int], module: "Module") -> None:
        self.rtype, self.name, self.body, self.pos, self.module = rtype, name, body, pos, module
        self.address = f"{rtype}.{name}"

    def instances(self) -> Any:
        """[(suffix, context)] or an Unknown when count / for_each cannot be evaluated."""
        return self.module.once(self.module.instance_cache, self.address,
                                f"{self.module.prefix}{self.address}", self._instances_now)

    def _instances_now(self) -> Any:
        return expansion(self.module.evaluator({}), self.body, self.address, by_reference=True)

    def key(self, suffix: str) -> str:
        return f"{self.module.dir}:{self.address}{suffix}"


# the attributes whose value no two resources share: a set of them has one element per resource
_IDENTIFIERS = ("id", "arn")


def expansion(ev: Any, body: Body, what: str, by_reference: bool = False) -> Any:
    """[(suffix, context)] of a block with ``count`` or ``for_each`` (a resource, a module call) evaluated by
    ``ev``, one ``("", {})`` without either; an Unknown when they cannot be evaluated. ``by_reference``: a
    for_each over the IDs of resources (``toset(aws_route_table.private[*].id)``) makes one instance per
    resource, keyed by the reference (its ID is known only once it exists)."""
    result: Any
    if "count" in body.attrs:
        counted = ev.eval(body.attrs["count"])
        n = to_count(counted)
        if n is None:
            result = _deeper(ev, body.attrs["count"], _cause(counted, f"count of {what} cannot be evaluated"))
        elif n > MAX_INSTANCES:
            result = Unknown(f"count of {what} is over {MAX_INSTANCES} instances")
        else:
            result = [(f"[{i}]", {"count.index": i}) for i in range(n)]
    elif "for_each" in body.attrs:
        fe = ev.eval(body.attrs["for_each"])
        if isinstance(fe, Counted):  # for_each over another resource's instances
            insts = fe.res.instances()
            fe = insts if isinstance(insts, Unknown) else {
                s[2:-2] if s.startswith('["') else s[1:-1]: Instance(fe.res, s) for s, _ in insts}
        if isinstance(fe, (dict, list)) and len(fe) > MAX_INSTANCES:
            result = Unknown(f"for_each of {what} is over {MAX_INSTANCES} instances")
        elif isinstance(fe, dict) and all(isinstance(k, str) for k in fe):
            result = [(f'["{k}"]', {"each.key": k, "each.value": v}) for k, v in fe.items()]
        elif isinstance(fe, list) and all(isinstance(k, str) for k in fe):
            result = [(f'["{k}"]', {"each.key": k, "each.value": k}) for k in fe]
        elif by_reference and _identifiers(fe):
            result = [(f'["{shown_part(k)}"]', {"each.key": k, "each.value": k}) for k in fe]
        else:
            result = _deeper(ev, body.attrs["for_each"], _cause(fe, f"for_each of {what} cannot be evaluated"))
    else:
        result = [("", {})]
    return result


# what an unknown says when it comes from another unknown that it does not name: the value within it does
_GENERIC = ("conditional on a value that cannot be known", "function ", "operation ")
MAX_CAUSE_NODES = 64  # expression nodes evaluated again to find what a count or for_each waits on


def _deeper(ev: Any, node: Any, found: Unknown) -> Unknown:
    """``found``, or when it does not say what it comes from (a conditional on an unknown, a function of
    one), the first unknown within ``node`` that does: a module output, a variable, a data source."""
    if not found.origin.startswith(_GENERIC):
        return found
    stack, seen = [node], 0  # depth first, left to right: the unknown an evaluation meets first
    while stack and seen < MAX_CAUSE_NODES:
        seen += 1
        v = ev.eval(stack[-1])
        n = stack.pop()
        if isinstance(v, Unknown) and not v.origin.startswith(_GENERIC):
            return Unknown(v.origin)
        if isinstance(v, Unknown) or n is node:
            stack.extend(reversed(_children(n, ev.m.locals)))
    return found


def _children(node: Any, local_values: Dict[str, Any]) -> List[Any]:
    """The expressions ``node`` is made of; for ``local.x``, the local's own expression."""
    if isinstance(node, Node) and node.kind == "attr" and isinstance(node.a, Node) and node.a.kind == "var" \
            and node.a.a == "local" and isinstance(local_values.get(node.b), Node):
        return [local_values[node.b]]
    out: List[Any] = []
    for x in (node.a, node.b, node.c, node.d) if isinstance(node, Node) else ():
        if isinstance(x, Node):
            out.append(x)
        elif isinstance(x, list):
            out.extend(y for y in x if isinstance(y, Node))
    return out


def _identifiers(fe: Any) -> bool:
    """A list of references to the IDs (or ARNs) of distinct resources, each one a key no other shares."""
    if not isinstance(fe, list) or not fe or not all(isinstance(k, Ref) and k.attr in _IDENTIFIERS for k in fe):
        return False
    return len({shown_part(k) for k in fe}) == len(fe) and len({k.target for k in fe}) == len(fe)


def _cause(v: Any, otherwise: str) -> Unknown:
    """What a count or for_each that cannot be evaluated waits on: the first unknown in its value (a variable
    without a value, a data source), else ``otherwise``."""
    stack, seen = [v], 0
    while stack and seen < 1000:
        x = stack.pop()
        seen += 1
        if isinstance(x, Unknown):
            return Unknown(x.origin)
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
    return Unknown(otherwise)


class Instance(Opaque):
    def __init__(self, res: Declared, suffix: str) -> None:
        self.res, self.suffix = res, suffix

    def attr(self, name: str) -> Any:
        return Ref(self.res.key(self.suffix), self.res.rtype, name)


class Counted(Opaque):
    """A resource or data source with count / for_each, before it is indexed."""

    def __init__(self, res: Declared) -> None:
        self.res = res


class Namespace(Opaque):
    def __init__(self, kind: str, name: str = "") -> None:
        self.kind, self.name = kind, name


class ModuleValue(Opaque):
    """A called module used as a value (``module.x``): its outputs, wherever the value travels (an output
    of another module, a local), are read from that module instance."""

    def __init__(self, module: "Module") -> None:
        self.module = module


class ModuleGroup(Opaque):
    """A module call with ``count`` or ``for_each``: its instances, (key, Module) in the order of their
    keys (an index for count, a key of for_each)."""

    def __init__(self, counted: bool, members: List[Tuple[Any, "Module"]]) -> None:
        self.counted, self.members = counted, members

    def value(self) -> Any:
        """As Terraform reads ``module.x``: a list of the instances for count, a map for for_each."""
        if self.counted:
            return [ModuleValue(m) for _, m in self.members]
        return {k: ModuleValue(m) for k, m in self.members}


def walked(coll: Any, what: str) -> Any:
    """(key, value) pairs of a collection a for expression (``what``) walks, or an Unknown saying why not:
    it cannot be known, or it is over MAX_INSTANCES elements (never a shorter walk)."""
    if isinstance(coll, (dict, list)) and len(coll) > MAX_INSTANCES:
        return Unknown(f"{what} over more than {MAX_INSTANCES} elements")
    if isinstance(coll, dict):  # a map is walked in the lexical order of its keys, as Terraform does
        return sorted(coll.items(), key=lambda kv: str(kv[0]))
    if isinstance(coll, TfSet):  # a set's elements are their own keys
        return [(x, x) for x in coll]
    if isinstance(coll, list):
        return list(enumerate(coll))
    if isinstance(coll, Missing):  # an error in the collection is the walk's
        return coll
    if coll is None or isinstance(coll, (str, bool, int, float)):
        return Missing(f"{what} over a value that is not a collection")
    return Unknown(f"{what} over a value that cannot be known")
