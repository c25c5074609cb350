"""Terraform's built-in functions and operators, over values the evaluator computes. What each costs is
charged from the root module's budget (pullcheck.formats.terraform.budget)."""
from __future__ import annotations

import json
import math
import re
import warnings
from typing import Any, Dict, List

from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import load_json
from pullcheck.formats.terraform.budget import (
    _CONSTANT,
    _DEEP,
    _ELEMENTWISE,
    MAX_REGEX_WORK,
    READS_PER_STEP,
    Budget,
    JsonEncoded,
    Opaque,
    _extra_work,
    _reading,
    _shared_walk,
    built,
    decoding,
    equality_key,
    scanning,
    searching,
)
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Missing, Ref, Template, Unknown, make_template

MAX_RANGE = 1024  # range() gives at most this many numbers: Terraform refuses more
MAX_BITS = 14_000  # a whole number past this many bits (about 4200 digits) is unknown


class Unknowable(Exception):
    """Raised inside a function whose result cannot be known (past a bound, a pattern RE2 refuses): why."""


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
                # each distinct part keyed (equality_key): a step per element
                if not budget.spend(_reading([a, b], True, budget.steps_left(), each=1)):
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


def _compiled(pattern: str) -> Any:
    """(the pattern compiled by RE2, or None when RE2 refuses it; the steps compiling it took, about its size;
    its reach, see _reach), kept for the patterns used again (a refusal too: refusing a pattern too
    large takes as long). RE2 is the engine (and syntax) of Terraform's regular expressions: a search takes
    time linear in the text it scans, whatever the pattern."""
    got = _PATTERNS.get(pattern)
    if got is None:
        import re2

        options = re2.Options()
        options.log_errors = False  # the pattern is the scanned file's text: never echoed on standard error
        options.max_mem = RE2_MEMORY
        try:
            r = re2.compile(pattern, options)
            got = (r, r.programsize // 4, _reach(pattern))
        except re2.error as e:
            got = (None, 10_000 if "too large" in str(e) else 1, None)
        if len(_PATTERNS) >= 256:
            _PATTERNS.clear()
        _PATTERNS[pattern] = got
    return got


_PATTERNS: Dict[str, Any] = {}
RE2_MEMORY = 2 << 20  # what one compiled pattern may take (RE2's default is 8 MB): bounds compiling too


def _reach(pattern: str) -> Any:
    """How far past the start of its match a search with ``pattern`` may read: the longest text it matches;
    or, when it ends in a greedy repeat of one character (``\\s+``, ``[0-9]*``) and is bounded before it,
    the longest text before that, plus one (a thread in that repeat has matched already, so none of higher
    priority outlives the match by more). None when it is unbounded otherwise (``a*b|a``: a search may read
    to the end of the text) or when Python's parser, whose syntax RE2's mostly shares, cannot read it. No
    less than the pattern's own length: RE2 reads ``a{,3}`` as text, Python as a count."""
    try:
        from re import _parser  # Python 3.11 and later
    except ImportError:  # Python 3.9 and 3.10
        import sre_parse as _parser
    one = (_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY, _parser.CATEGORY)
    try:
        with warnings.catch_warnings():  # the pattern is the scanned file's text: never echoed on standard error
            warnings.simplefilter("ignore")
            parsed = _parser.parse(pattern)
        reach = parsed.getwidth()[1]
        if reach >= _parser.MAXREPEAT and parsed.data and parsed.data[-1][0] is _parser.MAX_REPEAT:
            repeated = parsed.data[-1][1][2].data
            if len(repeated) == 1 and repeated[0][0] in one:
                reach = _parser.SubPattern(parsed.state, parsed.data[:-1]).getwidth()[1] + 1
    except (re.error, RecursionError, OverflowError, ValueError, TypeError, IndexError, AttributeError):
        return None
    return None if reach >= _parser.MAXREPEAT else max(reach, len(pattern))


def _spend(meter: Budget, steps: int, items: int = 0) -> None:
    """Charge work about to be done: past the budget, the call stops (and is the budget's unknown)."""
    if not meter.spend(steps, items):
        raise Unknowable("spends past the evaluation budget")


def _matching(pattern: str, s: str, meter: Budget) -> Any:
    """(the compiled pattern, its reach: see _reach) when searching ``s`` with it is within the bound of one
    search, with its compiling (when new) and RE2's scan to the matches and over them charged. A pattern
    RE2 refuses (a backreference, a lookaround) makes the call unknown."""
    new = pattern not in _PATTERNS
    r, compiling, reach = _compiled(pattern)
    _spend(meter, compiling if new else 0)
    if r is None:
        raise Unknowable("has a pattern that RE2 does not accept")
    if r.programsize * (len(s) + 1) > MAX_REGEX_WORK:
        raise Unknowable(f"has a pattern and a text too large to match (their sizes multiply past {MAX_REGEX_WORK})")
    _spend(meter, 2 * scanning(r.programsize, len(s)))  # forward to each match, then over it: start, groups
    return r, reach


def _searches(r: Any, reach: Any, s: str, meter: Budget) -> Any:
    """The matches of ``r`` in ``s`` as Go gives them (an empty match right after a match is not one), at most
    MAX_ITEMS. Each search is charged before it is made: its own work and RE2 reading on past its match
    (budget.searching), which a pattern such as ``a*b|a`` makes as long as the rest of the text."""
    last = -1
    pos = found = 0
    matches = r.finditer(s)
    while True:
        _spend(meter, searching(r.programsize, reach, len(s) - pos))
        m = next(matches, None)
        if m is None:
            return
        pos = m.end() + (m.start() == m.end())
        if m.start() == m.end() == last:
            continue
        last = m.end()
        found += 1
        if found > MAX_ITEMS:
            raise Unknowable(f"finds more than {MAX_ITEMS} matches")
        yield m


# functions that charge all they do as they do it (reading their text, building their result): a cached
# jsondecode() reads nothing, and regexall()'s scan covers reading its text
_SELF_CHARGED = {"regexall", "jsondecode"}


def call(name: str, args: List[Any], budget: Any = None) -> Any:
    """A function's value; its work and what it builds are spent from the root module's ``budget``. A call
    that cannot be evaluated because an argument is unknown is unknown for that argument's reason."""
    def unknown() -> Unknown:
        why = next((a.origin for a in args if isinstance(a, Unknown)), None)
        return Unknown(why or f"function {name}() is not evaluated")

    meter = budget if budget is not None else Budget()
    if meter.over():
        return meter.spent()
    if name not in _CONSTANT and name not in _SELF_CHARGED:
        deep = name in _DEEP or (name in _PURE and name not in _STRUCTURAL)
        reading = _reading(args, deep, meter.steps_left(), _ELEMENTWISE.get(name, 0))
        if not meter.spend(reading + _extra_work(name, args)):
            return meter.spent()
    result = _call(name, args, unknown, meter)
    if name not in _CONSTANT and name not in _SELF_CHARGED and not any(result is a for a in args):
        made = built(result)  # also when the result is past a bound below: it was built
        meter.spend(made // READS_PER_STEP, made)
    if meter.over():
        return meter.spent()
    if isinstance(result, str) and len(result) > MAX_STRING:
        return Unknown(f"function {name}() gives a string over {MAX_STRING} characters")
    if isinstance(result, (list, dict)) and len(result) > MAX_ITEMS:
        return Unknown(f"function {name}() gives more than {MAX_ITEMS} items")
    if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > MAX_BITS:
        return Unknown(f"function {name}() gives a number of more than {MAX_BITS} bits")
    return result


def _call(name: str, args: List[Any], unknown: Any, meter: Budget) -> Any:
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
            out = _PURE[name](*args, meter=meter) if name in _METERED else _PURE[name](*args)
            return None if out is _NULL else unknown() if out is None else out
        if name == "jsonencode" and len(args) == 1:
            out = JsonEncoded("<jsonencode>")
            out.value = args[0]
            return out
        if name == "jsondecode" and len(args) == 1 and isinstance(args[0], str):
            return decode_json(args[0], meter, keep=True)
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


# --------------------------------------------------------------------------- JSON


def decode_json(text: str, meter: Budget, keep: bool = False) -> Any:
    """JSON ``text`` decoded with positions, charged before it is decoded by what its length and marks say it
    may hold (budget.decoding), then by what it decoded, counted whole. A text over MAX_STRING characters is
    unknowable. ``keep`` (jsondecode()): the value is kept for its text, and the same text decoded again in
    the root module gives it at no more cost, shared as a local's value is. Raises ParseError when the text
    is not JSON."""
    if keep and text in meter.decoded:
        return meter.decoded[text]
    if len(text) > MAX_STRING:
        raise Unknowable(f"has a text over {MAX_STRING} characters to decode")
    steps, items = decoding(text)
    _spend(meter, steps, items)
    value = load_json(text)
    meter.items -= items - min(items, _shared_walk([value], items)[0])
    if keep:
        if len(meter.decoded) >= 64:
            meter.decoded.clear()
        meter.decoded[text] = value
    return value


_HOLE = re.compile("\ue000([0-9]+)\ue001")


def json_with_holes(v: Any, meter: Budget) -> Any:
    """JSON text whose interpolations may be unknown (a heredoc or template with ``${var.x}``), parsed with
    its known parts kept: a string with a hole becomes a template, a value that is wholly a hole (quoted or
    not) becomes that unknown. Only what depends on an unknown is unknown. Decoding is charged to ``meter``
    (see decode_json; Unknowable past it). Raises ParseError when the known text is not JSON."""
    if isinstance(v, str):
        return decode_json(v, meter)
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
    return _fill(decode_json("".join(text), meter), holes)


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


def _replace(s: Any, old: Any, new: Any, meter: Budget) -> Any:
    if not _strings(s, old, new):
        return None
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        r, reach = _matching(old[1:-1], s, meter)
        return _replace_matches(r, reach, s, new, meter)
    _text_at_most(len(s) + (len(s) + 1 if old == "" else s.count(old)) * (len(new) - len(old)))
    return s.replace(old, new)


def _replace_matches(r: Any, reach: Any, s: str, template: str, meter: Budget) -> str:
    """Go's ReplaceAllString: every match replaced by the template with its groups expanded; each match is an
    item until the pieces are joined."""
    parts = _expansion(template, r.groupindex)
    out: List[str] = []
    size = last = 0
    for m in _searches(r, reach, s, meter):
        _spend(meter, 0, 1)
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


def _regex_fn(pattern: Any, s: Any, meter: Budget) -> Any:
    if not _strings(pattern, s):
        return None
    r, reach = _matching(pattern, s, meter)
    m = next(_searches(r, reach, s, meter), None)
    if m is None:
        return None  # Terraform: an error
    return _groups(r, m)


def _regexall(pattern: Any, s: Any, meter: Budget) -> Any:
    """Every match's groups (see _groups), each charged as it is built."""
    if not _strings(pattern, s):
        return None
    r, reach = _matching(pattern, s, meter)
    out = []
    for m in _searches(r, reach, s, meter):
        out.append(_groups(r, m))
        _spend(meter, 0, 1 + built(out[-1]))
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
_METERED = {"replace", "regex", "regexall"}  # functions given the budget, to charge their searches as they go


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
