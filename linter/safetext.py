"""Text from the scanned tree made safe for where it is printed.

Names, values and file names come from a pull request. Printed raw, a newline in a logical ID starts a new
log line (``::error``/``::add-mask::`` is a GitHub Actions workflow command when a line starts with it), an
escape byte repaints the terminal, and a control character makes XML unreadable. ``printable`` is the one
form every plain-text output uses (text, parseable, messages on standard error): control characters,
line and paragraph separators and bidirectional overrides are written as backslash escapes, and a text
that would start a line with ``::`` has its first colon escaped.
"""
from __future__ import annotations

import re

# C0 controls (tab included: it would let a name align like a column), DEL, C1 controls, the line and
# paragraph separators, and the bidirectional overrides and isolates (text that reads differently than it is)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: "re.Match[str]") -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: str) -> str:
    """One line of text with nothing a terminal or a CI log reads as a command."""
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_escape, text)
    if text.lstrip(" ").startswith("::"):
        i = text.index(":")
        text = text[:i] + "\\x3a" + text[i + 1:]
    return text


def lines_printable(text: str) -> str:
    """A block of lines (a report, an explanation): each line made printable, the line breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))
