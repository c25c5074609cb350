"""Jsonnet text into a tree: the lexer and parser of ``pullcheck.formats.taskdef.jsonnet``.

The whole expression language is parsed (what the evaluator does not do is an unknown there, never a parse
error), bounded: the text's size, the tokens' count and the nesting depth. A syntax error is a ParseError at
its line and column.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from pullcheck.sources.errors import ParseError

MAX_TEXT = 1024 * 1024  # of one file: a definition and its libraries are a few kilobytes
MAX_PARSE_DEPTH = 100  # nested expressions

Pos = Tuple[int, int, int, int]  # line, col, end line, end col (1-based, the end exclusive)


class Node:
    """One expression: its kind, its parts, where it is written (``pos``) and in which file."""

    __slots__ = ("kind", "args", "pos", "file")

    def __init__(self, kind: str, args: tuple, pos: Pos, file: str) -> None:
        self.kind, self.args, self.pos, self.file = kind, args, pos, file

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.pos[0]}:{self.pos[1]})"


_KEYWORDS = {"assert", "else", "error", "false", "for", "function", "if", "import", "importstr", "importbin",
             "in", "local", "null", "tailstrict", "then", "self", "super", "true"}
_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>//[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<block>\|\|\|-?)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<verbatim>@"(?:[^"]|"")*"|@'(?:[^']|'')*')
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>:::|::|\+:::|\+::|\+:|==|!=|<=|>=|<<|>>|&&|\|\||[-+*/%<>=!~&|^.,;:()\[\]{}$])
""", re.X | re.S)
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

Token = Tuple[str, Any, int, int, int, int]  # kind, value, line, col, and the line and col just after it


def _unescape(body: str, line: int, col: int) -> str:
    out: List[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2:i + 6]):
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            raise ParseError(f"unknown escape \\{nxt} in a string", line, col)
    return "".join(out)


def _text_block(text: str, at: int, line: int, col: int) -> Tuple[str, int]:
    """A ``|||`` text block starting at ``at`` (just after the opening bars): its text and where it ends."""
    nl = text.find("\n", at)
    if nl < 0 or text[at:nl].strip(" \t\r"):
        raise ParseError("a text block needs a new line after |||", line, col)
    first = re.match(r"[ \t]+", text[nl + 1:])
    if first is None:
        raise ParseError("a text block's first line must be indented", line + 1, 1)
    indent = first.group(0)
    lines: List[str] = []
    pos = nl + 1
    while True:
        end = text.find("\n", pos)
        row = text[pos:] if end < 0 else text[pos:end]
        if row.startswith(indent):
            lines.append(row[len(indent):])
        elif row.strip(" \t\r") == "" and end >= 0:
            lines.append("")
        else:
            m = re.match(r"[ \t]*\|\|\|", row)
            if m is None:
                raise ParseError("a text block must end with |||", line, col)
            return "".join(x + "\n" for x in lines), pos + m.end()
        if end < 0:
            raise ParseError("a text block must end with |||", line, col)
        pos = end + 1


def tokens(text: str) -> List[Token]:
    if len(text) > MAX_TEXT:
        raise ParseError(f"Jsonnet file larger than {MAX_TEXT // 1024} KB")
    out: List[Token] = []
    at, line, line_start = 0, 1, 0
    while at < len(text):
        col = at - line_start + 1
        m = _TOKEN.match(text, at)
        if text.startswith("/*", at) and (m is None or m.lastgroup != "comment"):
            raise ParseError("a comment is not closed", line, col)
        if m is None:
            raise ParseError(f"unexpected character {text[at]!r}", line, col)
        kind, end = m.lastgroup or "", m.end()
        value: Any = m.group(0)
        if kind == "block":
            value, end = _text_block(text, end, line, col)
            if m.group(0).endswith("-"):
                value = value[:-1] if value.endswith("\n") else value
            kind = "str"
        elif kind == "string":
            value, kind = _unescape(value[1:-1], line, col), "str"
        elif kind == "verbatim":
            q = value[1]
            value, kind = value[2:-1].replace(q + q, q), "str"
        elif kind == "number":
            value = float(value)
        elif kind == "id" and value in _KEYWORDS:
            kind = "kw"
        start_line = line
        newlines = text.count("\n", at, end)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", at, end) + 1
        if kind not in ("ws", "comment"):
            out.append((kind, value, start_line, col, line, end - line_start + 1))
        at = end
    out.append(("eof", None, line, at - line_start + 1, line, at - line_start + 1))
    return out


# binary operators by precedence, loosest first
_BINARY = (("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">=", "in"), ("<<", ">>"),
           ("+", "-"), ("*", "/", "%"))
_UNARY = ("-", "+", "!", "~")
_LEVEL = {op: n for n, ops in enumerate(_BINARY) for op in ops}


class Parser:
    def __init__(self, text: str, file: str) -> None:
        self.toks = tokens(text)
        self.i = 0
        self.file = file
        self.depth = 0

    # -- tokens
    def peek(self, k: int = 0) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def at(self, kind: str, value: Any = None) -> bool:
        t = self.peek()
        return t[0] == kind and (value is None or t[1] == value)

    def take(self) -> Token:
        t = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return t

    def expect(self, kind: str, value: Any = None) -> Token:
        if not self.at(kind, value):
            t = self.peek()
            what = "end of file" if t[0] == "eof" else repr(t[1])
            raise ParseError(f"expected {value or kind}, found {what}", t[2], t[3])
        return self.take()

    def node(self, kind: str, args: tuple, start: Token) -> Node:
        end = self.toks[max(self.i - 1, 0)]
        return Node(kind, args, (start[2], start[3], end[4], end[5]), self.file)

    def err(self, message: str) -> ParseError:
        t = self.peek()
        return ParseError(message, t[2], t[3])

    # -- expressions
    def parse(self) -> Node:
        e = self.expr()
        if not self.at("eof"):
            raise self.err(f"unexpected {self.peek()[1]!r} after the expression")
        return e

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_PARSE_DEPTH:
            raise self.err(f"nested deeper than {MAX_PARSE_DEPTH} levels")
        try:
            return self._expr()
        finally:
            self.depth -= 1

    def _expr(self) -> Node:
        t = self.peek()
        if t[0] == "kw":
            if t[1] == "local":
                # a run of locals is a chain, not a nesting: a file may open with hundreds of them
                chain = []
                while self.at("kw", "local"):
                    start = self.take()
                    chain.append((self.binds(), start))
                    self.expect("op", ";")
                body = self.expr()
                for binds, start in reversed(chain):
                    body = self.node("local", (binds, body), start)
                return body
            if t[1] == "if":
                self.take()
                cond = self.expr()
                self.expect("kw", "then")
                then = self.expr()
                other = None
                if self.at("kw", "else"):
                    self.take()
                    other = self.expr()
                return self.node("if", (cond, then, other), t)
            if t[1] == "function":
                self.take()
                params = self.params()
                return self.node("func", (params, self.expr()), t)
            if t[1] == "assert":
                self.take()
                cond, msg = self.assertion()
                self.expect("op", ";")
                return self.node("assert", (cond, msg, self.expr()), t)
            if t[1] == "error":
                self.take()
                return self.node("error", (self.expr(),), t)
        return self.binary(0)

    def assertion(self) -> Tuple[Node, Optional[Node]]:
        cond = self.expr()
        msg = None
        if self.at("op", ":"):
            self.take()
            msg = self.expr()
        return cond, msg

    def binds(self) -> List[Tuple[str, Node]]:
        out = [self.bind()]
        while self.at("op", ","):
            self.take()
            out.append(self.bind())
        return out

    def bind(self) -> Tuple[str, Node]:
        t = self.expect("id")
        if self.at("op", "("):
            params = self.params()
            self.expect("op", "=")
            return t[1], self.node("func", (params, self.expr()), t)
        self.expect("op", "=")
        return t[1], self.expr()

    def params(self) -> List[Tuple[str, Optional[Node]]]:
        self.expect("op", "(")
        out: List[Tuple[str, Optional[Node]]] = []
        while not self.at("op", ")"):
            name = self.expect("id")[1]
            default = None
            if self.at("op", "="):
                self.take()
                default = self.expr()
            out.append((name, default))
            if not self.at("op", ")"):
                self.expect("op", ",")
        self.take()
        return out

    def binary(self, lowest: int) -> Node:
        """Operators by precedence climbing: one call per operator taken, not per precedence level."""
        start = self.peek()
        left = self.unary()
        while True:
            t = self.peek()
            level = _LEVEL.get(t[1]) if t[0] == "op" or (t[0] == "kw" and t[1] == "in") else None
            if level is None or level < lowest:
                return left
            self.take()
            if t[1] == "in" and self.at("kw", "super"):
                self.take()
                left = self.node("in_super", (left,), start)
                continue
            self.depth += 1
            if self.depth > MAX_PARSE_DEPTH:
                raise self.err(f"nested deeper than {MAX_PARSE_DEPTH} levels")
            right = self.binary(level + 1)
            self.depth -= 1
            left = self.node("binop", (t[1], left, right), start)

    def unary(self) -> Node:
        t = self.peek()
        if t[0] == "op" and t[1] in _UNARY:
            self.take()
            self.depth += 1
            if self.depth > MAX_PARSE_DEPTH:
                raise self.err(f"nested deeper than {MAX_PARSE_DEPTH} levels")
            operand = self.unary()
            self.depth -= 1
            return self.node("unop", (t[1], operand), t)
        return self.postfix()

    def postfix(self) -> Node:
        start = self.peek()
        e = self.primary()
        while True:
            if self.at("op", "."):
                self.take()
                name = self.expect("id")
                e = self.node("index", (e, Node("lit", (name[1],), (name[2], name[3], name[4], name[5]),
                                                self.file)), start)
            elif self.at("op", "["):
                e = self.subscript(e, start)
            elif self.at("op", "("):
                e = self.call(e, start)
            elif self.at("op", "{"):
                e = self.node("binop", ("+", e, self.primary()), start)
            else:
                return e

    def subscript(self, e: Node, start: Token) -> Node:
        self.take()
        parts: List[Optional[Node]] = [None]
        while not self.at("op", "]"):
            if self.at("op", ":") or self.at("op", "::"):
                parts.extend([None] * len(self.take()[1]))
                continue
            if parts[-1] is not None:
                raise self.err("expected ] or :")
            parts[-1] = self.expr()
        self.take()
        if len(parts) == 1:
            if parts[0] is None:
                raise self.err("an index needs an expression")
            return self.node("index", (e, parts[0]), start)
        return self.node("slice", (e,) + tuple((parts + [None, None])[:3]), start)

    def call(self, fn: Node, start: Token) -> Node:
        self.take()
        positional: List[Node] = []
        named: List[Tuple[str, Node]] = []
        while not self.at("op", ")"):
            if self.at("id") and self.peek(1)[0] == "op" and self.peek(1)[1] == "=":
                name = self.take()[1]
                self.take()
                named.append((name, self.expr()))
            elif named:
                raise self.err("a positional argument after a named one")
            else:
                positional.append(self.expr())
            if not self.at("op", ")"):
                self.expect("op", ",")
        self.take()
        if self.at("kw", "tailstrict"):
            self.take()
        return self.node("call", (fn, positional, named), start)

    def primary(self) -> Node:
        t = self.peek()
        kind, value = t[0], t[1]
        if kind in ("str", "number"):
            self.take()
            return self.node("lit", (value,), t)
        if kind == "id":
            self.take()
            return self.node("var", (value,), t)
        if kind == "kw":
            return self.keyword(t)
        if kind == "op":
            if value == "(":
                self.take()
                e = self.expr()
                self.expect("op", ")")
                return e
            if value == "{":
                return self.obj()
            if value == "[":
                return self.array()
            if value == "$":
                self.take()
                return self.node("dollar", (), t)
        raise self.err("unexpected end of file" if kind == "eof" else f"unexpected {value!r}")

    def keyword(self, t: Token) -> Node:
        value = t[1]
        if value in ("null", "true", "false"):
            self.take()
            return self.node("lit", ({"null": None, "true": True, "false": False}[value],), t)
        if value == "self":
            self.take()
            return self.node("self", (), t)
        if value == "super":
            self.take()
            if self.at("op", "."):
                self.take()
                name = self.expect("id")
                key = Node("lit", (name[1],), (name[2], name[3], name[4], name[5]), self.file)
            else:
                self.expect("op", "[")
                key = self.expr()
                self.expect("op", "]")
            return self.node("super", (key,), t)
        if value in ("import", "importstr", "importbin"):
            self.take()
            path = self.expect("str")
            return self.node(value, (path[1],), t)
        if value in ("local", "if", "function", "assert", "error"):
            return self.expr()
        raise self.err(f"unexpected {value!r}")

    def array(self) -> Node:
        start = self.take()
        items: List[Node] = []
        while not self.at("op", "]"):
            items.append(self.expr())
            if self.at("kw", "for") and len(items) == 1:
                specs = self.comp_specs()
                self.expect("op", "]")
                return self.node("arrcomp", (items[0], specs), start)
            if not self.at("op", "]"):
                self.expect("op", ",")
        self.take()
        return self.node("arr", (items,), start)

    def comp_specs(self) -> List[Tuple[str, str, Optional[Node]]]:
        out: List[Tuple[str, str, Optional[Node]]] = []
        while self.at("kw", "for") or (out and self.at("kw", "if")):
            if self.take()[1] == "for":
                name = self.expect("id")[1]
                self.expect("kw", "in")
                out.append(("for", name, self.expr()))
            else:
                out.append(("if", "", self.expr()))
        return out

    def obj(self) -> Node:
        start = self.take()
        members: List[tuple] = []
        while not self.at("op", "}"):
            if self.at("kw", "for"):
                return self._obj_comp(start, members)
            members.append(self.member())
            if not self.at("op", "}"):
                if self.at("kw", "for"):
                    continue
                self.expect("op", ",")
        self.take()
        return self.node("obj", (members,), start)

    def _obj_comp(self, start: Token, members: List[tuple]) -> Node:
        fields = [m for m in members if m[0] == "field"]
        if len(fields) != 1 or fields[0][1].kind == "lit" and fields[0][6] is False:
            raise self.err("an object comprehension needs one field, with a computed name [e]")
        specs = self.comp_specs()
        self.expect("op", "}")
        locals_ = [(m[1], m[2]) for m in members if m[0] == "local"]
        return self.node("objcomp", (locals_, fields[0], specs), start)

    def member(self) -> tuple:
        t = self.peek()
        if self.at("kw", "local"):
            self.take()
            bound, value = self.bind()
            return ("local", bound, value)
        if self.at("kw", "assert"):
            self.take()
            cond, msg = self.assertion()
            return ("assert", cond, msg)
        computed = False
        if t[0] in ("id", "str"):
            self.take()
            name = Node("lit", (t[1],), (t[2], t[3], t[4], t[5]), self.file)
        elif self.at("op", "["):
            self.take()
            name = self.expr()
            self.expect("op", "]")
            computed = True
        else:
            raise self.err(f"expected a field name, found {t[1]!r}")
        params = self.params() if self.at("op", "(") else None
        op = self.peek()
        if op[0] != "op" or op[1] not in (":", "::", ":::", "+:", "+::", "+:::"):
            raise self.err("expected : after a field name")
        self.take()
        value = self.expr()
        if params is not None:
            value = Node("func", (params, value), value.pos, self.file)
        hide = op[1].lstrip("+").count(":")
        return ("field", name, hide, op[1].startswith("+"), value, (t[2], t[3]), computed)


def parse(text: str, file: str) -> Node:
    """The expression a Jsonnet text holds, or ParseError."""
    parser = Parser(text, file)
    try:
        return parser.parse()
    except RecursionError:
        raise parser.err("nested too deep to parse") from None
