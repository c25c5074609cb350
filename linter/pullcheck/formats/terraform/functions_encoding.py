"""Terraform's JSON functions, jsonencode() and jsondecode() (base64 and the hashes are in functions_hash), and
JSON text decoded with its positions, its unknown interpolations kept as holes."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import (
    READS_PER_STEP,
    TEXT_PER_ITEM,
    Budget,
    JsonEncoded,
    Opaque,
    decoding,
    expanded_size,
    shared_walk,
)
from pullcheck.formats.terraform.convert import Unknowable, is_number, number_of, spend, text_known
from pullcheck.graph.values import MAX_STRING, Missing, Ref, Template, Unknown, make_template
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import load_json


def jsonencode(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """jsonencode(): the value's JSON text as Terraform writes it (Go's encoding: compact, keys in order,
    ``<``, ``>`` and ``&`` escaped, numbers as Terraform writes them), keeping the value for the parser. A
    value with unknowns in it has no known text: the result keeps the value, its text a placeholder
    (JsonEncoded.holes). The encoding is charged by what it walks and what it writes."""
    if len(args) != 1:
        return unknown()
    size = expanded_size(args[0], MAX_STRING, text=True)
    if size > MAX_STRING:
        raise Unknowable(f"gives a string over {MAX_STRING} characters")
    spend(meter, size // READS_PER_STEP, size // TEXT_PER_ITEM)
    try:
        text = encode_json(args[0])
    except _Holes:
        out = JsonEncoded("<jsonencode>")
        out.holes = True
    except ValueError as e:
        return Missing(f"jsonencode(): {e}")
    else:
        out = JsonEncoded(text)
    out.value = args[0]
    return out


class _Holes(Exception):
    """A part of the value cannot be known: so cannot its JSON."""


def encode_json(v: Any) -> str:
    """``v`` as Go's encoding/json writes what cty gives it; each shared part is encoded once. Raises _Holes
    for an unknown part, ValueError for an infinity (which JSON cannot hold)."""
    done: Dict[int, str] = {}

    def enc(x: Any) -> str:
        if type(x) is str:
            return _json_string(x)
        if isinstance(x, str):
            if isinstance(x, JsonEncoded) and not text_known(x):
                raise _Holes()
            return _json_string(x)
        if x is None:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        if is_number(x):
            n = number_of(x)
            if n is None or (isinstance(n, number.Number) and n.infinite()):
                raise ValueError("cannot serialize infinity as JSON")
            return number.text(n)
        if isinstance(x, (list, dict)):
            got = done.get(id(x))
            if got is None:
                if isinstance(x, dict):
                    got = "{" + ",".join(_json_string(k) + ":" + enc(x[k]) for k in sorted(x)) + "}"
                else:
                    got = "[" + ",".join(enc(item) for item in x) + "]"
                done[id(x)] = got
            return got
        if isinstance(x, (Unknown, Ref, Template, Opaque)):
            raise _Holes()
        raise ValueError("a value JSON cannot hold")

    return enc(v)


def _json_string(s: str) -> str:
    """A string as Go's encoding/json quotes it: HTML's <, > and & and the line and paragraph separators
    escaped as well (they only ever stand inside a string, so replacing them in the quoted text is safe)."""
    out = _quoted(str.__str__(s))
    if _HTML.search(out):
        out = _HTML.sub(lambda m: _HTML_ESCAPES[m.group()], out)
    return out


_quoted = json.encoder.encode_basestring  # type: ignore[attr-defined]  # json.dumps(s, ensure_ascii=False)
_HTML = re.compile("[<>&\u2028\u2029]")
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def jsondecode(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """jsondecode(): the value, its numbers Terraform's (number), its objects and arrays objects and tuples."""
    if len(args) == 1 and isinstance(args[0], str) and text_known(args[0]):
        try:
            return decode_json(args[0], meter, keep=True)
        except ParseError as e:
            return Missing(f"jsondecode() of text that is not JSON: {e.message}")
    return unknown()


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
    spend(meter, steps, items)
    value = load_json(text)
    meter.items -= items - min(items, shared_walk([value], items)[0])
    if keep:
        value = _numbers(value, text)
        if len(meter.decoded) >= 64:
            meter.decoded.clear()
        meter.decoded[text] = value
    return value


def _numbers(v: Any, text: str) -> Any:
    """The numbers in JSON ``text`` decoded as ``v`` made Terraform's, in place: each read from its own digits
    (a second, plain decoding gives them in the same places) when any is not a small whole number."""
    todo = [v]
    signed_zero = "-0" in text  # Python reads -0 as 0; Terraform keeps its sign
    while todo:
        x = todo.pop()
        items = x.values() if isinstance(x, dict) else x if isinstance(x, list) else (x,)
        if any(is_number(i) and (isinstance(i, float) or i.bit_length() > number.PRECISION or signed_zero and i == 0)
               for i in items):
            break
        todo.extend(i for i in items if isinstance(i, (list, dict)))
    else:
        return v
    exact = json.loads(text, parse_float=_exact, parse_int=_exact)
    if not isinstance(v, (list, dict)):
        return exact
    pairs = [(v, exact)]
    while pairs:
        x, y = pairs.pop()
        for k in (list(x) if isinstance(x, dict) else range(len(x))):
            if isinstance(x[k], (list, dict)):
                pairs.append((x[k], y[k]))
            elif is_number(x[k]):
                x[k] = y[k]
    return v


def _exact(digits: str) -> Any:
    got = number.parse(digits)
    return Unknown(f"a number past {number.MAX_BITS} bits") if got is None else got


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
