"""Template syntax in a file that a build step fills in, and whether it is what keeps the file from parsing.

A file with template syntax in it may be broken for another reason all the same (a missing comma, a bad
indent): that is a parse error at the place it breaks. The syntax is blamed only when the parser stops
inside it or right after it on the same line, or when the text parses once every placeholder is replaced
by a neutral value of the same length (``neutral``): positions stay where they were, so an error read in
the neutral text is at the same line and column in the file.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

# Directives, which write text or leave it out: Jinja / Go / Helm blocks, templatefile() directives.
_DIRECTIVE = r"\{%-?.*?-?%\}|%\{.*?\}"
# Placeholders, which stand for one value: Jinja / Go / Helm / GitHub expressions (not CloudFormation's
# {{resolve:...}}), templatefile() and shell ${name}, <PLACEHOLDER> tokens, and jq: $NAME, $ENV.X, env.X and
# string interpolation \(...).
_PLACEHOLDER = (r"\$?\{\{(?!resolve:).*?\}\}|\$\{[a-zA-Z_][\w.\[\]\"-]*\}|<[A-Z][A-Z0-9_]{2,}>"
                r"|\$(?:ENV\.)?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*|(?<![\w.$])env\.[A-Za-z_]\w*|\\\([^()\n]*\)")
SYNTAX = re.compile(f"(?P<directive>{_DIRECTIVE})|{_PLACEHOLDER}")
# a directive not closed on the line it opens (a Jinja block written over several lines), up to its end
_OPEN_BLOCK = re.compile(r"\{%(?:(?!%\})[^\n])*\n.{0,4000}?%\}", re.S)

Span = Tuple[int, int, bool]  # start and end offsets, and whether it is a directive


def spans(text: str) -> List[Span]:
    """Where the template syntax of a text is, in order."""
    blocks: List[Span] = [(m.start(), m.end(), True) for m in _OPEN_BLOCK.finditer(text)]
    found, i = list(blocks), 0
    for m in SYNTAX.finditer(text):
        while i < len(blocks) and blocks[i][1] <= m.start():
            i += 1
        if i == len(blocks) or m.start() < blocks[i][0]:  # not inside a block written over several lines
            found.append((m.start(), m.end(), m.group("directive") is not None))
    return sorted(found)


def position(text: str, offset: int) -> Tuple[int, int]:
    """(line, column), 1-based, of an offset."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def offset(text: str, line: int, col: int) -> int:
    """The offset of a 1-based (line, column), clamped to the text."""
    at = 0
    for _ in range(line - 1):
        nl = text.find("\n", at)
        if nl < 0:
            return len(text)
        at = nl + 1
    end = text.find("\n", at)
    return min(at + col - 1, len(text) if end < 0 else end)


def blamed(text: str, found: List[Span], line: int, col: int) -> Optional[Span]:
    """The span a parse error at (line, col) lies in, or right after with only blanks between on its line."""
    at = offset(text, line, col)
    for s, e, directive in found:
        if s <= at < e:
            return s, e, directive
        if e <= at and text[e:at].strip(" \t") == "" and "\n" not in text[e:at]:
            return s, e, directive
    return None


class _JsonStrings:
    """Whether offsets, asked in increasing order, are inside a JSON string (which never spans lines): the
    text is scanned once, whatever the number of offsets asked."""

    def __init__(self, text: str) -> None:
        self.text, self.at, self.inside = text, 0, False

    def __call__(self, to: int) -> bool:
        text, i, inside = self.text, self.at, self.inside
        while i < to:
            ch = text[i]
            if ch == "\\" and inside:
                i += 2
                continue
            if ch == '"':
                inside = not inside
            elif ch == "\n":
                inside = False
            i += 1
        self.at, self.inside = i, inside
        return inside

    def skip(self, to: int) -> None:
        """Past a span: what it holds is replaced, so it opens or closes no string."""
        self.at = max(self.at, to)


def neutral(text: str, found: List[Span], json: bool) -> str:
    """The text with each directive blanked out and each placeholder replaced by a value of its length: a
    number outside a JSON string, letters elsewhere; line breaks are kept."""
    out, last = [], 0
    in_string = _JsonStrings(text)
    for s, e, directive in found:
        out.append(text[last:s])
        if directive:
            out.append(re.sub(r"[^\n]", " ", text[s:e]))
        elif json and not in_string(s):
            out.append("0" + " " * (e - s - 1))
        else:
            out.append("x" * (e - s))
        in_string.skip(e)
        last = e
    out.append(text[last:])
    return "".join(out)
