"""Jsonnet's operators, indexing and ``%`` formatting over the values of ``jsonnet_values``: an unknown operand
makes an unknown result, but for text, where the known parts are kept (a ``Template``)."""
from __future__ import annotations

import json
import math
import re
from typing import Any, List

from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Template, Unknown
from pullcheck.formats.taskdef.jsonnet_values import (Builtin, Func, JList, JsonnetError, Limit, NotRead, Obj,
                                                      is_unknown, spend, text_of, type_name, unknown_of)

__all__ = ["MAX_ITEMS", "plus", "binary", "unary", "index", "slice_of", "equal", "to_string", "format_text"]


def _fail(message: str, node: Any) -> JsonnetError:
    return JsonnetError(message, node.pos if node is not None else None, node.file if node is not None else "")


def _texty(v: Any) -> bool:
    return isinstance(v, (str, Template))


def plus(a: Any, b: Any, node: Any) -> Any:
    if _texty(a) or _texty(b):
        if is_unknown(a) and not _texty(a) or is_unknown(b) and not _texty(b):
            return text_of([to_string(a) if not is_unknown(a) else a, to_string(b) if not is_unknown(b) else b])
        return text_of([to_string(a), to_string(b)])
    if is_unknown(a) or is_unknown(b):
        return unknown_of(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return JList(list(a) + list(b), list(getattr(a, "spots", [None] * len(a))) +
                     list(getattr(b, "spots", [None] * len(b))))
    if isinstance(a, Obj) and isinstance(b, Obj):
        return Obj(a.layers + b.layers)
    if _number(a) and _number(b):
        return a + b
    raise _fail(f"cannot add {type_name(a)} and {type_name(b)}", node)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def binary(op: str, a: Any, b: Any, node: Any, ev: Any = None) -> Any:
    if op == "+":
        return plus(a, b, node)
    if op == "%" and _texty(a):
        return format_text(a, b, node, ev)
    if is_unknown(a) or is_unknown(b):
        return unknown_of(a, b)
    if op in ("==", "!="):
        same = equal(a, b)
        return same if op == "==" else not same
    if op == "in":
        if not isinstance(b, Obj) or not isinstance(a, str):
            raise _fail("in needs a string and an object", node)
        return b.has(a)
    if op in ("<", "<=", ">", ">="):
        if not (_number(a) and _number(b) or isinstance(a, str) and isinstance(b, str)
                or isinstance(a, list) and isinstance(b, list)):
            raise _fail(f"cannot compare {type_name(a)} and {type_name(b)}", node)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if not (_number(a) and _number(b)):
        raise _fail(f"{op} needs numbers, not {type_name(a)} and {type_name(b)}", node)
    return _arith(op, a, b, node)


def _arith(op: str, a: float, b: float, node: Any) -> Any:
    if op in ("/", "%") and b == 0:
        raise _fail("division by zero", node)
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    if op == "%":
        return math.fmod(a, b)
    x, y = int(a), int(b)
    if op in ("<<", ">>"):
        if y < 0 or y > 63:
            raise _fail("a shift by more than 63 bits", node)
        return float(x << y if op == "<<" else x >> y)
    return float({"&": x & y, "|": x | y, "^": x ^ y}[op])


def unary(op: str, v: Any, node: Any) -> Any:
    if is_unknown(v):
        return unknown_of(v)
    if op == "!":
        if not isinstance(v, bool):
            raise _fail("! needs a boolean", node)
        return not v
    if not _number(v):
        raise _fail(f"{op} needs a number", node)
    return -v if op == "-" else v if op == "+" else float(~int(v))


def equal(a: Any, b: Any) -> Any:
    if is_unknown(a) or is_unknown(b):
        return unknown_of(a, b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            same = equal(x, y)
            if same is not True:
                return same
        return True
    if isinstance(a, Obj) and isinstance(b, Obj):
        if a is b:
            return True
        raise NotRead("not read: a comparison of two objects")
    if isinstance(a, Obj) or isinstance(b, Obj):
        return False
    if isinstance(a, (Func, Builtin)) or isinstance(b, (Func, Builtin)):
        raise JsonnetError("functions cannot be compared")
    return type_name(a) == type_name(b) and a == b


def index(ev: Any, target: Any, key: Any, node: Any) -> Any:
    if is_unknown(target) or is_unknown(key):
        return unknown_of(target, key)
    if isinstance(target, Obj):
        if not isinstance(key, str):
            raise _fail("an object's field is named by a string", node)
        return ev.field(target, key, len(target.layers) - 1, node)
    if isinstance(target, (list, str)):
        if not _number(key) or key != int(key):
            raise _fail(f"an {type_name(target)} is indexed by a whole number", node)
        i = int(key)
        if not 0 <= i < len(target):
            raise _fail(f"index {i} out of bounds ({len(target)} items)", node)
        return target[i]
    if hasattr(target, "member"):  # the std object
        return target.member(key, node)
    raise _fail(f"cannot index {type_name(target)}", node)


def slice_of(target: Any, bounds: List[Any], node: Any) -> Any:
    if is_unknown(target) or any(is_unknown(b) for b in bounds):
        return unknown_of(target, *bounds)
    if not isinstance(target, (list, str)) or any(b is not None and not _number(b) for b in bounds):
        raise _fail("only an array or a string is sliced, by numbers", node)
    start, end, step = (int(b) if b is not None else None for b in bounds)
    if step is not None and step <= 0:
        raise _fail("a slice's step must be positive", node)
    got = target[start:end:step]
    if isinstance(target, list):
        return JList(got)
    spend(text=len(got))
    return got


def to_string(v: Any) -> Any:
    """``std.toString``: a string as it is, anything else as its JSON."""
    if isinstance(v, (str, Template, Unknown)):
        return v
    return manifest_text(v, 0)


def manifest_text(v: Any, depth: int) -> Any:
    """A value's JSON text (what ``"" + {...}`` gives), a Template when parts are unknown."""
    if depth > 64:
        raise Limit("not read: a value nested deeper than 64 levels")
    if v is None or isinstance(v, bool):
        return json.dumps(v)
    if _number(v):
        return number_text(v)
    if isinstance(v, str):
        return json.dumps(v)
    if is_unknown(v):
        return v
    if isinstance(v, list):
        return text_of(["["] + _joined([manifest_text(x, depth + 1) for x in v]) + ["]"])
    if isinstance(v, Obj):
        raise JsonnetError("not read: an object's text")
    raise JsonnetError("a function has no text")


def _joined(parts: List[Any]) -> List[Any]:
    out: List[Any] = []
    for i, p in enumerate(parts):
        out.extend([", "] if i else [])
        out.append(p)
    return out


def number_text(v: float) -> str:
    if v == int(v) and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


_SPEC = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[#0\- +]*)(?P<width>\d+|\*)?(?:\.(?P<prec>\d+))?"
                   r"(?P<conv>[diouxXeEfFgGcrs%])")


def format_text(fmt: Any, values: Any, node: Any, ev: Any = None) -> Any:
    """``fmt % values`` (``std.format``): ``%s``, ``%d``, ``%f``... with a value, an array of them, or an
    object (``%(name)s``); an unknown value leaves its place unknown in the text."""
    if not isinstance(fmt, str):
        return unknown_of(fmt)
    specs = [m for m in _SPEC.finditer(fmt) if m.group("conv") != "%"]
    if is_unknown(values) and (len(specs) != 1 or specs[0].group("key") is not None):
        return unknown_of(values)  # an unknown array or object of values: which goes where is not known
    items = list(values) if isinstance(values, list) else [values]
    parts: List[Any] = []
    at, used = 0, 0
    for m in _SPEC.finditer(fmt):
        parts.append(fmt[at:m.start()])
        at = m.end()
        if m.group("conv") == "%":
            parts.append("%")
            continue
        if m.group("key") is not None:
            if not isinstance(values, Obj) or ev is None:
                raise _fail("%(name) needs an object", node)
            v = ev.field(values, m.group("key"), len(values.layers) - 1, node)
        else:
            if used >= len(items):
                raise _fail("too few values to format", node)
            v, used = items[used], used + 1
        parts.append(_one(m, v, node))
    parts.append(fmt[at:])
    if not isinstance(values, Obj) and used < len(items):
        raise _fail("too many values to format", node)
    return text_of(parts)


def _one(m: Any, v: Any, node: Any) -> Any:
    conv = m.group("conv")
    if is_unknown(v):
        return v if conv in "sr" else unknown_of(v)
    if conv in "sr":
        return to_string(v)
    if not _number(v):
        raise _fail(f"%{conv} needs a number, not {type_name(v)}", node)
    width = int(m.group("width")) if m.group("width") and m.group("width") != "*" else 0
    if width > 1000:
        raise Limit("not read: a format width over 1000")
    spec = "%" + m.group("flags") + (str(width) if width else "") + \
        ("." + m.group("prec") if m.group("prec") else "") + ("d" if conv in "iu" else conv)
    if conv in "diouxXc":
        return spec % int(v) if conv != "c" else chr(int(v))
    text = spec % v
    if len(text) > MAX_STRING:
        raise Limit("not read: a formatted number too long")
    return text
