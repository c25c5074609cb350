"""Text from the scanned tree made safe for where it is printed.

Names, values and file names come from a pull request. Printed raw, a newline in a logical ID starts a new
log line, an escape byte repaints the terminal, and a control character makes XML unreadable. GitHub's
runner also reads workflow commands out of a job's log: a line is one when, its leading whitespace trimmed
(``String.TrimStart``: every Unicode white space, U+00A0 and U+3000 among them), it starts with ``::``, or
when it holds the older form ``##[command]`` anywhere. ``printable`` is the one form every plain-text output
uses (text, parseable, messages on standard error): control characters, line and paragraph separators and
bidirectional overrides are written as backslash escapes, a text that would start a line with ``::`` after
white space has that first colon escaped (``\\x3a``), and each ``##[`` has its second ``#`` escaped
(``\\x23``). The runner reads a command's name at a fixed offset after its prefix, so only the prefix as
written can start one.
"""
from __future__ import annotations

import re

# C0 controls (tab included: it would let a name align like a column), DEL, C1 controls, the line and
# paragraph separators, and the bidirectional overrides and isolates (text that reads differently than it is)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BUT_TAB = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# what the runner trims before ``::``: str.isspace holds all that .NET's Char.IsWhiteSpace does (and U+001C to
# U+001F, escaped anyway); U+180E, U+200B and U+FEFF, which older .NET releases trimmed too, count as well
_ALSO_SPACE = "\u180e\u200b\ufeff"


def _escape(m: "re.Match[str]") -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: str, keep_tab: bool = False) -> str:
    """One line of text with nothing a terminal or a CI log reads as a command. ``keep_tab``: a tab stays
    (a line of a file shown whole, which may be indented with tabs)."""
    unsafe = _UNSAFE_BUT_TAB if keep_tab else _UNSAFE
    if unsafe.search(text):
        text = unsafe.sub(_escape, text)
    if "##[" in text:
        text = text.replace("##[", "#\\x23[")
    i = 0
    while i < len(text) and (text[i].isspace() or text[i] in _ALSO_SPACE):
        i += 1
    if text.startswith("::", i):
        text = text[:i] + "\\x3a" + text[i + 1:]
    return text


def json_text(doc: object) -> str:
    """JSON for standard output, which a CI log may hold: every line starts with indentation and a quote or a
    bracket, so none starts a workflow command with ``::``; a ``##[`` (the runner's older command form, read
    anywhere in a line) can only be inside a string, where its second ``#`` is written ``\\u0023``, the same
    text once decoded."""
    import json

    return json.dumps(doc, indent=2).replace("##[", "#\\u0023[") + "\n"
