"""What a module declares, as expressions and the builder see it: a resource or data source (Declared), one of
its instances, a counted one before it is indexed, and the names that lead to them (namespaces such as
``var`` or a resource type, a called module). All but Declared are values opaque to functions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

from pullcheck.formats.terraform.budget import Opaque
from pullcheck.formats.terraform.convert import to_count
from pullcheck.formats.terraform.syntax import Body
from pullcheck.graph.values import Ref, Unknown

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
        ev = self.module.evaluator({})
        result: Any
        if "count" in self.body.attrs:
            n = to_count(ev.eval(self.body.attrs["count"]))
            if n is None:
                result = Unknown(f"count of {self.address} cannot be evaluated")
            elif n > MAX_INSTANCES:
                result = Unknown(f"count of {self.address} is over {MAX_INSTANCES} instances")
            else:
                result = [(f"[{i}]", {"count.index": i}) for i in range(n)]
        elif "for_each" in self.body.attrs:
            fe = ev.eval(self.body.attrs["for_each"])
            if isinstance(fe, Counted):  # for_each over another resource's instances
                insts = fe.res.instances()
                fe = insts if isinstance(insts, Unknown) else {
                    s[2:-2] if s.startswith('["') else s[1:-1]: Instance(fe.res, s) for s, _ in insts}
            if isinstance(fe, (dict, list)) and len(fe) > MAX_INSTANCES:
                result = Unknown(f"for_each of {self.address} is over {MAX_INSTANCES} instances")
            elif isinstance(fe, dict) and all(isinstance(k, str) for k in fe):
                result = [(f'["{k}"]', {"each.key": k, "each.value": v}) for k, v in fe.items()]
            elif isinstance(fe, list) and all(isinstance(k, str) for k in fe):
                result = [(f'["{k}"]', {"each.key": k, "each.value": k}) for k in fe]
            else:
                result = Unknown(f"for_each of {self.address} cannot be evaluated")
        else:
            result = [("", {})]
        return result

    def key(self, suffix: str) -> str:
        return f"{self.module.dir}:{self.address}{suffix}"


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
