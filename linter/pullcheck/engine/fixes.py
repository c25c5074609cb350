"""Fixes: text edits that make a finding go away, keeping the rest of the file as it is written.

A rule attaches a ``Fix`` to a hit (``Hit.fix``): a title, one or more edits (file, range, new text) in
one file, and whether it is safe (it changes only what the finding names, and the result is what AWS
documents) or a judgement call. ``--fix`` writes file by file, so a fix across files, which could be left
half applied, is not applied. ``plan`` picks the fixes whose edits do not overlap (the others wait for the
next pass), ``new_texts`` and ``write`` put them into the files; ``pullcheck.engine.fixing`` runs the passes,
lints the whole run again after each and undoes any fix whose finding stays or that brings a new one.

A fix rewrites only a regular file of its own under the paths the run names (``pullcheck.sources.scope``), never
through a symlink nor a file with other hard links, and never over text saved after the edits were computed.

The helpers below build edits from where a reader put a value (its span) and the text of that line, so an
edit touches the value only: comments, quoting, indentation and key order stay.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from pullcheck.graph.model import Resource, Span
from pullcheck.sources.session import current

# passes of a fix loop at most: one pass takes every fix whose edits overlap no other; a pass is needed again
# only when edits overlap (neighbouring JSON members) or a fix lets another be offered
MAX_PASSES = 10


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
    # (file, digest of its text) when the edits were computed: a worker process may have read an older text
    basis: Tuple[Tuple[str, str], ...] = field(default=(), compare=False)

    def as_dict(self) -> Dict[str, object]:
        return {"title": self.title, "safe": self.safe,
                "edits": [{"file": e.file, "line": e.line, "column": e.col, "end_line": e.end_line,
                           "end_column": e.end_col, "text": e.text} for e in self.edits]}


def lines_of(path: str) -> List[str]:
    """A file's lines (with their endings), read once per run as the readers read it: within their size
    bound, a byte-order mark left out (their positions do not count it; ``write`` puts it back). Kept in the
    session until ``forget``."""
    cache = current().lines
    if path not in cache:
        from pullcheck.sources.errors import ParseError, read_text

        try:
            text = read_text(path)  # the editor's unsaved text, in the language server
        except ParseError:
            text = ""
        cache[path] = text.splitlines(keepends=True)
    return cache[path]


def _digest(path: str) -> str:
    digests = current().digests
    if path not in digests:
        import hashlib

        text = "".join(lines_of(path)).encode("utf-8", "surrogatepass")
        digests[path] = hashlib.blake2b(text, digest_size=16).hexdigest()
    return digests[path]


def _made(title: str, edits: Tuple[Edit, ...], safe: bool) -> Fix:
    return Fix(title, edits, safe, tuple((f, _digest(f)) for f in dict.fromkeys(e.file for e in edits)))


def stale(fx: Fix) -> List[str]:
    """The files of ``fx`` whose text is no longer the one its edits were computed on."""
    return [f for f, d in fx.basis if _digest(f) != d]


def forget() -> None:
    """Read the files again: after a fix was written, or before a run that may follow another."""
    session = current()
    session.lines.clear()
    session.digests.clear()


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
    return _made(title, (Edit(file, span.line, start + 1, span.line, stop + 1, new),), safe)


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
            return _made(title, (Edit(file, n, 1, n, 1, f"{indent}{new_line}{eol}"),), safe)
    return None


def insert_block_before(res: Resource, path: Sequence[object], key_pattern: str, block: Sequence[str], title: str,
                        safe: bool = True) -> Optional[Fix]:
    """A fix that adds the lines of ``block`` (each with its own indentation, relative to the key's) just
    above the line of the value at ``path``, when that line starts with the key ``key_pattern`` matches (a
    sibling the block belongs beside, written in block style): indented as that line is, with the file's
    line endings. None otherwise (a flow mapping, a value placed elsewhere)."""
    file, span = span_of(res, path)
    lines = lines_of(file)
    if not block or not 1 <= span.line <= len(lines):
        return None
    line = lines[span.line - 1]
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    if not re.match(key_pattern, line[len(indent):]):
        return None
    eol = "\r\n" if line.endswith("\r\n") else "\n"
    text = "".join(f"{indent}{piece}{eol}" for piece in block)
    return _made(title, (Edit(file, span.line, 1, span.line, 1, text),), safe)


def _text_and_offset(res: Resource, path: Sequence[object]) -> Tuple[str, str, int]:
    """(file, its text, the offset of the value's span start)."""
    file, span = span_of(res, path)
    lines = lines_of(file)
    if not 1 <= span.line <= len(lines):
        return file, "", -1
    return file, "".join(lines), _offset(lines, span.line, span.col)


def _pos(text: str, offset: int) -> Tuple[int, int]:
    """The line and column of ``offset`` as ``apply_to_text`` counts lines."""
    line, start = 1, 0
    for piece in text.splitlines(keepends=True):
        if start + len(piece) > offset:
            break
        start += len(piece)
        line += 1
    return line, offset - start + 1


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
    except (ValueError, IndexError, RecursionError):
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
    return _made(title, (Edit(file, l1, c1, l2, c2, ""),), safe)


def json_unwrapped(res: Resource, key: str, title: str, safe: bool = True) -> Optional[Fix]:
    """A fix that makes a JSON document ``{"key": {...}, ...}`` its inner object, the other top-level
    members moved into it, and the inner lines indented as the outer ones were, with the file's line
    endings."""
    import json

    file = span_of(res, ())[0]
    text = "".join(lines_of(file))
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), dict):
        return None
    eol = "\r\n" if "\r\n" in text else "\n"
    flat = text.replace("\r\n", "\n")
    place = _member(flat, key)
    if place is None:
        return None
    inner = flat[place[0]:place[1]]
    first = re.search(r"\n([ \t]*)\S", flat)
    outer_indent = first.group(1) if first else ""
    lines = inner.split("\n")
    step = len(outer_indent)
    dedented = [lines[0]] + [x[step:] if x[:step].strip() == "" else x.lstrip() for x in lines[1:]]
    body = "\n".join(dedented).rstrip()
    others = [(k, v) for k, v in doc.items() if k != key]
    if others:
        closing = body[:-1].rstrip()  # the inner object's own closing brace goes after the members moved in
        extra = ",\n".join(f"{outer_indent}{json.dumps(k)}: {json.dumps(v)}" for k, v in others)
        body = f"{closing}{',' if doc[key] else ''}\n{extra}\n}}"
    new = (body + ("\n" if flat.endswith("\n") else "")).replace("\n", eol)
    # the whole text, its end where apply_to_text counts it
    lines_all = text.splitlines(keepends=True)
    last = lines_all[-1]
    end = (len(lines_all) + 1, 1) if last.splitlines() != [last] else (len(lines_all), len(last) + 1)
    return _made(title, (Edit(file, 1, 1, end[0], end[1], new),), safe)


def _member(text: str, key: str) -> Optional[Tuple[int, int]]:
    """Where the value of the top-level member ``key`` of a JSON object is written (its last one, as a
    reader keeps), or None: a key in a string or deeper down is not it."""
    import json

    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")
    at = ws.match(text).end()
    if not text.startswith("{", at):
        return None
    at = ws.match(text, at + 1).end()
    found = None
    try:
        while text.startswith('"', at):
            name, at = json.decoder.scanstring(text, at + 1)
            at = ws.match(text, at).end()
            if not text.startswith(":", at):
                return None
            start = ws.match(text, at + 1).end()
            _, at = decoder.raw_decode(text, start)
            if name == key:
                found = (start, at)
            at = ws.match(text, at).end()
            if not text.startswith(",", at):
                break
            at = ws.match(text, at + 1).end()
    except (ValueError, RecursionError):
        return None
    return found


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


CHANGED = "changed while fixing: not written"
_BOM = b"\xef\xbb\xbf"


def not_fixable(file: str) -> str:
    """Why a fix may not rewrite ``file``, or "": a fix rewrites a regular file of its own under the paths
    the run names, not the file a symlink names nor one that other hard links share (a rewrite would part
    them)."""
    import stat

    from pullcheck.sources import scope

    try:
        st = os.lstat(file)
    except OSError as e:
        return f"cannot read it ({e.strerror or e}): not fixed"
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link: not fixed"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file: not fixed"
    if not scope.writable(file):
        return "outside the paths named on the command line: not fixed"
    if st.st_nlink > 1:
        return f"one of {st.st_nlink} hard links to one file: not fixed"
    return ""


def write(texts: Dict[str, Tuple[str, str]]) -> Dict[str, str]:
    """Put each file's new text in place: ``texts`` is file -> (the text the edits were computed on, the new
    text). The new text goes into a file of a new name beside it (created afresh, never through a planted
    name), with the file's mode and owner, and is renamed over it: a reader never sees half a file. A file
    that may not be fixed (``not_fixable``) or whose text is no longer the one the edits were computed on
    (saved meanwhile) is left as it is. Returns file -> why, for each file not written."""
    failed: Dict[str, str] = {}
    for file, (before, after) in texts.items():
        if after != before:
            why = not_fixable(file) or _replace(file, before, after)
            if why:
                failed[file] = why
    forget()
    return failed


def _on_disk(file: str) -> Optional[Tuple[os.stat_result, bytes]]:
    """The file's status and bytes, read without following a symlink; None when it is not a regular file
    or cannot be read whole within the readers' bound."""
    from pullcheck.sources.files import read_regular
    from pullcheck.sources.errors import MAX_BYTES

    return read_regular(file, MAX_BYTES)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns, a.st_nlink) == (b.st_dev, b.st_ino, b.st_size,
                                                                       b.st_mtime_ns, b.st_nlink)


def _replace(file: str, before: str, after: str) -> str:
    """Write ``after`` over ``file`` if it still holds ``before``; why not, or ""."""
    from pullcheck.sources import files

    first = _on_disk(file)
    if first is None:
        return CHANGED
    st, data = first
    bom = data.startswith(_BOM)
    try:
        if data[len(_BOM) if bom else 0:].decode("utf-8") != before:
            return CHANGED
        new = (_BOM if bom else b"") + after.encode("utf-8")
    except UnicodeError:
        return CHANGED

    def ready(fd: int) -> bool:
        _keep_owner_and_mode(fd, st)
        last = _on_disk(file)  # saved or replaced since it was read: the user's text wins
        return last is not None and _same(last[0], st) and last[1] == data

    try:
        return "" if files.replace(file, new, "pullcheck-fix", ready) else CHANGED
    except OSError as e:
        return f"cannot write ({e.strerror or e}): not fixed"


def _keep_owner_and_mode(fd: int, st: os.stat_result) -> None:
    """Give the new file ``fd`` the owner, group and mode of the file it replaces (``st``). Only root may
    give a file away; anyone may give it one of their own groups, so the group is kept when the owner
    cannot be, and when neither can the file becomes the fixer's."""
    import stat

    made = os.fstat(fd)
    if hasattr(os, "fchown") and (made.st_uid, made.st_gid) != (st.st_uid, st.st_gid):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            if made.st_gid != st.st_gid:
                try:
                    os.fchown(fd, -1, st.st_gid)
                except PermissionError:
                    pass
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(st.st_mode))  # after the owner: a change of owner clears set-id bits


def unified_diff(file: str, before: str, after: str) -> str:
    """The change from ``before`` to ``after`` as a unified diff of ``file``. The lines come from the scanned
    tree and go to a terminal or a CI log, so each is shown as ``safetext.printable`` shows a name, its tabs
    kept: a diff that holds control or escape bytes, a ``::`` after a line's indentation or a ``##[`` is shown
    escaped, and no longer applies byte for byte where it had those bytes (only there). A last line without
    a line break is marked as diff marks it, so the next line stays a line of its own."""
    import difflib

    from pullcheck.outputs.safetext import printable

    rel = os.path.relpath(file)
    name = printable(rel if not rel.startswith("..") else file)
    a, b = (f"a/{name}", f"b/{name}") if not os.path.isabs(name) else (name, name)
    out = []
    for n, line in enumerate(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                                  fromfile=a, tofile=b)):
        if n < 2 or line.startswith("@@"):  # the file names (printable already) and the hunk heads
            out.append(line)
            continue
        body = line[1:].splitlines()[0] if line[1:] else ""
        end = line[1 + len(body):]
        if end not in ("\n", "\r\n"):  # another line break that Python splits on is shown, then a real one
            body, end = body + end, "\n" if end else "\n\\ No newline at end of file\n"
        out.append(line[0] + printable(body, keep_tab=True) + end)
    return "".join(out)
