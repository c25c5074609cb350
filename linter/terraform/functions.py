"""Terraform's built-in functions and operators, over values the evaluator computes."""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Dict, Iterable, List

from pullcheck.parsers.errors import ParseError
from pullcheck.parsers.marked import load_json
from pullcheck.values import MAX_ITEMS, MAX_STRING, Missing, Ref, Template, Unknown, make_template

MAX_STEPS = 10_000_000  # work per root module and the modules it calls (see Budget): past it, unknown
MAX_BUILT = 2_000_000  # items built per root module and the modules it calls (see Budget): past it, unknown
MAX_RANGE = 1024  # range() gives at most this many numbers: Terraform refuses more
MAX_BITS = 14_000  # a whole number past this many bits (about 4200 digits) is unknown
TEXT_PER_ITEM = 64  # characters of built text that count as one item
READS_PER_STEP = 4  # elements a function reads in about the time of one expression evaluation,
CHARS_PER_READ = 64  # and characters of text that count as one element read


class Opaque:
    """A value of the evaluator's own that functions and operators cannot look into (a namespace such as
    ``var``, a resource or module instance): any operation on it is unknown."""


class Budget:
    """What evaluating a root module, with the modules it calls, may spend: ``steps`` of work (expression
    evaluations, and function calls and comparisons by the size of what they read) and ``items`` built (list
    and map elements, and text by TEXT_PER_ITEM characters), which bounds its memory. Past either bound
    every value is unknown, naming it."""

    __slots__ = ("steps", "items")

    def __init__(self) -> None:
        self.steps = 0
        self.items = 0

    def over(self) -> bool:
        return self.steps > MAX_STEPS or self.items > MAX_BUILT

    def spent(self) -> Unknown:
        if self.steps > MAX_STEPS:
            return Unknown(f"evaluation budget of {MAX_STEPS} steps spent")
        return Unknown(f"evaluation bound of {MAX_BUILT} items built reached")

    def steps_left(self) -> int:
        return max(0, MAX_STEPS - self.steps)


class Unknowable(Exception):
    """Raised inside a function whose result cannot be known (past a bound, a pattern RE2 refuses): why."""


def _shared_walk(values: Iterable[Any], limit: int) -> Any:
    """(elements read, whether every value is known) for a walk through ``values`` that reads each list
    or map once however often it is shared, counting text by CHARS_PER_READ characters; stops past
    ``limit`` elements, so its own work is bounded by what it reports."""
    seen: set = set()
    todo = list(values)
    n, known = 0, True
    while todo and n <= limit:
        x = todo.pop()
        n += 1
        if isinstance(x, (list, dict)):
            if id(x) not in seen:
                seen.add(id(x))
                todo.extend(x.values() if isinstance(x, dict) else x)
        elif isinstance(x, str):
            n += len(x) // CHARS_PER_READ
        elif isinstance(x, (Unknown, Ref, Template, Opaque)):
            known = False
    return n, known


def expanded_size(v: Any, limit: int, text: bool = False) -> int:
    """The number of elements in ``v`` with every shared part counted where it appears (what a walk that
    does not remember where it has been visits, or JSON encoding writes), or ``limit + 1`` when it is more.
    ``text``: strings count by their length (an estimate of the encoding's). The work is bounded by the
    answer: each shared part is measured once."""
    def leaf(x: Any) -> int:
        if isinstance(x, JsonEncoded) and x.value is not None:
            return expanded_size(x.value, limit, text)
        return len(x) + 2 if text and isinstance(x, str) else 1

    if not isinstance(v, (list, dict)):
        return min(leaf(v), limit + 1)
    sizes: Dict[int, int] = {}
    frames: List[Any] = [[v, iter(v.values() if isinstance(v, dict) else v), 1]]
    while frames:
        top = frames[-1]
        pushed = False
        while top[2] <= limit:
            x = next(top[1], _END)
            if x is _END:
                break
            if isinstance(x, (list, dict)):
                got = sizes.get(id(x))
                if got is None:
                    frames.append([x, iter(x.values() if isinstance(x, dict) else x), 1])
                    pushed = True
                    break
                top[2] += got
            else:
                top[2] += leaf(x)
        if pushed:
            continue
        frames.pop()
        sizes[id(top[0])] = top[2]
        if frames:
            frames[-1][2] += top[2]
        else:
            return min(top[2], limit + 1)
    return limit + 1


_END = object()


def equality_key() -> Callable[[Any], Any]:
    """A function giving each value a hashable key, equal for values that are equal as the evaluator compares
    them (lists and maps by their contents); a part shared many times is keyed once, so comparing costs the
    distinct parts only."""
    by_id: Dict[int, Any] = {}
    interned: Dict[Any, int] = {}

    def key(v: Any) -> Any:
        if isinstance(v, (list, dict)):
            got = by_id.get(id(v))
            if got is None:
                if isinstance(v, dict):
                    whole: Any = (_MAP, frozenset((k, key(x)) for k, x in v.items()))
                else:
                    whole = (_LIST, tuple(key(x) for x in v))
                got = by_id[id(v)] = (_MAP, interned.setdefault(whole, len(interned)))
            return got
        try:
            hash(v)
        except TypeError:  # a part that cannot be hashed is equal to itself only
            return (_LIST, id(v), None)
        return v

    return key


_MAP, _LIST = object(), object()  # tags no value of the evaluator can equal


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


def binary(op: str, a: Any, b: Any, budget: Any = None) -> Any:
    known = not isinstance(a, (Unknown, Ref, Template, Opaque)) and not isinstance(b, (Unknown, Ref, Template, Opaque))
    if not known:
        return Unknown(f"operation {op} on a value that cannot be known")
    try:
        if op in ("==", "!="):
            if budget is not None and isinstance(a, (list, dict)) and isinstance(b, (list, dict)):
                budget.steps += _shared_walk([a, b], budget.steps_left() * READS_PER_STEP)[0] // READS_PER_STEP
                if budget.over():
                    return budget.spent()
            return same(a, b) == (op == "==")
        if op in ("&&", "||"):
            x, y = to_bool(a), to_bool(b)
            if x is None or y is None:
                return Unknown(f"operation {op} on a value that is not a bool")
            return (x and y) if op == "&&" else (x or y)
        a, b = to_number(a), to_number(b)  # arithmetic and ordering convert strings that spell numbers
        if a is not None and b is not None:
            if op == "*" and isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_BITS:
                return Unknown(f"operation * gives a number of more than {MAX_BITS} bits")
            out = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                   "/": lambda: a / b, "%": lambda: a % b, "<": lambda: a < b, ">": lambda: a > b,
                   "<=": lambda: a <= b, ">=": lambda: a >= b}[op]()
            if isinstance(out, int) and not isinstance(out, bool) and out.bit_length() > MAX_BITS:
                return Unknown(f"operation {op} gives a number of more than {MAX_BITS} bits")
            return out
    except (KeyError, ZeroDivisionError, TypeError, OverflowError, RecursionError):
        pass
    return Unknown(f"operation {op}")


class JsonEncoded(str):
    """The result of jsonencode(): keeps the encoded structure (with its positions) for the parser."""

    value: Any = None


def is_known(v: Any) -> bool:
    if isinstance(v, (list, dict)):
        return bool(_shared_walk([v], 1 << 62)[1])
    return not isinstance(v, (Unknown, Ref, Template, Opaque))


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
    i = n = size = 0
    while True:
        j = fmt.find("%", i)
        out.append(fmt[i:] if j < 0 else fmt[i:j])
        size += len(out[-1])
        _text_at_most(size)
        if j < 0:
            break
        m = _VERB.match(fmt, j)
        if m is None:
            return None
        verb = m.group(2)
        i = m.end()
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
        size += len(out[-1])
    return "".join(out)


_VERB = re.compile(r"%([-+# 0]*[0-9]*(?:\.[0-9]+)?)([sdvqf%])")


def _cidrsubnet(prefix: str, newbits: int, netnum: int) -> Any:
    import ipaddress

    net = ipaddress.ip_network(prefix, strict=False)
    plen = net.prefixlen + newbits
    if newbits < 0 or plen > net.max_prefixlen or netnum < 0 or netnum >= (1 << newbits):
        return None
    base = int(net.network_address) + (netnum << (net.max_prefixlen - plen))
    return f"{ipaddress.ip_address(base)}/{plen}"


def _regex(pattern: str) -> Any:
    """A pattern compiled by RE2, the engine (and syntax) of Terraform's regular expressions: matching takes
    time linear in the text, whatever the pattern. A pattern RE2 refuses (a backreference, a lookaround)
    makes the call unknown."""
    r = _compiled(pattern)[0]
    if r is None:
        raise Unknowable("has a pattern that RE2 does not accept")
    return r


def _compiled(pattern: str) -> Any:
    """(the pattern compiled, or None when RE2 refuses it; the steps compiling it took, about its size),
    kept for the patterns used again (a refusal too: refusing a pattern too large takes as long)."""
    got = _PATTERNS.get(pattern)
    if got is None:
        import re2

        options = re2.Options()
        options.log_errors = False  # the pattern is the scanned file's text: never echoed on standard error
        options.max_mem = RE2_MEMORY
        try:
            r = re2.compile(pattern, options)
            got = (r, r.programsize // 4)
        except re2.error as e:
            got = (None, 10_000 if "too large" in str(e) else 1)
        if len(_PATTERNS) >= 256:
            _PATTERNS.clear()
        _PATTERNS[pattern] = got
    return got


_PATTERNS: Dict[str, Any] = {}
RE2_MEMORY = 2 << 20  # what one compiled pattern may take (RE2's default is 8 MB): bounds compiling too


def _matching(pattern: str, s: str) -> Any:
    """The compiled pattern, when matching it over ``s`` is within the bound of work of one call."""
    r = _regex(pattern)
    if r.programsize * (len(s) + 1) > MAX_REGEX_WORK:
        raise Unknowable(f"has a pattern and a text too large to match (their sizes multiply past {MAX_REGEX_WORK})")
    return r


def _extra_work(name: str, args: List[Any]) -> int:
    """The steps a call costs beyond reading its arguments: a regex function's matching (the pattern's size
    times the text's), format()'s verbs, done one by one."""
    fmt = _text(args[0]) if args and name in ("format", "formatlist") else None
    if fmt is not None:
        lengths = [len(a) for a in args if isinstance(a, list)] if name == "formatlist" else []
        return (fmt.count("%") + 1) * max(lengths + [1])
    if name in ("regex", "regexall") and len(args) == 2:
        pattern, s = _text(args[0]), _text(args[1])
    elif name == "replace" and len(args) == 3:
        pattern, s = _text(args[1]), _text(args[0])
        if pattern is None or len(pattern) < 2 or pattern[0] != "/" or pattern[-1] != "/":
            return 0
        pattern = pattern[1:-1]
    else:
        return 0
    if pattern is None or s is None:
        return 0
    new = pattern not in _PATTERNS
    r, compiling = _compiled(pattern)
    matching = 0 if r is None else min(r.programsize * (len(s) + 1), MAX_REGEX_WORK) // REGEX_WORK_PER_STEP
    return (compiling if new else 0) + matching


MAX_REGEX_WORK = 50_000_000  # pattern size times text length of one match: about half a second at worst
REGEX_WORK_PER_STEP = 64
# functions whose work does not grow with their arguments and that build nothing: they give a number, an
# argument or a part of one
_CONSTANT = {"length", "element", "lookup", "try", "coalesce", "coalescelist", "jsonencode", "tostring", "one",
             "tomap"}
# functions that compare or check every element, through shared parts
_DEEP = {"can", "distinct", "toset", "contains", "index"}


def _reading(args: List[Any], deep: bool, limit: int) -> int:
    """The steps of reading a call's arguments: every element (each shared part once) when ``deep``, else
    the elements and text of the arguments themselves."""
    if deep:
        return _shared_walk(args, limit * READS_PER_STEP)[0] // READS_PER_STEP
    n = 0
    for a in args:
        n += len(a) // CHARS_PER_READ if isinstance(a, str) else len(a) if isinstance(a, (list, dict)) else 1
    return n // READS_PER_STEP


def built(v: Any) -> int:
    """The items a new value holds: its elements and those of the lists and maps directly in it, or its text
    by TEXT_PER_ITEM characters."""
    if isinstance(v, str):
        return len(v) // TEXT_PER_ITEM
    if not isinstance(v, (list, dict)):
        return 0
    xs = v.values() if isinstance(v, dict) else v
    return len(xs) + sum(len(x) for x in xs if isinstance(x, (list, dict)))


def call(name: str, args: List[Any], budget: Any = None) -> Any:
    """A function's value; with the root module's ``budget``, its work and what it builds are spent from it."""
    def unknown() -> Unknown:
        return Unknown(f"function {name}() is not evaluated")

    if budget is not None and budget.over():
        return budget.spent()
    if budget is not None and name not in _CONSTANT:
        deep = name in _DEEP or (name in _PURE and name not in _STRUCTURAL)
        budget.steps += _reading(args, deep, budget.steps_left()) + _extra_work(name, args)
        if budget.over():
            return budget.spent()
    result = _call(name, args, unknown)
    if isinstance(result, str) and len(result) > MAX_STRING:
        return Unknown(f"function {name}() gives a string over {MAX_STRING} characters")
    if isinstance(result, (list, dict)) and len(result) > MAX_ITEMS:
        return Unknown(f"function {name}() gives more than {MAX_ITEMS} items")
    if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > MAX_BITS:
        return Unknown(f"function {name}() gives a number of more than {MAX_BITS} bits")
    if budget is not None and name not in _CONSTANT and not any(result is a for a in args):
        budget.items += built(result)
        if budget.over():
            return budget.spent()
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
            _at_most(sum(len(a) for a in args))
            return [x for a in args for x in a]
        if name == "flatten" and len(args) == 1 and isinstance(args[0], list):
            _at_most(sum(len(x) if isinstance(x, list) else 1 for x in args[0]))
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
            _at_most(sum(len(a) for a in args))
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
            _text_at_most(sum(len(x) for x in args[1]) + len(args[0]) * max(0, len(args[1]) - 1))
            return args[0].join(args[1])
        if name in ("lower", "upper") and len(args) == 1 and isinstance(args[0], str) \
                and not isinstance(args[0], JsonEncoded):
            return args[0].lower() if name == "lower" else args[0].upper()
        if name in ("keys", "values") and len(args) == 1 and isinstance(args[0], dict):
            return list(args[0].keys() if name == "keys" else args[0].values())
        if name == "compact" and len(args) == 1 and isinstance(args[0], list):
            return [x for x in args[0] if x not in (None, "")]
    except Unknowable as e:
        return Unknown(f"function {name}() {e}")
    except (TypeError, ValueError, ParseError, IndexError, ZeroDivisionError, OverflowError, RecursionError):
        return unknown()
    return unknown()


def _at_most(items: int) -> None:
    """A result of ``items`` elements is not built past the bound of one function's result."""
    if items > MAX_ITEMS:
        raise Unknowable(f"gives more than {MAX_ITEMS} items")


def _text_at_most(length: int) -> None:
    if length > MAX_STRING:
        raise Unknowable(f"gives a string over {MAX_STRING} characters")


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
    _at_most(s.count(sep) + 1)
    return s.split(sep)


def _replace(s: Any, old: Any, new: Any) -> Any:
    if not _strings(s, old, new):
        return None
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return _replace_matches(_matching(old[1:-1], s), s, new)
    _text_at_most(len(s) + (len(s) + 1 if old == "" else s.count(old)) * (len(new) - len(old)))
    return s.replace(old, new)


def _replace_matches(r: Any, s: str, template: str) -> str:
    """Go's ReplaceAllString: every match replaced by the template with its groups expanded."""
    parts = _expansion(template, r.groupindex)
    out: List[str] = []
    size = last = 0
    for m in _matches(r, s):
        out.append(s[last:m.start()])
        for p in parts:
            out.append(p if isinstance(p, str) else (m.group(p) or "") if 0 <= p <= r.groups else "")
        size += sum(len(x) for x in out[-len(parts) - 1:])
        _text_at_most(size + len(s) - m.end())
        last = m.end()
    out.append(s[last:])
    return "".join(out)


def _expansion(template: str, names: Dict[str, int]) -> List[Any]:
    """A replacement template as Go's regexp reads it: text, and group numbers for ``$1``, ``${1}``,
    ``$name`` and ``${name}`` (a name as long as it goes: ``$1x`` is the group named 1x); ``$$`` is a
    dollar, and a ``$`` that starts none of these is itself. A group that does not exist is -1 (empty)."""
    parts: List[Any] = []
    text: List[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            text.append(template[i:])
            break
        text.append(template[i:j])
        i = j + 1
        if template.startswith("$", i):
            text.append("$")
            i += 1
            continue
        brace = template.startswith("{", i)
        k = start = i + 1 if brace else i
        while k < len(template) and (template[k].isalpha() or template[k].isdecimal() or template[k] == "_"):
            k += 1
        name = template[start:k]
        if not name or (brace and not template.startswith("}", k)):
            text.append("$")
            continue
        i = k + 1 if brace else k
        parts.append("".join(text))
        text = []
        number = name.isascii() and name.isdigit() and len(name) <= 9 and not (len(name) > 1 and name[0] == "0")
        parts.append(int(name) if number else names.get(name, -1))
    parts.append("".join(text))
    return parts


def _matches(r: Any, s: str) -> Any:
    """The matches of ``r`` in ``s`` as Go gives them: an empty match right after a match is not one."""
    last = -1
    for m in r.finditer(s):
        if m.start() == m.end() == last:
            continue
        last = m.end()
        yield m


def _groups(r: Any, m: Any) -> Any:
    """A match as Terraform's regex() gives it: the text, the list of groups, or the map of named groups (a
    group that took no part is null); a pattern with both named and unnamed groups is an error."""
    if r.groupindex:
        if len(r.groupindex) != r.groups:
            raise Unknowable("has a pattern with both named and unnamed groups")
        return {name: m.group(i) for name, i in r.groupindex.items()}
    if r.groups:
        return list(m.groups())
    return m.group(0)


def _regex_fn(pattern: Any, s: Any) -> Any:
    if not _strings(pattern, s):
        return None
    r = _matching(pattern, s)
    m = r.search(s)
    if m is None:
        return None  # Terraform: an error
    return _groups(r, m)


def _regexall(pattern: Any, s: Any) -> Any:
    if not _strings(pattern, s):
        return None
    r = _matching(pattern, s)
    out = []
    for m in _matches(r, s):
        _at_most(len(out) + 1)
        out.append(_groups(r, m))
    return out


def _formatlist(fmt: Any, *args: Any) -> Any:
    if _text(fmt) is None:
        return None
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        return None
    n = lengths.pop() if lengths else 1
    out = []
    size = 0
    for i in range(n):
        v = _format(fmt, [a[i] if isinstance(a, list) else a for a in args])
        if v is None:
            return None
        size += len(v)
        _text_at_most(size)
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
    """Terraform's range(): counts down when the end is below the start (one or two arguments), refuses a
    step of zero or one that moves away from the end, and more than MAX_RANGE numbers. Computed exactly
    (Terraform's numbers are not floating point), so a step too small for a float still ends."""
    nums = [to_number(a) for a in args]
    if not nums or len(nums) > 3 or None in nums:
        return None
    if not all(isinstance(n, int) for n in nums):
        from fractions import Fraction

        try:  # a float as the decimal it is written as; inf and nan are refused
            nums = [Fraction(repr(n)) if isinstance(n, float) else Fraction(n) for n in nums]
        except (ValueError, OverflowError):
            return None
    if len(nums) == 3:
        start, stop, step = nums
    else:
        start, stop = (0, nums[0]) if len(nums) == 1 else (nums[0], nums[1])
        step = -1 if stop < start else 1
    if step == 0 or (step > 0 and stop < start) or (step < 0 and stop > start):
        return None
    count = -((start - stop) // step)  # exactly, up to the end (not included)
    if count > MAX_RANGE:
        raise Unknowable(f"gives more than {MAX_RANGE} numbers, which Terraform refuses")
    if all(isinstance(n, int) for n in (start, step)):
        return list(range(start, start + count * step, step))
    return [_plain(start + i * step) for i in range(count)]


def _plain(v: Any) -> Any:
    """An exact number as the evaluator holds it: an int when whole, else a float."""
    return int(v) if v.denominator == 1 else float(v)


def _distinct(xs: Any) -> Any:
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


def _contains(xs: Any, v: Any) -> Any:
    if not isinstance(xs, list):
        return None
    key = equality_key()
    want = key(v)
    return any(key(x) == want for x in xs)


def _index(xs: Any, v: Any) -> Any:
    if not isinstance(xs, list):
        return None
    key = equality_key()
    want = key(v)
    return next((i for i, x in enumerate(xs) if key(x) == want), None)


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
    "contains": _contains,
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
    "index": _index,
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
