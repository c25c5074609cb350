"""Terraform's set functions, setunion(), setintersection() and setsubtract(), and the tests over a list's
elements, alltrue() and anytrue().

A set's elements take one type, as Terraform unifies them (numbers and bools with strings become strings; a
number with a bool is an error), and come out as a set in cty's order (unify.set_of): strings by their text,
numbers ascending, false before true, lists and maps by the text cty hashes them by, null last."""
from __future__ import annotations

from typing import Any, List

from pullcheck.formats.terraform.budget import Budget, Opaque
from pullcheck.formats.terraform.convert import Invalid, at_most, equality_key, spend, text_of, to_bool
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.unify import set_of, unified
from pullcheck.graph.values import Ref, Template, Unknown


def _elements(sets: Any, meter: Budget) -> List[List[Any]]:
    """The arguments' elements, of one type (each argument a list, a tuple or a set)."""
    if not sets:
        raise Fails("at least one set is required")
    if not all(isinstance(s, list) for s in sets):
        raise Fails("set of any single type required")
    spend(meter, sum(len(s) for s in sets))
    kinds = {_kind(x) for s in sets for x in s} - {"null"}
    if "collection" in kinds and len(kinds) > 1:
        raise Fails("given sets must all have compatible element types")
    if {"number", "bool"} <= kinds and "string" not in kinds:
        raise Fails("given sets must all have compatible element types")
    if "string" in kinds and len(kinds) > 1:
        return [[x if x is None else text_of(x) for x in s] for s in sets]
    if "collection" in kinds:  # lists, tuples or objects: all the sets' elements take the type they unify to
        try:
            flat = unified([x for s in sets for x in s])
        except Invalid:
            raise Fails("given sets must all have compatible element types") from None
        out, at = [], 0
        for s in sets:
            out.append(flat[at:at + len(s)])
            at += len(s)
        return out
    return [list(s) for s in sets]


def _kind(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return "number"
    if isinstance(x, str):
        return "string"
    return "collection"


def _ordered(xs: List[Any]) -> Any:
    """The distinct elements as a cty set: a set (``for`` walks it by its elements), in cty's order."""
    return set_of(xs)


def setunion(*sets: Any, meter: Budget) -> Any:
    parts = _elements(sets, meter)
    at_most(sum(len(p) for p in parts))
    return _ordered([x for p in parts for x in p])


def setintersection(*sets: Any, meter: Budget) -> Any:
    parts = _elements(sets, meter)
    key = equality_key()
    common = {key(x) for x in parts[0]}
    for p in parts[1:]:
        common &= {key(x) for x in p}
    return _ordered([x for x in parts[0] if key(x) in common])


def setsubtract(a: Any, b: Any, meter: Budget) -> Any:
    parts = _elements((a, b), meter)
    key = equality_key()
    gone = {key(x) for x in parts[1]}
    return _ordered([x for x in parts[0] if key(x) not in gone])


def _bools(xs: Any, meter: Budget) -> List[Any]:
    """A list of bools as Terraform converts one (each element a bool, "true" or "false", or null); an
    element that cannot be known stays as it is."""
    if not isinstance(xs, list):
        raise Fails("list of bool required")
    spend(meter, len(xs))
    out = []
    for i, x in enumerate(xs):
        if isinstance(x, (Unknown, Ref, Template, Opaque)):
            out.append(_NOT_KNOWN)
            continue
        b = None if x is None else to_bool(x)
        if x is not None and b is None:
            raise Fails(f"element {i}: bool required")
        out.append(b)
    return out


_NOT_KNOWN = object()


def alltrue(xs: Any, meter: Budget) -> Any:
    """True unless an element is false or null (the first to be is the answer; an unknown one before it
    leaves the answer unknown)."""
    for b in _bools(xs, meter):
        if b is _NOT_KNOWN:
            return None
        if b is not True:
            return False
    return True


def anytrue(xs: Any, meter: Budget) -> Any:
    """Whether an element is true (nulls are passed over; unknown ones leave a false answer unknown)."""
    got = _bools(xs, meter)
    if any(b is True for b in got):
        return True
    return None if _NOT_KNOWN in got else False
