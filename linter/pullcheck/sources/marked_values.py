"""The containers the YAML and JSON readers build (see ``marked``): mappings and lists that keep their own
position and their items', and the same values with their positions moved further down."""
from __future__ import annotations

from typing import Any, NamedTuple, Tuple


class MDict(dict):
    # moved: how many lines further down the mapping is now than where it was read (set on a resource of a
    # template the language server read in pieces; see pullcheck.sources.marked.placed), when not 0
    __slots__ = ("pos", "kpos", "moved")
    pos: Any
    kpos: Any
    moved: int


class Repeat(NamedTuple):
    """A key written again in the mapping that already holds it. The mapping keeps the later value, as
    CloudFormation does with a template; ``key`` is the key as text, shortened."""

    key: str
    line: int  # where the key is written again, 1-based
    col: int
    first: int  # the line of the one it repeats


class MDocument(MDict):
    """A document's top mapping, with the keys its reader met twice anywhere in it (``repeated``, in the
    order written). Made only for such a document: every other one is a plain ``MDict``."""

    __slots__ = ("repeated",)
    repeated: Tuple[Repeat, ...]


def with_repeats(doc: Any, repeats: list) -> Any:
    """``doc`` carrying ``repeats`` (a document that is a mapping; a list or scalar document has no place for
    them, and keeps its values without them)."""
    if not repeats or not isinstance(doc, MDict):
        return doc
    out = MDocument(doc)
    out.pos, out.kpos = doc.pos, doc.kpos
    out.repeated = tuple(repeats)
    return out


def repeats_of(doc: Any) -> Tuple[Repeat, ...]:
    """The keys a document's reader met twice, or ()."""
    return doc.repeated if isinstance(doc, MDocument) else ()


class MList(list):
    __slots__ = ("pos", "ipos")
    pos: Any
    ipos: Any


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
