"""Terraform's regular-expression functions: regex(), regexall(), and replace() with a ``/pattern/``, each
search charged as it is made. RE2 is the engine, as Go's regexp (which Terraform uses) is RE2's syntax and
semantics: ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII, ``$`` is the end of the text unless ``(?m)``.
A pattern Go refuses, or regex() that finds no match, fails as in Terraform."""
from __future__ import annotations

import re
import warnings
from typing import Any, Dict, List

from pullcheck.formats.terraform.budget import MAX_REGEX_WORK, Budget, built, scanning, searching
from pullcheck.formats.terraform.convert import TfList, Unknowable, spend, text_at_most
from pullcheck.formats.terraform.failures import Fails
from pullcheck.graph.values import MAX_ITEMS


def _compiled(pattern: str) -> Any:
    """(the pattern compiled by RE2, or why not: (Fails, why) for a pattern Go refuses too, (Unknowable, why)
    for one too large; the steps compiling it took, about its size; its reach, see _reach), kept for the
    patterns used again (a refusal too: refusing a pattern too large takes as long). RE2 is the engine (and
    syntax) of Terraform's regular expressions: a search takes time linear in the text it scans, whatever
    the pattern."""
    got = _PATTERNS.get(pattern)
    if got is None:
        import re2

        options = re2.Options()
        options.log_errors = False  # the pattern is the scanned file's text: never echoed on standard error
        options.max_mem = RE2_MEMORY
        try:
            if _has_byte_class(pattern):
                raise re2.error("invalid escape sequence: \\C")
            r = re2.compile(pattern, options)
            got = (r, r.programsize // 4, _reach(pattern))
        except re2.error as e:
            why = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
            if "too large" in why:
                got = ((Unknowable, "has a pattern too large for RE2's memory bound"), 10_000, None)
            else:
                got = ((Fails, f"invalid regexp pattern: {why}"), 1, None)
        if len(_PATTERNS) >= 256:
            _PATTERNS.clear()
        _PATTERNS[pattern] = got
    return got


_PATTERNS: Dict[str, Any] = {}


def _has_byte_class(pattern: str) -> bool:
    """Whether ``pattern`` holds ``\\C`` (any byte), which RE2 accepts and Go refuses."""
    i = 0
    while True:
        i = pattern.find("\\", i)
        if i < 0 or i + 1 >= len(pattern):
            return False
        nxt = pattern[i + 1]
        if nxt == "C":
            return True
        if nxt == "Q":  # quoted text up to \E
            end = pattern.find("\\E", i + 2)
            if end < 0:
                return False
            i = end
        i += 2
RE2_MEMORY = 2 << 20  # what one compiled pattern may take (RE2's default is 8 MB): bounds compiling too


def _reach(pattern: str) -> Any:
    """How far past the start of its match a search with ``pattern`` may read: the longest text it matches;
    or, when it ends in a greedy repeat of one character (``\\s+``, ``[0-9]*``) and is bounded before it,
    the longest text before that, plus one (a thread in that repeat has matched already, so none of higher
    priority outlives the match by more). None when it is unbounded otherwise (``a*b|a``: a search may read
    to the end of the text) or when Python's parser, whose syntax RE2's mostly shares, cannot read it. No
    less than the pattern's own length: RE2 reads ``a{,3}`` as text, Python as a count."""
    try:
        from re import _parser  # Python 3.11 and later
    except ImportError:  # Python 3.9 and 3.10
        import sre_parse as _parser
    one = (_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY, _parser.CATEGORY)
    try:
        with warnings.catch_warnings():  # the pattern is the scanned file's text: never echoed on standard error
            warnings.simplefilter("ignore")
            parsed = _parser.parse(pattern)
        reach = parsed.getwidth()[1]
        if reach >= _parser.MAXREPEAT and parsed.data and parsed.data[-1][0] is _parser.MAX_REPEAT:
            repeated = parsed.data[-1][1][2].data
            if len(repeated) == 1 and repeated[0][0] in one:
                reach = _parser.SubPattern(parsed.state, parsed.data[:-1]).getwidth()[1] + 1
    except (re.error, RecursionError, OverflowError, ValueError, TypeError, IndexError, AttributeError):
        return None
    return None if reach >= _parser.MAXREPEAT else max(reach, len(pattern))


def _matching(pattern: str, s: str, meter: Budget) -> Any:
    """(the compiled pattern, its reach: see _reach) when searching ``s`` with it is within the bound of one
    search, with its compiling (when new) and RE2's scan to the matches and over them charged. A pattern
    RE2 refuses (a backreference, a lookaround) makes the call unknown."""
    new = pattern not in _PATTERNS
    r, compiling, reach = _compiled(pattern)
    spend(meter, compiling if new else 0)
    if isinstance(r, tuple):  # why RE2 refused it
        raise r[0](r[1])
    if r.programsize * (len(s) + 1) > MAX_REGEX_WORK:
        raise Unknowable(f"has a pattern and a text too large to match (their sizes multiply past {MAX_REGEX_WORK})")
    spend(meter, 2 * scanning(r.programsize, len(s)))  # forward to each match, then over it: start, groups
    return r, reach


def _searches(r: Any, reach: Any, s: str, meter: Budget) -> Any:
    """The matches of ``r`` in ``s`` as Go gives them (an empty match right after a match is not one), at most
    MAX_ITEMS. Each search is charged before it is made: its own work and RE2 reading on past its match
    (budget.searching), which a pattern such as ``a*b|a`` makes as long as the rest of the text."""
    last = -1
    pos = found = 0
    matches = r.finditer(s)
    while True:
        spend(meter, searching(r.programsize, reach, len(s) - pos))
        m = next(matches, None)
        if m is None:
            return
        pos = m.end() + (m.start() == m.end())
        if m.start() == m.end() == last:
            continue
        last = m.end()
        found += 1
        if found > MAX_ITEMS:
            raise Unknowable(f"finds more than {MAX_ITEMS} matches")
        yield m


def replace(s: Any, old: Any, new: Any, meter: Budget) -> Any:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        r, reach = _matching(old[1:-1], s, meter)
        return _replace_matches(r, reach, s, new, meter)
    text_at_most(len(s) + (len(s) + 1 if old == "" else s.count(old)) * (len(new) - len(old)))
    return s.replace(old, new)


def _replace_matches(r: Any, reach: Any, s: str, template: str, meter: Budget) -> str:
    """Go's ReplaceAllString: every match replaced by the template with its groups expanded; each match is an
    item until the pieces are joined."""
    parts = _expansion(template, r.groupindex)
    out: List[str] = []
    size = last = 0
    for m in _searches(r, reach, s, meter):
        spend(meter, 0, 1)
        out.append(s[last:m.start()])
        for p in parts:
            out.append(p if isinstance(p, str) else (m.group(p) or "") if 0 <= p <= r.groups else "")
        size += sum(len(x) for x in out[-len(parts) - 1:])
        text_at_most(size + len(s) - m.end())
        last = m.end()
    out.append(s[last:])
    return "".join(out)


def _expansion(template: str, names: Dict[str, int]) -> List[Any]:
    """A replacement template as Go's regexp reads it: text, and group numbers for ``$1``, ``${1}``,
    ``$name`` and ``${name}`` (a name as long as it goes: ``$1x`` is the group named 1x); ``$$`` is a
    dollar, and a ``$`` that starts none of these is itself. A group that does not exist is -1 (empty)."""
    parts: List[Any] = []
    text: List[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            text.append(template[i:])
            break
        text.append(template[i:j])
        i = j + 1
        if template.startswith("$", i):
            text.append("$")
            i += 1
            continue
        brace = template.startswith("{", i)
        k = start = i + 1 if brace else i
        while k < len(template) and (template[k].isalpha() or template[k].isdecimal() or template[k] == "_"):
            k += 1
        name = template[start:k]
        if not name or (brace and not template.startswith("}", k)):
            text.append("$")
            continue
        i = k + 1 if brace else k
        parts.append("".join(text))
        text = []
        number = name.isascii() and name.isdigit() and len(name) <= 9 and not (len(name) > 1 and name[0] == "0")
        parts.append(int(name) if number else names.get(name, -1))
    parts.append("".join(text))
    return parts


def _no_mixed_groups(r: Any) -> None:
    """regex() and regexall() refuse a pattern with both named and unnamed groups."""
    if r.groupindex and len(r.groupindex) != r.groups:
        raise Fails("invalid regexp pattern: cannot mix both named and unnamed capture groups")


def _groups(r: Any, m: Any) -> Any:
    """A match as Terraform's regex() gives it: the text, the list of groups, or the map of named groups (a
    group that took no part is null)."""
    if r.groupindex:
        return {name: m.group(i) for name, i in r.groupindex.items()}
    if r.groups:
        return list(m.groups())
    return m.group(0)


def regex(pattern: Any, s: Any, meter: Budget) -> Any:
    r, reach = _matching(pattern, s, meter)
    _no_mixed_groups(r)
    m = next(_searches(r, reach, s, meter), None)
    if m is None:
        raise Fails("pattern did not match any part of the given string")
    return _groups(r, m)


def regexall(pattern: Any, s: Any, meter: Budget) -> Any:
    """Every match's groups (see _groups), each charged as it is built."""
    r, reach = _matching(pattern, s, meter)
    _no_mixed_groups(r)
    out = []
    for m in _searches(r, reach, s, meter):
        out.append(_groups(r, m))
        spend(meter, 0, 1 + built(out[-1]))
    return TfList(out)  # a list, as Terraform's regexall() gives
