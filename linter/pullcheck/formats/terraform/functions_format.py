"""format() and formatlist() as go-cty implements them: Go's verbs with flags, widths, precisions and ``[n]``
argument indexes; strings padded and cut in grapheme clusters; numbers written as Go writes a big.Float of
512 bits (Terraform's numbers) or a big.Int; ``%v`` of a collection, ``%#v`` and ``%q`` as Go's JSON.

Terraform's errors (a verb it does not know, an argument missing or left over, a value of the wrong kind)
raise Fails, naming the error as Terraform does."""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from pullcheck.formats.terraform.convert import TfList, is_known, spend, text_at_most, text_of, to_number
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.go_numbers import exact, number_text
from pullcheck.formats.terraform.unicode_text import cluster_count, cluster_starts, nfc
from pullcheck.graph.values import MAX_STRING

# %, flags, width, precision, argument index, verb: the grammar of go-cty's format scanner
_VERB = re.compile(r"%([-+# 0]*)([1-9][0-9]*)?(\.[0-9]*)?(?:\[([1-9][0-9]*)\])?")
_INTEGER_VERBS = "bdoxX"
_FLOAT_VERBS = "eEfgG"


class NotKnown(Exception):
    """A value format() cannot read although it is not itself unknown (a jsonencode() of unknowns, a null
    whose type Terraform would take from its context): the call is unknown."""


class _Verb:
    __slots__ = ("raw", "offset", "flags", "width", "prec", "mode")

    def __init__(self, raw: str, offset: int, flags: str, width: Optional[int], prec: Optional[int],
                 mode: str) -> None:
        self.raw, self.offset, self.flags, self.width, self.prec, self.mode = raw, offset, flags, width, prec, mode

    def fails(self, why: str) -> Fails:
        return Fails(f"unsupported value for {_go_quote(self.raw)} at {self.offset}: {why}")


STEPS_PER_VERB = 4  # a verb's own work (a number's: STEPS_PER_NUMBER more)
STEPS_PER_NUMBER = 16


def format_text(fmt: str, args: List[Any], meter: Any = None) -> str:
    """format(): Fails as Terraform's errors; an argument not wholly known is left to the caller. Each verb
    is charged to ``meter`` as it is written."""
    out: List[str] = []
    size = 0
    data = fmt.encode()  # offsets in Terraform's messages are in bytes
    i = 0
    next_arg = 1
    highest = 0
    while True:
        j = fmt.find("%", i)
        out.append(fmt[i:] if j < 0 else fmt[i:j])
        size += len(out[-1])
        if j < 0:
            break
        if fmt.startswith("%%", j):
            out.append("%")
            i = j + 2
            continue
        m = _VERB.match(fmt, j)
        assert m is not None  # every part after the % is optional
        end = m.end()
        offset = len(fmt[:j].encode())
        if end >= len(fmt):
            raise Fails(f"invalid format string starting at offset {len(data)}")
        mode = fmt[end]
        if not ("a" <= mode <= "z" or "A" <= mode <= "Z"):
            _refuse(fmt, end)
        flags, width, prec, index = m.group(1), m.group(2), m.group(3), m.group(4)
        verb = _Verb(fmt[j:end + 1], offset, flags, int(width) if width else None,
                     int(prec[1:] or 0) if prec is not None else None, mode)
        number = int(index) if index else next_arg
        highest = max(highest, number)
        if meter is not None:
            spend(meter, STEPS_PER_VERB + (STEPS_PER_NUMBER if mode in _INTEGER_VERBS + _FLOAT_VERBS + "v" else 0))
        out.append(_one(verb, number, args))
        size += len(out[-1])
        text_at_most(size)
        next_arg = number + 1
        i = end + 1
    text_at_most(size)
    if highest < len(args):
        if highest == 0:
            raise Fails("too many arguments; no verbs in format string")
        raise Fails(f"too many arguments; only {highest} used by format string")
    return "".join(out)


def _refuse(fmt: str, at: int) -> None:
    """The error for the character at ``at`` that no verb may hold there (inside ``[n]``, what breaks it)."""
    if fmt[at] == "[":
        at += 1
        if at < len(fmt) and "1" <= fmt[at] <= "9":
            while at < len(fmt) and "0" <= fmt[at] <= "9":
                at += 1
    if at >= len(fmt):
        raise Fails(f"invalid format string starting at offset {len(fmt.encode())}")
    raise Fails(f"unrecognized format character {_go_rune(fmt[at])} at offset {len(fmt[:at].encode())}")


def _one(verb: _Verb, number: int, args: List[Any]) -> str:
    if number > len(args):
        raise Fails(f"not enough arguments for {_go_quote(verb.raw)} at {verb.offset}: "
                    f"need index {number} but have {len(args)} total")
    for n in (verb.width, verb.prec):
        if n is not None:
            text_at_most(n)
    arg = args[number - 1]
    mode = verb.mode
    if mode != "v" and arg is None:
        # Terraform fails on a typed null and leaves a bare one unknown; which one this is cannot be told
        raise NotKnown()
    if mode == "v":
        return _as_is(verb, arg)
    if mode == "t":
        return _bool(verb, arg)
    if mode in _INTEGER_VERBS or mode in _FLOAT_VERBS:
        return _number(verb, arg)
    if mode in "sq":
        return _string(verb, arg)
    raise Fails(f"unsupported format verb {_go_rune(mode)} in {_go_quote(verb.raw)} at offset {verb.offset}")


def _pad(verb: _Verb, text: str) -> str:
    """go-cty's padding: to the width in grapheme clusters, with zeros for the 0 flag (strings too), on the
    right for the - flag."""
    if verb.width is None:
        return text
    short = verb.width - cluster_count(text)
    if short <= 0:
        return text
    pad = ("0" if "0" in verb.flags else " ") * short
    return text + pad if "-" in verb.flags else pad + text


def _as_is(verb: _Verb, arg: Any) -> str:
    if arg is None:  # a null's type decides: Terraform writes a typed null as null, and leaves a bare one unknown
        raise NotKnown()
    if "#" not in verb.flags:
        if isinstance(arg, str):
            return _pad(verb, _text(arg))
        if isinstance(arg, (int, float)) and not isinstance(arg, bool):
            return _pad(verb, go_float(arg, "g", None))
    return _pad(verb, go_json(arg))


def _text(v: Any) -> str:
    t = text_of(v)
    if t is None:
        raise NotKnown()
    return nfc(t)


def _bool(verb: _Verb, arg: Any) -> str:
    if isinstance(arg, bool):
        return "true" if arg else "false"
    if isinstance(arg, str):
        got = {"true": "true", "1": "true", "false": "false", "0": "false"}.get(_text(arg))
        if got is not None:
            return got
        raise verb.fails("a bool is required")
    raise verb.fails("bool required")


def _number(verb: _Verb, arg: Any) -> str:
    if isinstance(arg, bool) or not isinstance(arg, (int, float, str)):
        raise verb.fails("number required")
    if isinstance(arg, str):
        arg = _text(arg)
    n = to_number(arg) if not isinstance(arg, str) or (arg == arg.strip() and "_" not in arg) else None
    if n is None:
        raise verb.fails("a number is required")
    if verb.mode in _INTEGER_VERBS:
        if not isinstance(n, int):
            value, _ = exact(n)
            if value.denominator != 1:
                raise verb.fails("an integer is required")
            n = int(value)
        return go_int(n, verb)
    return _float_padded(verb, go_float(n, verb.mode, verb.prec))


def _float_padded(verb: _Verb, text: str) -> str:
    """big.Float's Format: the sign apart, padded with zeros after it for the 0 flag (before the - flag)."""
    sign = ""
    if text in ("+Inf", "-Inf"):  # an infinity: "+" unless the space flag says " ", padded with spaces only
        sign = " " if text[0] == "+" and " " in verb.flags and "+" not in verb.flags else text[0]
        text = sign + text[1:]
        spaces = " " * max(0, (verb.width or 0) - len(text))
        return text + spaces if "-" in verb.flags else spaces + text
    if text.startswith("-"):
        sign, text = "-", text[1:]
    elif "+" in verb.flags:
        sign = "+"
    elif " " in verb.flags:
        sign = " "
    pad = max(0, (verb.width or 0) - len(sign) - len(text))
    if "0" in verb.flags:
        return sign + "0" * pad + text
    if "-" in verb.flags:
        return sign + text + " " * pad
    return " " * pad + sign + text


def go_int(n: int, verb: _Verb) -> str:
    """big.Int's Format: sign, base prefix (the # flag), zeros to the precision, spaces or zeros to the width."""
    base = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb.mode]
    digits = _digits(abs(n), base)
    if verb.mode == "X":
        digits = digits.upper()
    sign = "-" if n < 0 else "+" if "+" in verb.flags else " " if " " in verb.flags else ""
    prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb.mode, "") if "#" in verb.flags else ""
    zeros = left = right = 0
    if verb.prec is not None:
        if len(digits) < verb.prec:
            zeros = verb.prec - len(digits)
        elif digits == "0" and verb.prec == 0:
            return ""
    length = len(sign) + len(prefix) + zeros + len(digits)
    if verb.width is not None and length < verb.width:
        d = verb.width - length
        if "-" in verb.flags:
            right = d
        elif "0" in verb.flags and verb.prec is None:
            zeros = d
        else:
            left = d
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _digits(n: int, base: int) -> str:
    if base == 10:
        return str(n)
    return format(n, {2: "b", 8: "o", 16: "x"}[base])


def go_float(v: Any, mode: str, prec: Optional[int]) -> str:
    """big.Float.Text(mode, prec) of the number as Terraform holds it (prec None: %g's shortest, 6 for %e
    and %f)."""
    return number_text(v, mode, prec)


def _string(verb: _Verb, arg: Any) -> str:
    if isinstance(arg, bool):
        text = "true" if arg else "false"
    elif isinstance(arg, (int, float)):
        text = go_float(arg, "f", -1)
    elif isinstance(arg, str):
        text = _text(arg)
    else:
        raise verb.fails("string required")
    if verb.prec:  # a precision cuts the text to that many clusters (.0 does not)
        starts = list(_first(cluster_starts(text), verb.prec + 1))
        if len(starts) > verb.prec:
            text = text[:starts[verb.prec]]
    return _pad(verb, go_quoted(text) if verb.mode == "q" else text)


def _first(it: Any, n: int) -> Any:
    for k, x in enumerate(it):
        if k >= n:
            return
        yield x


# -- Go's JSON ----------------------------------------------------------------------------------------------

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPES = {**_SHORT, **{c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"},
            **{chr(i): f"\\u{i:04x}" for i in range(0x20) if chr(i) not in _SHORT}}
_NEEDS_ESCAPE = re.compile('["\\\\<>&\u2028\u2029\x00-\x1f\ud800-\udfff]')


def go_quoted(s: str) -> str:
    """``s`` as Go's encoding/json writes a string (HTML characters escaped, others as they are)."""
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), "\ufffd"), s) + '"'


def go_json(v: Any) -> str:
    """A known value as go-cty writes JSON: numbers in full, keys sorted, no spaces."""
    out: List[str] = []
    todo: List[Any] = [v]
    size = 0
    while todo:
        x = todo.pop()
        if isinstance(x, _Raw):
            out.append(x.text)
        elif x is None:
            out.append("null")
        elif isinstance(x, bool):
            out.append("true" if x else "false")
        elif isinstance(x, (int, float)):
            text = go_float(x, "f", -1)
            if text in ("+Inf", "-Inf"):
                raise Fails("an infinity cannot be written as JSON")
            out.append(text)
        elif isinstance(x, str):
            out.append(go_quoted(_text(x)))
        elif isinstance(x, list):
            todo.append(_Raw("]"))
            for k, item in enumerate(reversed(x)):
                todo.extend((item, _Raw(",")) if k < len(x) - 1 else (item,))
            todo.append(_Raw("["))
        elif isinstance(x, dict):
            todo.append(_Raw("}"))
            keys = sorted(x)
            for k, key in enumerate(reversed(keys)):
                todo.append(x[key])
                todo.append(_Raw(go_quoted(nfc(str(key))) + ":"))
                if k < len(keys) - 1:
                    todo.append(_Raw(","))
            todo.append(_Raw("{"))
        else:
            raise NotKnown()
        size += len(out[-1]) if out else 0
        if size > MAX_STRING:
            text_at_most(size)
    return "".join(out)


class _Raw:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _go_quote(s: str) -> str:
    """Go's %q of a string (as Terraform's messages quote a verb)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _go_rune(c: str) -> str:
    return "'\\''" if c == "'" else f"'{c}'"


# -- formatlist() -------------------------------------------------------------------------------------------

def formatlist(fmt: str, args: List[Any], unknown: Any, meter: Any = None) -> Any:
    """formatlist(): lists walked together (of one length), other arguments repeated; an element whose
    arguments are not all known is unknown, alone."""
    if not args:
        return TfList([format_text(fmt, [], meter)])
    length: Optional[Tuple[int, int]] = None
    for i, a in enumerate(args):
        if isinstance(a, list):
            if length is None:
                length = (len(a), i)
            elif len(a) != length[0]:
                raise Fails(f"argument {i + 2} has length {len(a)}, which is inconsistent with argument "
                            f"{length[1] + 2} of length {length[0]}")
    n = 1 if length is None else length[0]
    out: List[Any] = []
    size = 0
    for k in range(n):
        row = [a[k] if isinstance(a, list) else a for a in args]
        if not all(is_known(x) for x in row):
            out.append(unknown())
            continue
        try:
            text = format_text(fmt, row, meter)
        except Fails as e:
            raise Fails(f"error on format iteration {k}: {e}") from None
        size += len(text)
        text_at_most(size)
        out.append(text)
    return TfList(out)  # a list of strings, as Terraform's formatlist() gives
