"""The std functions ``pullcheck.formats.taskdef.jsonnet`` evaluates, and ecspresso's native functions.

A std function not listed here is "not read" where it is called (an unknown, never an error). ecspresso's
natives (``std.native('env')``...) are what the deploy gives: unknowns that name what they wait on, but for
``tfstate``, which becomes the ``{{ tfstate `ADDR` }}`` text of a JSON definition.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable, Dict, List

from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Template, Unknown
from pullcheck.formats.taskdef import jsonnet_ops as ops
from pullcheck.formats.taskdef.jsonnet_values import (Builtin, Func, JList, JsonnetError, Limit, NotRead, Obj, StateValue,
                                                      constant, is_unknown, spend, text_of, type_name, unknown_of)

# ecspresso's natives that read AWS or the deploy's environment, and what each waits on
_AWS_NATIVES = {"ssm": "SSM parameter", "ssm_list": "SSM parameter list", "secretsmanager_arn": "Secrets Manager secret",
                "cfn_output": "CloudFormation output", "cfn_export": "CloudFormation export",
                "caller_identity": "the deploying caller's identity"}


class Std:
    """The ``std`` object: its members are functions."""

    def __init__(self, table: Dict[str, Builtin]) -> None:
        self.table = table

    def member(self, key: Any, node: Any) -> Any:
        found = self.table.get(key) if isinstance(key, str) else None
        if found is None:
            name = key if isinstance(key, str) else "?"
            raise NotRead(f"not read: std.{name}", node.pos, node.file)
        return found


def _known(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` over arguments that are all known; an unknown argument makes the result unknown."""
    def call(ev: Any, args: List[Any], node: Any) -> Any:
        for a in args:
            if is_unknown(a):
                return unknown_of(a)
        try:
            got = fn(*args)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as e:
            raise JsonnetError(f"std.{name}: {str(e)[:80]}", node.pos, node.file) from None
        if isinstance(got, str):
            spend(text=len(got))
        elif isinstance(got, list):
            spend(text=sum(len(x) for x in got if isinstance(x, str)))
        return got
    return call


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(f"a string is needed, not {type_name(v)}")
    return v


def _arr(v: Any) -> list:
    if not isinstance(v, list):
        raise TypeError(f"an array is needed, not {type_name(v)}")
    return v


def _bounded_text(s: str) -> str:
    if len(s) > MAX_STRING:
        raise Limit(f"not read: a string longer than {MAX_STRING} characters")
    return s


def _repeat(what: Any, count: Any) -> Any:
    n = int(count)
    if isinstance(what, str):
        if len(what) * max(n, 0) > MAX_STRING:
            raise Limit(f"not read: a string longer than {MAX_STRING} characters")
        return what * n
    if len(_arr(what)) * max(n, 0) > MAX_ITEMS:
        raise Limit(f"not read: an array of more than {MAX_ITEMS} items")
    return JList(list(what) * n)


def _range(a: Any, b: Any) -> Any:
    if b - a + 1 > MAX_ITEMS:
        raise Limit(f"not read: an array of more than {MAX_ITEMS} items")
    return JList(float(i) for i in range(int(a), int(b) + 1))


def _parse_int(s: Any) -> float:
    return float(int(_str(s), 10))


def _split(s: Any, sep: Any, limit: Any = -1) -> Any:
    return JList(_str(s).split(_str(sep), int(limit) if limit is not None else -1))


def _join(sep: Any, items: Any) -> Any:
    items = [x for x in _arr(items) if x is not None]
    if _texty(sep):
        parts: List[Any] = []
        for i, x in enumerate(items):
            if not _texty(x):
                raise TypeError("std.join of strings needs strings")
            parts += ([sep] if i else []) + [x]
        return text_of(parts)
    out: List[Any] = []
    for i, x in enumerate(items):
        out += (list(sep) if i else []) + list(_arr(x))
    return JList(out)


def _texty(v: Any) -> bool:
    return isinstance(v, (str, Template, Unknown))


def _length(v: Any) -> float:
    if isinstance(v, Obj):
        return float(len(v.names()))
    if isinstance(v, (str, list)):
        return float(len(v))
    if isinstance(v, Func):
        return float(len(v.params))
    raise TypeError(f"no length for {type_name(v)}")


def _strip(chars_at: str) -> Callable[[Any, Any], str]:
    def strip(s: Any, chars: Any) -> str:
        c = _str(chars)
        return _str(s).strip(c) if chars_at == "both" else _str(s).lstrip(c) if chars_at == "l" else _str(s).rstrip(c)
    return strip


def _call(ev: Any, fn: Any, *args: Any) -> Any:
    from pullcheck.formats.taskdef.jsonnet import ready

    return ev.call(fn, [ready(a) for a in args], [], _NOWHERE)


class _Nowhere:
    pos = None
    file = ""


_NOWHERE = _Nowhere()


def _higher(name: str) -> Callable[..., Any]:
    """std.map, filter, flatMap, foldl, foldr, mapWithKey, makeArray: they call a Jsonnet function."""
    def run(ev: Any, args: List[Any], node: Any) -> Any:
        if any(is_unknown(a) for a in args):
            return unknown_of(*args)
        fn, rest = (args[0], args[1:]) if name != "makeArray" else (args[1], args[:1])
        if name in ("foldl", "foldr"):
            acc, items = args[2], _arr(args[1])
            for x in (items if name == "foldl" else list(reversed(items))):
                acc = _call(ev, fn, acc, x) if name == "foldl" else _call(ev, fn, x, acc)
            return acc
        if name == "mapWithKey":
            obj = rest[0]
            return constant({k: _call(ev, fn, k, ev.field(obj, k, len(obj.layers) - 1, node)) for k in obj.names()})
        if name == "makeArray":
            return JList(_call(ev, fn, x) for x in _range(0, int(rest[0]) - 1))
        items = rest[0] if isinstance(rest[0], list) else list(_str(rest[0]))
        if name == "map":
            return JList(_call(ev, fn, x) for x in items)
        if name == "filter":
            return JList(x for x in items if _call(ev, fn, x) is True)
        out: List[Any] = []
        for x in items:
            got = _call(ev, fn, x)
            if is_unknown(got):
                return unknown_of(got)
            out.extend(got if isinstance(got, list) else [got])
        if isinstance(rest[0], list):
            return JList(out)
        return _bounded_join(out)
    return run


def _bounded_join(parts: List[Any]) -> str:
    """Strings joined, when the whole stays within the bound (measured before it is built)."""
    if sum(len(_str(p)) for p in parts) > MAX_STRING:
        raise Limit(f"not read: a string longer than {MAX_STRING} characters")
    return "".join(parts)


def _object(name: str) -> Callable[..., Any]:
    def run(ev: Any, args: List[Any], node: Any) -> Any:
        obj = args[0]
        if is_unknown(obj):
            return unknown_of(obj)
        if not isinstance(obj, Obj):
            raise JsonnetError(f"std.{name} needs an object", node.pos, node.file)
        hidden = name.endswith("All")
        if name.startswith("objectHas"):
            return obj.has(_str(args[1]), hidden)
        names = obj.names(hidden)
        if name.startswith("objectFields"):
            return JList(names)
        values = [ev.field(obj, k, len(obj.layers) - 1, node) for k in names]
        if name.startswith("objectValues"):
            return JList(values)
        return JList(constant({"key": k, "value": v}) for k, v in zip(names, values))
    return run


def _get(ev: Any, args: List[Any], node: Any) -> Any:
    obj, key, default = args[0], args[1], args[2] if len(args) > 2 else None
    if is_unknown(obj) or is_unknown(key):
        return unknown_of(obj, key)
    if isinstance(obj, Obj) and obj.has(_str(key), args[3] is not False if len(args) > 3 else True):
        return ev.field(obj, key, len(obj.layers) - 1, node)
    return default


def _merge_patch(ev: Any, args: List[Any], node: Any) -> Any:
    target, patch = args
    if is_unknown(patch):
        return unknown_of(patch)
    if not isinstance(patch, Obj):
        return patch
    if is_unknown(target):
        return unknown_of(target)
    base = {k: ev.field(target, k, len(target.layers) - 1, node) for k in target.names()} \
        if isinstance(target, Obj) else {}
    for k in patch.names():
        v = ev.field(patch, k, len(patch.layers) - 1, node)
        if v is None:
            base.pop(k, None)
        else:
            base[k] = _merge_patch(ev, [base.get(k), v], node)
    return constant(base)


def _prune(ev: Any, args: List[Any], node: Any) -> Any:
    v = args[0]
    if isinstance(v, list):
        kept = [_prune(ev, [x], node) for x in v]
        return JList(x for x in kept if not _empty(x))
    if isinstance(v, Obj):
        out = {}
        for k in v.names():
            x = _prune(ev, [ev.field(v, k, len(v.layers) - 1, node)], node)
            if not _empty(x):
                out[k] = x
        return constant(out)
    return v


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, list) and not v) or (isinstance(v, Obj) and not v.names())


def _type(ev: Any, args: List[Any], node: Any) -> Any:
    return unknown_of(args[0]) if is_unknown(args[0]) else type_name(args[0])


def _is(kind: str) -> Callable[..., Any]:
    return lambda ev, args, node: unknown_of(args[0]) if is_unknown(args[0]) else type_name(args[0]) == kind


def _ext_var(ev: Any, args: List[Any], node: Any) -> Any:
    name = args[0] if isinstance(args[0], str) else "?"
    return Unknown(f"Jsonnet external variable {name} (ecspresso --ext-str or --ext-code)")


def _native(ev: Any, args: List[Any], node: Any) -> Any:
    name = args[0]
    if not isinstance(name, str):
        return unknown_of(name)
    return Builtin(f"native {name}", lambda ev2, a, n: _native_call(name, a, n), ("a", "b", "c"))


def _native_call(name: str, args: List[Any], node: Any) -> Any:
    given = [a for a in args if a is not None]
    if name in ("env", "must_env") and given and isinstance(given[0], str):
        default = given[1] if len(given) > 1 else None
        said = "" if name == "must_env" or len(args) < 2 else \
            f" (default {json.dumps(default)})" if isinstance(default, str) or default is None else \
            f" (default {unknown_of(default).origin})" if is_unknown(default) else ""
        return Unknown(f"environment variable {given[0]}{said}")
    if any(is_unknown(a) for a in given):
        inner = unknown_of(*given)
        return Unknown(f"{name}() of an argument that depends on {inner.origin}")
    shown = ", ".join(json.dumps(a) if isinstance(a, str) else ops.to_string(a) if not isinstance(a, Obj) else "{...}"
                      for a in given)
    if name.endswith("tfstate") and len(given) == 1 and isinstance(given[0], str) and "`" not in given[0]:
        # the JSON definition's placeholder, linked the same way when it is a value of its own
        return StateValue(f"Terraform state {given[0]} ({name})", "{{ " + name + " `" + given[0] + "` }}")
    base = next((b for b in _AWS_NATIVES if name.endswith(b)), None)
    if base is not None:
        return Unknown(f"{_AWS_NATIVES[base]} {name}({shown}) (ecspresso reads it from AWS when it deploys)")
    return Unknown(f"native function {name}({shown}) (ecspresso gives it when it deploys)")


def _simple() -> Dict[str, Callable[..., Any]]:
    return {
        "toString": ops.to_string, "length": _length, "parseInt": _parse_int, "parseJson": _parse_json,
        "startsWith": lambda a, b: _str(a).startswith(_str(b)), "endsWith": lambda a, b: _str(a).endswith(_str(b)),
        "strReplace": lambda s, a, b: _bounded_text(_str(s).replace(_str(a), _str(b))),
        "split": _split, "splitLimit": _split, "asciiLower": lambda s: _str(s).lower(),
        "asciiUpper": lambda s: _str(s).upper(), "substr": lambda s, a, n: _str(s)[int(a):int(a) + int(n)],
        "stripChars": _strip("both"), "lstripChars": _strip("l"), "rstripChars": _strip("r"),
        "trim": lambda s: _str(s).strip(" \t\n\f\r\v"), "repeat": _repeat, "range": _range,
        "escapeStringJson": lambda s: json.dumps(_str(s)), "reverse": lambda a: JList(reversed(_arr(a))),
        "flattenArrays": lambda a: JList(x for sub in _arr(a) for x in _arr(sub)),
        "member": lambda a, x: x in list(a), "contains": lambda a, x: x in list(a),
        "abs": abs, "max": max, "min": min, "floor": lambda x: float(math.floor(x)),
        "ceil": lambda x: float(math.ceil(x)), "sum": lambda a: float(sum(_arr(a))),
        "count": lambda a, x: float(sum(1 for y in _arr(a) if ops.equal(x, y) is True)),
        "uniq": lambda a: JList(x for i, x in enumerate(_arr(a)) if i == 0 or x != a[i - 1]),
        "sort": lambda a: JList(sorted(_arr(a))), "set": lambda a: JList(sorted(set(_arr(a)))),
        "char": lambda n: chr(int(n)), "codepoint": lambda s: float(ord(_str(s))),
        "isEmpty": lambda s: len(_str(s)) == 0, "equals": ops.equal, "lines": lambda a: _bounded_join([_str(x) + "\n" for x in _arr(a)]),
    }


def _parse_json(s: Any) -> Any:
    def build(v: Any) -> Any:
        if isinstance(v, dict):
            return constant({k: build(x) for k, x in v.items()})
        if isinstance(v, list):
            return JList(build(x) for x in v)
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return v
    return build(json.loads(_bounded_text(_str(s))))


def library(ev: Any) -> Std:
    table: Dict[str, Builtin] = {}
    for name, fn in _simple().items():
        table[name] = Builtin("std." + name, _known(name, fn), ("a", "b", "c"))
    for name in ("map", "filter", "flatMap", "foldl", "foldr", "mapWithKey", "makeArray"):
        table[name] = Builtin("std." + name, _higher(name), ("a", "b", "c"))
    for name in ("objectHas", "objectHasAll", "objectFields", "objectFieldsAll", "objectValues", "objectValuesAll",
                 "objectKeysValues", "objectKeysValuesAll"):
        table[name] = Builtin("std." + name, _object(name), ("o", "f"))
    table["join"] = Builtin("std.join", lambda e, a, n: _wrap_join(a, n), ("sep", "arr"))
    table["format"] = Builtin("std.format", lambda e, a, n: ops.format_text(a[0], a[1], n, e), ("str", "vals"))
    table["get"] = Builtin("std.get", _get, ("o", "f", "default", "inc_hidden"))
    table["mergePatch"] = Builtin("std.mergePatch", _merge_patch, ("target", "patch"))
    table["prune"] = Builtin("std.prune", _prune, ("a",))
    table["type"] = Builtin("std.type", _type, ("x",))
    for kind in ("string", "number", "boolean", "object", "array", "function"):
        table["is" + kind.capitalize()] = Builtin("std.is" + kind.capitalize(), _is(kind), ("v",))
    table["extVar"] = Builtin("std.extVar", _ext_var, ("x",))
    table["native"] = Builtin("std.native", _native, ("name",))
    return Std(table)


def _wrap_join(args: List[Any], node: Any) -> Any:
    if is_unknown(args[1]):
        return unknown_of(args[1])
    try:
        return _join(args[0], args[1])
    except TypeError as e:
        raise JsonnetError(f"std.join: {e}", node.pos, node.file) from None
