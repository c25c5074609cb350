"""Terraform's yamldecode() and yamlencode(), as go-cty-yaml 1.1 reads and writes YAML.

Decoding reads libyaml's events (PyYAML's safe parser: no object is ever built from a tag) into values with
an explicit stack, bounded in depth and in values made (aliases counted each time they are used), each event
charged to the budget as it comes. Scalars are resolved as go-cty-yaml resolves them (YAML 1.1 words, ints
in decimal, 0x and 0o, timestamps written again as RFC 3339, ``<<`` merges), which is not what PyYAML's
resolver or pullcheck's reader of CloudFormation do. Encoding writes the events go-cty-yaml writes (strings
double-quoted, or literal when they hold a line break; keys sorted) through PyYAML's emitter, the
Python port of the libyaml emitter go-yaml ports too."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import Budget, decoding
from pullcheck.formats.terraform.convert import NULL, Unknowable, is_known, spend, text_at_most, text_of
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.functions_hash import go_base64
from pullcheck.formats.terraform.go_numbers import number_text
from pullcheck.graph.values import MAX_STRING
from pullcheck.sources.errors import MAX_DEPTH, MAX_NODES

STEPS_PER_EVENT = 8  # a YAML event read and resolved (libyaml's parser is C)
STEPS_PER_EVENT_WRITTEN = 32  # a YAML event written (PyYAML's emitter is Python)

_STR, _BINARY, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP, _MAP, _SEQ = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "binary", "bool", "int", "float", "null", "timestamp", "map", "seq"))
_RESOLVABLE = {None, _STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP, _BINARY}
_WORDS: Dict[str, Any] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"), "inf"),
}
_HINTS = {**dict.fromkeys("+-", "S"), **dict.fromkeys("0123456789", "D"), **dict.fromkeys("yYnNtTfFoO~", "M"),
          ".": "."}
_INTEGER = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOATING = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_MERGE = object()


def _word(src: str) -> Any:
    got = _WORDS[src]
    if got == "inf":
        raise Unknowable("gives an infinite number")
    return got


def _number(src: str) -> Any:
    """cty.ParseNumberVal: a decimal number (an int when whole), or None."""
    if not _FLOATING.fullmatch(src):
        return None
    try:
        d = Decimal(src)
    except InvalidOperation:
        return None
    if abs(d.adjusted()) > 4000:
        raise Unknowable("gives a number of more than 4000 digits")
    if not d and d.is_signed():
        return number.NEG_ZERO  # cty keeps the sign of a zero it parses
    return int(d) if d == d.to_integral_value() else float(d)


def _integer(src: str) -> Any:
    """The number of an int or float tag: decimal, else Go's ParseInt/ParseUint with a base prefix."""
    plain = src.replace("_", "")
    got = _number(plain)
    if got is not None:
        return got
    m = re.fullmatch(r"([-+]?)0([xob]?)([0-9a-fA-F]+)", plain)
    if m is not None:
        base = {"x": 16, "o": 8, "b": 2, "": 8}[m.group(2)]
        try:
            n = int(m.group(3), base)
        except ValueError:
            n = None
        if n is not None and n < 1 << 64 and not (m.group(1) == "-" and n > 1 << 63):
            return -n if m.group(1) == "-" else n
    raise Fails(f"cannot parse {_quoted(src)} as the number it is tagged")


def _quoted(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def resolve(tag: Optional[str], src: str, quoted: bool) -> Any:
    """go-cty-yaml's resolveScalar: the value of a scalar with this tag (None: none), text and style."""
    if tag not in _RESOLVABLE:
        raise Fails(f"unsupported tag {_quoted(tag or '')}")
    hint = _HINTS.get(src[:1], "N" if not src else None)
    if hint is not None and tag not in (_STR, _BINARY):
        if quoted:
            return src
        if src in _WORDS:
            return _word(src)
        if tag is None and src in (".nan", ".NaN", ".NAN"):
            raise Fails("floating point NaN is not supported")
        if hint == ".":
            got = _number(src)
            if got is not None:
                return got
        elif hint in "DS":
            if tag in (None, _TIMESTAMP):
                stamp = timestamp(src)
                if stamp is not None:
                    return stamp
            if _INTEGER.fullmatch(src) or _FLOATING.fullmatch(src):
                tag = _INT
    if tag is None and src == "<<":
        return _MERGE
    if tag in (_STR, _BINARY):
        if tag == _BINARY and go_base64(src) is None:
            raise Fails(f"cannot parse {_quoted(src)} as {tag}: not valid base64")
        return src
    if tag == _BOOL:
        got = _WORDS.get(src, 0)
        if not isinstance(got, bool):
            raise Fails(f"cannot parse {_quoted(src)} as {tag}")
        return got
    if tag in (_INT, _FLOAT):
        return _integer(src)
    if tag == _TIMESTAMP:
        stamp = timestamp(src)
        if stamp is None:
            raise Fails(f"cannot parse {_quoted(src)} as {tag}")
        return stamp
    return None if tag == _NULL else src


_STAMP = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:([Tt])|( ))([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"
                    r"(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?")


def timestamp(src: str) -> Any:
    """A YAML timestamp as go-cty-yaml writes it again (RFC 3339, seconds whole), or None."""
    import datetime

    m = _STAMP.fullmatch(src)
    if m is None:
        return None
    year, month, day, t, space, hour, minute, second, _, zone = m.groups()
    if hour is not None and (zone is None) != (space is not None):  # a T needs a zone; a space has none
        return None
    try:
        datetime.date(int(year), int(month), int(day))
        if hour is not None and not (int(hour) < 24 and int(minute) < 60 and int(second) < 60):
            return None
    except ValueError:
        return None
    clock = f"{int(hour):02d}:{int(minute):02d}:{int(second):02d}" if hour is not None else "00:00:00"
    offset = "Z" if zone in (None, "Z", "+00:00", "-00:00") else zone
    return f"{year}-{int(month):02d}-{int(day):02d}T{clock}{offset}"


# -- yamldecode() --------------------------------------------------------------------------------------------

def yamldecode(src: str, meter: Budget) -> Any:
    import yaml

    if len(src) > MAX_STRING:
        raise Unknowable(f"has a text over {MAX_STRING} characters to decode")
    steps, _ = decoding(src)
    spend(meter, steps)
    try:
        got = _Decoder().read(yaml.parse(src, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), meter)
        return NULL if got is None else got
    except yaml.YAMLError as e:
        problem = getattr(e, "problem", None) or str(e)
        if "maximum nesting depth" in problem:  # libyaml's bound, not Terraform's
            raise Unknowable(f"nests deeper than libyaml reads ({problem})") from None
        raise Fails(f"{problem}") from None
    except RecursionError:
        raise Unknowable(f"nests deeper than {MAX_DEPTH} levels") from None


class _Frame:
    __slots__ = ("value", "anchor", "key", "size")

    def __init__(self, value: Any, anchor: Optional[str]) -> None:
        self.value, self.anchor, self.key, self.size = value, anchor, _NOKEY, 1


_NOKEY = object()


class _Decoder:
    """The one document of a stream of events as values, go-cty-yaml's way: ``stack`` of the mappings and
    sequences open, ``anchors`` (name -> (value, values in it), or None while it is being defined), ``made``
    the values made so far (an alias counts all it holds)."""

    def __init__(self) -> None:
        self.stack: List[_Frame] = []
        self.anchors: Dict[str, Any] = {}
        self.made = 0
        self.documents = 0
        self.result: List[Any] = []

    def read(self, events: Any, meter: Budget) -> Any:
        from yaml import events as ev

        for e in events:
            spend(meter, STEPS_PER_EVENT)
            if isinstance(e, ev.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise Fails("unexpected extra content after value")
            elif isinstance(e, ev.AliasEvent):
                self.alias(e)
            elif isinstance(e, ev.ScalarEvent):
                self.count(1)
                self.scalar(e)
            elif isinstance(e, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                self.count(1)
                self.open(e, isinstance(e, ev.MappingStartEvent))
            elif isinstance(e, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                done = self.stack.pop()
                if done.anchor:
                    self.anchors[done.anchor] = (done.value, done.size)
                _put(self.stack, self.result, done.value, done.size)
        if not self.documents:
            raise Fails("missing start of document")
        return self.result[0] if self.result else None

    def count(self, n: int) -> None:
        self.made += n
        if self.made > MAX_NODES:
            raise Unknowable(f"makes more than {MAX_NODES} values (aliases counted each time)")

    def alias(self, e: Any) -> None:
        got = self.anchors.get(e.anchor or "", _NOKEY)
        if got is None:
            raise Fails(f'cannot refer to anchor "{e.anchor}" from inside its own definition')
        if got is _NOKEY:
            raise Fails(f'reference to undefined anchor "{e.anchor}"')
        self.count(got[1])
        _put(self.stack, self.result, got[0], got[1])

    def scalar(self, e: Any) -> None:
        if e.anchor:
            self.anchors[e.anchor] = None
        quoted = e.style in ("'", '"')
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is _NOKEY:
            _key(self.stack[-1], e, quoted)
            return
        value = resolve(e.tag, e.value, quoted)
        value = "<<" if value is _MERGE else value
        if e.style in ("|", ">") and value is not None and not isinstance(value, str):
            value = text_of(value)  # a block scalar is resolved, then taken as text
        if e.anchor:
            self.anchors[e.anchor] = (value, 1)
        _put(self.stack, self.result, value, 1)

    def open(self, e: Any, mapping: bool) -> None:
        if e.tag not in (None, _MAP if mapping else _SEQ):
            raise Fails(f"can't interpret {'mapping' if mapping else 'sequence'} as {e.tag}")
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is _NOKEY:
            raise Fails("only strings are allowed as mapping keys")
        if len(self.stack) >= MAX_DEPTH:
            raise Unknowable(f"nests deeper than {MAX_DEPTH} levels")
        if e.anchor:
            self.anchors[e.anchor] = None
        self.stack.append(_Frame({} if mapping else [], e.anchor))


def _key(frame: _Frame, e: Any, quoted: bool) -> None:
    key = resolve(e.tag, e.value, quoted)
    if key is _MERGE:
        frame.key = _MERGE
        return
    if key is None:
        raise Fails("mapping key cannot be null")
    frame.key = text_of(key)


def _put(stack: List[_Frame], result: List[Any], value: Any, size: int) -> None:
    if not stack:
        result.append(value)
        return
    top = stack[-1]
    top.size += size
    if isinstance(top.value, list):
        top.value.append(value)
        return
    if top.key is _NOKEY:
        raise Fails("only strings are allowed as mapping keys")
    if top.key is _MERGE:
        if not isinstance(value, dict):
            kind = "tuple" if isinstance(value, list) else "bool" if isinstance(value, bool) else \
                "number" if isinstance(value, (int, float)) else "string" if isinstance(value, str) else "null"
            raise Fails(f"cannot merge {kind} into mapping")
        top.value.update(value)
    else:
        top.value[top.key] = value
    top.key = _NOKEY


# -- yamlencode() --------------------------------------------------------------------------------------------

def yamlencode(args: List[Any], unknown: Any, meter: Budget) -> Any:
    from yaml import events as ev

    if len(args) != 1:
        raise Fails("yamlencode() takes one argument")
    if not is_known(args[0]):
        return unknown()
    events: List[Any] = [ev.StreamStartEvent(encoding=None), ev.DocumentStartEvent(explicit=False)]
    todo: List[Tuple[bool, Any]] = [(False, args[0])]
    while todo:
        closing, v = todo.pop()
        spend(meter, STEPS_PER_EVENT_WRITTEN)
        if closing:
            events.append(v)
        elif isinstance(v, list):
            events.append(ev.SequenceStartEvent(None, None, True, flow_style=False))
            todo.append((True, ev.SequenceEndEvent()))
            todo.extend((False, x) for x in reversed(v))
        elif isinstance(v, dict):
            events.append(ev.MappingStartEvent(None, None, True, flow_style=False))
            todo.append((True, ev.MappingEndEvent()))
            for k in sorted(v, reverse=True):
                todo.extend(((False, v[k]), (False, str(k))))
        else:
            events.append(_scalar(v))
        if len(events) > MAX_NODES:
            raise Unknowable(f"writes more than {MAX_NODES} values")
    events += [ev.DocumentEndEvent(explicit=False), ev.StreamEndEvent()]
    out = _Written()
    emitter = _go_emitter()(out, allow_unicode=True)
    for e in events:
        emitter.emit(e)
    return "".join(out.parts)


class _Written:
    """The emitter's output, bounded as one function's result is."""

    def __init__(self) -> None:
        self.parts: List[str] = []
        self.size = 0

    def write(self, data: str) -> None:
        self.size += len(data)
        text_at_most(self.size)
        self.parts.append(data)


_EMITTER: Any = None


def _go_emitter() -> Any:
    """PyYAML's emitter where go-yaml's port of libyaml writes otherwise: an empty document is not marked,
    a literal kept with ``+`` leaves no ``...``, and a double-quoted string folds at a space past the
    width and escapes what Go does not print."""
    global _EMITTER
    if _EMITTER is None:
        from yaml.emitter import Emitter

        class GoEmitter(Emitter):  # type: ignore[misc]
            def check_empty_document(self) -> bool:
                return False

            def write_literal(self, text: str) -> None:
                super().write_literal(text)
                self.open_ended = False

            def write_double_quoted(self, text: str, split: bool = True) -> None:
                self.write_indicator('"', True)
                spaces = False
                for i, ch in enumerate(text):
                    if not go_printable(ch) or ch in '\ufeff\r\n\x85\u2028\u2029"\\':
                        data = "\\" + _ESCAPES.get(ch, f"x{ord(ch):02X}" if ch <= "\xff" else
                                                    f"u{ord(ch):04X}" if ch <= "\uffff" else f"U{ord(ch):08X}")
                        spaces = False
                    elif ch == " ":
                        if split and not spaces and self.column > self.best_width and 0 < i < len(text) - 1:
                            self.write_indent()
                            data = "\\" if text[i + 1] == " " else ""
                        else:
                            data = " "
                        spaces = True
                    else:
                        data = ch
                        spaces = False
                    self.column += len(data)
                    self.stream.write(data)
                self.write_indicator('"', False)

        _EMITTER = GoEmitter
    return _EMITTER


_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r",
            "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P"}


def go_printable(ch: str) -> bool:
    """go-yaml's is_printable (which takes nothing past U+FFFD)."""
    return (ch == "\n" or " " <= ch <= "~" or "\xa0" <= ch <= "\ud7ff"
            or ("\ue000" <= ch <= "\ufffd" and ch != "\ufeff"))


def _scalar(v: Any) -> Any:
    from yaml import events as ev

    if v is None or isinstance(v, bool):
        text = "null" if v is None else "true" if v else "false"
        return ev.ScalarEvent(None, None, (True, True), text, style=None)
    if isinstance(v, (int, float)):
        return ev.ScalarEvent(None, None, (True, True), number_text(v, "f", -1), style=None)
    text = text_of(v)
    if text is None:
        raise Unknowable("has a value that cannot be known")
    literal = "\n" in text and all(go_printable(c) and c != "\t" for c in text)  # else go-yaml quotes it
    return ev.ScalarEvent(None, None, (True, True), text, style="|" if literal else '"')
