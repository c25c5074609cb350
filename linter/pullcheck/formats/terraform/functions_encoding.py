"""Terraform's encoding functions (jsonencode(), jsondecode(), base64encode(), md5()), and JSON text decoded
with its positions, its unknown interpolations kept as holes."""
from __future__ import annotations

import re
from typing import Any, List

from pullcheck.formats.terraform.budget import Budget, JsonEncoded, _shared_walk, decoding
from pullcheck.formats.terraform.convert import Unknowable, spend, strings
from pullcheck.graph.values import MAX_STRING, Ref, Template, Unknown, make_template
from pullcheck.sources.marked import load_json


def jsonencode(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) != 1:
        return unknown()
    out = JsonEncoded("<jsonencode>")
    out.value = args[0]
    return out


def jsondecode(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], str):
        return decode_json(args[0], meter, keep=True)
    return unknown()


def base64encode(s: Any) -> Any:
    import base64

    return base64.b64encode(s.encode()).decode() if strings(s) else None


def md5(s: Any) -> Any:
    import hashlib

    return hashlib.md5(s.encode()).hexdigest() if strings(s) else None


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
