"""What the builders of Terraform resources share: the resource being built with its evaluator and block
(BuildContext), attributes read into it with where each is set, and nested blocks and JSON values read."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, List, Tuple

from pullcheck.formats.terraform.budget import JsonEncoded
from pullcheck.formats.terraform.convert import Unknowable
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.expressions import Evaluator
from pullcheck.formats.terraform.functions_encoding import json_with_holes
from pullcheck.formats.terraform.hcl import Node
from pullcheck.formats.terraform.syntax import Body, Known, end_line, is_heredoc, is_literal_text, pinned, pos_of, shift
from pullcheck.graph.model import Resource, Span
from pullcheck.graph.values import Template, Unknown
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MList


class BuildContext:
    """What a builder needs: the resource being built, the evaluator and the HCL body."""

    def __init__(self, r: Resource, ev: "Evaluator", body: Body, module: Module) -> None:
        self.r, self.ev, self.body, self.module = r, ev, body, module

    def attr(self, name: str, out: str, b: Any = None, path: Tuple[Any, ...] = ()) -> Any:
        b = self.body if b is None else b
        t = b.attrs.get(name)
        r = self.r
        if t is None:
            r.attrs[out] = None
            return None
        v = self.ev.eval(t)
        r.attrs[out] = v
        where, file = _fix_site(self.module, t)
        # moved to the caller's argument: remember where it is written in the module, for suppressions there
        origin = (b.file_of(name), pos_of(t)[0]) if file else ()
        file = file or self.elsewhere(b, name)
        whole = Span.at(pos_of(where), file)
        if origin:
            whole = replace(whole, origin=origin)
        r.spans[path + (out,)] = whole
        if isinstance(v, MList):
            # item positions only where the list is written there: a list read from a local, an output or
            # another file has its items elsewhere, and the finding belongs at this attribute
            end = end_line(where) or whole.line
            for i, p in enumerate(v.ipos):
                r.spans[path + (out, i)] = replace(Span.at(p, file), origin=origin) \
                    if isinstance(where, Known) or whole.line <= p[0] <= end else whole
        return v

    def elsewhere(self, b: Body, name: str) -> str:
        """The file an attribute of ``b`` is written in when it is not the resource's (an override file's
        attribute, or one of its blocks), else ""."""
        file = b.file_of(name)
        return file if file != self.r.file else ""

    def value(self, b: Body, name: str) -> Any:
        t = b.attrs.get(name)
        return None if t is None else self.ev.eval(t)

    def blocks(self, b: Body, name: str) -> Any:
        """Nested blocks by name; an Unknown when a dynamic block of that name may add more."""
        if any(n == "dynamic" and labels == [name] for n, labels, _, _ in b.blocks) or (
                name in b.attrs and not b.json):
            return Unknown(f"dynamic {name} blocks")
        return b.block_list(name)


def _fix_site(module: Module, t: Any) -> Tuple[Any, str]:
    """Where a value is set: an attribute that is just ``var.x`` of a called module, whose caller passes x,
    is fixed at the caller's argument (the file of the module block); anything else where it is written."""
    if module.caller is not None and module.call_file and not isinstance(t, Known):
        name = _var_name(t)
        if name is not None and name in module.inputs:
            inner, file = _fix_site(module.caller, module.inputs[name])
            return inner, file or module.input_files.get(name, module.call_file)
    return t, ""


def _var_name(t: Any) -> Any:
    """NAME when an expression is exactly ``var.NAME``."""
    if isinstance(t, Node) and t.kind == "attr" and t.a.kind == "var" and t.a.a == "var":
        return t.b
    return None


def listed(c: BuildContext, b: Body, name: str) -> List[Any]:
    """An attribute's value as a list of it, or none when it is not set."""
    v = c.value(b, name)
    return [] if v is None else [v]


def nested(b: Body, *names: str) -> List[Body]:
    """The blocks at a path of block names (``target``, ``ecs_parameters``) inside ``b``."""
    found = [b]
    for n in names:
        found = [x for f in found for x in f.block_list(n)]
    return found


def flatten_refs(v: List[Any]) -> Any:
    """Terraform 0.11 wrote ``["${aws_subnet.x.*.id}"]``: a list inside a list means the inner list."""
    out = MList()
    out.pos = getattr(v, "pos", (1, 1))
    out.ipos = []
    ipos = getattr(v, "ipos", [])
    for i, item in enumerate(v):
        p = ipos[i] if i < len(ipos) else out.pos
        if isinstance(item, list):
            for x in item:
                out.append(x)
                out.ipos.append(p)
        else:
            out.append(item)
            out.ipos.append(p)
    return out


def json_attr(c: BuildContext, name: str) -> Any:
    """An attribute of the block holding JSON (see json_value), or None when it is not set."""
    t = c.body.attrs.get(name)
    return None if t is None else json_value(c.ev, t, name)


def json_value(ev: Evaluator, t: Any, name: str) -> Any:
    """An attribute holding JSON: jsonencode(...), or a string or heredoc, whose unknown interpolations
    leave the rest of the document readable (only the values built from them are unknown). Decoding it is
    spent from the root module's budget, for each instance of the resource."""
    v = ev.eval(t)
    if isinstance(v, JsonEncoded):
        return v.value
    if isinstance(v, (str, Template)):
        budget = ev.m.budget
        try:
            parsed = json_with_holes(v, budget)
            if not is_literal_text(t):  # read from a file or built elsewhere: found at the attribute
                return pinned(parsed, pos_of(t))
            # heredoc JSON starts on the line after the attribute; a quoted string on its line
            return shift(parsed, pos_of(t)[0] - (0 if is_heredoc(t) else 1))
        except ParseError:
            return Unknown(f"{name} is not valid JSON")
        except Unknowable as e:
            return budget.spent() if budget.over() else Unknown(f"{name} {e}")
    return v if isinstance(v, Unknown) else Unknown(f"{name} cannot be evaluated")
