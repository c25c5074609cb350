"""Terraform's type constraints (a variable's ``type``): read from the expression that writes them, and values
converted to them as Terraform converts them (go-cty's rules): primitives to one another where text allows,
collections element by element, objects attribute by attribute with ``optional()`` attributes filled from
their defaults (nested too) and others dropped, the elements of a collection of ``any`` unified to one type.

A value that cannot be converted raises Mismatch with cty's words and the path to the part that fails. What
cannot be known (an unknown, a reference, text with unknown parts where a number is wanted) passes as it is:
its type is not known, so nothing can be said against it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from pullcheck.formats.terraform.budget import Opaque
from pullcheck.formats.terraform.convert import (
    TfList,
    TfMap,
    TfSet,
    equality_key,
    is_known,
    spend,
    text_of,
    to_bool,
    to_number,
)
from pullcheck.formats.terraform.hcl import MAX_NESTING, Node
from pullcheck.formats.terraform.syntax import JsonExpr, read
from pullcheck.graph.values import Missing, Ref, Template, Unknown
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MDict, MList

PRIMITIVES = ("string", "number", "bool")


class MarkedList(MList, TfList):
    """A value converted to a list type: a list to the functions (its elements of one type), with the positions
    of what it was read from."""
    __slots__ = ()


class MarkedSet(MList, TfSet):
    """A value converted to a set type: a set to the functions and ``for`` (no index; its elements are its
    keys), with positions."""
    __slots__ = ()


class MarkedMap(MDict, TfMap):
    """A value converted to a map type: a map to the functions and conversions, with positions."""
    __slots__ = ()


@dataclass
class Type:
    """``kind``: string, number, bool, any, list, set, map, object or tuple; ``elem`` of a collection;
    ``attrs`` of an object (``optional``: its optional attributes with their defaults, None for null);
    ``items`` of a tuple."""

    kind: str
    elem: Optional["Type"] = None
    attrs: Dict[str, "Type"] = field(default_factory=dict)
    optional: Dict[str, Any] = field(default_factory=dict)
    items: List["Type"] = field(default_factory=list)

    def __str__(self) -> str:
        if self.kind in ("list", "set", "map"):
            return f"{self.kind}({self.elem})"
        if self.kind == "object":
            return "object({" + ", ".join(f"{k} = {t}" for k, t in self.attrs.items()) + "})"
        if self.kind == "tuple":
            return "tuple([" + ", ".join(str(t) for t in self.items) + "])"
        return self.kind

    def has_any(self) -> bool:
        """Whether ``any`` sits anywhere in it: a collection of it then unifies its elements."""
        if self.kind == "any":
            return True
        inner = list(self.attrs.values()) + self.items + ([self.elem] if self.elem is not None else [])
        return any(t.has_any() for t in inner)


ANY = Type("any")
STRING = Type("string")


@dataclass(frozen=True)
class Typed(Unknown):
    """An unknown value whose type is known (a variable of a declared type without a value): what has no
    such attribute or index is Terraform's error even so, and what it has is an unknown of its type."""

    ty: Type = field(default_factory=lambda: ANY, compare=False, hash=False)

    def attribute(self, name: str) -> Any:
        """``value.name``: an unknown of the attribute's type, or the Missing of Terraform's error."""
        ty = self.ty
        if ty.kind == "object":
            if name in ty.attrs:
                return Typed(self.origin, ty.attrs[name])
            return Missing(f"attribute {name} is not an attribute of {ty}")
        if ty.kind == "map" and ty.elem is not None:
            return Typed(self.origin, ty.elem)
        if ty.kind in PRIMITIVES + ("list", "set", "tuple"):
            return Missing(f"attribute {name} of a {ty.kind}, which has no attributes")
        return Unknown(self.origin)

    def element(self, key: Any) -> Any:
        """``value[key]`` with a known key: an unknown of the element's type, or the Missing of Terraform's
        error (a primitive or a set has no index, a key of the wrong kind)."""
        ty = self.ty
        if ty.kind in PRIMITIVES or ty.kind == "set":
            return Missing(f"index of a {ty.kind}, which has none")
        if ty.kind == "object":
            name = text_of(key)
            if name is None:
                return Missing("key of an object that is not a string")
            return self.attribute(name)
        if ty.kind in ("list", "tuple"):
            n = to_number(key)
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                return Missing(f"index of a {ty.kind} that is not a whole number from 0")
            if ty.kind == "tuple":
                return Typed(self.origin, ty.items[n]) if n < len(ty.items) else Missing(f"index {n} out of range")
        elif ty.kind == "map" and text_of(key) is None:
            return Missing("key of a map that is not a string")
        return Typed(self.origin, ty.elem) if ty.elem is not None else Unknown(self.origin)


class BadType(Exception):
    """The expression is not a type constraint Terraform accepts."""


class Mismatch(Exception):
    """A value that cannot be converted to the type: why, in cty's words."""


def parse_type(t: Any, default_of: Callable[[Any], Any]) -> Type:
    """The type an expression writes (``list(object({a = optional(string, "x")}))``); ``default_of``
    evaluates an optional attribute's default. BadType when Terraform would refuse it (an unknown keyword,
    the quoted forms of Terraform 0.11, optional() outside an object)."""
    if isinstance(t, JsonExpr):  # the JSON syntax writes the expression as a string
        if not isinstance(t.value, str):
            raise BadType("a type constraint is an expression in a string")
        try:
            t = read(f"type = {t.value}\n", "").attrs["type"]
        except (ParseError, KeyError):
            raise BadType(f"not a type constraint: {t.value}") from None
    return _parsed(t, default_of, False)


def _parsed(t: Any, default_of: Callable[[Any], Any], in_object: bool) -> Type:
    while isinstance(t, Node) and t.kind == "paren":
        t = t.a
    if not isinstance(t, Node):
        raise BadType("not a type constraint")
    if t.kind == "var" and t.a in PRIMITIVES + ("any",):
        return Type(t.a)
    if t.kind == "var" and t.a in ("list", "map"):  # the 0.12 shorthand: a collection of any
        return Type(t.a, elem=ANY)
    if t.kind != "call":
        raise BadType(f"not a type constraint: {t.text()}")
    name, args = t.a, t.b
    if name in ("list", "set", "map") and len(args) == 1:
        return Type(name, elem=_parsed(args[0], default_of, False))
    if name == "tuple" and len(args) == 1 and isinstance(args[0], Node) and args[0].kind == "tuple":
        return Type("tuple", items=[_parsed(x, default_of, False) for x in args[0].a])
    if name == "object" and len(args) == 1 and isinstance(args[0], Node) and args[0].kind == "object":
        return _object(args[0], default_of)
    raise BadType(f"not a type constraint: {t.text()}")


def _object(t: Node, default_of: Callable[[Any], Any]) -> Type:
    out = Type("object")
    for elem in t.a:
        key = elem.a
        if key.kind == "var":
            name = key.a
        elif key.kind == "tpl" and len(key.a) == 1 and isinstance(key.a[0], str):
            name = key.a[0]
        else:
            raise BadType("an object type's attribute names are names or quoted strings")
        value = elem.b
        if isinstance(value, Node) and value.kind == "call" and value.a == "optional":
            if not 1 <= len(value.b) <= 2:
                raise BadType("optional() takes a type and, optionally, a default")
            aty = _parsed(value.b[0], default_of, False)
            default = default_of(value.b[1]) if len(value.b) == 2 else None
            if default is not None and not isinstance(default, Unknown):
                try:  # Terraform checks the default against the attribute's type when it reads the type
                    convert(default, aty)
                except Mismatch as e:
                    raise BadType(f"the default of optional attribute {name!r} is not valid: {e}") from None
            out.optional[name] = default
        else:
            aty = _parsed(value, default_of, True)
        out.attrs[name] = aty
    return out


def untyped(v: Any) -> bool:
    """A value whose type is not known: it converts to anything, as far as can be told."""
    return isinstance(v, (Unknown, Ref, Opaque))


def convert(v: Any, ty: Type, meter: Any = None, at: str = "") -> Any:
    """``v`` converted to ``ty``, optional attributes filled; Mismatch when Terraform would refuse it. Each
    collection's elements are charged to ``meter`` (a Budget; convert.spend raises Unknowable past it)."""
    if ty.kind == "any" or v is None or untyped(v):
        return v
    try:
        return _BY_KIND[ty.kind](v, ty, meter, at)
    except Mismatch as e:
        if at and not str(e).startswith(at):
            raise Mismatch(f"{at}: {e}") from None
        raise


def _string(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if isinstance(v, (str, Template)):
        return v
    text = text_of(v) if isinstance(v, (bool, int, float)) else None
    if text is None:
        raise Mismatch("string required")
    return text


def _number(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float, str, Template)):
        raise Mismatch("number required")
    if isinstance(v, Template):
        return v  # text not known yet: whether it spells a number is not known either
    n = to_number(v)
    if n is None:
        raise Mismatch("a number is required")
    return n


def _bool(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if isinstance(v, bool) or isinstance(v, Template):
        return v
    if not isinstance(v, str):
        raise Mismatch("bool required")
    # cty's conversion from text takes "1" and "0" as well as true and false
    b = to_bool(v)
    if b is None:
        b = {"1": True, "0": False}.get(v)
    if b is None:
        raise Mismatch("a bool is required")
    return b


def _sequence(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if not isinstance(v, list):
        raise Mismatch(f"{ty.kind} of {ty.elem} required")
    if meter is not None:
        spend(meter, 1 + len(v) // 8, len(v))
    assert ty.elem is not None
    items = [convert(x, ty.elem, meter, f"element {i}") for i, x in enumerate(v)]
    if ty.elem.has_any():
        items = _unified(items, ty.kind, meter)
    order = list(range(len(items)))
    if ty.kind == "set":
        order = _set_order(items)
    out: Any = (MarkedSet if ty.kind == "set" else MarkedList)(items[i] for i in order)
    out.pos = getattr(v, "pos", (1, 1))
    ipos = getattr(v, "ipos", None)
    out.ipos = [ipos[i] for i in order] if ipos is not None and len(ipos) == len(v) else [out.pos] * len(order)
    return out


def _map(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if not isinstance(v, dict):
        raise Mismatch(f"map of {ty.elem} required")
    if meter is not None:
        spend(meter, 1 + len(v) // 8, len(v))
    assert ty.elem is not None
    keys = list(v)
    values = [convert(v[k], ty.elem, meter, f"element {k!r}") for k in keys]
    if ty.elem.has_any():
        values = _unified(values, "map", meter)
    return _dict_like(v, dict(zip(keys, values)), MarkedMap)


def _object_value(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if not isinstance(v, dict):
        raise Mismatch("object required")
    if meter is not None:
        spend(meter, 1 + len(ty.attrs) // 8, len(ty.attrs))
    out: Dict[str, Any] = {}
    for name, aty in ty.attrs.items():
        given = v.get(name)
        if given is None and name in ty.optional:
            # missing or null: the default, itself converted (and its own optional attributes filled)
            default = ty.optional[name]
            out[name] = None if default is None else convert(default, aty, meter, f"attribute {name!r}")
        elif name not in v:
            raise Mismatch(f"attribute {name!r} is required")
        else:
            out[name] = convert(given, aty, meter, f"attribute {name!r}")
    return _dict_like(v, out)


def _tuple(v: Any, ty: Type, meter: Any, at: str) -> Any:
    if not isinstance(v, list) or len(v) != len(ty.items):
        raise Mismatch("tuple required")
    if meter is not None:
        spend(meter, 1 + len(v) // 8, len(v))
    out: Any = MList(convert(x, t, meter, f"element {i}") for i, (x, t) in enumerate(zip(v, ty.items)))
    out.pos = getattr(v, "pos", (1, 1))
    out.ipos = list(getattr(v, "ipos", [out.pos] * len(v)))
    return out


_BY_KIND: Dict[str, Callable[[Any, Type, Any, str], Any]] = {
    "string": _string, "number": _number, "bool": _bool, "list": _sequence, "set": _sequence, "map": _map,
    "object": _object_value, "tuple": _tuple,
}


def _dict_like(src: Any, values: Dict[str, Any], kind: type = MDict) -> MDict:
    """``values`` in a map (of the class ``kind``) that keeps the positions ``src`` has for the same keys."""
    out: Any = kind(values)
    out.pos = getattr(src, "pos", (1, 1))
    kpos = getattr(src, "kpos", {})
    out.kpos = {k: kpos.get(k, out.pos) for k in values}
    return out


# -- unification: the one type a collection of ``any`` takes ---------------------------------------------

def implied(v: Any, depth: int = 0) -> Type:
    """The type Terraform gives a value written as it is: a list is a tuple, a map an object; null and what
    is unknown are ``any`` (they take whatever type the others agree on), and so is what lies deeper than
    a type can be written (pullcheck.formats.terraform.hcl.MAX_NESTING)."""
    if v is None or untyped(v) or depth > MAX_NESTING:
        return ANY
    if isinstance(v, bool):
        return Type("bool")
    if isinstance(v, (int, float)):
        return Type("number")
    if isinstance(v, (str, Template)):
        return STRING
    if isinstance(v, list):
        return Type("tuple", items=[implied(x, depth + 1) for x in v])
    if isinstance(v, dict):
        return Type("object", attrs={k: implied(x, depth + 1) for k, x in v.items()})
    return ANY


def unify(types: List[Type]) -> Optional[Type]:
    """The type all of ``types`` convert to, as cty unifies a collection's elements, or None: the same type;
    text when one is text and the others are primitives; objects of the same attributes attribute by
    attribute, else a map of their unified attributes; tuples of one length element by element, else a
    list."""
    known = [t for t in types if t.kind != "any"]
    if not known:
        return ANY
    kinds = {t.kind for t in known}
    if kinds <= set(PRIMITIVES):
        if len(kinds) == 1:
            return known[0]
        return STRING if "string" in kinds else None
    if kinds == {"object"}:
        names = {tuple(sorted(t.attrs)) for t in known}
        if len(names) == 1:
            attrs = {k: unify([t.attrs[k] for t in known]) for k in known[0].attrs}
            if any(a is None for a in attrs.values()):
                return None
            return Type("object", attrs={k: a for k, a in attrs.items() if a is not None})
        return _collection_of("map", [a for t in known for a in t.attrs.values()])
    if kinds == {"tuple"}:
        lengths = {len(t.items) for t in known}
        if len(lengths) == 1:
            items = [unify([t.items[i] for t in known]) for i in range(lengths.pop())]
            if any(i is None for i in items):
                return None
            return Type("tuple", items=[i for i in items if i is not None])
        return _collection_of("list", [i for t in known for i in t.items])
    return None


def _collection_of(kind: str, types: List[Type]) -> Optional[Type]:
    elem = unify(types)
    return None if elem is None else Type(kind, elem=elem)


def _unified(items: List[Any], kind: str, meter: Any) -> List[Any]:
    """A collection's converted elements converted again to the one type they unify to."""
    to = unify([implied(x) for x in items])
    if to is None:
        raise Mismatch(f"all {kind} elements must have the same type")
    if to.kind == "any":
        return items
    return [convert(x, to, meter) for x in items]


def _set_order(items: List[Any]) -> List[int]:
    """The indexes of a set's distinct elements in the order Terraform gives them: text and numbers sorted,
    false before true; other elements (and unknown ones, never merged) where they first appear."""
    key = equality_key()
    seen: set = set()
    kept: List[int] = []
    for i, x in enumerate(items):
        if untyped(x) or isinstance(x, Template) or not is_known(x):
            kept.append(i)
            continue
        k = (type(x) is bool, key(x))  # True is 1 to Python, not to Terraform
        if k not in seen:
            seen.add(k)
            kept.append(i)
    values = [items[i] for i in kept]
    for kind in (str, bool, (int, float)):
        if values and all(isinstance(x, kind) and not isinstance(x, Template) for x in values) and (
                kind is bool or not any(isinstance(x, bool) for x in values)):
            return sorted(kept, key=lambda i: items[i])
    return kept
