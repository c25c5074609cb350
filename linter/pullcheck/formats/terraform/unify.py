"""Terraform's types of values, as far as converting needs them: the type of a value, the one type several
values convert to (cty's unification: ``[1, "a"]`` as a list is of strings, ``true ? 1 : "a"`` is "1"), the
conversion of a value to a type, and sets in Terraform's order.

A type is "string", "number", "bool", DYNAMIC (null, or a value that cannot be known, which converts to any
type), or a tuple: ("list", T), ("set", T), ("map", T), ("tuple", (T, ...)), ("object", ((name, T), ...)).
Unknown values take no part in unifying: the known ones are converted among themselves and the unknown ones
left as they are (Terraform would make them all unknown, which tells a linter less)."""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import JsonEncoded, Opaque
from pullcheck.formats.terraform.convert import (
    Invalid,
    TfList,
    TfMap,
    TfSet,
    equality_key,
    is_known,
    is_number,
    number_of,
    text_of,
    to_bool,
    to_number,
)
from pullcheck.formats.terraform.types import MarkedList, MarkedMap
from pullcheck.graph.values import Ref, Template, Unknown
from pullcheck.sources.marked import MDict, MList

DYNAMIC = "dynamic"
_PRIMITIVE = ("string", "number", "bool")


def type_of(v: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
    """The type of ``v`` (each shared list or map typed once)."""
    if isinstance(v, (str, Template)):
        return "string"
    if isinstance(v, bool):
        return "bool"
    if is_number(v):
        return "number"
    if not isinstance(v, (list, dict)):
        return DYNAMIC  # null, unknown
    memo = {} if memo is None else memo
    got = memo.get(id(v))
    if got is not None:
        return got
    if isinstance(v, (TfList, TfSet, TfMap)):
        inner = unify([type_of(x, memo) for x in (v.values() if isinstance(v, dict) else v)])
        kind = "map" if isinstance(v, TfMap) else "set" if isinstance(v, TfSet) else "list"
        got = (kind, DYNAMIC if inner is None else inner)
    elif isinstance(v, dict):
        got = ("object", tuple(sorted((k, type_of(x, memo)) for k, x in v.items())))
    else:
        got = ("tuple", tuple(type_of(x, memo) for x in v))
    memo[id(v)] = got
    return got


def _kind(t: Any) -> str:
    return "primitive" if isinstance(t, str) else t[0]


def _elements(t: Any) -> List[Any]:
    """The types inside a collection type: its element type, or those of its attributes or elements."""
    if t[0] in ("list", "set", "map"):
        return [t[1]]
    if t[0] == "object":
        return [a for _, a in t[1]]
    return list(t[1])


def unify(types: List[Any]) -> Any:
    """The type every one of ``types`` converts to, as cty unifies them, or None when there is none."""
    known = [t for t in types if t != DYNAMIC]
    if not known:
        return DYNAMIC
    first = known[0]
    if all(t == first for t in known[1:]):
        return first
    kinds = {_kind(t) for t in known}
    if kinds == {"primitive"}:
        return "string" if "string" in known else None
    if kinds <= {"map", "object"} or kinds <= {"list", "tuple"} or kinds == {"set"}:
        if kinds == {"object"}:
            return _unify_objects(known)
        if kinds == {"tuple"} and len({len(t[1]) for t in known}) == 1:
            across = [unify([t[1][i] for t in known]) for i in range(len(first[1]))]
            return None if None in across else ("tuple", tuple(across))
        inner = unify([e for t in known for e in _elements(t)])
        kind = "map" if kinds <= {"map", "object"} else "set" if kinds == {"set"} else "list"
        return None if inner is None else (kind, inner)
    return None


def _unify_objects(types: List[Any]) -> Any:
    names = [tuple(n for n, _ in t[1]) for t in types]
    if len(set(names)) > 1:  # different attributes: a map of what they all convert to
        inner = unify([a for t in types for _, a in t[1]])
        return None if inner is None else ("map", inner)
    attrs = []
    for i, name in enumerate(names[0]):
        got = unify([t[1][i][1] for t in types])
        if got is None:
            return None
        attrs.append((name, got))
    return ("object", tuple(attrs))


def convert(v: Any, t: Any, kinds: bool = True) -> Any:
    """``v`` converted to type ``t``; the same object when nothing in it changes (``kinds``: a tuple made a
    list, an object a map, as Terraform does; without, only the values inside are converted). Raises
    Invalid where Terraform gives an error."""
    if t == DYNAMIC or v is None or isinstance(v, (Unknown, Ref, Opaque)):
        return v
    if isinstance(t, str):
        return _primitive(v, t)
    kind = t[0]
    if kind in ("list", "set", "tuple"):
        if not isinstance(v, list):
            raise Invalid(f"a {kind} is required")
        if kind == "tuple":
            if len(v) != len(t[1]):
                raise Invalid("a tuple of another length")
            items = [convert(x, et, kinds) for x, et in zip(v, t[1])]
        else:
            items = [convert(x, t[1], kinds) for x in v]
            if kinds and t[1] == DYNAMIC:  # a collection of any type: its elements take the one they unify to
                items = unified(items)
        if kinds and kind == "set":
            return set_of(items)
        if kinds and kind == "list":
            return v if isinstance(v, TfList) and _unchanged(v, items) else _kept(v, items, MarkedList)
        return v if _unchanged(v, items) else _like(v, items)
    if not isinstance(v, dict):
        raise Invalid(f"a {kind} is required")
    if kind == "object":
        want = dict(t[1])
        if set(want) != set(v):
            raise Invalid("an object of other attributes")
        got = {k: convert(x, want[k], kinds) for k, x in v.items()}
    else:
        got = {k: convert(x, t[1], kinds) for k, x in v.items()}
        if kinds and t[1] == DYNAMIC:
            got = dict(zip(got, unified(list(got.values()), sequence=False)))
    if kinds and kind == "map":
        return v if isinstance(v, TfMap) and _unchanged(v.values(), got.values()) else _kept(v, got, MarkedMap)
    return v if _unchanged(v.values(), got.values()) else _like(v, got)


def _kept(v: Any, items: Any, kind: type) -> Any:
    """``items`` as a list or map (the class ``kind``) with the positions ``v`` has, if any."""
    if not hasattr(v, "pos"):
        return (TfMap if isinstance(items, dict) else TfList)(items)
    out: Any = kind(items)
    out.pos = v.pos
    if isinstance(items, dict):
        kpos = getattr(v, "kpos", {})
        out.kpos = {k: kpos.get(k, v.pos) for k in items}
    else:
        ipos = getattr(v, "ipos", None)
        out.ipos = list(ipos) if ipos is not None and len(ipos) == len(out) else [v.pos] * len(out)
    return out


def _unchanged(old: Any, new: Any) -> bool:
    return all(a is b for a, b in zip(old, new))


def _like(v: Any, items: Any) -> Any:
    """A collection of the kind of ``v`` holding ``items``, with its positions."""
    if isinstance(v, (TfList, TfSet, TfMap)):
        return type(v)(items)
    out: Any = MDict(items) if isinstance(v, dict) else MList(items)
    for name in ("pos", "ipos", "kpos"):
        if hasattr(v, name):
            setattr(out, name, getattr(v, name))
    return out


def _primitive(v: Any, t: str) -> Any:
    if isinstance(v, Template) or (isinstance(v, JsonEncoded) and v.holes):
        if t != "string":
            raise Invalid(f"a {t} is required")
        return v
    if isinstance(v, (list, dict)):
        raise Invalid(f"a {t} is required")
    if t == "string":
        got = text_of(v)
        if got is None:
            raise Invalid("a string is required")
        return v if got == v and isinstance(v, str) else got
    if t == "number":
        got = to_number(v) if not is_number(v) else number_of(v)
        if got is None:
            raise Invalid("a number is required")
        return v if got is v else got
    got = to_bool(v)
    if got is None:
        raise Invalid("a bool is required")
    return got


def unified(values: List[Any], sequence: bool = True) -> List[Any]:
    """``values`` converted to the one type they unify to (the elements of a tuple made a list, or with
    ``sequence`` false an object's attributes a map); raises Invalid when there is none, and (cty's
    conversion of a tuple to a list or set) where a null sits beside collections."""
    memo: Dict[int, Any] = {}
    t = unify([type_of(x, memo) for x in values])
    if t is None:
        raise Invalid("the values have no type in common")
    if sequence and isinstance(t, tuple) and any(x is None for x in values):
        raise Invalid("a null element among collections")
    return [convert(x, t) for x in values]


def as_list(v: Any) -> Any:
    """tolist(): a list, set or tuple as a list of one element type."""
    if isinstance(v, TfList):
        return v
    if isinstance(v, TfSet):  # a set with unknown elements has no known length: neither has the list
        return TfList(v) if is_known(v) or len(v) == 1 else Unknown("a list of a set whose elements are not all known")
    if not isinstance(v, list):
        raise Invalid("a list is required")
    return TfList(unified(v))


def as_set(v: Any) -> Any:
    """toset(): a list, set or tuple as a set (its elements of one type, once each, in Terraform's order)."""
    if isinstance(v, TfSet):
        return v
    if not isinstance(v, list):
        raise Invalid("a set is required")
    return set_of(v if isinstance(v, TfList) else unified(v))


def as_map(v: Any) -> Any:
    """tomap(): a map or object as a map of one element type."""
    if isinstance(v, TfMap):
        return v
    if not isinstance(v, dict):
        raise Invalid("a map is required")
    keys = list(v)
    return TfMap(zip(keys, unified([v[k] for k in keys], sequence=False)))


def set_of(items: List[Any]) -> TfSet:
    """A set of ``items`` (of one type): each once, in Terraform's order: strings by their text, numbers by
    value, false before true, other values by the text cty hashes them by; nulls, then unknowns, last."""
    key = equality_key()
    seen: set = set()
    known: List[Any] = []
    nulls: List[Any] = []
    unknowns: List[Any] = []
    for x in items:
        if x is None:
            nulls[:1] = [None]
            continue
        if isinstance(x, (Unknown, Ref, Template, Opaque)):
            unknowns.append(x)
            continue
        k = key(x)
        if k not in seen:
            seen.add(k)
            known.append(x)
    if all(isinstance(x, str) for x in known):
        known.sort()
    elif all(is_number(x) for x in known):
        known.sort(key=functools.cmp_to_key(number.compare))
    elif all(isinstance(x, bool) for x in known):
        known.sort()
    else:
        known.sort(key=_hash_text)
    return TfSet(known + nulls + unknowns)


def _hash_text(v: Any) -> str:
    """The text cty orders the elements of a set of other than strings, numbers and bools by."""
    if v is None:
        return "~"
    if isinstance(v, bool):
        return "T" if v else "F"
    if is_number(v):
        return number.text_g(number_of(v), 10)
    if isinstance(v, str):
        t = text_of(v)
        return "?" if t is None else go_quote(t)
    if isinstance(v, dict):
        if isinstance(v, TfMap):
            return "{" + "".join(f"{go_quote(k)}:{_hash_text(v[k])};" for k in sorted(v)) + "}"
        return "<" + "".join(_hash_text(v[k]) + ";" for k in sorted(v)) + ">"
    if isinstance(v, list):
        inner = "".join(_hash_text(x) + ";" for x in v)
        return f"[{inner}]" if isinstance(v, (TfList, TfSet)) else f"<{inner}>"
    return "?"


def go_quote(s: str) -> str:
    """Go's ``%q`` of a string: quoted, with its non-printable characters escaped."""
    out = ['"']
    for ch in s:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
               "\t": "\\t", "\v": "\\v"}


def unify_pair(chosen: Any, other: Any, chosen_first: bool = True) -> Any:
    """The branch a conditional chose, converted to the type both branches unify to (``true ? 1 : "a"`` is
    "1", a tuple against a set is a set); when cty's unification finds no such type, the branches' own types
    are tried in cty's order of preference (``chosen_first``: the chosen one is the true one, first when
    neither is preferred), each taken when the other's type has a conversion to it (unsafe ones too), and
    the chosen value converted to it, which can fail. Raises Invalid when no type is found or the conversion
    fails. Its collections otherwise keep their kind and positions."""
    if (type(chosen) is type(other) and not isinstance(chosen, (list, dict))) \
            or (is_number(chosen) and is_number(other)):
        return chosen
    if chosen is None or other is None or isinstance(chosen, (Unknown, Ref, Opaque)) \
            or isinstance(other, (Unknown, Ref, Opaque)):
        return chosen
    memo: Dict[int, Any] = {}
    mine, theirs = type_of(chosen, memo), type_of(other, memo)
    t = unify([mine, theirs])
    if t is None and _with_null(mine, theirs):
        # objects (tuples) that do not unify, a null among their attributes: a map (list) of any one type
        t = ("map" if _kind(mine) == "object" else "list", DYNAMIC)
    elif t is None and _kind(mine) == _kind(theirs) and _kind(mine) in ("object", "tuple"):
        raise Invalid("the true and false results have no type in common")  # cty tries no other type
    elif t is None:
        t = _target(mine, theirs, chosen_first)
    # a list, set or map type makes the chosen value one (a set walked by element, a list by index)
    return convert(chosen, t, kinds=isinstance(t, tuple) and t[0] in ("list", "set", "map"))


def _with_null(a: Any, b: Any) -> bool:
    """Two objects or two tuples with a null (of no type) among their attributes or elements, each of whose
    own attributes or elements unify."""
    return _kind(a) == _kind(b) and _kind(a) in ("object", "tuple") and DYNAMIC in _elements(a) + _elements(b) \
        and unify(_elements(a)) is not None and unify(_elements(b)) is not None


def _target(mine: Any, theirs: Any, chosen_first: bool) -> Any:
    """The type of one branch that the other's type converts to, the preferred first (see _preferred)."""
    first, second = (mine, theirs) if chosen_first else (theirs, mine)
    if _preferred(second, first):
        first, second = second, first
    for target, source in ((first, second), (second, first)):
        if convertible(source, target):
            return target
    raise Invalid("the true and false results have no type in common")


def _preferred(a: Any, b: Any) -> bool:
    """cty's order of preference among two types that do not unify: ``a`` before ``b`` (string before the
    other primitives, a list before a tuple or a set, a tuple before a set, a map before an object)."""
    if a == b:
        return False
    if a == "string" or b == "string":
        return a == "string"
    ka, kb = _kind(a), _kind(b)
    if ka == kb and ka in ("list", "set", "map"):
        return _preferred(a[1], b[1])
    rank = {("list", "tuple"), ("list", "set"), ("tuple", "set"), ("map", "object")}
    return (ka, kb) in rank


def convertible(source: Any, target: Any) -> bool:
    """Whether cty has a conversion (unsafe ones too) from type ``source`` to type ``target``: a value of the
    one may convert to the other (each value's conversion can still fail)."""
    if source == target or DYNAMIC in (source, target):
        return True
    if isinstance(source, str) or isinstance(target, str):
        return isinstance(source, str) and isinstance(target, str) and "string" in (source, target)
    ks, kt = source[0], target[0]
    if kt in ("list", "set"):
        return ks in ("list", "set", "tuple") and all(convertible(e, target[1]) for e in _elements(source))
    if kt == "map":
        return ks in ("map", "object") and all(convertible(e, target[1]) for e in _elements(source))
    if kt == "tuple":
        return ks == "tuple" and len(source[1]) == len(target[1]) and \
            all(convertible(a, b) for a, b in zip(source[1], target[1]))
    have = dict(source[1]) if ks == "object" else None
    if ks == "map":
        return all(convertible(source[1], a) for _, a in target[1])
    return have is not None and all(n in have and convertible(have[n], a) for n, a in target[1])
