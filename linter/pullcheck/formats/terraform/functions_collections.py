"""Terraform's functions over lists and maps, and those that pick one of their arguments (coalesce(), try()).

Those that take known arguments (see functions.Pure) return None when Terraform would give an error; the
others are given the call's arguments and its ``unknown``."""
from __future__ import annotations

from typing import Any, Dict, List

from pullcheck.formats.terraform.budget import Budget, equality_key
from pullcheck.formats.terraform.convert import NULL, at_most, text_of, to_count, to_number
from pullcheck.graph.values import MAX_ITEMS, Missing, Ref, Template, Undeclared, Unknown


def zipmap(keys: Any, values: Any) -> Any:
    if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
        return None
    if not all(text_of(k) is not None for k in keys):
        return None
    return {text_of(k): v for k, v in zip(keys, values)}


def setproduct(*lists: Any) -> Any:
    import itertools

    if not lists or not all(isinstance(x, list) for x in lists):
        return None
    size = 1
    for x in lists:
        size *= len(x)
    if size > MAX_ITEMS:
        return None
    return [list(p) for p in itertools.product(*lists)]


def distinct(xs: Any) -> Any:
    """The list without repeats, in one pass: each element by its equality key."""
    if not isinstance(xs, list):
        return None
    key = equality_key()
    seen: set = set()
    out: List[Any] = []
    for x in xs:
        k = key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def contains(xs: Any, v: Any) -> Any:
    if not isinstance(xs, list):
        return None
    key = equality_key()
    want = key(v)
    return any(key(x) == want for x in xs)


def index(xs: Any, v: Any) -> Any:
    if not isinstance(xs, list):
        return None
    key = equality_key()
    want = key(v)
    return next((i for i, x in enumerate(xs) if key(x) == want), None)


def one(xs: Any) -> Any:
    if not isinstance(xs, list) or len(xs) > 1:
        return None
    return xs[0] if xs else NULL


def coalescelist(*xs: Any) -> Any:
    for x in xs:
        if not isinstance(x, list):
            return None
        if x:
            return x
    return None


def tomap(m: Any) -> Any:
    return m if isinstance(m, dict) else None


def tolist(xs: Any) -> Any:
    return list(xs) if isinstance(xs, list) else None


def reverse(xs: Any) -> Any:
    return list(reversed(xs)) if isinstance(xs, list) else None


def slice_list(xs: Any, a: Any, b: Any) -> Any:
    if isinstance(xs, list) and to_number(a) is not None and to_number(b) is not None:
        return xs[int(to_number(a)):int(to_number(b))]
    return None


def sort(xs: Any) -> Any:
    return sorted(xs) if isinstance(xs, list) and all(text_of(x) is not None for x in xs) else None


def chunklist(xs: Any, n: Any) -> Any:
    return [xs[i:i + int(n)] for i in range(0, len(xs), int(n))] if isinstance(xs, list) and to_count(n) else None


def element(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) == 2 and isinstance(args[0], list) and isinstance(args[1], int):
        return args[0][args[1] % len(args[0])] if args[0] else unknown()
    return unknown()


def length(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], (list, dict, str)) and not isinstance(args[0], Template):
        return len(args[0])
    return unknown()


def concat(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if not all(isinstance(a, list) for a in args):
        return unknown()
    at_most(sum(len(a) for a in args))
    return [x for a in args for x in a]


def flatten(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) != 1 or not isinstance(args[0], list):
        return unknown()
    at_most(sum(len(x) if isinstance(x, list) else 1 for x in args[0]))
    out: List[Any] = []
    for x in args[0]:
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return out


def lookup(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) in (2, 3) and isinstance(args[0], dict) and isinstance(args[1], str):
        if args[1] in args[0]:
            return args[0][args[1]]
        return args[2] if len(args) == 3 else unknown()
    return unknown()


def merge(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if not all(isinstance(a, dict) for a in args):
        return unknown()
    at_most(sum(len(a) for a in args))
    out: Dict[str, Any] = {}
    for a in args:
        out.update(a)
    return out


def keys(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return list(args[0].keys()) if len(args) == 1 and isinstance(args[0], dict) else unknown()


def values(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return list(args[0].values()) if len(args) == 1 and isinstance(args[0], dict) else unknown()


def compact(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], list):
        return [x for x in args[0] if x not in (None, "")]
    return unknown()


def coalesce(args: List[Any], unknown: Any, meter: Budget) -> Any:
    for a in args:
        if isinstance(a, (Unknown, Ref, Template)):
            return unknown()
        if a not in (None, ""):
            return a
    return unknown()


def try_values(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """try(): the first argument that is not an error; an unknown one stays unknown."""
    for a in args:
        if isinstance(a, Undeclared):
            return a  # reported before evaluation: try() does not see it
        if not isinstance(a, Missing):
            return a
    return unknown()
