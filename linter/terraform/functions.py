"""Terraform's built-in functions and operators, over values the evaluator computes."""
from __future__ import annotations

import json
import math
import re
from typing import Any, Dict, List

from pullcheck.parsers.errors import ParseError
from pullcheck.parsers.marked import load_json
from pullcheck.values import Missing, Ref, Template, Unknown, make_template


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


MAX_STRING = 1 << 20  # a function's result longer than this is unknown (budget, see the README)
MAX_ITEMS = 100_000


def _text(v: Any) -> Any:
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


def _format(fmt: str, args: List[Any]) -> Any:
    """format()'s verbs that modules use: %s %d %v %q %%, with widths ignored."""
    out: List[str] = []
    i = n = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        m = re.match(r"%([-+# 0]*[0-9]*(?:\.[0-9]+)?)([sdvqf%])", fmt[i:])
        if m is None:
            return None
        verb = m.group(2)
        i += m.end()
        if verb == "%":
            out.append("%")
            continue
        if n >= len(args):
            return None
        v = args[n]
        n += 1
        if verb == "q":
            t = _text(v)
            if t is None:
                return None
            out.append(json.dumps(t))
        elif verb == "d":
            num = to_number(v)
            if num is None:
                return None
            out.append(str(int(num)))
        else:
            t = _text(v)
            if t is None:
                return None
            out.append(t)
    return "".join(out)


def _cidrsubnet(prefix: str, newbits: int, netnum: int) -> Any:
    import ipaddress

    net = ipaddress.ip_network(prefix, strict=False)
    plen = net.prefixlen + newbits
    if newbits < 0 or plen > net.max_prefixlen or netnum < 0 or netnum >= (1 << newbits):
        return None
    base = int(net.network_address) + (netnum << (net.max_prefixlen - plen))
    return f"{ipaddress.ip_address(base)}/{plen}"


def _regex(pattern: str) -> Any:
    """Terraform's RE2 patterns, as far as Python's syntax agrees (a pattern it rejects is re.error)."""
    return re.compile(pattern)


def call(name: str, args: List[Any]) -> Any:
    def unknown() -> Unknown:
        return Unknown(f"function {name}() is not evaluated")

    result = _call(name, args, unknown)
    if isinstance(result, str) and len(result) > MAX_STRING:
        return Unknown(f"function {name}() gives a string over {MAX_STRING} characters")
    if isinstance(result, (list, dict)) and len(result) > MAX_ITEMS:
        return Unknown(f"function {name}() gives more than {MAX_ITEMS} items")
    return result


def _call(name: str, args: List[Any], unknown: Any) -> Any:
    try:
        if "::" in name:
            return Unknown(f"provider function {name}()")
        if name == "can" and len(args) == 1:
            return True if is_known(args[0]) else Unknown("can() of a value that cannot be known")
        if name in _PURE:
            # functions that only rearrange a collection keep the references inside it
            ok = (lambda a: not isinstance(a, (Unknown, Ref, Template, Opaque))) if name in _STRUCTURAL else is_known
            if not all(ok(a) for a in args):
                return unknown()
            if name in _TEXT_ARGS:  # Terraform converts numbers and bools given where a string is expected
                which = _TEXT_ARGS[name]
                wanted = [which == "all" or i in which for i in range(len(args))]
                texts = [_text(a) if w else a for a, w in zip(args, wanted)]
                if any(t is None for t, w in zip(texts, wanted) if w):
                    return unknown()
                args = texts
            out = _PURE[name](*args)
            return None if out is _NULL else unknown() if out is None else out
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
        if name == "try":  # the first argument that is not an error; an unknown one stays unknown
            for a in args:
                if not isinstance(a, Missing):
                    return a
            return unknown()
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
    except (TypeError, ValueError, ParseError, IndexError, ZeroDivisionError, OverflowError, re.error):
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


def _minmax(fn: Any) -> Any:
    def run(*args: Any) -> Any:
        nums = [to_number(a) for a in args]
        return None if not nums or None in nums else fn(nums)
    return run


def _strings(*args: Any) -> Any:
    return all(_text(a) is not None for a in args)


def _split(sep: Any, s: Any) -> Any:
    if not _strings(sep, s) or sep == "":
        return None
    return s.split(sep)


def _replace(s: Any, old: Any, new: Any) -> Any:
    if not _strings(s, old, new):
        return None
    if len(old) > 2 and old.startswith("/") and old.endswith("/"):
        return _regex(old[1:-1]).sub(new.replace("$", "\\"), s)
    return s.replace(old, new)


def _regex_fn(pattern: Any, s: Any) -> Any:
    if not _strings(pattern, s):
        return None
    m = _regex(pattern).search(s)
    if m is None:
        return None  # Terraform: an error
    if m.re.groupindex:
        return m.groupdict()
    if m.re.groups:
        return list(m.groups())
    return m.group(0)


def _regexall(pattern: Any, s: Any) -> Any:
    if not _strings(pattern, s):
        return None
    r = _regex(pattern)
    out = []
    for m in r.finditer(s):
        out.append(m.groupdict() if r.groupindex else list(m.groups()) if r.groups else m.group(0))
    return out


def _formatlist(fmt: Any, *args: Any) -> Any:
    if _text(fmt) is None:
        return None
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        return None
    n = lengths.pop() if lengths else 1
    out = []
    for i in range(n):
        v = _format(fmt, [a[i] if isinstance(a, list) else a for a in args])
        if v is None:
            return None
        out.append(v)
    return out


def _zipmap(keys: Any, values: Any) -> Any:
    if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
        return None
    if not all(_text(k) is not None for k in keys):
        return None
    return {_text(k): v for k, v in zip(keys, values)}


def _setproduct(*lists: Any) -> Any:
    import itertools

    if not lists or not all(isinstance(x, list) for x in lists):
        return None
    size = 1
    for x in lists:
        size *= len(x)
    if size > MAX_ITEMS:
        return None
    return [list(p) for p in itertools.product(*lists)]


def _range(*args: Any) -> Any:
    nums = [to_number(a) for a in args]
    if not nums or len(nums) > 3 or None in nums:
        return None
    start, stop, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) == 3 else 1)
    if step == 0 or abs((stop - start) / step) > MAX_ITEMS:
        return None
    out, v = [], start
    while (v < stop) if step > 0 else (v > stop):
        out.append(v)
        v += step
    return out


def _distinct(xs: Any) -> Any:
    if not isinstance(xs, list):
        return None
    out: List[Any] = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def _one(xs: Any) -> Any:
    if not isinstance(xs, list) or len(xs) > 1:
        return None
    return xs[0] if xs else _NULL


_NULL = object()  # one() of an empty list: null
# the arguments of string functions that Terraform converts to strings (indexes, or every one)
_TEXT_ARGS: Dict[str, Any] = {
    "replace": "all", "regex": "all", "regexall": "all", "split": "all", "trimspace": "all", "trim": "all",
    "trimprefix": "all", "trimsuffix": "all", "title": "all", "startswith": "all", "endswith": "all",
    "base64encode": "all", "md5": "all", "substr": (0,), "format": (0,), "formatlist": (0,),
}
_STRUCTURAL = {"tolist", "toset", "distinct", "one", "reverse", "slice", "coalescelist", "tomap", "chunklist",
               "setproduct", "zipmap"}


def _coalescelist(*xs: Any) -> Any:
    for x in xs:
        if not isinstance(x, list):
            return None
        if x:
            return x
    return None


def _trim(s: Any, chars: Any) -> Any:
    return s.strip(chars) if _strings(s, chars) else None


def _substr(s: Any, offset: Any, length: Any) -> Any:
    o, n = to_number(offset), to_number(length)
    if _text(s) is None or o is None or n is None:
        return None
    o, n = int(o), int(n)
    if o < 0:
        o += len(s)
    return s[o:] if n == -1 else s[o:o + n]


def _tomap(m: Any) -> Any:
    return m if isinstance(m, dict) else None


def _tolist(xs: Any) -> Any:
    return list(xs) if isinstance(xs, list) else None


def _sum(xs: Any) -> Any:
    if not isinstance(xs, list) or not xs:
        return None
    nums = [to_number(x) for x in xs]
    return None if None in nums else sum(nums)


_PURE = {
    "max": _minmax(max), "min": _minmax(min),
    "format": lambda fmt, *a: _format(fmt, list(a)) if _text(fmt) is not None else None,
    "formatlist": _formatlist,
    "cidrsubnet": lambda p, b, n: _cidrsubnet(p, int(to_number(b)), int(to_number(n)))
    if _text(p) is not None and to_number(b) is not None and to_number(n) is not None else None,
    "cidrsubnets": lambda p, *bits: _cidrsubnets(p, bits),
    "replace": _replace, "regex": _regex_fn, "regexall": _regexall, "split": _split,
    "zipmap": _zipmap, "tomap": _tomap, "toset": _distinct, "tolist": _tolist, "setproduct": _setproduct,
    "range": _range, "distinct": _distinct, "one": _one, "sum": _sum, "coalescelist": _coalescelist,
    "contains": lambda xs, v: (v in xs) if isinstance(xs, list) else None,
    "trimspace": lambda s: s.strip() if _strings(s) else None,
    "trim": _trim,
    "trimprefix": lambda s, p: (s[len(p):] if s.startswith(p) else s) if _strings(s, p) else None,
    "trimsuffix": lambda s, p: (s[:-len(p)] if p and s.endswith(p) else s) if _strings(s, p) else None,
    "title": lambda s: s.title() if _strings(s) else None,
    "substr": _substr,
    "startswith": lambda s, p: s.startswith(p) if _strings(s, p) else None,
    "endswith": lambda s, p: s.endswith(p) if _strings(s, p) else None,
    "abs": lambda v: abs(to_number(v)) if to_number(v) is not None else None,
    "ceil": lambda v: math.ceil(to_number(v)) if to_number(v) is not None else None,
    "floor": lambda v: math.floor(to_number(v)) if to_number(v) is not None else None,
    "reverse": lambda xs: list(reversed(xs)) if isinstance(xs, list) else None,
    "slice": lambda xs, a, b: xs[int(to_number(a)):int(to_number(b))]
    if isinstance(xs, list) and to_number(a) is not None and to_number(b) is not None else None,
    "sort": lambda xs: sorted(xs) if isinstance(xs, list) and all(_text(x) is not None for x in xs) else None,
    "chunklist": lambda xs, n: [xs[i:i + int(n)] for i in range(0, len(xs), int(n))]
    if isinstance(xs, list) and to_count(n) else None,
    "index": lambda xs, v: xs.index(v) if isinstance(xs, list) and v in xs else None,
    "base64encode": lambda s: __import__("base64").b64encode(s.encode()).decode() if _strings(s) else None,
    "md5": lambda s: __import__("hashlib").md5(s.encode()).hexdigest() if _strings(s) else None,
}


def _cidrsubnets(prefix: Any, bits: Any) -> Any:
    import ipaddress

    if _text(prefix) is None or not all(to_count(b) is not None for b in bits):
        return None
    net = ipaddress.ip_network(prefix, strict=False)
    out = []
    cursor = int(net.network_address)
    for b in bits:
        plen = net.prefixlen + to_count(b)
        if plen > net.max_prefixlen:
            return None
        size = 1 << (net.max_prefixlen - plen)
        cursor = (cursor + size - 1) // size * size
        if cursor + size > int(net.network_address) + net.num_addresses:
            return None
        out.append(f"{ipaddress.ip_address(cursor)}/{plen}")
        cursor += size
    return out
