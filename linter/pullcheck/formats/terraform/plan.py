"""``terraform show -json`` output (a plan, or state) as graph resources.

Planned values are facts. A value not known until apply (the ID of a subnet the plan creates) is taken
from the configuration's references (``aws_subnet.private[0].id``) when they name one resource; otherwise
it is unknown. Findings point at the ``.tf`` line of the resource when its folder is in the run, else at
the resource in the plan file.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.graph.model import Graph, Span
from pullcheck.sources.marked import MDict, MList
from pullcheck.formats.terraform.build import KINDS, build
from pullcheck.formats.terraform.declared import Declared
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.syntax import Body, Known
from pullcheck.graph.values import Ref, Unknown

_INDEXED = re.compile(r"^(.*?)(\[[^\]]*\])?$")


class _ValueBody(Body):
    """A resource's values in the shape the HCL builders read: attributes and nested blocks."""

    def __init__(self, values: Dict[str, Any], unknown: Any, refs: Any, pos: Tuple[int, int], file: str,
                 resolve) -> None:
        self.file = file
        self.attrs: Dict[str, Any] = {}
        self.blocks: List[Tuple[str, List[str], Body, Tuple[int, int]]] = []
        kpos = getattr(values, "kpos", {})
        for k, v in values.items():
            where = kpos.get(k, pos)
            unk = unknown.get(k) if isinstance(unknown, dict) else unknown
            ref = refs.get(k) if isinstance(refs, dict) else None
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                # a nested block (network_configuration { ... }), or a list of objects
                for i, x in enumerate(v):
                    sub_unk = unk[i] if isinstance(unk, list) and i < len(unk) else unk
                    sub_ref = ref[i] if isinstance(ref, list) and i < len(ref) else ref
                    xpos = v.ipos[i] if isinstance(v, MList) and i < len(v.ipos) else where
                    self.blocks.append((k, [], _ValueBody(x, sub_unk, sub_ref, xpos, file, resolve), xpos))
                self.attrs[k] = Known(v, where)
                continue
            self.attrs[k] = Known(_value(v, unk, ref, resolve), where)
        if isinstance(unknown, dict):  # attributes known only after apply, absent from the values
            for k, u in unknown.items():
                if k not in values and u is True:
                    self.attrs[k] = Known(_value(None, True, refs.get(k) if isinstance(refs, dict) else None,
                                                 resolve), pos)


def _value(v: Any, unknown: Any, ref: Any, resolve) -> Any:
    if unknown is True or (v is None and ref):
        target = resolve(ref)
        return target if target is not None else Unknown("known only after apply")
    if isinstance(v, list):
        out = MList(_value(x, unknown[i] if isinstance(unknown, list) and i < len(unknown) else False,
                           ref[i] if isinstance(ref, list) and i < len(ref) and isinstance(ref[i], list) else None,
                           resolve) for i, x in enumerate(v))
        out.pos = getattr(v, "pos", (1, 1))
        out.ipos = list(getattr(v, "ipos", [out.pos] * len(v)))
        return out
    if isinstance(v, str):
        return resolve.ids.get(v, v)  # an ID or ARN of another resource of the plan
    return v


def _config_index(module: Any, prefix: str, out: Dict[str, Any]) -> None:
    """address -> expressions of every configured resource, through module calls."""
    if not isinstance(module, dict):
        return
    for r in module.get("resources", []) or []:
        if isinstance(r, dict) and isinstance(r.get("address"), str):
            out[prefix + r["address"]] = r.get("expressions") or {}
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            _config_index(call.get("module"), f"{prefix}module.{name}.", out)


def _refs(expr: Any) -> Any:
    """The references of an expression tree, shaped like the values (lists of blocks, nested mappings)."""
    if isinstance(expr, dict):
        if "references" in expr:
            return expr["references"]
        return {k: _refs(v) for k, v in expr.items()}
    if isinstance(expr, list):
        return [_refs(x) for x in expr]
    return None


def parse_plan(doc: MDict, file: str, graph: Graph, tf_sources: Optional[Dict[str, Any]] = None) -> None:
    """The managed resources of a plan or state (``doc``) into ``graph``, each built as its configuration's
    block would be from its values, at its .tf source when ``tf_sources`` has it (by address)."""
    changes = {c.get("address"): c.get("change", {}) for c in doc.get("resource_changes", []) or []
               if isinstance(c, dict)}
    config: Dict[str, Any] = {}
    _config_index((doc.get("configuration") or {}).get("root_module"), "", config)
    resources: List[Tuple[str, Dict[str, Any]]] = []
    _managed((doc.get("planned_values") or doc.get("values") or {}).get("root_module"), resources)
    index = _Index(file, resources)
    module = Module(file)
    for address, r in resources:
        rtype = r.get("type")
        kind = KINDS.get(rtype) if isinstance(rtype, str) else None
        if kind is None:
            continue
        values = r.get("values") if isinstance(r.get("values"), dict) else MDict()
        change = changes.get(address, {})
        prefix = address[: address.rfind(rtype)] if rtype in address else ""
        base = _INDEXED.match(address).group(1)
        refs = _refs(config.get(base) or {})  # configuration addresses carry the module path too
        pos = getattr(r, "pos", (1, 1))
        body = _ValueBody(values, change.get("after_unknown") or {}, refs, pos, file, index.resolver(prefix))
        res = Declared(rtype, str(r.get("name")), body, pos, module)
        made = Graph()  # built apart, then renamed into the run's graph: no scan of the graph per resource
        build(module, res, kind, "", {}, made)
        _renamed_into(graph, made, res, file, address, (tf_sources or {}).get(base))


def _managed(module: Any, out: List[Tuple[str, Dict[str, Any]]]) -> None:
    """(address, resource) of each managed resource of a module of planned values and of its child modules."""
    if not isinstance(module, dict):
        return
    for r in module.get("resources", []) or []:
        if isinstance(r, dict) and r.get("mode", "managed") == "managed" and isinstance(r.get("address"), str):
            out.append((r["address"], r))
    for child in module.get("child_modules", []) or []:
        _managed(child, out)


class _Index:
    """The plan's resources: their addresses, also without an index (``aws_subnet.a`` for ``aws_subnet.a[0]``),
    their types, and those with an ID or ARN by it."""

    def __init__(self, file: str, resources: List[Tuple[str, Dict[str, Any]]]) -> None:
        self.file = file
        self.addresses = {a for a, _ in resources}
        self.types = {a: str(r.get("type")) for a, r in resources}
        self.by_base: Dict[str, List[str]] = {}
        for a in self.addresses:
            self.by_base.setdefault(_INDEXED.match(a).group(1), []).append(a)
        self.ids: Dict[str, Ref] = {}
        for a, r in resources:
            vals = r.get("values") if isinstance(r.get("values"), dict) else {}
            for attr in ("id", "arn"):
                v = vals.get(attr)
                if isinstance(v, str) and v:
                    self.ids[v] = Ref(f"plan:{file}:{a}", str(r.get("type")), None if attr == "id" else "arn")

    def resolver(self, prefix: str) -> Any:
        """What the references of a resource of the module at ``prefix`` resolve to (see resolve), and the
        resources by ID or ARN (``resolve.ids``)."""
        def resolve(refs: Any) -> Any:
            """The resource a list of references names, when it is one resource of the plan."""
            if not isinstance(refs, list):
                return None
            found = set()
            for ref in refs:
                if not isinstance(ref, str):
                    continue
                parts = ref.split(".")
                if parts[0] in ("var", "local", "data", "module", "each", "count", "path", "self"):
                    continue
                addr = prefix + ".".join(parts[:2])
                if addr in self.addresses:
                    found.add(addr)
                elif len(self.by_base.get(addr, [])) == 1:
                    found.add(self.by_base[addr][0])
                elif self.by_base.get(addr):
                    return Unknown(f"{ref} names one of several instances")
            if len(found) == 1:
                addr = found.pop()
                return Ref(f"plan:{self.file}:{addr}", self.types.get(addr, ""), None)
            return None
        resolve.ids = self.ids  # type: ignore[attr-defined]
        return resolve


def _renamed_into(graph: Graph, made: Graph, res: Declared, file: str, address: str, source: Any) -> None:
    """The resources built for ``res`` into ``graph`` under its ``address`` in the plan, at the .tf ``source``
    of the resource when its folder is in the run."""
    for key, built in made.resources.items():
        suffix = key.split(res.address, 1)[1] if res.address in key else ""
        built.key = f"plan:{file}:{address}{suffix}"
        built.name = address + suffix
        if source is not None:
            built.file, built.span = source.file, source.span
            built.spans = {k: Span(v.line, v.col, v.end_line, v.end_col, source.file)
                           for k in source.spans for v in [source.locate(k)]}
        graph.add(built)
