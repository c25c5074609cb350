"""Input variables as Terraform assigns them.

A root module's variables take, each later one winning: their defaults, the ``TF_VAR_`` environment (only
when the run asks for it: the environment pullcheck runs in is seldom the one a deployment runs in),
``terraform.tfvars``, ``terraform.tfvars.json``, the ``*.auto.tfvars`` and ``*.auto.tfvars.json`` files in
the lexical order of their names, then the run's ``--var-file`` and ``--var`` in command-line order
(Given). A called module's variables take the arguments of its call. Then, as Terraform does: a null
value of a variable with ``nullable = false`` is its default; the value is converted to the variable's
``type`` (pullcheck.formats.terraform.types), its optional attributes filled. A value Terraform would refuse
(one that does not convert, a variables file that calls a function) is an unknown that says so; validation
blocks are not checked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from pullcheck.formats.terraform.convert import Unknowable
from pullcheck.formats.terraform.expressions import Evaluator
from pullcheck.formats.terraform.hcl import Node
from pullcheck.formats.terraform.syntax import Body, read
from pullcheck.formats.terraform.types import BadType, Mismatch, Type, Typed, convert, parse_type
from pullcheck.graph.values import Ref, Undeclared, Unknown
from pullcheck.sources.errors import ParseError

if TYPE_CHECKING:
    from pullcheck.formats.terraform.evaluate import Module

ENV_PREFIX = "TF_VAR_"


@dataclass(frozen=True)
class Given:
    """What a run gives its root modules besides their own files, as Terraform's command line does:
    ``assignments`` are ("file", path) for ``-var-file`` and ("var", "NAME=VALUE") for ``-var``, in
    command-line order; ``environment``: read the ``TF_VAR_`` variables too."""

    assignments: Tuple[Tuple[str, str], ...] = ()
    environment: bool = False


@dataclass
class Assigned:
    """A value given to a root module's variable: an expression of a variables file (``expr``; ``literal``
    when it is a JSON file's value, taken as it is), or text from the command line or the environment
    (``text``), read as the variable's type says. ``where`` names it in messages."""

    where: str
    expr: Any = None
    text: Optional[str] = None
    literal: bool = False


def automatic(names: List[str]) -> List[str]:
    """The variables files Terraform reads by itself, among a folder's file names, in its order."""
    auto = sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    return [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names] + auto


def checked(parsed: Any) -> Any:
    """A variables file's parse as Terraform takes it (ParseError otherwise): a JSON object of values, or
    a body of attributes only."""
    if isinstance(parsed, Body):
        if parsed.blocks:
            name, _, _, pos = parsed.blocks[0]
            raise ParseError(f"a variables file sets variables only: block {name} is not expected", pos[0], pos[1])
        return parsed
    if not isinstance(parsed, dict):
        raise ParseError("a JSON variables file holds an object of variable values")
    return parsed


def assigned_in(parsed: Any, where: str) -> Dict[str, Assigned]:
    """What one variables file assigns, by variable name."""
    if isinstance(parsed, Body):
        return {k: Assigned(f"the value in {where}", expr=t) for k, t in parsed.attrs.items()}
    return {k: Assigned(f"the value in {where}", expr=v, literal=True) for k, v in parsed.items()
            if isinstance(k, str)}


def assign(module: "Module", files: List[Tuple[str, Any]], given: Optional[Given], read_file: Any) -> None:
    """A root module's assignments, later ones winning: the environment (when ``given`` asks), its
    automatic variables ``files`` ((name, parse) in Terraform's order), then ``given``'s --var-file (each
    read by ``read_file(path)``: its assignments, none when it cannot be read, the caller saying why) and
    --var in their order."""
    got = module.assigned
    if given is not None and given.environment:
        got.update({k[len(ENV_PREFIX):]: Assigned(f"the value of {k}", text=v) for k, v in sorted(os.environ.items())
                    if k.startswith(ENV_PREFIX) and len(k) > len(ENV_PREFIX)})
    for shown, parsed in files:
        got.update(assigned_in(parsed, shown))
    for kind, text in (given.assignments if given is not None else ()):
        if kind == "file":
            got.update(read_file(text))
            continue
        name, eq, raw = text.partition("=")
        if eq and name and not name.endswith(" "):  # else refused on the command line
            got[name] = Assigned(f"the value of -var {name}", text=raw)
    # what the resources read, for the language server's reuse of a build (the session's tf_built)
    module.defs.extend((k, a.where, a.expr if a.text is None else a.text) for k, a in got.items())


def value(module: "Module", name: str) -> Any:
    """``var.<name>`` in ``module``: what it is given (its call's argument, or for a root module its
    variables files and the run's assignments) or its default, as Terraform converts it."""
    decl = module.variables.get(name)
    given, where = _given(module, name, decl)
    if decl is None:  # undeclared: Terraform refuses the reference; what the caller passes is the best guess
        return Undeclared(f"var.{name} is not declared in the module") if given is _UNSET else given
    ev = module.evaluator({})
    nullable = "nullable" not in decl.attrs or ev.eval(decl.attrs["nullable"]) is not False
    if given is _UNSET or (given is None and not nullable):
        if "default" not in decl.attrs:
            if given is not _UNSET:
                return Unknown(f"variable {name} is null, which nullable = false forbids, and has no default")
            ty = type_of(module, name)
            return Typed(f"variable {name} has no value", ty) if isinstance(ty, Type) else \
                Unknown(f"variable {name} has no value")
        given, where = ev.eval(decl.attrs["default"]), "its default"
        if given is None and not nullable:
            return Unknown(f"variable {name} has a null default, which nullable = false forbids")
    ty = type_of(module, name)
    if isinstance(given, Unknown):  # converted to the variable's type, whatever it is: of that type
        plain = type(given) is Unknown and isinstance(ty, Type) and ty.kind != "any"
        return Typed(given.origin, ty) if plain else given
    if isinstance(ty, Unknown):
        return ty
    if ty is None:
        return given
    if isinstance(given, Ref) and ty.kind != "any":  # still the resource's value, now of the variable's type
        return replace(given, ty=ty)
    try:
        return convert(given, ty, module.budget)
    except Mismatch as e:
        return Unknown(f"variable {name}: {where} is not a {ty}: {e}")
    except Unknowable:
        return module.budget.spent()


_UNSET = object()


def _given(module: "Module", name: str, decl: Any) -> Tuple[Any, str]:
    """(what the variable is given or _UNSET, where that is written)."""
    if module.caller is not None:
        if name not in module.inputs:
            return _UNSET, ""
        return module.caller.evaluator(module.call_ctx).eval(module.inputs[name]), "the module call's argument"
    a = module.assigned.get(name)
    if a is None:
        return _UNSET, ""
    if a.text is not None:
        return _parsed_text(module, name, a), a.where
    if a.literal:
        return a.expr, a.where
    if _calls(a.expr):
        return Unknown(f"variable {name}: {a.where} calls a function, which a variables file may not"), a.where
    ev = Evaluator(module, {})
    ev.template_only = True  # a variables file's values are constants: no variable, local or resource
    return ev.eval(a.expr), a.where


def _parsed_text(module: "Module", name: str, a: Assigned) -> Any:
    """Text from the command line or the environment: taken as it is for a variable of no type or of a
    primitive type (then converted), read as an expression for any other, as Terraform reads it."""
    assert a.text is not None
    ty = type_of(module, name)
    if ty is None or (isinstance(ty, Type) and ty.kind in ("string", "number", "bool")):
        return a.text
    if isinstance(ty, Unknown):
        return ty
    try:
        body = read(f"value = {a.text}\n", a.where)
    except ParseError as e:
        return Unknown(f"variable {name}: {a.where} is not a valid expression ({e.message})")
    if set(body.attrs) != {"value"} or body.blocks or _calls(body.attrs["value"]):
        return Unknown(f"variable {name}: {a.where} is not a constant value")
    ev = Evaluator(module, {})
    ev.template_only = True
    return ev.eval(body.attrs["value"])


def type_of(module: "Module", name: str) -> Any:
    """The variable's type constraint: a Type, None when it has none, or an Unknown when Terraform would
    refuse the one written. Read once per module instance."""
    types = module.var_types
    if name not in types:
        decl = module.variables.get(name)
        t = decl.attrs.get("type") if decl is not None else None
        if t is None:
            types[name] = None
        else:
            try:
                types[name] = parse_type(t, module.evaluator({}).eval)
            except BadType as e:
                types[name] = Unknown(f"variable {name}: its type constraint is not valid ({e})")
    return types[name]


def _calls(t: Any, depth: int = 0) -> bool:
    """Whether an expression calls a function (a variables file may not)."""
    if not isinstance(t, Node) or depth > 200:
        return False
    if t.kind == "call":
        return True
    for part in (t.a, t.b, t.c, t.d):
        for x in (part if isinstance(part, (list, tuple)) else [part]):
            if isinstance(x, (list, tuple)):
                if any(_calls(y, depth + 1) for y in x):
                    return True
            elif _calls(x, depth + 1):
                return True
    return False
