"""Text as Terraform holds it: every string in NFC (cty normalises each string it makes), counted in grapheme
clusters (go-textseg v15, which length(), substr(), strrev() and format()'s widths use), and cased and
trimmed as Go's ``strings`` package does (simple case mappings, Go's idea of a space).

The grapheme classes are derived from the Unicode database Python ships, with the few code points where
the Grapheme_Cluster_Break property is not what the general category says listed below (and those
Unicode 15 added, for a Python whose database is older); the clusters follow go-textseg's grammar, which
Terraform uses, where it departs from UAX #29 (U+FFFD stands alone; ``L LV T`` is two clusters)."""
from __future__ import annotations

import unicodedata
from bisect import bisect_right
from functools import lru_cache
from typing import Iterator, List, Sequence, Tuple

Ranges = Sequence[Tuple[int, int]]

# Grapheme_Cluster_Break classes
OTHER, CR, LF, CONTROL, EXTEND, ZWJ, RI, PREPEND, SPACING, L, V, T, LV, LVT, PICT = range(15)

_PREPEND: Ranges = ((0x600, 0x605), (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2),
                    (0xD4E, 0xD4E), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x111C2, 0x111C3),
                    (0x1193F, 0x1193F), (0x11941, 0x11941), (0x11A3A, 0x11A3A), (0x11A84, 0x11A89),
                    (0x11D46, 0x11D46), (0x11F02, 0x11F02))
# Extended_Pictographic (emoji-data.txt, Unicode 15.0)
_PICTOGRAPHIC: Ranges = (
    (0xA9, 0xA9), (0xAE, 0xAE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122), (0x2139, 0x2139),
    (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328), (0x2388, 0x2388), (0x23CF, 0x23CF),
    (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0),
    (0x25FB, 0x25FE), (0x2600, 0x2605), (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712),
    (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757),
    (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2934, 0x2935),
    (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F),
    (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD))
# Extend beyond Mn and Me: Other_Grapheme_Extend, the emoji modifiers, and the marks Unicode 15 added
_EXTEND: Ranges = (
    (0x9BE, 0x9BE), (0x9D7, 0x9D7), (0xB3E, 0xB3E), (0xB57, 0xB57), (0xBBE, 0xBBE), (0xBD7, 0xBD7), (0xCC2, 0xCC2),
    (0xCD5, 0xCD6), (0xD3E, 0xD3E), (0xD57, 0xD57), (0xDCF, 0xDCF), (0xDDF, 0xDDF), (0xECE, 0xECE), (0x1B35, 0x1B35),
    (0x200C, 0x200C), (0x302E, 0x302F), (0xFF9E, 0xFF9F), (0x10EFD, 0x10EFF), (0x11241, 0x11241),
    (0x1133E, 0x1133E), (0x11357, 0x11357), (0x114B0, 0x114B0), (0x114BD, 0x114BD), (0x115AF, 0x115AF),
    (0x11930, 0x11930), (0x11F00, 0x11F01), (0x11F36, 0x11F3A), (0x11F40, 0x11F40), (0x11F42, 0x11F42),
    (0x13440, 0x13440), (0x13447, 0x13455), (0x1D165, 0x1D165), (0x1D16E, 0x1D172), (0x1E08F, 0x1E08F),
    (0x1E4EC, 0x1E4EF), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F))
# SpacingMark: Mc, but for these (Extend or Other), and with these (Lo, or new in Unicode 15)
_NOT_SPACING: Ranges = ((0x102B, 0x102C), (0x1038, 0x1038), (0x1062, 0x1064), (0x1067, 0x106D), (0x1083, 0x1083),
                        (0x1087, 0x108C), (0x108F, 0x108F), (0x109A, 0x109C), (0x1A61, 0x1A61), (0x1A63, 0x1A64),
                        (0xAA7B, 0xAA7B), (0xAA7D, 0xAA7D), (0x11720, 0x11721))
_SPACING: Ranges = ((0xCF3, 0xCF3), (0xE33, 0xE33), (0xEB3, 0xEB3), (0x11F03, 0x11F03), (0x11F34, 0x11F35),
                    (0x11F3E, 0x11F3F), (0x11F41, 0x11F41))
# Control beyond Cc, Cf, Zl and Zp: unassigned default-ignorable code points
_CONTROL: Ranges = ((0x2065, 0x2065), (0xFFF0, 0xFFF8), (0x13439, 0x1343F), (0xE0000, 0xE0000),
                    (0xE0002, 0xE001F), (0xE0080, 0xE00FF), (0xE01F0, 0xE0FFF))
_HANGUL: Ranges = ((0x1100, 0x115F), (0x1160, 0x11A7), (0x11A8, 0x11FF), (0xA960, 0xA97C), (0xD7B0, 0xD7C6),
                   (0xD7CB, 0xD7FB))
_HANGUL_CLASS = (L, V, T, L, V, T)


def _find(ranges: Ranges, o: int) -> int:
    """The index of the range holding ``o``, or -1."""
    i = bisect_right(ranges, (o, 0x10FFFF)) - 1
    return i if i >= 0 and ranges[i][0] <= o <= ranges[i][1] else -1


@lru_cache(maxsize=8192)
def grapheme_class(ch: str) -> int:
    o = ord(ch)
    if o < 0x7F:
        return CR if o == 13 else LF if o == 10 else CONTROL if o < 0x20 else OTHER
    if 0xAC00 <= o <= 0xD7A3:
        return LV if (o - 0xAC00) % 28 == 0 else LVT
    if o == 0x200D:
        return ZWJ
    if 0x1F1E6 <= o <= 0x1F1FF:
        return RI
    if o == 0xFFFD:  # go-textseg reads it as a broken byte sequence, a cluster alone
        return CONTROL
    h = _find(_HANGUL, o)
    if h >= 0:
        return _HANGUL_CLASS[h]
    if _find(_PREPEND, o) >= 0:
        return PREPEND
    if _find(_PICTOGRAPHIC, o) >= 0:
        return PICT
    if _find(_EXTEND, o) >= 0:
        return EXTEND
    if _find(_SPACING, o) >= 0:
        return SPACING
    if _find(_CONTROL, o) >= 0:
        return CONTROL
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me"):
        return EXTEND
    if cat == "Mc":
        return OTHER if _find(_NOT_SPACING, o) >= 0 else SPACING
    if cat in ("Cc", "Cf", "Zl", "Zp"):
        return CONTROL
    return OTHER


def _extend(s: str, i: int, glue: bool) -> int:
    """Past the marks that extend a cluster from ``i``; ``glue``: a ZWJ may join a pictograph (and its marks)."""
    n = len(s)
    while i < n:
        c = grapheme_class(s[i])
        if c in (EXTEND, SPACING):
            i += 1
        elif c == ZWJ:
            i += 1
            if glue and i < n and grapheme_class(s[i]) == PICT:
                i += 1
                while i < n and grapheme_class(s[i]) == EXTEND:
                    i += 1
        else:
            break
    return i


def _run(s: str, i: int, *classes: int) -> int:
    while i < len(s) and grapheme_class(s[i]) in classes:
        i += 1
    return i


def _hangul(s: str, i: int, c: int) -> int:
    """Past a Hangul syllable sequence starting at ``i`` (class ``c``), as go-textseg reads one."""
    def at(k: int) -> int:
        return grapheme_class(s[k]) if k < len(s) else OTHER

    if c == L:
        i = _run(s, i, L)
        c2 = at(i)
        if c2 == LV:
            i += 1
            if at(i) != V:
                return i
            c2 = V
        if c2 == V:
            return _run(s, _run(s, i, V), T)
        return _run(s, i + 1, T) if c2 == LVT else i
    if c == LV:
        return _run(s, _run(s, i + 1, V), T)
    if c == V:
        return _run(s, _run(s, i, V), T)
    return _run(s, i + 1 if c == LVT else i, T)


def _body(s: str, i: int) -> int:
    c = grapheme_class(s[i])
    if c in (L, V, T, LV, LVT):
        return _extend(s, _hangul(s, i, c), True)
    if c == PICT:
        return _extend(s, _run(s, i + 1, EXTEND), True)
    if c == ZWJ:
        return _run(s, i + 1, ZWJ, EXTEND, SPACING)
    if c == RI:
        return _extend(s, i + 2 if i + 1 < len(s) and grapheme_class(s[i + 1]) == RI else i + 1, True)
    return _run(s, i + 1, EXTEND, ZWJ, SPACING)


def cluster_end(s: str, i: int) -> int:
    """Where the grapheme cluster that starts at ``i`` ends."""
    c = grapheme_class(s[i])
    if c == CR:
        return i + 2 if s.startswith("\n", i + 1) else i + 1
    if c in (LF, CONTROL):
        return i + 1
    if c == PREPEND:
        i = _run(s, i, PREPEND)
        if i < len(s) and grapheme_class(s[i]) not in (CR, LF, CONTROL):
            i = _body(s, i)
        return i
    return _body(s, i)


def cluster_starts(s: str) -> Iterator[int]:
    """Where each grapheme cluster of ``s`` starts."""
    if s.isascii() and "\r\n" not in s:
        yield from range(len(s))
        return
    i = 0
    while i < len(s):
        yield i
        i = cluster_end(s, i)


def clusters(s: str) -> List[str]:
    bounds = list(cluster_starts(s)) + [len(s)]
    return [s[a:b] for a, b in zip(bounds, bounds[1:])]


def cluster_count(s: str) -> int:
    if s.isascii():
        return len(s) - s.count("\r\n")
    return sum(1 for _ in cluster_starts(s))


def nfc(s: str) -> str:
    """``s`` as cty holds a string: in Unicode normal form C."""
    if s.isascii() or unicodedata.is_normalized("NFC", s):
        return s
    return unicodedata.normalize("NFC", s)


# -- Go's strings package ---------------------------------------------------------------------------------

GO_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                      "\u200a\u2028\u2029\u202f\u205f\u3000")


def _simple(full: str, ch: str) -> str:
    """Go's simple case mapping of ``ch`` from Python's full one: a mapping to several characters (ß to SS)
    has none, but for the letters with a one-character titlecase form (ᾳ to ᾼ)."""
    if len(full) == 1:
        return full
    titled = ch.title()
    return titled if len(titled) == 1 else ch


def go_upper(s: str) -> str:
    if s.isascii():
        return s.upper()
    return "".join(_simple(c.upper(), c) for c in s)


def go_lower(s: str) -> str:
    """strings.ToLower: each character alone (no final sigma), İ to i."""
    if s.isascii():
        return s.lower()
    return "".join(_lower(c) for c in s)


def _lower(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else "i" if c == "\u0130" else c


def go_title(s: str) -> str:
    """strings.Title: the first letter of each word in title case, the rest as it is; a word follows a space
    or an ASCII character that is not a letter, a digit or an underscore."""
    out: List[str] = []
    prev = " "
    for c in s:
        out.append(_simple(c.title(), c) if _separates(prev) else c)
        prev = c
    return "".join(out)


def _separates(c: str) -> bool:
    if c < "\x80":
        return not (c.isalnum() or c == "_")
    if unicodedata.category(c)[0] == "L" or unicodedata.category(c) == "Nd":
        return False
    return c in GO_SPACES


def go_trimspace(s: str) -> str:
    """strings.TrimSpace: Go's spaces (not the separators U+001C to U+001F Python counts) at both ends."""
    i, j = 0, len(s)
    while i < j and s[i] in GO_SPACES:
        i += 1
    while j > i and s[j - 1] in GO_SPACES:
        j -= 1
    return s[i:j]
