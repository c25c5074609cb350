"""GitHub's ``primaryLocationLineHash``: the fingerprint code scanning matches alerts by across commits.

When a SARIF result has none, GitHub's ``upload-sarif`` step computes it from the file in the checkout
(``src/fingerprints.ts`` of the codeql-action repository); a report that carries the same value keeps its
alerts matched however it is uploaded (the API, another CI). The hash of a line is a rolling polynomial hash,
base 37 modulo 2**64, of the first 100 characters of the file from the line's first character on, read as
UTF-16 code units with spaces and tabs left out and every line ending (CR, LF, CRLF) read as one LF; after
the last character comes the value 65535 and then zeros. Its text is the unsigned value in lower-case hex
without leading zeros, then ``:`` and how many lines up to this one had the same value (``:1`` the first).

The values for known texts are held by ``tests/test_sarif_github.py``, which has the ones the codeql-action's
own tests expect.
"""
from __future__ import annotations

import sys
from array import array
from typing import Dict, Optional

BLOCK = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST = pow(_BASE, BLOCK, 1 << 64)  # what the character leaving the window weighs
_END = 0xFFFF  # read after the last character of the file


def _units(text: str) -> "array[int]":
    """The text as the hash reads it: UTF-16 code units, spaces and tabs left out, each line ending one LF,
    and the end mark after it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    units = array("H")
    units.frombytes(text.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder != "little":
        units.byteswap()
    units.append(_END)
    return units


def line_hashes(text: str, upto: Optional[int] = None) -> Dict[int, str]:
    """The hash of each line of ``text`` (1-based line numbers), as GitHub computes it; with ``upto``, of the
    lines up to that one only (the later ones cannot change them)."""
    units = _units(text)
    starts = [0] + [i + 1 for i, u in enumerate(units) if u == 10]  # the end mark is never a line's last
    if upto is not None:
        starts = starts[:max(upto, 0)]
    out: Dict[int, str] = {}
    seen: Dict[str, int] = {}
    if not starts:
        return out
    n = len(units)
    h, line, nxt = 0, 0, starts[0] + BLOCK - 1  # the hash of a line is ready once its 100th character is in
    for i in range(starts[-1] + BLOCK):
        h = (h * _BASE + (units[i] if i < n else 0) - (_FIRST * units[i - BLOCK] if i >= BLOCK else 0)) & _MASK
        if i == nxt:
            value = format(h, "x")
            seen[value] = seen.get(value, 0) + 1
            out[line + 1] = f"{value}:{seen[value]}"
            line += 1
            nxt = starts[line] + BLOCK - 1 if line < len(starts) else -1
    return out
