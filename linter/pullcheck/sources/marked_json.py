"""JSON read with the standard library's own grammar, keeping the position of every value (see ``marked``)."""
from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any, Callable, Tuple

from pullcheck.sources.errors import MAX_DEPTH, ParseError
from pullcheck.sources.marked_values import MDict, MList, OneKeyPos, Pos, Repeat, point, with_repeats


class _LineIndex:
    def __init__(self, text: str) -> None:
        import bisect

        self._bisect = bisect.bisect_right
        self.starts = [0]
        i = text.find("\n")
        while i != -1:
            self.starts.append(i + 1)
            i = text.find("\n", i + 1)

    def pos(self, offset: int) -> Tuple[int, int]:
        n = self._bisect(self.starts, offset) - 1
        return (n + 1, offset - self.starts[n] + 1)

    def range(self, start: int, end: int, whole: bool) -> Pos:
        """From ``start`` to ``end`` when ``whole`` or on one line, else one character at ``start``."""
        a, b = self.pos(start), self.pos(end)
        if whole or a[0] == b[0]:
            return a + b
        return point(*a)


def _json_int(s: str) -> Any:
    """A JSON integer; one past Python's 4,300-digit conversion limit is read as a float (infinite), which
    every consumer treats as an unknown number."""
    return int(s) if len(s) <= 4000 else float("inf") if not s.startswith("-") else float("-inf")


def _object_pairs(pairs: list, repeats: list) -> MDict:
    d = MDict()
    d.kpos = {}
    for k, (v, p) in pairs:
        if k in d:  # kept as the last one, as CloudFormation and json.loads do; noted for the format
            repeats.append((k, p, d.kpos[k]))
        d[k] = v
        d.kpos[k] = p
    if len(d) == 1:
        d.kpos = OneKeyPos(*next(iter(d.kpos.items())))
    return d


def _key_before(text: str, index: _LineIndex, value: Pos) -> Tuple[int, int]:
    """(line, column) of the key whose value starts at ``value``: the string before its colon (its opening
    quote is the first one, going back, that no odd run of backslashes escapes)."""
    at = index.starts[value[0] - 1] + value[1] - 1
    i = at - 1
    while i > 0 and text[i] in " \t\r\n":
        i -= 1
    i -= 1  # the colon
    while i > 0 and text[i] in " \t\r\n":
        i -= 1
    j = i - 1  # the closing quote is at i
    while j >= 0:
        if text[j] == '"':
            slashes = 0
            while j - slashes - 1 >= 0 and text[j - slashes - 1] == "\\":
                slashes += 1
            if slashes % 2 == 0:
                return index.pos(j)
        j -= 1
    return value[0], value[1]


def _positioned_scanner(index: _LineIndex, repeats: list) -> Callable[[str, int], Any]:
    """The standard library's scanner, each value it returns paired with its position:
    ``scan(text, offset) -> ((value, pos), end)``. A key written twice in an object goes into ``repeats``
    as (key, the position of its later value, of its earlier value)."""
    depth = [0]

    class Ctx:
        strict = False
        object_hook = None
        object_pairs_hook = staticmethod(lambda pairs: _object_pairs(pairs, repeats))
        parse_float = float
        parse_int = staticmethod(_json_int)
        parse_constant = json.decoder._CONSTANTS.__getitem__  # type: ignore[attr-defined]
        memo: dict = {}
        parse_string = json.decoder.scanstring

        @staticmethod
        def parse_object(s_and_end, strict, _scan, hook, pairs_hook, memo):
            s, end = s_and_end
            depth[0] += 1
            if depth[0] > MAX_DEPTH:
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", *index.pos(end))
            obj, end2 = json.decoder.JSONObject(s_and_end, strict, scan_pos, hook, pairs_hook, memo)
            depth[0] -= 1
            obj.pos = index.range(end - 1, end2, False)
            return obj, end2

        @staticmethod
        def parse_array(s_and_end, _scan):
            s, end = s_and_end
            depth[0] += 1
            if depth[0] > MAX_DEPTH:
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", *index.pos(end))
            items, end2 = json.decoder.JSONArray(s_and_end, scan_pos)
            depth[0] -= 1
            out = MList(v for v, _ in items)
            out.ipos = [p for _, p in items]
            out.pos = index.range(end - 1, end2, False)
            return out, end2

    scan_once = json.scanner.py_make_scanner(Ctx())

    # JSONObject and JSONArray pass values through this scanner; they arrive as (value, pos) pairs.
    def scan_pos(s: str, idx: int):
        value, end = scan_once(s, idx)
        return (value, index.range(idx, end, not isinstance(value, (dict, list)))), end

    return scan_pos


def load_json(text: str) -> Any:
    """Parse JSON keeping positions, with the standard library's own grammar."""
    index = _LineIndex(text)
    repeats: list = []
    scan_pos = _positioned_scanner(index, repeats)
    try:
        ws = json.decoder.WHITESPACE
        idx = ws.match(text, 0).end()
        (value, _), end_idx = scan_pos(text, idx)
        end_idx = ws.match(text, end_idx).end()
        if end_idx != len(text):
            raise ParseError("JSON: extra data after the document", *index.pos(end_idx))
        return with_repeats(value, [Repeat(str(k)[:60], *_key_before(text, index, later),
                                           _key_before(text, index, earlier)[0])
                                    for k, later, earlier in repeats])
    except StopIteration as e:
        raise ParseError("JSON: expecting a value", *index.pos(e.value)) from None
    except json.JSONDecodeError as e:
        raise ParseError(f"JSON: {e.msg}", e.lineno, e.colno) from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
