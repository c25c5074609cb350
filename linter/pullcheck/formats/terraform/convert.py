"""What Terraform's functions and operators share: its conversions (to a number, a bool, a count, text), its
equality, and the bounds of one function's result."""
from __future__ import annotations

import math
from typing import Any

from pullcheck.formats.terraform.budget import Budget, JsonEncoded, Opaque, _shared_walk, equality_key
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Ref, Template, Unknown

MAX_BITS = 14_000  # a whole number past this many bits (about 4200 digits) is unknown


class Unknowable(Exception):
    """Raised inside a function whose result cannot be known (past a bound, a pattern RE2 refuses): why."""


NULL = object()  # a function's null result (one() of an empty list): None is a function that cannot tell


def same(a: Any, b: Any) -> bool:
    """``a == b``, comparing lists and maps by equality keys (shared parts once)."""
    if isinstance(a, (list, dict)) and isinstance(b, (list, dict)):
        key = equality_key()
        return bool(key(a) == key(b))
    return bool(a == b)


def to_number(v: Any) -> Any:
    """A number as Terraform converts it: numbers, and strings that spell a number; else None."""
    if isinstance(v, bool) or isinstance(v, (Unknown, Ref, Template, Opaque)):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str) and 0 < len(v) <= 40:
        try:
            return int(v, 10)
        except ValueError:
            pass
        try:
            f = float(v)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def to_bool(v: Any) -> Any:
    """A bool as Terraform converts it: bools, and the strings "true" and "false"; else None."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and not isinstance(v, Template):
        return {"true": True, "false": False}.get(v)
    return None


def to_count(v: Any) -> Any:
    """A whole number of instances (count, a length): an int >= 0, or None."""
    n = to_number(v)
    if n is None or (isinstance(n, float) and (not math.isfinite(n) or not n.is_integer())) or n < 0:
        return None
    return int(n)


def is_known(v: Any) -> bool:
    if isinstance(v, (list, dict)):
        return bool(_shared_walk([v], 1 << 62)[1])
    return not isinstance(v, (Unknown, Ref, Template, Opaque))


def text_of(v: Any) -> Any:
    """A primitive as Terraform converts it to a string, or None."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and math.isfinite(v)):
        return str(int(v))
    if isinstance(v, float) and math.isfinite(v):
        return repr(v)
    if isinstance(v, str) and not isinstance(v, (Template, JsonEncoded)):
        return v
    return None


def strings(*args: Any) -> Any:
    return all(text_of(a) is not None for a in args)


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
