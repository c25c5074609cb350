"""YAML read from libyaml's events into marked values (see ``marked``), with CloudFormation's short-form tags
in their long form and YAML 1.1's implicit types as PyYAML's SafeLoader resolves them."""
from __future__ import annotations

import json
import re
import sys
from typing import Any

from pullcheck.sources.errors import MAX_DEPTH, MAX_NODES, ParseError
from pullcheck.sources.marked_values import MDict, MList, OneKeyPos, Pos, Repeat, point, with_repeats

_INTRINSIC_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}
_FN_TAGS = {"Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
            "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString", "GetAtt", "ForEach"}

_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


_C_STACK_DEPTH = 5000  # libyaml's C composer recurses; far deeper input overflows the C stack


def _guard_depth(text: str) -> None:
    """Refuse nesting deep enough to crash the C composer before it is handed over."""
    if text.count("[") + text.count("{") > _C_STACK_DEPTH:
        depth = 0
        for m in re.finditer(r"[\[\]{}]", text):
            depth += 1 if m.group() in "[{" else -1
            if depth > _C_STACK_DEPTH:
                line = text.count("\n", 0, m.start()) + 1
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", line, 1)
    if text.count("- ") > _C_STACK_DEPTH and re.search(r"(?:-[ \t]+){%d}" % _C_STACK_DEPTH, text):
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels")


def load_yaml(text: str, base: int = 0, counted: Any = None) -> list:
    """All documents of a YAML stream as marked values, built from libyaml's events (no node tree: the
    values are all that is kept). ``base``: the lines before ``text`` when it is a piece of a file (positions
    are then the file's); ``counted``: a list the number of values built is appended to."""
    _guard_depth(text)
    import yaml  # imported here so that JSON-only runs do not pay for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        builder = _EventBuilder(text.count("\n") + 3, base)
        docs = builder.documents(loader)
        if counted is not None:
            counted.append(builder.count)
        return docs
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or str(e)
        raise ParseError(f"YAML: {problem}", line, col) from None
    except yaml.YAMLError as e:
        raise ParseError(f"YAML: {e}") from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


# YAML 1.1 implicit types of plain scalars, as PyYAML's SafeLoader resolves them
_INT = re.compile(r"""[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$""")
_FLOAT = re.compile(r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"""
                    r"""|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""")
_BOOL_WORDS = {w: v for k, v in _BOOL.items() for w in (k, k.capitalize(), k.upper())}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_NUMBER_START = frozenset("0123456789-+.")


def _plain(v: str) -> Any:
    """A plain scalar's value: bool, null, int or float when YAML 1.1 says so, else the text."""
    if not v:
        return None
    first = v[0]
    if first in _NUMBER_START:
        if _INT.match(v):
            return _to_int(v)
        if _FLOAT.match(v):
            return _to_float(v)
        return v
    if v in _BOOL_WORDS:
        return _BOOL_WORDS[v]
    if v in _NULL_WORDS:
        return None
    return v


def _to_int(v: str) -> Any:
    """Decimal integers (a leading zero is still decimal, as CloudFormation reads it); the other YAML 1.1
    forms (0x1F, 0b101, 190:20:30) stay text."""
    raw = v.replace("_", "")
    try:
        return int(raw, 10)
    except ValueError:
        return v


def _to_float(v: str) -> Any:
    t = v.replace("_", "")
    if t.lstrip("+-").lower() in (".inf", ".nan"):
        t = t.replace(".", "", 1)  # YAML's .inf and .nan, Python's inf and nan
    try:
        return float(t)
    except ValueError:
        return v


def _typed(tag: str, v: str) -> Any:
    """A scalar with an explicit standard tag (!!int, !!str, ...)."""
    if tag == "tag:yaml.org,2002:int":
        return _to_int(v) if _INT.match(v) else v
    if tag == "tag:yaml.org,2002:float":
        return _to_float(v)
    if tag == "tag:yaml.org,2002:bool":
        return _BOOL.get(v.lower(), v)
    if tag == "tag:yaml.org,2002:null":
        return None
    return v


_NOKEY = object()
_intern = sys.intern
_MERGE = object()


class _EventBuilder:
    """Marked values from a YAML event stream, with an explicit stack (no recursion)."""

    def __init__(self, lines: int, base: int = 0) -> None:
        from yaml import events

        self.ev = events
        self.count = 0
        self.repeats: list = []  # keys written twice in the document being read (see marked_values.Repeat)
        # one int object per line number, shared by every position on that line (positions are most of
        # what a large template's values weigh)
        self.n = list(range(base, base + lines + 1))

    def documents(self, loader: Any) -> list:
        ev = self.ev
        scalar_t, map_t, map_end_t = ev.ScalarEvent, ev.MappingStartEvent, ev.MappingEndEvent
        seq_t, seq_end_t, alias_t = ev.SequenceStartEvent, ev.SequenceEndEvent, ev.AliasEvent
        stream_end_t, doc_end_t = ev.StreamEndEvent, ev.DocumentEndEvent
        docs: list = []
        # a frame: [container, start mark, tag, anchor, pending key, key start, key end, first entry end,
        #           keys that came from a merge, values counted when it started]
        stack: list = []
        anchors: dict = {}
        get = loader.get_event
        # bound once: this loop runs for every value of the file
        counted, put, open_, close, n = self._counted, self._put, self._open, self._close, self.n
        while True:
            e = get()
            t = type(e)
            if t is scalar_t:  # most events are scalars: read in the loop itself
                v = e.value
                tag = e.tag
                if tag is None or tag == "!":
                    if not e.style and e.implicit[0]:  # plain (the C parser says "", Python None)
                        value = _MERGE if v == "<<" and stack and stack[-1][4] is _NOKEY \
                            and isinstance(stack[-1][0], MDict) else _plain(v)
                    else:
                        value = v
                elif tag.startswith("tag:yaml.org,2002:"):
                    value = _typed(tag, v)
                    tag = None
                else:
                    value = v
                sm, em = e.start_mark, e.end_mark
                counted(sm)
                whole = sm.line == em.line  # a block scalar over lines is pointed at by its start
                pos = (n[sm.line + 1], sm.column + 1, n[em.line + 1], em.column + 1) if whole \
                    else point(n[sm.line + 1], sm.column + 1)
                value = _intrinsic(tag, value, pos)
                if e.anchor is not None:
                    anchors[e.anchor] = (value, 1, pos, whole)
                put(stack, docs, value, sm, em, pos, whole)
            elif t is map_t or t is seq_t:
                open_(e, t is map_t, stack)
            elif t is map_end_t or t is seq_end_t:
                close(e, t is map_end_t, stack, docs, anchors)
            elif t is alias_t:
                self._alias(e, stack, docs, anchors)
            elif t is doc_end_t:
                anchors = {}
            elif t is stream_end_t:
                return [d for d in docs if d is not None]

    def _open(self, e: Any, mapping: bool, stack: list) -> None:
        """A mapping or a sequence starts: a frame for it."""
        sm = e.start_mark
        self._counted(sm)
        if len(stack) >= MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", sm.line + 1, sm.column + 1)
        if mapping:
            c: Any = MDict()
            c.kpos = {}
        else:
            c = MList()
            c.ipos = []
        stack.append([c, sm, e.tag, e.anchor, _NOKEY, None, None, None, None, self.count])

    def _close(self, e: Any, mapping: bool, stack: list, docs: list, anchors: dict) -> None:
        """A mapping or a sequence ends: placed, and put into its parent."""
        frame = stack.pop()
        c, sm, tag, anchor = frame[0], frame[1], frame[2], frame[3]
        em = e.end_mark
        whole = sm.line == em.line
        n = self.n
        start = (n[sm.line + 1], sm.column + 1)
        if whole:
            pos = start + (n[em.line + 1], em.column + 1)
        elif frame[7] is not None:
            pos = start + frame[7]
        else:
            pos = point(*start)
        c.pos = pos
        if len(c) == 1 and mapping:
            c.kpos = OneKeyPos(*next(iter(c.kpos.items())))
        value = _intrinsic(tag, c, pos)
        if anchor is not None:
            anchors[anchor] = (value, self.count - frame[9] + 1, pos, whole)
        self._put(stack, docs, value, sm, em, pos, whole)

    def _alias(self, e: Any, stack: list, docs: list, anchors: dict) -> None:
        """An alias: its anchor's value again, placed where the alias is written."""
        sm = e.start_mark
        if e.anchor not in anchors:
            raise ParseError(f"YAML: found undefined alias {e.anchor!r}", sm.line + 1, sm.column + 1)
        value, size, pos, whole = anchors[e.anchor]
        self._counted(sm, size)
        em = e.end_mark
        self._put(stack, docs, value, sm, em,
                  (self.n[sm.line + 1], sm.column + 1, self.n[em.line + 1], em.column + 1), True)

    def _counted(self, mark: Any, values: int = 1) -> None:
        """Count the values built (an alias counts what its anchor holds), within the bound."""
        self.count += values
        if self.count > MAX_NODES:
            raise ParseError(f"document expands to more than {MAX_NODES} values (YAML aliases?)",
                             mark.line + 1, mark.column + 1)

    def _put(self, stack: list, docs: list, value: Any, sm: Any, em: Any, pos: Pos, whole: bool) -> None:
        """A finished value into its parent: a document, a list item, a mapping's key or its value."""
        if not stack:
            docs.append(with_repeats(value, self.repeats))
            self.repeats = []
            return
        frame = stack[-1]
        c = frame[0]
        if isinstance(c, MList):
            c.append(value)
            c.ipos.append(pos)
            return
        if frame[4] is _NOKEY:  # a key
            if isinstance(value, (dict, list)):
                value = json.dumps(value, sort_keys=True, default=str)
            elif type(value) is str:
                value = _intern(value)  # Type, Properties, Ref, ...: one string each, not one per resource
            frame[4], frame[5], frame[6] = value, sm, em
            return
        key, ks, ke = frame[4], frame[5], frame[6]
        frame[4] = _NOKEY
        end = em if whole else ke
        n = self.n
        if frame[7] is None:
            frame[7] = (n[end.line + 1], end.column + 1)
        if key is _MERGE:
            merged = frame[8] if frame[8] is not None else set()
            for m in (value if isinstance(value, list) else [value]):
                if isinstance(m, MDict):
                    for k, v in m.items():
                        if k not in c:
                            c[k] = v
                            c.kpos[k] = m.kpos.get(k, m.pos)
                            merged.add(k)
            frame[8] = merged
            return
        if key in c.kpos and not (frame[8] and key in frame[8]):
            # a key written twice: CloudFormation deploys the template with the later value, so it is kept
            # here too, and the document carries the repetition for its format to report
            self.repeats.append(Repeat(str(key)[:60], n[ks.line + 1], ks.column + 1, c.kpos[key][0]))
        if frame[8]:
            frame[8].discard(key)
        c[key] = value
        c.kpos[key] = (n[ks.line + 1], ks.column + 1, n[end.line + 1], end.column + 1)


def _intrinsic(tag: Any, value: Any, pos: Pos) -> Any:
    """A CloudFormation short-form tag as its long form (``!Ref X`` -> ``{"Ref": "X"}``); a value without
    a local tag (``!Name``) as it is."""
    if tag is None or not tag.startswith("!") or tag.startswith("!!"):
        return value
    name = tag[1:]
    if tag in _INTRINSIC_TAGS:
        key = _INTRINSIC_TAGS[tag]
    elif name in _FN_TAGS:
        key = "Fn::" + name
        if name == "GetAtt" and isinstance(value, str):
            first, _, rest = value.partition(".")
            value = [first, rest]
    else:
        return value
    out = MDict()
    out.pos = pos
    out[key] = value
    out.kpos = OneKeyPos(key, pos)
    return out
