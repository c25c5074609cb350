"""Shell text read as words, never run: continuations joined, variables set literally in the same text put
in, everything else a hole.

A word that holds a hole (``HOLE`` ... ``END``) depends on what the shell is given when it runs: a variable
set elsewhere, a positional parameter, ``$(...)``, a backquote, ``${X:-y}``. Whoever reads the word says
the value it stands for is unknown; nothing is guessed.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Set, Tuple

HOLE, END = "\x00", "\x01"
MAX_LINE = 64 * 1024  # a logical line longer than this is not read
MAX_DEPTH = 8  # variables whose values name variables
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", ";;", "|&"}
_ASSIGN = re.compile(r"^[ \t]*(?:(?:then|else|do|\{|\()[ \t]+)*(?:(?:export|readonly|local|declare(?:[ \t]+-\w+)*|typeset)[ \t]+)?"
                     r"([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_OTHER_SET = re.compile(r"\b(?:for|select)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+in\b"
                        r"|\bread((?:[ \t]+\S+)+)"  # every word after read: flags, their values and names
                        r"|\bgetopts[ \t]+\S+[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def clean(text: str) -> str:
    """A file's text with the characters that mark holes taken out (a file cannot write a hole)."""
    return text.replace(HOLE, "").replace(END, "")


def hole(label: str) -> str:
    """A hole named ``label`` (letters, digits, ``$``, ``.``, ``_`` and ``-``: kept whole in a word)."""
    return HOLE + re.sub(r"[^A-Za-z0-9_$.\-]", "", label)[:60] + END


def has_hole(word: str) -> bool:
    return HOLE in word


def holes_in(word: str) -> List[str]:
    """What each hole of a word stands for (``$ENV``, ``$(...)``)."""
    return re.findall(HOLE + "([^" + END + "]*)" + END, word)


def logical_lines(text: str, first: int = 1) -> Iterator[Tuple[int, str]]:
    """(line number, text) of each line with its backslash continuations joined."""
    buf: List[str] = []
    size, start = 0, first
    for n, line in enumerate(text.split("\n"), first):
        if not buf:
            start, size = n, 0
        size += len(line) + 1
        if line.endswith("\\") and not line.endswith("\\\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        if size <= MAX_LINE:
            yield start, " ".join(buf).replace("\r", "")
        buf = []
    if buf and size <= MAX_LINE:
        yield start, " ".join(buf)


@dataclass
class Variables:
    """The variables a text sets: a name set once (or always to the same text) to a value that is known
    once its own variables are put in, is known; any other is a hole. ``given``: values set around the
    text (a workflow's ``env:`` literals, a Makefile's variables)."""

    raw: Dict[str, Set[str]] = field(default_factory=dict)
    given: Dict[str, Optional[str]] = field(default_factory=dict)
    other: Set[str] = field(default_factory=set)  # set by for, read, getopts: unknown
    _cache: Dict[str, Optional[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, given: Optional[Dict[str, Optional[str]]] = None) -> "Variables":
        v = cls(given=dict(given or {}))
        for _, line in logical_lines(text):
            for part in re.split(r";|&&|\|\|", line):
                m = _ASSIGN.match(part)
                if m:
                    v.raw.setdefault(m.group(1), set()).add(m.group(2).strip())
            for m in _OTHER_SET.finditer(line):
                names = m.group(1) or m.group(3) or ""
                # read sets the names among its words; a word that is a flag's value counts too (unknown
                # either way: a name read at run time is never a known value)
                read = [w for w in (m.group(2) or "").split() if _NAME.fullmatch(w)]
                v.other.update(read + ([names] if names else []))
        return v

    def value(self, name: str, depth: int = 0) -> Optional[str]:
        """The known value of ``name``, or None."""
        if name in self.other:
            return None
        if name in self._cache:
            return self._cache[name]
        self._cache[name] = None  # a variable that names itself stays unknown
        got: Optional[str] = None
        raws = self.raw.get(name)
        if raws is None:
            got = self.given.get(name)
        elif len(raws) == 1 and depth < MAX_DEPTH:
            words = split(expand(next(iter(raws)), self, depth + 1))
            if words is not None and len(words) <= 1 and not any(map(has_hole, words)):
                got = words[0] if words else ""
            if got is not None and len(got) > MAX_LINE:
                got = None  # values that double each other: past a line's bound
        self._cache[name] = got
        return got


def _hole(what: str) -> str:
    """A hole standing for ``what``, named by letters the shell's words keep whole ($(...) and backquotes
    by their kind)."""
    if what.startswith("$("):
        label = "command-output"
    elif what.startswith("`"):
        label = "command-output"
    else:
        label = "$" + re.sub(r"[^A-Za-z0-9_]", "", what)[:40]
    return hole(label)


def _closing(text: str, i: int, open_: str, close: str) -> int:
    """The index after the ``close`` that matches the ``open_`` before ``i`` (len(text) when none)."""
    depth = 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _put(value: str, quoted: bool) -> str:
    """A known value as the shell would see it expanded: in double quotes one piece of the word, else split
    into words at white space (each kept whole by single quotes)."""
    if quoted:
        return re.sub(r'([\\"$`])', r"\\\1", value)
    return " ".join("'" + piece.replace("'", "'\"'\"'") + "'" for piece in value.split())


# the folder of the script itself: $(dirname "$0"), $(dirname "${BASH_SOURCE[0]}"), $(cd "$(dirname "$0")" && pwd)
SCRIPT_DIR = "scriptdir"
_DIRNAME = r"""\$\(\s*dirname\s+["']?\$(?:0|\{0\}|\{BASH_SOURCE(?:\[0\])?\}|BASH_SOURCE)["']?\s*\)"""
_SCRIPT_DIR = re.compile(_DIRNAME + "|" + r"""\$\(\s*cd\s+["']?""" + _DIRNAME + r"""["']?\s*(?:&&|;)\s*pwd(?:\s+-P)?\s*\)""")


def _dollar(text: str, i: int, variables: Variables, quoted: bool, depth: int) -> Tuple[str, int]:
    """What ``$...`` at ``i`` becomes, and the index after it."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    mine = _SCRIPT_DIR.match(text, i)
    if mine:
        return hole(SCRIPT_DIR), mine.end()
    if nxt == "(":
        end = _closing(text, i + 2, "(", ")")
        return _hole(text[i:end]), end
    if nxt == "{":
        end = _closing(text, i + 2, "{", "}")
        inner = text[i + 2:end - 1]
        if _NAME.fullmatch(inner):
            return _variable(inner, variables, quoted, depth), end
        return _hole(text[i:end]), end
    m = _NAME.match(text, i + 1)
    if m:
        return _variable(m.group(0), variables, quoted, depth), m.end()
    if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
        return _hole(text[i:i + 2]), i + 2
    return "$", i + 1


def _variable(name: str, variables: Variables, quoted: bool, depth: int) -> str:
    value = variables.value(name, depth)
    return _hole("$" + name) if value is None else _put(value, quoted)


class TooLong(Exception):
    """Text whose variables put in grows past a line's bound (values that double each other)."""


def expand(text: str, variables: Variables, depth: int = 0) -> str:
    """``text`` with its known variables put in, the rest as holes, comments left out: ready for ``split``.
    Text that would grow past ``MAX_LINE`` is one hole: its size is counted as it is built, never after."""
    try:
        return _expand(text, variables, depth)
    except TooLong:
        return hole("too-long")


def _expand(text: str, variables: Variables, depth: int) -> str:
    out: List[str] = []
    size = 0
    i, state = 0, ""  # "" outside quotes, "'" or '"' inside them
    while i < len(text):
        if size > MAX_LINE:
            raise TooLong()
        c = text[i]
        if state == "'":
            out.append(c)
            state = "" if c == "'" else state
            i += 1
        elif c == "\\" and i + 1 < len(text):
            out.append(text[i:i + 2])
            i += 2
        elif c == "$":
            piece, i = _dollar(text, i, variables, state == '"', depth)
            out.append(piece)
            size += len(piece)
        elif c == "`":
            end = text.find("`", i + 1)
            end = len(text) if end < 0 else end + 1
            out.append(_hole(text[i:end]))
            i = end
        elif c == "#" and not state and (i == 0 or text[i - 1] in " \t;&|("):
            break  # a comment
        else:
            if c in "'\"" and (not state or state == c):
                state = "" if state else c
            out.append(c)
            i += 1
    return "".join(out)


def split(text: str) -> Optional[List[str]]:
    """The words of expanded text, the shell's operators as words of their own; None when its quoting does
    not close."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return None


def commands(words: List[str]) -> List[List[str]]:
    """The simple commands of a line's words (split at ``;``, ``&&``, ``|`` ...), each without the variable
    assignments and the wrappers (``sudo``, ``env``, ``exec``, ``time``, ``command``) before it."""
    out: List[List[str]] = [[]]
    for w in words:
        if w in SEPARATORS or (w and set(w) <= set("();<>|&") and "<" not in w and ">" not in w):
            out.append([])
        else:
            out[-1].append(w)
    cleaned = []
    for cmd in out:
        while cmd and (_ASSIGN.match(cmd[0]) or cmd[0] in ("sudo", "env", "exec", "time", "command", "then",
                                                             "do", "else", "{", "!")):
            cmd = cmd[1:]
        if cmd:
            cleaned.append(cmd)
    return cleaned
