"""What the HCL reader builds: a source with its positions (Source), expression nodes (Node) and bodies
(RawBody); and the name token, which templates read too."""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, Dict, List, Optional, Tuple

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEAD = re.compile(r"[A-Za-z_][A-Za-z0-9_:-]*|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class Source:
    """A file's text, with its line starts computed on first use."""

    __slots__ = ("text", "_starts", "base")

    def __init__(self, text: str, base: int = 0) -> None:
        self.text = text
        self.base = base  # lines of the file before this text (a piece of a file read on its own)
        self._starts: Optional[List[int]] = None

    def lc(self, offset: int) -> Tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        i = bisect_right(self._starts, offset) - 1
        return self.base + i + 1, offset - self._starts[i] + 1


class Node:
    __slots__ = ("kind", "a", "b", "c", "d", "src", "start", "end")

    def __init__(self, kind: str, src: Source, start: int, end: int, a: Any = None, b: Any = None,
                 c: Any = None, d: Any = None) -> None:
        self.kind, self.src, self.start, self.end = kind, src, start, end
        self.a, self.b, self.c, self.d = a, b, c, d

    def pos(self) -> Tuple[int, int, int, int]:
        """Its range when it ends on the line it starts on, else its first token (an editor then
        underlines a name, not a block)."""
        line, col = self.src.lc(self.start)
        end_line, end_col = self.src.lc(self.end)
        if end_line == line:
            return (line, col, line, end_col)
        m = _HEAD.match(self.src.text, self.start)
        return (line, col, line, col + (m.end() - m.start() if m else 1))

    def text(self) -> str:
        return self.src.text[self.start:self.end]

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.text()[:40]!r})"


class RawBody:
    """What the reader gives for a body: attributes (name -> (expression, offset of the name)) and
    blocks (type, labels, body, start offset, end offset)."""

    __slots__ = ("attrs", "blocks", "src")

    def __init__(self, src: Source) -> None:
        self.src = src
        self.attrs: Dict[str, Tuple[Node, int]] = {}
        self.blocks: List[Tuple[str, List[str], "RawBody", int, int]] = []


def key_name(k: Node) -> Any:
    """An object key written as a name or a plain quoted string; None for one that is computed."""
    if k.kind == "var":
        return k.a
    if k.kind == "tpl" and len(k.a) == 1 and isinstance(k.a[0], str):
        return k.a[0]
    return None
