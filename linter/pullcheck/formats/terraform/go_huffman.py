"""The block encoder of Go's compress/flate, byte for byte: how it builds its length-limited Huffman codes,
how it writes code lengths, and how it chooses for each block between a stored, a fixed-Huffman and a
dynamic-Huffman encoding (its choices follow Go's compress/flate, BSD-3-Clause, the Go Authors, so that the
bytes Terraform's base64gzip() gives are reproduced). pullcheck.formats.terraform.go_deflate finds the
matches and cuts the blocks.

A token is an int: a literal byte (below 256), or ``length << 16 | distance`` for a match."""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

_NEVER = 2**31 - 1  # the frequency of no symbol: larger than every real one
_END_OF_BLOCK = 256
LITERAL_SYMBOLS = 286  # literals, the end of a block and the 29 length symbols
DISTANCE_SYMBOLS = 30
_CODE_LENGTH_ORDER = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
MAX_STORED = 65535  # the most bytes a stored block holds


def _ranges(first: int, extra: Sequence[int], top: int) -> Tuple[List[int], List[int]]:
    """The base value of each symbol whose extra bits are ``extra``, from ``first`` on, as RFC 1951 lists
    them, and the symbol of each value up to ``top`` (by the value itself)."""
    bases, value = [], first
    for width in extra:
        bases.append(value)
        value += 1 << width
    symbol_of = [0] * (top + 1)
    for sym, start in enumerate(bases):
        for v in range(start, min(start + (1 << extra[sym]), top + 1)):
            symbol_of[v] = sym
    return bases, symbol_of


_LENGTH_EXTRA = (0,) * 8 + tuple(w for w in range(1, 6) for _ in range(4)) + (0,)
_LENGTH_BASE, _LENGTH_SYMBOL = _ranges(3, _LENGTH_EXTRA, 258)
_LENGTH_BASE[-1], _LENGTH_SYMBOL[258] = 258, 28  # 258 has a symbol of its own, not 227 + 31
_DISTANCE_EXTRA = (0, 0) + tuple(w for w in range(0, 14) for _ in range(2))
_DISTANCE_BASE, _DISTANCE_SYMBOL = _ranges(1, _DISTANCE_EXTRA, 32768)


def length_symbol(length: int) -> int:
    """The length symbol's index (0..28: symbols 257..285) of a match ``length`` (3..258)."""
    return _LENGTH_SYMBOL[length]


def distance_symbol(distance: int) -> int:
    """The distance symbol (0..29) of a match ``distance`` (1..32768)."""
    return _DISTANCE_SYMBOL[distance]


def _reversed(code: int, width: int) -> int:
    return int(format(code, f"0{width}b")[::-1], 2) if width else 0


class Code:
    """A prefix code over symbols: each symbol's bit length (0: not used) and its code, bits reversed as
    deflate writes them (least significant bit first)."""

    __slots__ = ("lengths", "codes")

    def __init__(self, lengths: List[int], codes: List[int]) -> None:
        self.lengths, self.codes = lengths, codes

    def cost(self, freq: Sequence[int]) -> int:
        return sum(f * n for f, n in zip(freq, self.lengths) if f)


def _fixed_literals() -> Code:
    lengths = [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8
    first = [(0, 48, 8), (144, 400, 9), (256, 0, 7), (280, 192, 8)]
    codes = []
    for sym in range(LITERAL_SYMBOLS):
        start, code, width = next(r for r in reversed(first) if sym >= r[0])
        codes.append(_reversed(code + sym - start, width))
    return Code(lengths[:LITERAL_SYMBOLS], codes)


FIXED_LITERALS = _fixed_literals()
FIXED_DISTANCES = Code([5] * DISTANCE_SYMBOLS, [_reversed(d, 5) for d in range(DISTANCE_SYMBOLS)])


def _leaf_counts(freqs: List[int], max_bits: int) -> List[int]:
    """How many symbols get each bit length (index 1..top), for ``freqs`` in increasing order (at least
    three): Go's boundary construction, level by level, of a code no longer than ``max_bits``, whose ties
    fall as Go's do."""
    n = len(freqs)
    f = freqs + [_NEVER]
    top = min(max_bits, n - 1)
    size = top + 2
    last, next_leaf, next_pair, needed = [0] * size, [0] * size, [0] * size, [0] * size
    leaves = [[0] * size for _ in range(size)]  # leaves[level][j]: leaves left of the level-j ancestor
    for lv in range(1, top + 1):
        last[lv], next_leaf[lv], next_pair[lv] = f[1], f[2], f[0] + f[1]
        leaves[lv][lv] = 2
    next_pair[1] = _NEVER
    needed[top] = 2 * n - 4
    lv = top
    while True:
        if next_pair[lv] == _NEVER and next_leaf[lv] == _NEVER:
            needed[lv] = 0
            next_pair[lv + 1] = _NEVER
            lv += 1
            continue
        before = last[lv]
        if next_leaf[lv] < next_pair[lv]:
            k = leaves[lv][lv] + 1
            last[lv], leaves[lv][lv], next_leaf[lv] = next_leaf[lv], k, f[k]
        else:
            last[lv] = next_pair[lv]
            leaves[lv][:lv] = leaves[lv - 1][:lv]
            needed[lv - 1] = 2
        needed[lv] -= 1
        if needed[lv] == 0:
            if lv == top:
                break
            next_pair[lv + 1] = before + last[lv]
            lv += 1
        else:
            while needed[lv - 1] > 0:
                lv -= 1
    row = leaves[top]
    return [0] + [row[lv] - row[lv - 1] for lv in range(top, 0, -1)]


def huffman(freq: Sequence[int], max_bits: int) -> Code:
    """The code Go's compress/flate builds for ``freq`` with no code longer than ``max_bits``: the rarest
    symbols (ties: the larger symbol is rarer) get the longest codes, and codes of one length go in
    symbol order."""
    lengths, codes = [0] * len(freq), [0] * len(freq)
    used = [(f, sym) for sym, f in enumerate(freq) if f]
    if len(used) <= 2:
        for i, (_, sym) in enumerate(used):
            lengths[sym], codes[sym] = 1, i
        return Code(lengths, codes)
    used.sort()
    code = 0
    for width, count in enumerate(_leaf_counts([f for f, _ in used], max_bits)):
        code <<= 1
        if width == 0 or count == 0:
            continue
        for sym in sorted(sym for _, sym in used[len(used) - count:]):
            lengths[sym], codes[sym] = width, _reversed(code, width)
            code += 1
        del used[len(used) - count:]
    return Code(lengths, codes)


def code_length_runs(lengths: List[int]) -> List[Tuple[int, int]]:
    """The code lengths as deflate's header writes them, as Go shortens their runs: (symbol, its extra
    bits' value) with 16 repeating the previous length 3..6 times, 17 and 18 runs of zeros (3..10,
    11..138)."""
    out: List[Tuple[int, int]] = []
    i = 0
    while i < len(lengths):
        size, j = lengths[i], i
        while j < len(lengths) and lengths[j] == size:
            j += 1
        count = j - i
        if size:
            out.append((size, 0))
            count -= 1
            while count >= 3:
                take = min(6, count)
                out.append((16, take - 3))
                count -= take
        else:
            while count >= 11:
                take = min(138, count)
                out.append((18, take - 11))
                count -= take
            if count >= 3:
                out.append((17, count - 3))
                count = 0
        out.extend([(size, 0)] * count)
        i = j
    return out


class BitWriter:
    """Deflate's bit stream: values written least significant bit first, bytes out as they fill."""

    __slots__ = ("out", "acc", "nbits")

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.nbits = 0

    def put(self, value: int, width: int) -> None:
        self.acc |= value << self.nbits
        self.nbits += width
        if self.nbits >= 32:
            self.out += (self.acc & 0xFFFFFFFF).to_bytes(4, "little")
            self.acc >>= 32
            self.nbits -= 32

    def align(self) -> None:
        """Out to a byte boundary, the last byte's high bits zero."""
        whole = (self.nbits + 7) // 8
        self.out += self.acc.to_bytes(whole, "little") if whole else b""
        self.acc = self.nbits = 0

    def stored(self, data: bytes, final: bool) -> None:
        """A stored block of ``data`` (at most MAX_STORED bytes)."""
        self.put(1 if final else 0, 3)
        self.align()
        self.put(len(data), 16)
        self.put(len(data) ^ 0xFFFF, 16)
        self.align()
        self.out += data


def _frequencies(tokens: List[int]) -> Tuple[List[int], List[int], int]:
    """(literal and length symbol counts with the end of the block, distance symbol counts, the extra
    bits the matches need)."""
    lit, dist = [0] * LITERAL_SYMBOLS, [0] * DISTANCE_SYMBOLS
    extra = 0
    for t in tokens:
        if t < 256:
            lit[t] += 1
            continue
        ls, ds = length_symbol(t >> 16), distance_symbol(t & 0xFFFF)
        lit[257 + ls] += 1
        dist[ds] += 1
        extra += _LENGTH_EXTRA[ls] + _DISTANCE_EXTRA[ds]
    lit[_END_OF_BLOCK] = 1
    return lit, dist, extra


def _used(freq: List[int]) -> int:
    n = len(freq)
    while n > 0 and freq[n - 1] == 0:
        n -= 1
    return n


def write_block(out: BitWriter, tokens: List[int], raw: Optional[bytes]) -> None:
    """One block (never the last) of ``tokens`` in the encoding of fewest bits as Go counts them: fixed
    Huffman, unless the dynamic code is strictly smaller, unless stored is strictly smaller still; ``raw``,
    the bytes the tokens stand for, is None where Go no longer holds them (then never stored)."""
    lit, dist, extra = _frequencies(tokens)
    n_lit, n_dist = _used(lit), _used(dist)
    if n_dist == 0:  # a dynamic header needs a distance code: Go counts one that is never written
        dist[0], n_dist = 1, 1
    lit_code, dist_code = huffman(lit, 15), huffman(dist, 15)
    runs = code_length_runs(lit_code.lengths[:n_lit] + dist_code.lengths[:n_dist])
    run_freq = [0] * 19
    for sym, _ in runs:
        run_freq[sym] += 1
    run_code = huffman(run_freq, 7)
    n_runs = 19
    while n_runs > 4 and run_freq[_CODE_LENGTH_ORDER[n_runs - 1]] == 0:
        n_runs -= 1
    fixed = 3 + FIXED_LITERALS.cost(lit) + FIXED_DISTANCES.cost(dist) + extra
    dynamic = (17 + 3 * n_runs + run_code.cost(run_freq) + 2 * run_freq[16] + 3 * run_freq[17]
               + 7 * run_freq[18] + lit_code.cost(lit) + dist_code.cost(dist) + extra)
    if raw is not None and len(raw) <= MAX_STORED and (len(raw) + 5) * 8 < min(fixed, dynamic):
        out.stored(raw, False)
        return
    if dynamic < fixed:
        out.put(4, 3)
        out.put(n_lit - 257, 5)
        out.put(n_dist - 1, 5)
        out.put(n_runs - 4, 4)
        for sym in _CODE_LENGTH_ORDER[:n_runs]:
            out.put(run_code.lengths[sym], 3)
        for sym, value in runs:
            out.put(run_code.codes[sym], run_code.lengths[sym])
            if sym >= 16:
                out.put(value, (2, 3, 7)[sym - 16])
    else:
        out.put(2, 3)
        lit_code, dist_code = FIXED_LITERALS, FIXED_DISTANCES
    _write_tokens(out, tokens, lit_code, dist_code)


def _write_tokens(out: BitWriter, tokens: List[int], lit: Code, dist: Code) -> None:
    lc, ll, dc, dl = lit.codes, lit.lengths, dist.codes, dist.lengths
    put = out.put
    for t in tokens:
        if t < 256:
            put(lc[t], ll[t])
            continue
        length, distance = t >> 16, t & 0xFFFF
        ls, ds = length_symbol(length), distance_symbol(distance)
        put(lc[257 + ls], ll[257 + ls])
        if _LENGTH_EXTRA[ls]:
            put(length - _LENGTH_BASE[ls], _LENGTH_EXTRA[ls])
        put(dc[ds], dl[ds])
        if _DISTANCE_EXTRA[ds]:
            put(distance - _DISTANCE_BASE[ds], _DISTANCE_EXTRA[ds])
    put(lc[_END_OF_BLOCK], ll[_END_OF_BLOCK])
