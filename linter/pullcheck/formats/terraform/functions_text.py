"""Terraform's string functions, and the conversions to and from text (tostring(), tonumber()).

Those that take known arguments (see functions.Pure) return None when Terraform would give an error; the
others are given the call's arguments and its ``unknown``."""
from __future__ import annotations

import json
import re
from typing import Any, List

from pullcheck.formats.terraform.budget import Budget, JsonEncoded
from pullcheck.formats.terraform.convert import at_most, strings, text_at_most, text_of, to_number


def _format(fmt: str, args: List[Any]) -> Any:
    """format()'s verbs that modules use: %s %d %v %q %%, with widths ignored."""
    out: List[str] = []
    i = n = size = 0
    while True:
        j = fmt.find("%", i)
        out.append(fmt[i:] if j < 0 else fmt[i:j])
        size += len(out[-1])
        text_at_most(size)
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
            t = text_of(v)
            if t is None:
                return None
            out.append(json.dumps(t))
        elif verb == "d":
            num = to_number(v)
            if num is None:
                return None
            out.append(str(int(num)))
        else:
            t = text_of(v)
            if t is None:
                return None
            out.append(t)
        size += len(out[-1])
    return "".join(out)


_VERB = re.compile(r"%([-+# 0]*[0-9]*(?:\.[0-9]+)?)([sdvqf%])")


def format_text(fmt: Any, *args: Any) -> Any:
    return _format(fmt, list(args)) if text_of(fmt) is not None else None


def formatlist(fmt: Any, *args: Any) -> Any:
    if text_of(fmt) is None:
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
        text_at_most(size)
        out.append(v)
    return out


def split(sep: Any, s: Any) -> Any:
    if not strings(sep, s) or sep == "":
        return None
    at_most(s.count(sep) + 1)
    return s.split(sep)


def trim(s: Any, chars: Any) -> Any:
    return s.strip(chars) if strings(s, chars) else None


def trimspace(s: Any) -> Any:
    return s.strip() if strings(s) else None


def trimprefix(s: Any, p: Any) -> Any:
    return (s[len(p):] if s.startswith(p) else s) if strings(s, p) else None


def trimsuffix(s: Any, p: Any) -> Any:
    return (s[:-len(p)] if p and s.endswith(p) else s) if strings(s, p) else None


def title(s: Any) -> Any:
    return s.title() if strings(s) else None


def substr(s: Any, offset: Any, length: Any) -> Any:
    o, n = to_number(offset), to_number(length)
    if text_of(s) is None or o is None or n is None:
        return None
    o, n = int(o), int(n)
    if o < 0:
        o += len(s)
    return s[o:] if n == -1 else s[o:o + n]


def startswith(s: Any, p: Any) -> Any:
    return s.startswith(p) if strings(s, p) else None


def endswith(s: Any, p: Any) -> Any:
    return s.endswith(p) if strings(s, p) else None


def join(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list) \
            and all(isinstance(x, str) for x in args[1]):
        text_at_most(sum(len(x) for x in args[1]) + len(args[0]) * max(0, len(args[1]) - 1))
        return args[0].join(args[1])
    return unknown()


def _one_text(args: List[Any]) -> bool:
    return len(args) == 1 and isinstance(args[0], str) and not isinstance(args[0], JsonEncoded)


def lower(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return args[0].lower() if _one_text(args) else unknown()


def upper(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return args[0].upper() if _one_text(args) else unknown()


def tostring(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return args[0] if len(args) == 1 else unknown()


def tonumber(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], (str, int, float)):
        return float(args[0]) if "." in str(args[0]) else int(args[0])
    return unknown()
