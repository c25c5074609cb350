"""What a module declares, as expressions and the builder see it: a resource or data source (Declared), one of
its instances, a counted one before it is indexed, and the names that lead to them (namespaces such as
``var`` or a resource type, a called module). All but Declared are values opaque to functions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Tuple

from pullcheck.formats.terraform.budget import Opaque
from pullcheck.formats.terraform.convert import TfSet, to_count
from pullcheck.formats.terraform.syntax import Body
from pullcheck.graph.values import Missing, Ref, Unknown

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
        return expansion(self.module.evaluator({}), self.body, self.address)

    def key(self, suffix: str) -> str:
        return f"{self.module.dir}:{self.address}{suffix}"


def expansion(ev: Any, body: Body, what: str) -> Any:
    """[(suffix, context)] of a block with ``count`` or ``for_each`` (a resource, a module call) evaluated by
    ``ev``, one ``("", {})`` without either; an Unknown when they cannot be evaluated."""
    result: Any
    if "count" in body.attrs:
        counted = ev.eval(body.attrs["count"])
        n = to_count(counted)
        if n is None:
            result = _cause(counted, f"count of {what} cannot be evaluated")
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
        else:
            result = _cause(fe, f"for_each of {what} cannot be evaluated")
    else:
        result = [("", {})]
    return result


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
