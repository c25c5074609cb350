"""HCL templates: quoted strings and heredocs with their ``${}`` interpolations and ``%{}`` directives, read
by the reader ``p`` (hcl.Parser, which reads the expressions inside them) into parts: text, expression nodes,
and ``tif`` / ``tfor`` nodes for the directives."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

from pullcheck.formats.terraform.hcl_nodes import NAME, Node
from pullcheck.formats.terraform.unicode_text import nfc

if TYPE_CHECKING:
    from pullcheck.formats.terraform.hcl import Parser

_QUOTED_TEXT = re.compile(r'[^"\\$%\n]+')
_HEREDOC_TEXT = re.compile(r"[^$%]+")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_.-]*)[ \t\r]*\n")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def heredoc(p: Parser) -> Node:
    """A heredoc at the reader's position: ``<<EOT``, or ``<<-EOT`` with its indentation removed."""
    s, start = p.s, p.i
    m = _HEREDOC.match(s, start)
    if m is None:
        raise p.error("expected a heredoc marker and a new line after <<")
    flush, marker = m.group(1) == "-", m.group(2)
    close = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M).search(s, m.end())
    if close is None:
        raise p.error(f"heredoc {marker} is not closed", start)
    content_end = close.start()
    p.i = m.end()
    p.deeper()
    parts = template_parts(p, content_end, quoted=False)
    p.depth -= 1
    if flush:
        parts = _dedent(parts, s[m.end():content_end])
    p.i = close.end()
    return Node("tpl", p.src, start, p.i, parts, "h")


def template_parts(p: Parser, stop: int, quoted: bool) -> List[Any]:
    """A template's parts up to ``stop`` (heredoc) or the closing quote; strip markers applied and
    directives folded."""
    s = p.s
    flat: List[Any] = []  # str | (kind, Node|data, strip_before, strip_after, offset)
    text = _QUOTED_TEXT if quoted else _HEREDOC_TEXT
    buf: List[str] = []
    while True:
        if p.i >= stop:
            if quoted:
                raise p.error("a string is not closed before the end of the file")
            break
        m = text.match(s, p.i, stop)
        if m is not None:
            buf.append(m.group())
            p.i = m.end()
            continue
        ch = s[p.i]
        if quoted and ch == '"':
            p.i += 1
            break
        if ch == "\n":
            raise p.error("a quoted string is not closed on its line (a string over several lines "
                             "is a heredoc, <<EOT)")
        if ch == "\\":
            p.i = _escape(p, buf)
            continue
        if s.startswith(("$${", "%%{"), p.i):
            buf.append(s[p.i + 1:p.i + 3])
            p.i += 3
            continue
        if s.startswith(("${", "%{"), p.i):
            flat.append("".join(buf))
            buf = []
            flat.append(_interpolation(p))
            continue
        buf.append(ch)
        p.i += 1
    flat.append("".join(buf))
    return _fold(_stripped(flat), p)


def _escape(p: Parser, buf: List[str]) -> int:
    s, i = p.s, p.i
    ch = s[i + 1:i + 2]
    if ch in _ESCAPES:
        buf.append(_ESCAPES[ch])
        return i + 2
    if ch in ("u", "U"):
        n = 4 if ch == "u" else 8
        digits = s[i + 2:i + 2 + n]
        if len(digits) == n and all(c in "0123456789abcdefABCDEF" for c in digits) and int(digits, 16) < 0x110000:
            buf.append(chr(int(digits, 16)))
            return i + 2 + n
    raise p.error(f"invalid escape sequence \\{ch}")


def _interpolation(p: Parser) -> Tuple[str, Any, bool, bool, int]:
    s, start = p.s, p.i
    directive = s[start] == "%"
    p.i += 2
    strip_before = s.startswith("~", p.i)
    if strip_before:
        p.i += 1
    p.skip(True)
    p.deeper()
    if not directive:
        data: Any = p.expr(True)
        kind = "${"
    else:
        m = NAME.match(s, p.i)
        kind = m.group() if m is not None else ""
        if kind not in ("if", "else", "endif", "for", "endfor"):
            raise p.error(f"unknown template directive {kind or p.found()}")
        if kind == "if":
            p.i = m.end()
            p.skip(True)
            data = p.expr(True)
        elif kind == "for":
            data = p._for_head("a for directive")
        else:
            p.i = m.end()
            data = None
    p.depth -= 1
    p.skip(True)
    strip_after = s.startswith("~", p.i)
    if strip_after:
        p.i += 1
    if not s.startswith("}", p.i):
        raise p.error(f"expected '}}' to close the {'directive' if directive else 'interpolation'}, "
                         f"found {p.found()}")
    p.i += 1
    return (kind, data, strip_before, strip_after, start)


def _stripped(flat: List[Any]) -> List[Any]:
    """Apply ``~`` strip markers: whitespace before ``${~`` / ``%{~`` and after ``~}`` goes."""
    out = list(flat)
    for k, item in enumerate(out):
        if isinstance(item, tuple):
            if item[2] and k > 0 and isinstance(out[k - 1], str):
                out[k - 1] = out[k - 1].rstrip()
            if item[3] and k + 1 < len(out) and isinstance(out[k + 1], str):
                out[k + 1] = out[k + 1].lstrip()
    return out


def _fold(flat: List[Any], p: Parser) -> List[Any]:
    """Directives as nested nodes: %{if}..%{else}..%{endif} and %{for}..%{endfor}."""
    pos = 0

    def run(stops: Tuple[str, ...]) -> Tuple[List[Any], Optional[Tuple[Any, ...]]]:
        nonlocal pos
        parts: List[Any] = []
        while pos < len(flat):
            item = flat[pos]
            pos += 1
            if isinstance(item, str):
                if item:
                    parts.append(nfc(item))  # Terraform holds a string's text in NFC
                continue
            kind, data, _, _, at = item
            if kind == "${":
                parts.append(data)
            elif kind in stops:
                return parts, item
            elif kind == "if":
                then, end = run(("else", "endif"))
                other: List[Any] = []
                if end is not None and end[0] == "else":
                    other, end = run(("endif",))
                if end is None or end[0] != "endif":
                    raise p.error("%{if} without %{endif}", at)
                parts.append(Node("tif", p.src, at, at + 2, data, then, other))
            elif kind == "for":
                body, end = run(("endfor",))
                if end is None:
                    raise p.error("%{for} without %{endfor}", at)
                parts.append(Node("tfor", p.src, at, at + 2, data[0], data[1], body))
            else:
                raise p.error(f"%{{{kind}}} without its opening directive", at)
        return parts, None

    parts, end = run(())
    return parts


def _dedent(parts: List[Any], raw: str) -> List[Any]:
    """A ``<<-`` heredoc: the smallest indentation of its lines removed from every line."""
    widths = [len(line) - len(line.lstrip(" \t")) for line in raw.split("\n") if line.strip()]
    n = min(widths) if widths else 0
    if not n:
        return parts
    out: List[Any] = []
    at_line_start = True
    for part in parts:
        if not isinstance(part, str):
            out.append(part)
            at_line_start = False
            continue
        lines = part.split("\n")
        for k, line in enumerate(lines):
            if k > 0 or at_line_start:
                strip = len(line) - len(line.lstrip(" \t"))
                lines[k] = line[min(n, strip):]
        out.append("\n".join(lines))
        at_line_start = part.endswith("\n")
    return out
