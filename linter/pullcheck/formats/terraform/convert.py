"""What Terraform's functions and operators share: its conversions (to a number, a bool, a count, text), its
equality, the kinds of collection it tells apart, and the bounds of one function's result.

Values are plain Python data: text, int (a whole number), number.Number (any other), bool, None, lists and
dicts. A list is a tuple and a dict an object, as HCL builds them, unless it is a TfList, a TfSet or a TfMap:
what Terraform's conversions and functions build, which it tells apart from tuples and objects (``tolist([])
== []`` is false, a set has no index)."""
from __future__ import annotations

from typing import Any, Callable, Dict

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import Budget, JsonEncoded, Opaque, shared_walk
from pullcheck.formats.terraform.failures import Fails
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Ref, Template, Unknown

MAX_BITS = number.MAX_BITS  # a whole number past this many bits (about 4200 digits) is unknown


class Unknowable(Exception):
    """Raised inside a function whose result cannot be known (past a bound, a pattern RE2 refuses): why."""


class Invalid(Fails):
    """Raised where Terraform gives an error (a value of the wrong type, an index out of range): what the
    error says. A call that raises it is that error (failures.Fails)."""


NULL = object()  # a function's null result (one() of an empty list): None is a function that cannot tell


class TfList(list):
    """A list, as Terraform's functions and conversions make them (a tuple is a plain list)."""


class TfSet(list):
    """A set: its elements once each, in Terraform's order (see unify.set_of); it has no index."""


class TfMap(dict):
    """A map, as Terraform's conversions make them (an object is a plain dict)."""


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number_of(v: Any) -> Any:
    """A number the evaluator holds: an int or a Number as it is, a float (from JSON, YAML) as the decimal it
    was written as."""
    if isinstance(v, (int, number.Number)):
        return v
    if v != v:  # NaN: no number of Terraform's
        return None
    return number.parse(repr(v)) if v not in (float("inf"), float("-inf")) else number.from_float(v)


def to_number(v: Any) -> Any:
    """A number as Terraform converts it: numbers, and strings that spell a number exactly as Go reads one
    (no space, no underscore; an exponent, ``inf``); else None (an error, or a number past the bounds)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return number_of(v)
    if isinstance(v, str) and not isinstance(v, Template) and text_known(v):
        return number.parse(v) if 0 < len(v) <= number.MAX_DIGITS + 16 else None
    return None


def to_bool(v: Any) -> Any:
    """A bool as Terraform converts it: bools, and the strings "true", "false", "1" and "0"; else None."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and not isinstance(v, Template) and text_known(v):
        return _BOOLS.get(v)
    return None


_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def to_count(v: Any) -> Any:
    """A whole number of instances (count, a length): an int >= 0, or None."""
    n = to_number(v)
    if isinstance(n, number.Number):
        return 0 if n == 0 and not n.infinite() else None
    if n is None or n < 0:
        return None
    return n


def text_known(v: str) -> bool:
    """A string's text is known: any but a jsonencode() of unknowns (whose text is a placeholder)."""
    return not (isinstance(v, JsonEncoded) and v.holes)


def is_known(v: Any) -> bool:
    if isinstance(v, (list, dict)):
        return bool(shared_walk([v], 1 << 62)[1])
    if isinstance(v, JsonEncoded):
        return not v.holes
    return not isinstance(v, (Unknown, Ref, Template, Opaque))


def text_of(v: Any) -> Any:
    """A primitive as Terraform converts it to a string, or None."""
    if isinstance(v, str):
        if isinstance(v, Template) or not text_known(v):
            return None
        return v if type(v) is str else str.__str__(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return number.text(v)
    if isinstance(v, float):
        n = number_of(v)
        return None if n is None else number.text(n)
    return None


def strings(*args: Any) -> Any:
    return all(text_of(a) is not None for a in args)


def same(a: Any, b: Any) -> bool:
    """``a == b`` as Terraform compares two known values: of the same type only (``1 == "1"`` and ``1 ==
    true`` are false, a list is not a tuple), numbers by value, lists and maps by their contents (each
    shared part keyed once)."""
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        key = equality_key()
        return bool(key(a) == key(b))
    return _primitive_key(a) == _primitive_key(b)


def equality_key() -> Callable[[Any], Any]:
    """A function giving each value a hashable key, equal for values Terraform finds equal (see same); a
    part shared many times is keyed once, so comparing costs the distinct parts only."""
    by_id: Dict[int, Any] = {}
    interned: Dict[Any, int] = {}

    def key(v: Any) -> Any:
        if isinstance(v, (list, dict)):
            got = by_id.get(id(v))
            if got is None:
                tag = next((t for kind, t in _KIND_TAGS.items() if isinstance(v, kind)),
                           _MAP if isinstance(v, dict) else _LIST)
                if isinstance(v, dict):
                    whole: Any = (tag, frozenset((k, key(x)) for k, x in v.items()))
                elif tag is _SET:
                    whole = (tag, frozenset(key(x) for x in v))
                else:
                    whole = (tag, tuple(key(x) for x in v))
                got = by_id[id(v)] = (tag, interned.setdefault(whole, len(interned)))
            return got
        return _primitive_key(v)

    return key


def _primitive_key(v: Any) -> Any:
    if isinstance(v, bool):
        return (_BOOL, v)
    if isinstance(v, float):
        n = number_of(v)
        if isinstance(n, number.Number):
            return 0 if n == 0 else (_NUMBER, str(n))
        return n
    if isinstance(v, str) and type(v) is not str and not isinstance(v, Template):
        return str.__str__(v)
    try:
        hash(v)
    except TypeError:  # a part that cannot be hashed is equal to itself only
        return (_LIST, id(v), None)
    return v


# tags no value of the evaluator can equal: the kinds of collection and of primitive that keys tell apart
_MAP, _LIST, _SET, _TFLIST, _TFMAP, _BOOL, _NUMBER = (object() for _ in range(7))
_KIND_TAGS = {TfList: _TFLIST, TfSet: _SET, TfMap: _TFMAP}


def at_most(items: int) -> None:
    """A result of ``items`` elements is not built past the bound of one function's result."""
    if items > MAX_ITEMS:
        raise Unknowable(f"gives more than {MAX_ITEMS} items")


def text_at_most(length: int) -> None:
    if length > MAX_STRING:
        raise Unknowable(f"gives a string over {MAX_STRING} characters")


def spend(meter: Budget, steps: int, items: int = 0) -> None:
    """Charge work about to be done: past the budget, the call stops (and is the budget's unknown)."""
    if not meter.spend(steps, items):
        raise Unknowable("spends past the evaluation budget")
