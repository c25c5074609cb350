"""Terraform's built-in functions and operators, over values the evaluator computes."""
from __future__ import annotations

import math
import re
from typing import Any, Dict, List

from pullcheck.parsers.errors import ParseError
from pullcheck.parsers.marked import load_json
from pullcheck.values import Ref, Template, Unknown, make_template


class Opaque:
    """A value of the evaluator's own that functions and operators cannot look into (a namespace such as
    ``var``, a resource or module instance): any operation on it is unknown."""


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


def binary(op: str, a: Any, b: Any) -> Any:
    known = not isinstance(a, (Unknown, Ref, Template, Opaque)) and not isinstance(b, (Unknown, Ref, Template, Opaque))
    if not known:
        return Unknown(f"operation {op} on a value that cannot be known")
    try:
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op in ("&&", "||"):
            x, y = to_bool(a), to_bool(b)
            if x is None or y is None:
                return Unknown(f"operation {op} on a value that is not a bool")
            return (x and y) if op == "&&" else (x or y)
        a, b = to_number(a), to_number(b)  # arithmetic and ordering convert strings that spell numbers
        if a is not None and b is not None:
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                    "/": lambda: a / b, "%": lambda: a % b, "<": lambda: a < b, ">": lambda: a > b,
                    "<=": lambda: a <= b, ">=": lambda: a >= b}[op]()
    except (KeyError, ZeroDivisionError, TypeError):
        pass
    return Unknown(f"operation {op}")


class JsonEncoded(str):
    """The result of jsonencode(): keeps the encoded structure (with its positions) for the parser."""

    value: Any = None


def is_known(v: Any) -> bool:
    if isinstance(v, (Unknown, Ref, Template, Opaque)):
        return False
    if isinstance(v, list):
        return all(is_known(x) for x in v)
    if isinstance(v, dict):
        return all(is_known(x) for x in v.values())
    return True


def call(name: str, args: List[Any]) -> Any:
    def unknown() -> Unknown:
        return Unknown(f"function {name}() is not evaluated")

    try:
        if name == "jsonencode" and len(args) == 1:
            out = JsonEncoded("<jsonencode>")
            out.value = args[0]
            return out
        if name == "jsondecode" and len(args) == 1 and isinstance(args[0], str):
            return load_json(args[0])
        if name == "element" and len(args) == 2 and isinstance(args[0], list) and isinstance(args[1], int):
            return args[0][args[1] % len(args[0])] if args[0] else unknown()
        if name == "length" and len(args) == 1 and isinstance(args[0], (list, dict, str)) \
                and not isinstance(args[0], Template):
            return len(args[0])
        if name in ("tolist", "toset", "distinct") and len(args) >= 1:
            return args[0] if isinstance(args[0], (list, Unknown)) else unknown()
        if name == "concat" and all(isinstance(a, list) for a in args):
            return [x for a in args for x in a]
        if name == "flatten" and len(args) == 1 and isinstance(args[0], list):
            out: List[Any] = []
            for x in args[0]:
                if isinstance(x, list):
                    out.extend(x)
                else:
                    out.append(x)
            return out
        if name == "lookup" and len(args) in (2, 3) and isinstance(args[0], dict) and isinstance(args[1], str):
            if args[1] in args[0]:
                return args[0][args[1]]
            return args[2] if len(args) == 3 else unknown()
        if name == "merge" and all(isinstance(a, dict) for a in args):
            out_d: Dict[str, Any] = {}
            for a in args:
                out_d.update(a)
            return out_d
        if name == "coalesce":
            for a in args:
                if isinstance(a, (Unknown, Ref, Template)):
                    return unknown()
                if a not in (None, ""):
                    return a
            return unknown()
        if name == "try":
            return args[0] if args and not isinstance(args[0], Unknown) else unknown()
        if name in ("tostring",) and len(args) == 1:
            return args[0]
        if name == "tonumber" and len(args) == 1 and isinstance(args[0], (str, int, float)):
            return float(args[0]) if "." in str(args[0]) else int(args[0])
        if name == "join" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list) \
                and all(isinstance(x, str) for x in args[1]):
            return args[0].join(args[1])
        if name in ("lower", "upper") and len(args) == 1 and isinstance(args[0], str) \
                and not isinstance(args[0], JsonEncoded):
            return args[0].lower() if name == "lower" else args[0].upper()
        if name in ("keys", "values") and len(args) == 1 and isinstance(args[0], dict):
            return list(args[0].keys() if name == "keys" else args[0].values())
        if name == "compact" and len(args) == 1 and isinstance(args[0], list):
            return [x for x in args[0] if x not in (None, "")]
    except (TypeError, ValueError, ParseError, IndexError, ZeroDivisionError):
        return unknown()
    return unknown()


# --------------------------------------------------------------------------- module loading



_HOLE = re.compile("\ue000([0-9]+)\ue001")


def json_with_holes(v: Any) -> Any:
    """JSON text whose interpolations may be unknown (a heredoc or template with ``${var.x}``), parsed with
    its known parts kept: a string with a hole becomes a template, a value that is wholly a hole (quoted or
    not) becomes that unknown. Only what depends on an unknown is unknown. Raises ParseError when the known
    text is not JSON."""
    if isinstance(v, str):
        return load_json(v)
    holes: List[Any] = []
    text: List[str] = []
    in_string = escaped = False
    for part in v.parts:
        if isinstance(part, str):
            for ch in part:  # track whether the next hole sits inside a JSON string
                if escaped:
                    escaped = False
                elif ch == "\\" and in_string:
                    escaped = True
                elif ch == '"':
                    in_string = not in_string
            text.append(part)
            continue
        mark = f"\ue000{len(holes)}\ue001"
        holes.append(part)
        text.append(mark if in_string else f'"{mark}"')
    return _fill(load_json("".join(text)), holes)


def _fill(v: Any, holes: List[Any]) -> Any:
    if isinstance(v, dict):
        for k in list(v):
            v[k] = _fill(v[k], holes)
        return v
    if isinstance(v, list):
        for i, x in enumerate(v):
            v[i] = _fill(x, holes)
        return v
    if isinstance(v, str) and "\ue000" in v:
        parts: List[Any] = []
        last = 0
        for m in _HOLE.finditer(v):
            parts.append(v[last:m.start()])
            parts.append(holes[int(m.group(1))])
            last = m.end()
        parts.append(v[last:])
        if len(parts) == 3 and parts[0] == "" and parts[2] == "":
            return parts[1]  # the whole value is one interpolation
        return make_template([p if isinstance(p, str) else (p if isinstance(p, (Unknown, Ref, Template))
                                                             else str(p)) for p in parts])
    return v
