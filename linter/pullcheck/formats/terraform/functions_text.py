"""Terraform's string functions (format() and formatlist() are in functions_format; the conversions tostring()
and tonumber() in functions_conversion).

Strings are as cty holds them: in NFC (functions.Pure normalises the text it is given), counted in grapheme
clusters, cased and trimmed as Go's strings package does (pullcheck.formats.terraform.unicode_text). Those
that take known arguments (see functions.Pure) return None when they cannot tell and raise Fails where
Terraform reports an error; the others are given the call's arguments and its ``unknown``."""
from __future__ import annotations

import re
from typing import Any, List

from pullcheck.formats.terraform import functions_collections as coll
from pullcheck.formats.terraform.budget import Budget
from pullcheck.formats.terraform.convert import TfList, at_most, is_known, spend, text_at_most, text_of, to_number
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.functions_format import NotKnown, format_text, formatlist
from pullcheck.formats.terraform.unicode_text import (
    cluster_count,
    cluster_starts,
    clusters,
    go_lower,
    go_title,
    go_trimspace,
    go_upper,
    nfc,
)
from pullcheck.graph.values import Missing, Ref, Template, Unknown, make_template

GRAPHEME_CHARS_PER_STEP = 1  # characters of text other than ASCII read cluster by cluster in a step


def _clustering(meter: Budget, s: str) -> None:
    """Charge reading ``s`` cluster by cluster (ASCII text is counted without it)."""
    if not s.isascii():
        spend(meter, len(s) // GRAPHEME_CHARS_PER_STEP)


def whole(v: Any, what: str = "value") -> int:
    """A number Terraform reads as a Go int: whole, or the call fails."""
    n = to_number(v)
    if n is None:
        raise Fails(f"a number is required for the {what}")
    if isinstance(n, float) and not n.is_integer() or abs(n) >= 1 << 63:
        raise Fails("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
    return int(n)


# -- format(), formatlist() ----------------------------------------------------------------------------------

def format_call(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if not args:
        raise Fails("not enough function arguments")
    fmt = text_of(args[0])
    if fmt is None:
        return _not_text(args[0], unknown)
    if any(a is None for a in args[1:]):  # a null of no type makes Terraform's result unknown, verbs unread
        return unknown()
    if not all(is_known(a) for a in args[1:]):
        return _format_parts(nfc(fmt), args[1:], meter) or unknown()
    try:
        return format_text(nfc(fmt), args[1:], meter)
    except NotKnown:
        return unknown()


_PLAIN_VERB = re.compile(r"%[sv]")


def _format_parts(fmt: str, args: List[Any], meter: Budget) -> Any:
    """format() whose verbs are all plain ``%s`` or ``%v``, one for each argument in turn, over arguments
    some of which are references, templates or unknowns: the Template of its parts. None for any other
    (Terraform leaves such a call unknown without reading it further)."""
    if "\x00" in fmt:
        return None
    pieces = _PLAIN_VERB.split(fmt.replace("%%", "\x00"))
    if len(pieces) != len(args) + 1 or any("%" in p for p in pieces):
        return None
    parts: List[Any] = [pieces[0].replace("\x00", "%")]
    for arg, piece in zip(args, pieces[1:]):
        if isinstance(arg, (Ref, Template, Unknown)):
            parts.append(arg)
        elif arg is None or isinstance(arg, (list, dict)) or not is_known(arg):
            return None
        else:
            parts.append(format_text("%s", [arg], meter))
        parts.append(piece.replace("\x00", "%"))
    return _template(parts)


def formatlist_call(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if not args:
        raise Fails("not enough function arguments")
    fmt = text_of(args[0])
    if fmt is None:
        return _not_text(args[0], unknown)
    if any(a is None or isinstance(a, (Unknown, Template)) or (isinstance(a, str) and text_of(a) is None)
           for a in args[1:]):
        return unknown()
    try:
        return formatlist(nfc(fmt), args[1:], unknown, meter)
    except NotKnown:
        return unknown()


def _not_text(v: Any, unknown: Any) -> Any:
    if v is None or isinstance(v, (list, dict, bool)) and not isinstance(v, Template):
        raise Fails("a string is required")
    return unknown()


# -- strings of grapheme clusters ----------------------------------------------------------------------------

def length(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """length(): a string's grapheme clusters; a collection's elements."""
    if len(args) == 1 and isinstance(args[0], str):
        text = text_of(args[0])  # a jsonencode() of unknowns has no text
        if text is None:
            return unknown()
        s = nfc(text)
        _clustering(meter, s)
        return cluster_count(s)
    return coll.length(args, unknown, meter)


def strrev(s: Any, meter: Budget) -> Any:
    _clustering(meter, s)
    return "".join(reversed(clusters(s)))


def substr(s: Any, offset: Any, length: Any, meter: Budget) -> Any:
    """go-cty's Substr: offset and length in clusters; a negative offset counts from the end (and then a
    length of 0 is the rest); a negative length, or one past the end, is the rest."""
    o, n = whole(offset, "offset"), whole(length, "length")
    _clustering(meter, s)
    starts = list(cluster_starts(s)) + [len(s)]
    total = len(starts) - 1
    if o < 0:
        o = max(0, o + total)
        if n == 0:
            n = -1
    elif n == 0:
        return ""
    if o >= total:
        return ""
    if n < 0 or o + n >= total:
        return s[starts[o]:]
    return s[starts[o]:starts[o + n]]


# -- case, space, lines -----------------------------------------------------------------------------------------

def upper(s: Any) -> Any:
    return go_upper(s)


def lower(s: Any) -> Any:
    return go_lower(s)


def title(s: Any) -> Any:
    return go_title(s)


def trimspace(s: Any) -> Any:
    return go_trimspace(s)


def trim(s: Any, chars: Any) -> Any:
    return s.strip(chars) if chars else s


def trimprefix(s: Any, p: Any) -> Any:
    return s[len(p):] if s.startswith(p) else s


def trimsuffix(s: Any, p: Any) -> Any:
    return s[:-len(p)] if p and s.endswith(p) else s


_TRAILING_NEWLINES = re.compile(r"(?:\r\n?|\n)*\Z")


def chomp(s: Any) -> Any:
    return _TRAILING_NEWLINES.sub("", s, count=1)


def indent(spaces: Any, s: Any) -> Any:
    n = whole(spaces, "spaces")
    if n < 0:
        raise Fails("strings: negative Repeat count")
    text_at_most(len(s) + s.count("\n") * n)
    return s.replace("\n", "\n" + " " * n)


def strcontains(s: Any, part: Any) -> Any:
    return part in s


def startswith(s: Any, p: Any) -> Any:
    return s.startswith(p)


def endswith(s: Any, p: Any) -> Any:
    return s.endswith(p)


def split(sep: Any, s: Any) -> Any:
    """Go's strings.Split: an empty separator splits between characters."""
    if sep == "":
        at_most(len(s))
        return TfList(s) if s else TfList()
    at_most(s.count(sep) + 1)
    return TfList(nfc(x) for x in s.split(sep))  # a list of strings, as Terraform's split() gives


def join(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """join(separator, lists...): every element of every list, converted to text."""
    if len(args) < 2:
        raise Fails("at least one list is required")
    sep = text_of(args[0])
    ty = getattr(args[0], "ty", None) if isinstance(args[0], Unknown) else None
    if ty is not None and ty.kind not in ("string", "number", "bool", "any"):
        raise Fails("a string is required for the separator")
    for a in args[1:]:
        if a is None or isinstance(a, (str, bool, int, float, dict)) and not isinstance(a, Template):
            raise Fails("a list of strings is required")
    if sep is None or not all(isinstance(a, list) for a in args[1:]):
        if args[0] is None or isinstance(args[0], (list, dict)):
            raise Fails("a string is required for the separator")
        return unknown()
    items: List[Any] = []
    for a in args[1:]:
        for x in a:
            if isinstance(x, Missing):
                return x
            if x is None:
                raise Fails("cannot concatenate null values")
            if isinstance(x, (list, dict)):
                raise Fails("a list of strings is required: an element is a collection")
            t = text_of(x)
            if t is None and not isinstance(x, (Ref, Template, Unknown)):
                return unknown()  # a jsonencode() of unknowns, a resource itself
            items.append(x if t is None else t)
    text_at_most(sum(len(x) for x in items if isinstance(x, str)) + len(sep) * max(0, len(items) - 1))
    if all(isinstance(x, str) for x in items):
        return sep.join(items)
    return _template([part for n, x in enumerate(items) for part in ((sep, x) if n else (x,))])


def _template(parts: List[Any]) -> Any:
    """Text of known parts and parts that are not known (references, unknowns, templates): a Template of
    them, as a template that interpolates them gives it."""
    flat: List[Any] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, Template) else (p,))
    return make_template(flat)


# -- CSV ------------------------------------------------------------------------------------------------------

def csvdecode(src: Any, meter: Budget) -> Any:
    """csvdecode(): a map per row after the header, as Go's encoding/csv reads them (every row as long as the
    header, quotes only around a whole field, blank lines passed over)."""
    spend(meter, len(src) // 16)
    rows = _csv_rows(src)
    if not rows:
        raise Fails("missing header line")
    header = rows[0]
    if len(set(header)) != len(header):
        raise Fails(f"duplicate column name {next(h for h in header if header.count(h) > 1)!r}")
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            raise Fails(f"CSV parse error on line {n}: wrong number of fields")  # (Go counts blank lines too)
    at_most(len(rows) * len(header))
    return [dict(zip(header, row)) for row in rows[1:]]


def _csv_rows(src: str) -> List[List[str]]:
    rows: List[List[str]] = []
    i, n = 0, len(src)
    while i < n:
        if src[i] == "\n" or src.startswith("\r\n", i):
            i += 1 if src[i] == "\n" else 2
            continue
        row: List[str] = []
        while True:
            if i < n and src[i] == '"':
                field, i = _quoted_field(src, i + 1)
            else:
                j = i
                while j < n and src[j] not in ",\n" and not src.startswith("\r\n", j):
                    if src[j] == '"':
                        raise Fails(f'CSV parse error on line {_line(src, j)}: bare " in non-quoted-field')
                    j += 1
                field, i = src[i:j], j
            row.append(field)
            if i < n and src[i] == ",":
                i += 1
                continue
            break
        rows.append(row)
        i += 2 if src.startswith("\r\n", i) else 1
    return rows


def _line(src: str, at: int) -> int:
    return src.count("\n", 0, at) + 1


def _quoted_field(src: str, i: int) -> Any:
    out: List[str] = []
    while True:
        j = src.find('"', i)
        if j < 0:
            raise Fails(f'CSV parse error on line {_line(src, len(src))}: extraneous or missing " in quoted-field')
        out.append(src[i:j])
        if src.startswith('""', j):
            out.append('"')
            i = j + 2
            continue
        i = j + 1
        if i < len(src) and src[i] not in ",\n" and not src.startswith("\r\n", i):
            raise Fails(f'CSV parse error on line {_line(src, i)}: extraneous or missing " in quoted-field')
        return "".join(out).replace("\r\n", "\n"), i
