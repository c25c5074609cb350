"""Fixes: text edits that make a finding go away, keeping the rest of the file as it is written.

A rule attaches a ``Fix`` to a hit (``Hit.fix``): a title, one or more edits (file, range, new text) and
whether it is safe (it changes only what the finding names, and the result is what AWS documents) or a
judgement call. ``plan`` picks the fixes whose edits do not overlap (the others wait for the next pass),
``new_texts`` and ``write`` put them into the files; the caller lints the whole run again and undoes any fix
whose finding stays or that brings a new one.

The helpers below build edits from where a reader put a value (its span) and the text of that line, so an
edit touches the value only: comments, quoting, indentation and key order stay.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from pullcheck.model import Resource, Span

MAX_PASSES = 3


@dataclass(frozen=True)
class Edit:
    """Replace [start, end) of ``file`` (1-based lines and columns, the end exclusive) with ``text``."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: Tuple[Edit, ...]
    safe: bool = True

    def as_dict(self) -> Dict[str, object]:
        return {"title": self.title, "safe": self.safe,
                "edits": [{"file": e.file, "line": e.line, "column": e.col, "end_line": e.end_line,
                           "end_column": e.end_col, "text": e.text} for e in self.edits]}


_lines_cache: Dict[str, List[str]] = {}


def lines_of(path: str) -> List[str]:
    """A file's lines (with their endings), read once per run."""
    if path not in _lines_cache:
        from pullcheck.parsers.errors import OVERLAY

        text = OVERLAY.get(os.path.abspath(path))  # the editor's unsaved text, in the language server
        if text is None:
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                text = ""
        _lines_cache[path] = text.splitlines(keepends=True)
    return _lines_cache[path]


def forget() -> None:
    _lines_cache.clear()


def span_of(res: Resource, path: Sequence[object]) -> Tuple[str, Span]:
    span = res.locate(tuple(path))
    return span.file or res.file, span


def replace_in_value(res: Resource, path: Sequence[object], pattern: str, repl: Any, title: str,
                     safe: bool = True) -> Optional[Fix]:
    """A fix that rewrites ``pattern`` (its group ``v``, else the whole match) inside the written value at
    ``path`` (``repl``: the new text, a template with group references, or a function of the match); None
    when the value is not found there as expected (then no fix is offered)."""
    file, span = span_of(res, path)
    lines = lines_of(file)
    if not 1 <= span.line <= len(lines):
        return None
    text = lines[span.line - 1]
    end = span.end_col - 1 if span.end_line == span.line and span.end_col > span.col else len(text)
    m = re.compile(pattern).search(text, span.col - 1, end)
    if m is None:
        return None
    g = "v" if "v" in m.re.groupindex else 0
    start, stop = m.start(g), m.end(g)
    new = repl(m) if callable(repl) else m.expand(repl) if "\\" in repl else repl
    return Fix(title, (Edit(file, span.line, start + 1, span.line, stop + 1, new),), safe)


def insert_line_before(res: Resource, path: Sequence[object], key_pattern: str, new_line: str, title: str,
                       safe: bool = True) -> Optional[Fix]:
    """A fix that adds ``new_line`` (without indentation) just above the nearest line at or above the
    value at ``path`` that matches ``key_pattern`` (a sibling key), indented as that line is."""
    file, span = span_of(res, path)
    lines = lines_of(file)
    rx = re.compile(key_pattern)
    for n in range(min(span.line, len(lines)), max(0, span.line - 6), -1):
        m = rx.match(lines[n - 1])
        if m:
            indent = lines[n - 1][:len(lines[n - 1]) - len(lines[n - 1].lstrip(" \t"))]
            eol = "\r\n" if lines[n - 1].endswith("\r\n") else "\n"
            return Fix(title, (Edit(file, n, 1, n, 1, f"{indent}{new_line}{eol}"),), safe)
    return None


def _text_and_offset(res: Resource, path: Sequence[object]) -> Tuple[str, str, int]:
    """(file, its text, the offset of the value's span start)."""
    file, span = span_of(res, path)
    lines = lines_of(file)
    if not 1 <= span.line <= len(lines):
        return file, "", -1
    return file, "".join(lines), _offset(lines, span.line, span.col)


def _pos(text: str, offset: int) -> Tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def json_member_removed(res: Resource, path: Sequence[object], title: str, safe: bool = True) -> Optional[Fix]:
    """A fix that deletes the JSON member ``"key": value`` whose key is at ``path``, with its comma and,
    when it has its lines to itself, those lines: the other members keep their layout."""
    import json

    file, text, at = _text_and_offset(res, path)
    if at < 0:
        return None
    quoted = json.dumps(str(path[-1]))
    if not text.startswith(quoted, at):  # the reader placed the value: its key is just before it
        m = re.search(re.escape(quoted) + r"\s*:\s*$", text[max(0, at - len(quoted) - 200):at])
        if m is None:
            return None
        at = max(0, at - len(quoted) - 200) + m.start()
    try:
        _, key_end = json.decoder.scanstring(text, at + 1)
        value = text.index(":", key_end) + 1
        while text[value] in " \t\r\n":
            value += 1
        _, end = json.JSONDecoder().raw_decode(text, value)
    except (ValueError, IndexError):
        return None
    start = at
    rest = text[end:]
    after = end + len(rest) - len(rest.lstrip(" \t\r\n"))
    line_start = text.rfind("\n", 0, at) + 1
    if text.startswith(",", after):  # a member with others after it: it goes with its comma
        stop = after + 1
        tail = text[stop:]
        trimmed = stop + len(tail) - len(tail.lstrip(" \t"))
        if not text[line_start:at].strip() and text.startswith(("\n", "\r\n"), trimmed):
            start, stop = line_start, trimmed + (2 if text.startswith("\r\n", trimmed) else 1)
        elif text[stop:trimmed]:
            stop = trimmed
    else:  # the last member: the comma before it goes
        before = text[:at].rstrip(" \t\r\n")
        if not before.endswith(","):
            return None  # the only member: leave the object to the reader
        start, stop = len(before) - 1, end
    (l1, c1), (l2, c2) = _pos(text, start), _pos(text, stop)
    return Fix(title, (Edit(file, l1, c1, l2, c2, ""),), safe)


def json_unwrapped(res: Resource, key: str, title: str, safe: bool = True) -> Optional[Fix]:
    """A fix that makes a JSON document ``{"key": {...}, ...}`` its inner object, the other top-level
    members moved into it, and the inner lines indented as the outer ones were."""
    import json

    file = span_of(res, ())[0]
    text = "".join(lines_of(file))
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), dict):
        return None
    m = re.search(r'"%s"\s*:\s*' % re.escape(key), text)
    if m is None:
        return None
    _, end = json.JSONDecoder().raw_decode(text, m.end())
    inner = text[m.end():end]
    first = re.search(r"\n([ \t]*)\S", text)
    outer_indent = first.group(1) if first else ""
    lines = inner.split("\n")
    step = len(outer_indent)
    dedented = [lines[0]] + [x[step:] if x[:step].strip() == "" else x.lstrip() for x in lines[1:]]
    body = "\n".join(dedented).rstrip()
    others = [(k, v) for k, v in doc.items() if k != key]
    if others:
        closing = body.rstrip("}").rstrip()
        extra = ",\n".join(f"{outer_indent}{json.dumps(k)}: {json.dumps(v)}" for k, v in others)
        body = f"{closing},\n{extra}\n}}"
    new = body + ("\n" if text.endswith("\n") else "")
    lines_all = text.split("\n")
    end_line = len(lines_all)
    return Fix(title, (Edit(file, 1, 1, end_line, len(lines_all[-1]) + 1, new),), safe)


def fmt(res: Resource) -> str:
    """The syntax of the file an edit goes into: cfn-yaml, cfn-json, terraform or json (task definitions,
    API inputs, plans). By the file, not by ``mapping.format_of``: a plan's Terraform resources are JSON
    text, and an edit is written in its file's syntax."""
    f = res.file.lower()
    if f.endswith((".tf", ".tf.json")):
        return "terraform"
    if res.rtype.startswith("AWS::"):
        return "cfn-json" if f.endswith(".json") else "cfn-yaml"
    return "json"


# -- applying ---------------------------------------------------------------------------------------------

def _offset(lines: List[str], line: int, col: int) -> int:
    return sum(len(x) for x in lines[:line - 1]) + col - 1


def apply_to_text(text: str, edits: Iterable[Edit]) -> str:
    lines = text.splitlines(keepends=True)
    spans = sorted(((_offset(lines, e.line, e.col), _offset(lines, e.end_line, e.end_col), e.text) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def plan(fixes: Iterable[Fix]) -> List[Fix]:
    """The fixes that can go in together: each one whose edits overlap none taken before it waits (the
    next pass finds it again, on the text as it then is)."""
    taken: Dict[str, List[Tuple[Tuple[int, int], Tuple[int, int]]]] = {}
    now: List[Fix] = []
    for fx in dict.fromkeys(fixes):
        ranges = [((e.line, e.col), (e.end_line, e.end_col)) for e in fx.edits]
        if any(a < d and c < b or (a == b == c == d)
               for e, (a, b) in zip(fx.edits, ranges) for c, d in taken.get(e.file, [])):
            continue
        for e, r in zip(fx.edits, ranges):
            taken.setdefault(e.file, []).append(r)
        now.append(fx)
    return now


def new_texts(fixes: Iterable[Fix]) -> Dict[str, Tuple[str, str]]:
    """file -> (text before, text after) for a set of fixes that do not overlap."""
    by_file: Dict[str, List[Edit]] = {}
    for fx in fixes:
        for e in fx.edits:
            by_file.setdefault(e.file, []).append(e)
    out = {}
    for file, edits in by_file.items():
        before = "".join(lines_of(file))  # the text the edits were computed on
        out[file] = (before, apply_to_text(before, edits))
    return out


def write(texts: Dict[str, str]) -> None:
    for file, text in texts.items():
        tmp = f"{file}.pullcheck-fix"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, file)
    forget()


def unified_diff(file: str, before: str, after: str) -> str:
    import difflib

    rel = os.path.relpath(file)
    name = rel if not rel.startswith("..") else file
    a, b = (f"a/{name}", f"b/{name}") if not os.path.isabs(name) else (name, name)
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=a, tofile=b))
