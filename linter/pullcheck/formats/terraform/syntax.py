"""Terraform's native syntax and JSON syntax as one positioned tree: bodies of attributes (expression
nodes, see ``pullcheck.formats.terraform.hcl``) and nested blocks, and helpers to read them."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MDict, MList, moved_pos
from pullcheck.formats.terraform import hcl
from pullcheck.formats.terraform.hcl import Node


def read(text: str, file: str) -> "Body":
    """A ``.tf`` (or ``.tfvars``) file's body; a ParseError with its position when it is not HCL."""
    return Body(hcl.parse(text), file)


# the line that closes a top-level block, as terraform fmt writes it
_TOP_END = re.compile(r"^\}[ \t]*\r?$", re.M)


def read_pieces(text: str, file: str, cache: Dict[Any, "Body"]) -> "Body":
    """``read``, one top-level block at a time, each piece's body kept in ``cache`` by its text and the
    line it starts on: after an edit (a language server's keystroke) only the edited block is read again.

    A piece ends after a line holding only the ``}`` that closes a top-level block. When every piece reads
    and no top-level attribute is written in two, the pieces' blocks and attributes are the whole read's
    (a ``}`` line inside a heredoc or a comment leaves a piece unfinished, and unreadable); otherwise the
    file is read whole, so errors are the whole read's."""
    bodies = []
    start, base = 0, 0
    ends = [m.end() for m in _TOP_END.finditer(text)]
    for end in ends + [len(text)]:
        nl = text.find("\n", end)
        stop = len(text) if nl == -1 or end == len(text) else nl + 1
        if stop <= start:
            continue
        piece = text[start:stop]
        key = (file, piece, base)
        body = cache.get(key)
        if body is None:
            try:
                body = Body(hcl.parse(piece, base), file)
            except ParseError:
                return read(text, file)
            cache[key] = body
        bodies.append(body)
        base += piece.count("\n")
        start = stop
    if len(bodies) == 1:
        return bodies[0]
    attrs: Dict[str, Any] = {}
    blocks: List[Tuple[str, List[str], "Body", Tuple[int, ...]]] = []
    for b in bodies:
        if any(k in attrs for k in b.attrs):
            return read(text, file)  # the whole read says where the attribute is written twice
        attrs.update(b.attrs)
        blocks.extend(b.blocks)
    return Body.made(file, attrs, blocks)


def pos_of(t: Any) -> Tuple[int, int, int, int]:
    """Where an expression is written: its range when it ends on the line it starts on, else its first
    token."""
    if isinstance(t, Node):
        return t.pos()
    line = getattr(t, "line", None) or 1
    col = getattr(t, "column", None) or 1
    return (line, col, getattr(t, "end_line", None) or line, getattr(t, "end_column", None) or col + 1)


def end_line(t: Any) -> int:
    """The line an expression ends on."""
    if isinstance(t, Node):
        return t.src.lc(t.end)[0]
    return getattr(t, "end_line", None) or getattr(t, "line", None) or 0


class Known:
    """An attribute whose value is already known (a plan's planned value), with where it is written."""

    __slots__ = ("value", "line", "column", "end_line", "end_column")

    def __init__(self, value: Any, pos: Tuple[int, ...]) -> None:
        self.value, self.line, self.column = value, pos[0], pos[1]
        self.end_line, self.end_column = (pos[2], pos[3]) if len(pos) >= 4 else (pos[0], pos[1] + 1)


class Body:
    """Attributes and nested blocks of one HCL body."""

    json = False  # JSON syntax: an object-valued key is both an attribute and a block
    # attributes written in another file than the body (an override file's), by name; replaced whole, never
    # changed in place, so that a body made without it (a plan's values) shares this empty one
    attr_files: Dict[str, str] = {}
    # where each attribute's name is written (native syntax), for what points at the attribute itself
    attr_at: Dict[str, Tuple[int, int]] = {}

    def __init__(self, raw: "hcl.RawBody", file: str) -> None:
        self.file = file
        self.attrs: Dict[str, Any] = {name: node for name, (node, _) in raw.attrs.items()}
        self.attr_at = {name: raw.src.lc(start) for name, (_, start) in raw.attrs.items()}
        self.blocks: List[Tuple[str, List[str], "Body", Tuple[int, ...]]] = []
        src = raw.src
        for name, labels, inner, start, end in raw.blocks:
            line, col = src.lc(start)
            end_line, end_col = src.lc(end)
            pos = (line, col, line, end_col if end_line == line else col + len(name))
            self.blocks.append((name, labels, Body(inner, file), pos))

    def file_of(self, name: str) -> str:
        """The file an attribute is written in."""
        return self.attr_files.get(name, self.file)

    def block_list(self, name: str) -> List["Body"]:
        return [b for n, _, b, _ in self.blocks if n == name]

    def has_dynamic(self) -> bool:
        """Whether a dynamic block sits anywhere in this body."""
        return any(n == "dynamic" or b.has_dynamic() for n, _, b, _ in self.blocks)

    def unexpanded(self, name: str) -> bool:
        """Whether a dynamic block of this name is left, its for_each unknown."""
        return any(n == "dynamic" and labels == [name] for n, labels, _, _ in self.blocks)

    @classmethod
    def made(cls, file: str, attrs: Dict[str, Any], blocks: List[Tuple[str, List[str], "Body", Tuple[int, ...]]]
             ) -> "Body":
        body = cls.__new__(cls)
        body.file, body.attrs, body.blocks, body.json = file, attrs, blocks, False
        return body


class JsonExpr:
    """A value of Terraform's JSON syntax (``*.tf.json``), where it is written: strings are templates
    (``"${aws_subnet.a.id}"``), arrays and objects hold further values."""

    __slots__ = ("value", "line", "column", "end_line", "end_column")

    def __init__(self, value: Any, pos: Tuple[int, ...]) -> None:
        self.value = value
        self.line, self.column, self.end_line, self.end_column = (tuple(pos) + (pos[0], pos[1] + 1))[:4] \
            if len(pos) < 4 else pos[:4]


# blocks of the JSON syntax by their labels: resource "type" "name", variable "name", locals, ...
_JSON_LABELS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1,
                "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0}


def json_body(doc: Any, file: str) -> "Body":
    """A ``.tf.json`` document as a body of the same shape as native syntax gives."""
    body = Body.made(file, {}, [])
    if not isinstance(doc, dict):
        raise ParseError("Terraform JSON: the document is not an object")
    for name, value in doc.items():
        if name == "//":
            continue
        labels = _JSON_LABELS.get(name)
        if labels is None:
            continue
        _json_blocks(body, name, [], value, labels, _kpos(doc, name), file)
    return body


def _kpos(d: Any, key: Any) -> Tuple[int, ...]:
    return getattr(d, "kpos", {}).get(key, getattr(d, "pos", (1, 1, 1, 2)))


def _json_blocks(parent: "Body", name: str, labels: List[str], value: Any, left: int, pos: Tuple[int, ...],
                 file: str) -> None:
    if left > 0:
        if isinstance(value, dict):
            for label, inner in value.items():
                if label != "//":
                    _json_blocks(parent, name, labels + [str(label)], inner, left - 1, _kpos(value, label), file)
        return
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(item, dict):
            where = value.ipos[i] if isinstance(value, MList) and i < len(value.ipos) else pos
            parent.blocks.append((name, labels, _json_block_body(item, file), where))


def _json_block_body(obj: Any, file: str) -> "Body":
    """A block's body: every key is an attribute; a key whose value is an object (or a list of objects)
    is also a nested block of that name, as the schema (which JSON syntax leaves to the provider) may say."""
    body = Body.made(file, {}, [])
    body.json = True
    for key, value in obj.items():
        if key == "//":
            continue
        pos = _kpos(obj, key)
        body.attrs[key] = JsonExpr(value, pos)
        if key == "dynamic" and isinstance(value, dict):
            for label, inner in value.items():
                _json_blocks(body, "dynamic", [str(label)], inner, 0, _kpos(value, label), file)
            continue
        if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(x, dict) for x in value)):
            _json_blocks(body, key, [], value, 0, pos, file)
    return body


def _inner(t: Any) -> Any:
    while isinstance(t, Node) and t.kind == "paren":
        t = t.a
    return t


def is_heredoc(t: Any) -> bool:
    t = _inner(t)
    return isinstance(t, Node) and t.kind == "tpl" and t.b == "h"


def is_literal_text(t: Any) -> bool:
    """A string or heredoc written in place (its JSON's lines are the file's), not a value read from
    elsewhere (a function's result, a template file, a reference)."""
    t = _inner(t)
    return isinstance(t, Node) and t.kind == "tpl"


def pinned(v: Any, pos: Tuple[int, ...]) -> Any:
    """Every position inside ``v`` set to ``pos``: for JSON whose text is not where the attribute is."""
    if isinstance(v, MDict):
        v.pos = pos
        v.kpos = {k: pos for k in v.kpos}
        for x in v.values():
            pinned(x, pos)
    elif isinstance(v, MList):
        v.pos = pos
        v.ipos = [pos for _ in v.ipos]
        for x in v:
            pinned(x, pos)
    return v


def shift(v: Any, lines: int) -> Any:
    """Move the positions of JSON parsed from a string to where the string sits in the .tf file."""
    if isinstance(v, MDict):
        v.kpos = {k: moved_pos(p, lines) for k, p in v.kpos.items()}
        for x in v.values():
            shift(x, lines)
    elif isinstance(v, MList):
        v.ipos = [moved_pos(p, lines) for p in v.ipos]
        for x in v:
            shift(x, lines)
    return v

