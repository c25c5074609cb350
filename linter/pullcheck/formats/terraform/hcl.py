"""Terraform's native syntax (HCL) read by hand: a recursive-descent reader over regular-expression tokens.

It gives positioned expression trees (``Node``) and bodies of attributes and blocks. Positions are offsets
into the source, turned into 1-based lines and columns only when asked. Nesting is bounded (``MAX_NESTING``)
so that no input reaches Python's recursion limit.

Node kinds and their fields:

    num     a = the literal's text
    lit     a = True / False / None
    tpl     a = parts (str, an expression Node, or a directive Node), b = "q" quoted / "h" heredoc
    tif     a = condition, b = parts when true, c = parts when false          (template directive)
    tfor    a = (key name or None, value name), b = collection, c = parts      (template directive)
    var     a = name                                     (the first name of a reference)
    attr    a = base, b = attribute name
    index   a = base, b = key expression
    splat   a = base, b = [("attr", name) | ("index", Node) | ("splat", ops)], c = True for [*], False for .*
    call    a = function name, b = arguments, c = True when the last argument is expanded (...)
    tuple   a = items
    object  a = elements (Node "elem": a = key, b = value)
    for     a = (key name or None, value name), b = collection, c = key expression (None: a tuple),
            d = (value expression, condition or None, grouping ...)
    cond    a = condition, b = when true, c = when false
    bin     a = operator, b = left, c = right
    un      a = operator, b = operand
    paren   a = inner expression
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from pullcheck.sources.errors import ParseError
from pullcheck.formats.terraform.hcl_nodes import NAME, Node, RawBody, Source
from pullcheck.formats.terraform.hcl_templates import heredoc, template_parts
from pullcheck.formats.terraform.unicode_text import nfc

MAX_NESTING = 100  # brackets, blocks, templates and unary operators inside one another

_WS = re.compile(r"(?:[ \t\r]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
_WSNL = re.compile(r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
_NUM = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_OP = re.compile(r"\|\||&&|==|!=|<=|>=|[<>+\-*/%]")
_PREC = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5,
         "*": 6, "/": 6, "%": 6}
_SPACE_START = frozenset(" \t\r\n#/")
_SIMPLE_STRING = re.compile(r'"([^"\\$%\n]*)"')


def parse(text: str, base: int = 0) -> RawBody:
    """A whole file's body; a ParseError with line and column when the text is not HCL. ``base``: the
    lines before ``text`` when it is a piece of a file (positions are then the file's)."""
    text = text.replace("\r\n", "\n")
    return Parser(text, base).body(top=True)


def parse_expression(text: str) -> Node:
    """One expression on its own (a line of ``pullcheck console``); a ParseError when the text is not one
    expression, or more follows it."""
    p = Parser(text.replace("\r\n", "\n"))
    p.skip(True)
    node = p.expr(True)
    p.skip(True)
    if p.i < len(p.s):
        raise p.error(f"expected the end of the expression, found {p.found()}")
    return node


def parse_template(text: str) -> Node:
    """A template file (``templatefile()``, ``data "template_file"``): text with ``${}`` and ``%{}``."""
    p = Parser(text.replace("\r\n", "\n"))
    parts = template_parts(p, len(p.s), quoted=False)
    return Node("tpl", p.src, 0, len(p.s), parts, "h")


class Parser:
    def __init__(self, text: str, base: int = 0) -> None:
        self.s = text
        self.src = Source(text, base)
        self.i = 0
        self.depth = 0

    # -- errors and spacing -------------------------------------------------------------------------------

    def error(self, message: str, at: Optional[int] = None) -> ParseError:
        line, col = self.src.lc(self.i if at is None else at)
        return ParseError(f"HCL syntax error: {message}", line, col)

    def found(self) -> str:
        if self.i >= len(self.s):
            return "end of file"
        ch = self.s[self.i]
        return "a new line" if ch == "\n" else repr(self.s[self.i:self.i + 12].split("\n")[0])

    def skip(self, newlines: bool) -> None:
        i = self.i
        if i < len(self.s) and self.s[i] in _SPACE_START:
            self.i = (_WSNL if newlines else _WS).match(self.s, i).end()

    def expect(self, token: str, newlines: bool = True) -> None:
        self.skip(newlines)
        if not self.s.startswith(token, self.i):
            raise self.error(f"expected {token!r}, found {self.found()}")
        self.i += len(token)

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nesting deeper than {MAX_NESTING} levels")

    # -- bodies -------------------------------------------------------------------------------------------

    def body(self, top: bool) -> RawBody:
        s, out = self.s, RawBody(self.src)
        n = len(s)
        while True:
            self.skip(True)
            if self.i >= n:
                if not top:
                    raise self.error("a block is not closed: expected '}'")
                return out
            if s[self.i] == "}":
                if top:
                    raise self.error("unexpected '}'")
                return out
            start = self.i
            m = NAME.match(s, self.i)
            if m is None:
                raise self.error(f"expected an attribute or a block, found {self.found()}")
            name = m.group()
            self.i = m.end()
            self.skip(False)
            if s.startswith("=", self.i) and not s.startswith(("==", "=>"), self.i):
                self.i += 1
                self.skip(False)
                value = self.expr(False)
                if name in out.attrs:
                    raise self.error(f"attribute {name} is set twice in this body", start)
                out.attrs[name] = (value, start)
            else:
                labels: List[str] = []
                while True:
                    if s.startswith('"', self.i):
                        label = self.primary(False)
                        if len(label.a) > 1 or (label.a and not isinstance(label.a[0], str)):
                            raise self.error("a block label cannot hold an interpolation", label.start)
                        labels.append(label.a[0] if label.a else "")
                    else:
                        lm = NAME.match(s, self.i)
                        if lm is None:
                            break
                        labels.append(lm.group())
                        self.i = lm.end()
                    self.skip(False)
                if not s.startswith("{", self.i):
                    self.skip(True)
                    if not s.startswith("{", self.i):
                        raise self.error(f"expected '=' or a block's '{{' after {name}, found {self.found()}")
                self.i += 1
                self.deeper()
                inner = self.body(top=False)
                self.depth -= 1
                self.i += 1  # the closing brace
                out.blocks.append((name, labels, inner, start, self.i))
            self.skip(False)
            if self.i < n and s[self.i] not in "\n}":
                raise self.error(f"expected a new line after {name}, found {self.found()}")

    # -- expressions --------------------------------------------------------------------------------------

    def expr(self, nl: bool) -> Node:
        self.deeper()
        cond = self.binary(0, nl)
        self.skip(nl)
        if self.s.startswith("?", self.i):
            self.i += 1
            self.skip(True)
            yes = self.expr(True)
            self.expect(":")
            self.skip(True)
            no = self.expr(nl)
            cond = Node("cond", self.src, cond.start, no.end, cond, yes, no)
        self.depth -= 1
        return cond

    def binary(self, min_prec: int, nl: bool) -> Node:
        left = self.unary(nl)
        s = self.s
        while True:
            save = self.i
            self.skip(nl)
            m = _OP.match(s, self.i)
            if m is None or _PREC[m.group()] <= min_prec:
                self.i = save
                return left
            op = m.group()
            self.i = m.end()
            self.skip(True)
            right = self.binary(_PREC[op], nl)
            left = Node("bin", self.src, left.start, right.end, op, left, right)

    def unary(self, nl: bool) -> Node:
        s, i = self.s, self.i
        if i < len(s) and s[i] in "!-":
            m = _NUM.match(s, i + 1) if s[i] == "-" else None
            if m is not None:  # a negative number is one literal
                self.i = m.end()
                return self.postfix(Node("num", self.src, i, m.end(), s[i:m.end()]))
            self.i += 1
            self.skip(False)
            self.deeper()
            operand = self.unary(nl)
            self.depth -= 1
            return Node("un", self.src, i, operand.end, s[i], operand)
        return self.postfix(self.primary(nl))

    def postfix(self, node: Node) -> Node:
        s = self.s
        while self.i < len(s):
            ch = s[self.i]
            if ch == ".":
                if s.startswith(".*", self.i):
                    self.i += 2
                    node = Node("splat", self.src, node.start, self.i, node, self._splat_ops(False), False)
                    node.end = self.i
                    continue
                m = NAME.match(s, self.i + 1)
                if m is not None:
                    self.i = m.end()
                    node = Node("attr", self.src, node.start, self.i, node, m.group())
                    continue
                m = _NUM.match(s, self.i + 1)
                if m is not None and "." not in m.group():  # legacy index: list.0
                    key = Node("num", self.src, m.start(), m.end(), m.group())
                    self.i = m.end()
                    node = Node("index", self.src, node.start, self.i, node, key)
                    continue
                return node
            if ch == "[":
                j = _WSNL.match(s, self.i + 1).end()
                if s.startswith("*", j):
                    k = _WSNL.match(s, j + 1).end()
                    if s.startswith("]", k):
                        self.i = k + 1
                        node = Node("splat", self.src, node.start, self.i, node, self._splat_ops(True), True)
                        node.end = self.i
                        continue
                self.i += 1
                self.skip(True)
                key = self.expr(True)
                self.expect("]")
                node = Node("index", self.src, node.start, self.i, node, key)
                continue
            return node
        return node

    def _splat_ops(self, full: bool) -> List[Tuple[str, Any]]:
        s, ops = self.s, []
        while self.i < len(s):
            if s[self.i] == ".":
                m = NAME.match(s, self.i + 1)
                if m is not None:
                    ops.append(("attr", m.group()))
                    self.i = m.end()
                    continue
                m = _NUM.match(s, self.i + 1)
                if m is not None and "." not in m.group():  # a legacy index (.0) applies to each element
                    ops.append(("index", Node("num", self.src, m.start(), m.end(), m.group())))
                    self.i = m.end()
                    continue
                break
            if full and s[self.i] == "[":
                j = _WSNL.match(s, self.i + 1).end()
                if s.startswith("*", j) and s.startswith("]", _WSNL.match(s, j + 1).end()):
                    # a splat inside a splat (a[*].b[*].c): the rest applies to each element's b
                    self.i = _WSNL.match(s, j + 1).end() + 1
                    ops.append(("splat", self._splat_ops(True)))
                    break
                self.i += 1
                self.skip(True)
                key = self.expr(True)
                self.expect("]")
                ops.append(("index", key))
                continue
            break
        return ops

    def primary(self, nl: bool) -> Node:
        s, i = self.s, self.i
        if i >= len(s):
            raise self.error("expected an expression, found end of file")
        ch = s[i]
        if ch == '"':
            m = _SIMPLE_STRING.match(s, i)
            if m is not None:  # no escape, interpolation or directive: the text itself
                self.i = m.end()
                return Node("tpl", self.src, i, self.i, [nfc(m.group(1))] if m.end() - i > 2 else [], "q")
            self.i += 1
            parts = template_parts(self, len(s), quoted=True)
            return Node("tpl", self.src, i, self.i, parts, "q")
        if ch == "<" and s.startswith("<<", i):
            return heredoc(self)
        if "0" <= ch <= "9":
            m = _NUM.match(s, i)
            self.i = m.end()
            return Node("num", self.src, i, self.i, m.group())
        if ch == "(":
            self.i += 1
            self.skip(True)
            inner = self.expr(True)
            self.expect(")")
            return Node("paren", self.src, i, self.i, inner)
        if ch == "[":
            return self.tuple_or_for()
        if ch == "{":
            return self.object_or_for()
        m = NAME.match(s, i)
        if m is None:
            raise self.error(f"expected an expression, found {self.found()}")
        name = m.group()
        self.i = m.end()
        if name == "true" or name == "false":
            return Node("lit", self.src, i, self.i, name == "true")
        if name == "null":
            return Node("lit", self.src, i, self.i, None)
        while s.startswith("::", self.i):  # provider::aws::arn_parse(...)
            m = NAME.match(s, self.i + 2)
            if m is None:
                raise self.error("expected a function name after '::'")
            self.i = m.end()
            name = s[i:self.i]
        if s.startswith("(", self.i):
            return self.call(name, i)
        if "::" in name:
            raise self.error(f"expected '(' after {name}")
        return Node("var", self.src, i, self.i, name)

    def call(self, name: str, start: int) -> Node:
        s = self.s
        self.i += 1
        args: List[Node] = []
        expand = False
        self.deeper()
        while True:
            self.skip(True)
            if s.startswith(")", self.i):
                break
            args.append(self.expr(True))
            self.skip(True)
            if s.startswith("...", self.i):
                expand = True
                self.i += 3
                self.skip(True)
            if s.startswith(",", self.i) and not expand:
                self.i += 1
                continue
            if not s.startswith(")", self.i):
                raise self.error(f"expected ',' or ')' in the arguments of {name}, found {self.found()}")
        self.i += 1
        self.depth -= 1
        return Node("call", self.src, start, self.i, name, args, expand)

    def _for_intro(self) -> Tuple[Tuple[Optional[str], str], Node]:
        """``for k, v in coll :`` of a for expression."""
        names, coll = self._for_head("a for expression")
        self.expect(":")
        self.skip(True)
        return names, coll

    def _for_head(self, what: str) -> Tuple[Tuple[Optional[str], str], Node]:
        """``for k, v in coll`` (of a for expression or a ``%{for}`` directive): the names and the collection."""
        s = self.s
        self.i += 3  # for
        self.skip(True)
        names = []
        while True:
            m = NAME.match(s, self.i)
            if m is None:
                raise self.error(f"expected a name after for, found {self.found()}")
            names.append(m.group())
            self.i = m.end()
            self.skip(True)
            if len(names) == 1 and s.startswith(",", self.i):
                self.i += 1
                self.skip(True)
                continue
            break
        m = NAME.match(s, self.i)
        if m is None or m.group() != "in":
            raise self.error(f"expected 'in' in {what}, found {self.found()}")
        self.i = m.end()
        self.skip(True)
        coll = self.expr(True)
        return ((names[0], names[1]) if len(names) == 2 else (None, names[0])), coll

    def _is_for(self) -> bool:
        m = NAME.match(self.s, self.i)
        return m is not None and m.group() == "for" and m.end() < len(self.s) and self.s[m.end()] in " \t\n\r"

    def _for_cond(self) -> Optional[Node]:
        self.skip(True)
        m = NAME.match(self.s, self.i)
        if m is not None and m.group() == "if":
            self.i = m.end()
            self.skip(True)
            return self.expr(True)
        return None

    def tuple_or_for(self) -> Node:
        s, start = self.s, self.i
        self.i += 1
        self.deeper()
        self.skip(True)
        if self._is_for():
            names, coll = self._for_intro()
            value = self.expr(True)
            cond = self._for_cond()
            self.expect("]")
            self.depth -= 1
            return Node("for", self.src, start, self.i, names, coll, None, (value, cond, False))
        items: List[Node] = []
        while True:
            self.skip(True)
            if s.startswith("]", self.i):
                break
            items.append(self.expr(True))
            self.skip(True)
            if s.startswith(",", self.i):
                self.i += 1
                continue
            if not s.startswith("]", self.i):
                raise self.error(f"expected ',' or ']' in a list, found {self.found()}")
        self.i += 1
        self.depth -= 1
        return Node("tuple", self.src, start, self.i, items)

    def object_or_for(self) -> Node:
        s, start = self.s, self.i
        self.i += 1
        self.deeper()
        self.skip(True)
        if self._is_for():
            names, coll = self._for_intro()
            key = self.expr(True)
            self.expect("=>")
            self.skip(True)
            value = self.expr(True)
            self.skip(True)
            group = False
            if s.startswith("...", self.i):
                group = True
                self.i += 3
            cond = self._for_cond()
            self.expect("}")
            self.depth -= 1
            return Node("for", self.src, start, self.i, names, coll, key, (value, cond, group))
        elems: List[Node] = []
        while True:
            self.skip(True)
            if s.startswith("}", self.i):
                break
            estart = self.i
            key = self.unary(False)
            self.skip(False)
            if s.startswith("=", self.i) and not s.startswith(("==", "=>"), self.i) or s.startswith(":", self.i):
                self.i += 1
            else:
                raise self.error(f"expected '=' or ':' after an object key, found {self.found()}")
            self.skip(False)
            value = self.expr(False)
            elems.append(Node("elem", self.src, estart, value.end, key, value))
            self.skip(False)
            if s.startswith(",", self.i):
                self.i += 1
            elif self.i < len(s) and s[self.i] not in "\n}":
                raise self.error(f"expected ',' or a new line between object elements, found {self.found()}")
        self.i += 1
        self.depth -= 1
        return Node("object", self.src, start, self.i, elems)
