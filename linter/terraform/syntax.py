"""Terraform's native syntax as positioned trees (python-hcl2's grammar), and helpers to read them.

The grammar is python-hcl2 7.3.1's, loaded with Lark, its parser cached in the user's cache folder (a
read-only install would otherwise rebuild it on every run). The grammar file is checked against the pinned
release: checkov's bc-python-hcl2 installs a module also named ``hcl2`` with a different grammar.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.cache import cache_dir, read_private, write_private
from pullcheck.parsers.errors import ParseError
from pullcheck.parsers.marked import MDict, MList

GRAMMAR_SHA256 = "d7a5d29be3463df69b9eb30bd2840ba4fef2bf005e106af9f0bc9c2ff2c16812"  # python-hcl2 7.3.1
_parser: Optional[Any] = None


class GrammarError(Exception):
    pass


def _grammar() -> str:
    spec = importlib.util.find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        raise GrammarError("python-hcl2 is not installed (pip install python-hcl2==7.3.1)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "hcl2.lark")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        raise GrammarError(f"the installed hcl2 module has no grammar file ({path}): "
                           f"is bc-python-hcl2 installed in place of python-hcl2 7.3.1?") from None
    if hashlib.sha256(data).hexdigest() != GRAMMAR_SHA256:
        raise GrammarError(f"the hcl2 module at {os.path.dirname(path)} is not python-hcl2 7.3.1 (another "
                           f"package, such as bc-python-hcl2, installs a module named hcl2); "
                           f"pip install --force-reinstall python-hcl2==7.3.1")
    return path


def parser() -> Any:
    """python-hcl2's grammar as a Lark parser, from the user's checked cache folder when a cache file of
    this very grammar and Lark version is there, else built and saved for the next run.

    The saved parser is a pickle, so it is read only from a file of this user in a private folder (see
    ``pullcheck.cache``), and only when its header carries the SHA-256 of its own payload and the identity of
    the grammar and Lark release it belongs to; anything else is ignored and rewritten atomically."""
    global _parser
    if _parser is None:
        import io

        import lark

        grammar = _grammar()
        identity = f"pullcheck-hcl2-parser/{GRAMMAR_SHA256}/lark-{lark.__version__}\n".encode()
        folder = cache_dir()
        path = os.path.join(folder, f"hcl2-{GRAMMAR_SHA256[:12]}-lark-{lark.__version__}.parser") if folder else ""
        data = read_private(path) if path else None
        if data is not None and data.startswith(identity):
            digest, payload = data[len(identity):len(identity) + 64], data[len(identity) + 64:]
            if hashlib.sha256(payload).hexdigest().encode() == digest:
                try:
                    _parser = lark.Lark.load(io.BytesIO(payload))
                except Exception:  # a damaged file: build again
                    _parser = None
        if _parser is None:
            _parser = lark.Lark.open(grammar, parser="lalr")
            if path:
                buf = io.BytesIO()
                _parser.save(buf)
                payload = buf.getvalue()
                write_private(path, identity + hashlib.sha256(payload).hexdigest().encode() + payload)
    return _parser


def parse(text: str) -> Any:
    import lark

    try:
        # Windows line endings: the grammar knows only \n; lines and columns stay the same without the \r
        return parser().parse(text.replace("\r\n", "\n") + "\n")
    except lark.exceptions.UnexpectedInput as e:
        line = getattr(e, "line", 1) or 1
        col = getattr(e, "column", 1) or 1
        kind = type(e).__name__
        detail = ""
        tok = getattr(e, "token", None)
        if tok is not None:
            detail = f": unexpected {str(tok)[:30]!r}"
        elif getattr(e, "char", None):
            detail = f": unexpected character {e.char!r}"
        raise ParseError(f"HCL syntax error ({kind}){detail}", line, col) from None
    except lark.exceptions.LarkError as e:
        raise ParseError(f"HCL: {str(e).splitlines()[0][:200]}") from None
    except RecursionError:
        raise ParseError("nesting too deep") from None


def edge(tree: Any, last: bool) -> Any:
    """The first (or last) token of a subtree, or None."""
    node = tree
    while hasattr(node, "children"):
        nxt = None
        for c in (reversed(node.children) if last else node.children):
            if c is not None:
                nxt = c
                break
        if nxt is None:
            return None
        node = nxt
    return node


def pos_of(tree: Any) -> Tuple[int, int, int, int]:
    """The range of a subtree: whole when it ends on the line it starts, else its first token.

    Read from the tokens rather than from Lark's propagated positions, which double the parse time.
    """
    first = edge(tree, False)
    line, col = (getattr(first, "line", None) or 1, getattr(first, "column", None) or 1)
    end = edge(tree, True)
    if end is not None and getattr(end, "end_line", None) == line and end.end_column:
        return (line, col, line, end.end_column)
    if first is not None and getattr(first, "end_line", None) == line and first.end_column:
        return (line, col, line, first.end_column)
    return (line, col, line, col + 1)


class Known:
    """An attribute whose value is already known (a plan's planned value), with where it is written."""

    __slots__ = ("value", "line", "column", "end_line", "end_column")

    def __init__(self, value: Any, pos: Tuple[int, ...]) -> None:
        self.value, self.line, self.column = value, pos[0], pos[1]
        self.end_line, self.end_column = (pos[2], pos[3]) if len(pos) >= 4 else (pos[0], pos[1] + 1)


def children(tree: Any) -> List[Any]:
    return [c for c in tree.children if not (hasattr(c, "data") and c.data == "new_line_or_comment")
            and c is not None]


def ident(tree: Any) -> str:
    return str(tree.children[0])


class Body:
    """Attributes and nested blocks of one HCL body."""

    json = False  # JSON syntax: an object-valued key is both an attribute and a block

    def __init__(self, tree: Any, file: str) -> None:
        self.file = file
        self.attrs: Dict[str, Any] = {}
        self.blocks: List[Tuple[str, List[str], "Body", Tuple[int, int]]] = []
        for c in children(tree):
            if c.data == "attribute":
                kids = c.children
                self.attrs[ident(kids[0])] = kids[-1]
            elif c.data == "block":
                kids = children(c)
                labels = []
                for k in kids[1:-1]:
                    labels.append(ident(k) if k.data == "identifier" else string_literal(k))
                self.blocks.append((ident(kids[0]), labels, Body(kids[-1], file), pos_of(c)))

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


def string_literal(tree: Any) -> str:
    out = []
    for part in tree.children:
        for t in part.children:
            out.append(str(t) if not hasattr(t, "data") else "")
    return "".join(out)


def is_heredoc(t: Any) -> bool:
    node = t
    while hasattr(node, "children") and node.children:
        if node.data in ("heredoc_template", "heredoc_template_trim"):
            return True
        node = node.children[0]
    return False


def is_literal_text(t: Any) -> bool:
    """A string or heredoc written in place (its JSON's lines are the file's), not a value read from
    elsewhere (a function's result, a template file, a reference)."""
    node = t
    while hasattr(node, "children") and len(node.children) == 1 and node.data not in ("string",):
        if node.data in ("heredoc_template", "heredoc_template_trim"):
            return True
        node = node.children[0]
    return getattr(node, "data", None) in ("string", "heredoc_template", "heredoc_template_trim")


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


def moved(p: Tuple[int, ...], lines: int) -> Tuple[int, ...]:
    return (p[0] + lines, p[1], p[2] + lines, p[3]) if len(p) >= 4 else (p[0] + lines, p[1])


def shift(v: Any, lines: int) -> Any:
    """Move the positions of JSON parsed from a string to where the string sits in the .tf file."""
    if isinstance(v, MDict):
        v.kpos = {k: moved(p, lines) for k, p in v.kpos.items()}
        for x in v.values():
            shift(x, lines)
    elif isinstance(v, MList):
        v.ipos = [moved(p, lines) for p in v.ipos]
        for x in v:
            shift(x, lines)
    return v

