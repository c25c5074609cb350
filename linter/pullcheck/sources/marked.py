"""YAML and JSON loaders that keep the position of every value.

Containers carry the positions of their items: ``MDict.kpos[key]`` / ``MList.ipos[i]`` are ranges
(line, col, end_line, end_col), 1-based, the end exclusive. A range covers what a finding there is about:
an item whose value is written on one line (a scalar, a short-form intrinsic, a flow collection) is
covered whole, key and value; an item whose value spans lines is covered by its key (YAML) or its opening
character (JSON) only, so an editor does not underline a whole block.
CloudFormation short-form tags become their long form (``!Ref X`` -> ``{"Ref": "X"}``).
Bounded: nesting depth, and the node count after alias expansion (YAML alias bombs).
"""
from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
import sys
from typing import Any, Dict, List, Tuple

from pullcheck.sources.errors import MAX_DEPTH, MAX_NODES, ParseError


class MDict(dict):
    __slots__ = ("pos", "kpos")


class MList(list):
    __slots__ = ("pos", "ipos")


class OneKeyPos:
    """``kpos`` of a mapping with one key (most are intrinsic functions, ``{"Ref": ...}``): read like a
    dict, for a third of a dict's memory (a large template has tens of thousands)."""

    __slots__ = ("key", "pos")

    def __init__(self, key: Any, pos: Any) -> None:
        self.key, self.pos = key, pos

    def get(self, key: Any, default: Any = None) -> Any:
        return self.pos if key == self.key else default

    def __getitem__(self, key: Any) -> Any:
        if key == self.key:
            return self.pos
        raise KeyError(key)

    def __contains__(self, key: Any) -> bool:
        return key == self.key

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Any:
        return iter((self.key,))

    def keys(self) -> tuple:
        return (self.key,)

    def values(self) -> tuple:
        return (self.pos,)

    def items(self) -> tuple:
        return ((self.key, self.pos),)


Pos = Tuple[int, int, int, int]


def point(line: int, col: int) -> Pos:
    """A range of one character, for positions that only have a start."""
    return (line, col, line, col + 1)

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
    import re

    if text.count("[") + text.count("{") > _C_STACK_DEPTH:
        depth = 0
        for m in re.finditer(r"[\[\]{}]", text):
            depth += 1 if m.group() in "[{" else -1
            if depth > _C_STACK_DEPTH:
                line = text.count("\n", 0, m.start()) + 1
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", line, 1)
    if text.count("- ") > _C_STACK_DEPTH and re.search(r"(?:-[ \t]+){%d}" % _C_STACK_DEPTH, text):
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels")


# The language server keeps the parse of each resource of a YAML template by its text (set to a dict
# there): on a keystroke only the edited resource is read again. A run of the command keeps nothing.
PIECES: Any = None


def load_yaml_documents(text: str, name: str = "") -> list:
    """All documents of a YAML stream as marked values, built from libyaml's events (no node tree: the
    values are all that is kept). ``name``: the file, for what the language server keeps of it."""
    if PIECES is not None:
        docs = _template_in_pieces(text, PIECES, name)
        if docs is not None:
            return docs
    return _load_yaml(text)


def _load_yaml(text: str, base: int = 0, counted: Any = None) -> list:
    """``base``: the lines before ``text`` when it is a piece of a file (positions are then the file's);
    ``counted``: a list the number of values built is appended to."""
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


_RESOURCES_LINE = re.compile(r"^Resources:[ \t]*(?:#[^\n]*)?$", re.M)
_ANCHOR = re.compile(r"[\s\[{,][&*][A-Za-z0-9_-]")
_MARKERS = re.compile(r"^(?:---|\.\.\.|%)", re.M)
_CONTENT = re.compile(r"^ *[^ #\n]", re.M)  # a line that is not blank or a comment
_TOP = re.compile(r"^[^ #\n]", re.M)  # a line written at the first column


def _template_in_pieces(text: str, cache: dict, name: str = "") -> Any:
    """The documents of a block-style template read as the whole text would be, each resource on its own
    (cached by its file and text; its positions moved where they are now) and the rest as one skeleton with the resources' lines left
    blank. None when the text is not of that plain shape (anchors, aliases, merge keys, several documents,
    tabs, a flow-style ``Resources``) or a piece does not read as one resource: the caller reads it whole,
    so errors are the whole read's."""
    import bisect

    if len(cache) > 5000:
        cache.clear()
        MOVED.clear()
    if "\t" in text or "\r" in text or "<<" in text or text[:1] in "&*" or _ANCHOR.search(text) \
            or _MARKERS.search(text):
        return None
    heads = list(_RESOURCES_LINE.finditer(text))
    if len(heads) != 1:
        return None
    first_m = _CONTENT.search(text, heads[0].end())
    if first_m is None:
        return None
    first = first_m.start()
    indent = first_m.end() - 1 - first
    if not indent:
        return None
    start_re = re.compile(r"^ {%d}[A-Za-z0-9]+:(?: |$)" % indent, re.M)
    if not start_re.match(text, first):
        return None
    end_m = _TOP.search(text, first)
    end = end_m.start() if end_m else len(text)
    starts = [m.start() for m in start_re.finditer(text, first, end)]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    head = text.count("\n", 0, heads[0].start())  # 0-based line of "Resources:"
    counts: list = []
    skeleton = text[:first] + "\n" * text.count("\n", first, end) + text[end:]
    docs, _ = _piece(cache, name, skeleton, 0, counts)
    if docs is None or len(docs) != 1 or not isinstance(docs[0], MDict) or docs[0].get("Resources", 0) is not None:
        return None
    resources = MDict()
    kpos: dict = {}
    for a, b in zip(starts, starts[1:] + [end]):
        piece = text[a:b] if text.endswith("\n", a, b) or b == len(text) else text[a:b] + "\n"
        got, lines = _piece(cache, name, piece, bisect.bisect_right(line_starts, a) - 1, counts)
        if got is None or len(got) != 1 or not isinstance(got[0], MDict) or len(got[0]) != 1:
            return None
        (logical, value), = got[0].items()
        if logical in kpos:
            return None  # the whole read says where the name is written twice
        if not kpos:
            resources.pos = moved_pos(got[0].pos, lines)
        resources[logical] = value
        kpos[logical] = moved_pos(got[0].kpos[logical], lines)
        # read at other lines: its positions are moved when it is evaluated (cloudformation), not now
        if lines:
            MOVED[id(value)] = (value, lines)
        else:
            MOVED.pop(id(value), None)
    if sum(counts) - len(starts) > MAX_NODES:  # each piece's own mapping is not a value of the whole
        return None  # the whole read says where the bound is passed
    resources.kpos = OneKeyPos(*next(iter(kpos.items()))) if len(kpos) == 1 else kpos
    doc = MDict(docs[0])
    doc.kpos = dict(docs[0].kpos.items())
    doc["Resources"] = resources
    # a key whose value spans lines is pointed at by the key
    doc.kpos["Resources"] = (head + 1, 1, head + 1, len("Resources") + 1)
    doc.pos = docs[0].pos if next(iter(doc)) != "Resources" else docs[0].pos[:2] + (head + 1, len("Resources") + 1)
    if len(doc) == 1:
        doc.kpos = OneKeyPos("Resources", doc.kpos["Resources"])
    return [doc]


# a resource's mapping read at other lines than it is now (a line added or taken away above it):
# id(mapping) -> (mapping, lines to move its positions down); what reads the mapping's positions
# (cloudformation's evaluation) moves them, and only when it evaluates it again
MOVED: Dict[int, Tuple[Any, int]] = {}


def _piece(cache: dict, name: str, text: str, base: int, counts: list) -> Tuple[Any, int]:
    """A piece's documents, by its file and text, read once; and how many lines further down than where it
    was read the piece is now."""
    key = (name, text)
    entry = cache.get(key)
    if entry is None:
        counted: list = []
        try:
            entry = cache[key] = (_load_yaml(text, base, counted), base, counted[0])
        except ParseError:
            entry = cache[key] = (None, base, 0)
    docs, at, count = entry
    counts.append(count)
    return docs, base - at


def same_marked(a: Any, b: Any) -> bool:
    """The same object, or equal values written in the same places (marked containers compared with their
    positions); objects without an equality of their own (parse trees) only as the same object."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (len(a) == len(b) and getattr(a, "pos", None) == getattr(b, "pos", None)
                and all(k in b and same_marked(v, b[k]) for k, v in a.items())
                and [getattr(a, "kpos", {}).get(k) for k in a] == [getattr(b, "kpos", {}).get(k) for k in a])
    if isinstance(a, list):
        return (len(a) == len(b) and getattr(a, "pos", None) == getattr(b, "pos", None)
                and list(getattr(a, "ipos", ())) == list(getattr(b, "ipos", ()))
                and all(same_marked(x, y) for x, y in zip(a, b)))
    return a == b


class Unchanged:
    """Whether what a resource read when it was evaluated (a list: parse objects, names, values) is what it
    would read now, for the language server's kept evaluations. The entries of one earlier lint share one
    list: each is compared once (and kept alive while its verdict is, so that its id is not reused)."""

    def __init__(self, now: List[Any]) -> None:
        self.now = now
        self._verdicts: Dict[int, Tuple[Any, bool]] = {}

    def __call__(self, kept: List[Any]) -> bool:
        verdict = self._verdicts.get(id(kept))
        if verdict is None:
            same = len(kept) == len(self.now) and all(same_marked(x, y) for x, y in zip(kept, self.now))
            verdict = self._verdicts[id(kept)] = (kept, same)
        return verdict[1]


def moved_pos(p: Any, lines: int) -> Any:
    """A reader's position ``lines`` further down."""
    if isinstance(p, tuple) and len(p) >= 2 and isinstance(p[0], int):
        return (p[0] + lines, p[1]) if len(p) == 2 else (p[0] + lines, p[1], p[2] + lines) + p[3:]
    return p


def moved_value(v: Any, lines: int) -> Any:
    """A copy of a marked value with every position ``lines`` further down; other values are shared."""
    if isinstance(v, MDict):
        out = MDict((k, moved_value(x, lines)) for k, x in v.items())
        out.pos = moved_pos(getattr(v, "pos", None), lines)
        kpos = getattr(v, "kpos", None)
        if isinstance(kpos, OneKeyPos):
            out.kpos = OneKeyPos(kpos.key, moved_pos(kpos.pos, lines))
        elif kpos is not None:
            out.kpos = {k: moved_pos(p, lines) for k, p in kpos.items()}
        return out
    if isinstance(v, MList):
        out_list = MList(moved_value(x, lines) for x in v)
        out_list.pos = moved_pos(getattr(v, "pos", None), lines)
        out_list.ipos = [moved_pos(p, lines) for p in getattr(v, "ipos", [])]
        return out_list
    if type(v) is dict:
        return {k: moved_value(x, lines) for k, x in v.items()}
    if type(v) is list:
        return [moved_value(x, lines) for x in v]
    return v


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
        while True:
            e = get()
            t = type(e)
            if t is scalar_t:
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
                self._counted(sm)
                whole = sm.line == em.line  # a block scalar over lines is pointed at by its start
                n = self.n
                pos = (n[sm.line + 1], sm.column + 1, n[em.line + 1], em.column + 1) if whole \
                    else point(n[sm.line + 1], sm.column + 1)
                value = _intrinsic(tag, value, pos)
                if e.anchor is not None:
                    anchors[e.anchor] = (value, 1, pos, whole)
                self._put(stack, docs, value, sm, em, pos, whole)
            elif t is map_t or t is seq_t:
                sm = e.start_mark
                self._counted(sm)
                if len(stack) >= MAX_DEPTH:
                    raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", sm.line + 1, sm.column + 1)
                if t is map_t:
                    c: Any = MDict()
                    c.kpos = {}
                else:
                    c = MList()
                    c.ipos = []
                stack.append([c, sm, e.tag, e.anchor, _NOKEY, None, None, None, None, self.count])
            elif t is map_end_t or t is seq_end_t:
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
                if len(c) == 1 and t is map_end_t:
                    c.kpos = OneKeyPos(*next(iter(c.kpos.items())))
                value = _intrinsic(tag, c, pos)
                if anchor is not None:
                    anchors[anchor] = (value, self.count - frame[9] + 1, pos, whole)
                self._put(stack, docs, value, sm, em, pos, whole)
            elif t is alias_t:
                sm = e.start_mark
                if e.anchor not in anchors:
                    raise ParseError(f"YAML: found undefined alias {e.anchor!r}", sm.line + 1, sm.column + 1)
                value, size, pos, whole = anchors[e.anchor]
                self._counted(sm, size)
                em = e.end_mark
                self._put(stack, docs, value, sm, em,
                          (self.n[sm.line + 1], sm.column + 1, self.n[em.line + 1], em.column + 1), True)
            elif t is doc_end_t:
                anchors = {}
            elif t is stream_end_t:
                return [d for d in docs if d is not None]

    def _counted(self, mark: Any, values: int = 1) -> None:
        """Count the values built (an alias counts what its anchor holds), within the bound."""
        self.count += values
        if self.count > MAX_NODES:
            raise ParseError(f"document expands to more than {MAX_NODES} values (YAML aliases?)",
                             mark.line + 1, mark.column + 1)

    def _put(self, stack: list, docs: list, value: Any, sm: Any, em: Any, pos: Pos, whole: bool) -> None:
        """A finished value into its parent: a document, a list item, a mapping's key or its value."""
        if not stack:
            docs.append(value)
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
            # CloudFormation rejects a template with a key twice; YAML loaders keep the last
            raise ParseError(f"YAML: duplicate key {str(key)[:60]!r} (first at line {c.kpos[key][0]})",
                             ks.line + 1, ks.column + 1)
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


class _LineIndex:
    def __init__(self, text: str) -> None:
        import bisect

        self._bisect = bisect.bisect_right
        self.starts = [0]
        i = text.find("\n")
        while i != -1:
            self.starts.append(i + 1)
            i = text.find("\n", i + 1)

    def pos(self, offset: int) -> Tuple[int, int]:
        n = self._bisect(self.starts, offset) - 1
        return (n + 1, offset - self.starts[n] + 1)

    def range(self, start: int, end: int, whole: bool) -> Pos:
        """From ``start`` to ``end`` when ``whole`` or on one line, else one character at ``start``."""
        a, b = self.pos(start), self.pos(end)
        if whole or a[0] == b[0]:
            return a + b
        return point(*a)


def _json_int(s: str) -> Any:
    """A JSON integer; one past Python's 4,300-digit conversion limit is read as a float (infinite), which
    every consumer treats as an unknown number."""
    return int(s) if len(s) <= 4000 else float("inf") if not s.startswith("-") else float("-inf")


def load_json(text: str) -> Any:
    """Parse JSON keeping positions, with the standard library's own grammar."""
    index = _LineIndex(text)
    depth = [0]

    def object_pairs(pairs: list) -> MDict:
        d = MDict()
        d.kpos = {}
        for k, (v, p) in pairs:
            d[k] = v
            d.kpos[k] = p
        if len(d) == 1:
            d.kpos = OneKeyPos(*next(iter(d.kpos.items())))
        return d

    class Ctx:
        strict = False
        object_hook = None
        object_pairs_hook = staticmethod(object_pairs)
        parse_float = float
        parse_int = staticmethod(_json_int)
        parse_constant = json.decoder._CONSTANTS.__getitem__  # type: ignore[attr-defined]
        memo: dict = {}
        parse_string = json.decoder.scanstring

        @staticmethod
        def parse_object(s_and_end, strict, _scan, hook, pairs_hook, memo):
            s, end = s_and_end
            depth[0] += 1
            if depth[0] > MAX_DEPTH:
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", *index.pos(end))
            obj, end2 = json.decoder.JSONObject(s_and_end, strict, scan_pos, hook, pairs_hook, memo)
            depth[0] -= 1
            obj.pos = index.range(end - 1, end2, False)
            return obj, end2

        @staticmethod
        def parse_array(s_and_end, _scan):
            s, end = s_and_end
            depth[0] += 1
            if depth[0] > MAX_DEPTH:
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", *index.pos(end))
            items, end2 = json.decoder.JSONArray(s_and_end, scan_pos)
            depth[0] -= 1
            out = MList(v for v, _ in items)
            out.ipos = [p for _, p in items]
            out.pos = index.range(end - 1, end2, False)
            return out, end2

    scan_once = json.scanner.py_make_scanner(Ctx())

    def scan_pos(s: str, idx: int):
        value, end = scan_once(s, idx)
        return (value, index.range(idx, end, not isinstance(value, (dict, list)))), end

    # JSONObject passes values through scan_once; they arrive as (value, pos) pairs.
    try:
        ws = json.decoder.WHITESPACE
        idx = ws.match(text, 0).end()
        (value, _), end_idx = scan_pos(text, idx)
        end_idx = ws.match(text, end_idx).end()
        if end_idx != len(text):
            raise ParseError("JSON: extra data after the document", *index.pos(end_idx))
        return value
    except StopIteration as e:
        raise ParseError("JSON: expecting a value", *index.pos(e.value)) from None
    except json.JSONDecodeError as e:
        raise ParseError(f"JSON: {e.msg}", e.lineno, e.colno) from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None


def position_of(root: Any, path: tuple) -> Pos:
    """Position of the value at ``path`` (the key's position for mapping items)."""
    node = root
    best: Pos = getattr(root, "pos", (1, 1, 1, 2))
    for key in path:
        if isinstance(node, MDict) and key in node:
            best = node.kpos.get(key, best)
            node = node[key]
        elif isinstance(node, MList) and isinstance(key, int) and 0 <= key < len(node):
            best = node.ipos[key]
            node = node[key]
        else:
            break
    return best
