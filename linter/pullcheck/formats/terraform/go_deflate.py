"""gzip as Terraform's base64gzip() writes it: the text through Go's compress/gzip writer at the default
level, flushed, then closed. The matches, their search and the cuts between blocks follow Go's
compress/flate (BSD-3-Clause, the Go Authors) at level 6, so that the bytes are Go's to the bit; the blocks
are encoded by pullcheck.formats.terraform.go_huffman. Terraform 1.11 is built with Go 1.23, whose writer
this follows; the oracle group tests/data/tf_oracle/gzip holds the bytes to Terraform's own.

Go's level 6 in short, as this module does it over the whole input at once:

- each position is hashed by its next four bytes (17 bits) and put at the head of its hash's chain;
- the chain is searched, newest first, for at most CHAIN candidates no further back than the 32 KiB
  window, for the longest match of at least four bytes (four only within 4096 bytes), stopping at NICE
  bytes; a match is taken lazily: one at the next position that is longer wins over it, and no search
  is made after a match of LAZY bytes or more;
- Go's window is a 64 KiB buffer that slides by 32 KiB when the position nears its end and more input
  waits: what slid out can no longer be matched, nor stored;
- a block ends every BLOCK_TOKENS tokens and at the flush; each is stored, fixed or dynamic, whichever
  Go counts fewest bits for; the flush adds an empty stored block, the close an empty last one.
"""
from __future__ import annotations

import struct
import zlib
from typing import Callable, Iterator, List, Optional, Tuple

from pullcheck.formats.terraform.go_huffman import BitWriter, write_block

WINDOW = 1 << 15
MAX_MATCH = 258
LAZY, NICE, CHAIN = 16, 128, 128  # Go's level 6 (its "good" length never applies: each search starts at 3)
FAR_FOUR = 4096  # a match of four bytes is taken only this close
BLOCK_TOKENS = 1 << 14
_BUFFER_SLACK = 4 + MAX_MATCH  # the buffer slides once fewer than this many bytes are left past the position
_HASH_MULTIPLIER = 0x1E35A7BD
_HASH_SHIFT = 32 - 17
_EMPTY = -1  # no position


class WorkExceeded(Exception):
    """The compression would take more work than it was allowed."""


def _hashes(data: bytes) -> List[int]:
    """The hash Go gives each position that has four bytes from it on (of those four bytes)."""
    n = len(data) - 3
    if n <= 0:
        return []
    words: List[int] = [0] * n
    for start in range(4):
        count = (len(data) - start) // 4
        unpacked = [w for (w,) in struct.iter_unpack(">I", data[start:start + 4 * count])]
        words[start::4] = unpacked[:len(range(start, n, 4))]
    return [((w * _HASH_MULTIPLIER) & 0xFFFFFFFF) >> _HASH_SHIFT for w in words]


def _slides(size: int) -> Iterator[Tuple[int, int]]:
    """(the first position searched after Go's buffer slid, the oldest position it holds from then on), for
    each slide of an input of ``size`` bytes; then a position never reached. The buffer slides when it is
    full, more input waits, and fewer than _BUFFER_SLACK bytes are left past the position."""
    k = 1
    while size > (k + 1) * WINDOW:
        yield (k - 1) * WINDOW + 2 * WINDOW - _BUFFER_SLACK + 1, k * WINDOW
        k += 1
    while True:
        yield size + 1, 0


def _longest(data: bytes, chain: List[int], pos: int, head: int, oldest: int) -> Tuple[int, int, int]:
    """(length, distance, candidates tried) of the match Go finds for ``pos`` from the chain at ``head``:
    a length of 3 when there is none."""
    reach = min(MAX_MATCH, len(data) - pos)
    nice = min(NICE, reach)
    best, distance = 3, 0
    want = data[pos + best]
    ahead = int.from_bytes(data[pos:pos + reach], "little")
    floor = pos - WINDOW
    lowest = max(floor, oldest)
    cand = head
    for tried in range(1, CHAIN + 1):
        if data[cand + best] == want:
            diff = int.from_bytes(data[cand:cand + reach], "little") ^ ahead
            n = ((diff & -diff).bit_length() - 1) >> 3 if diff else reach
            if n > best and (n > 4 or pos - cand <= FAR_FOUR):
                best, distance = n, pos - cand
                if n >= nice:
                    break
                want = data[pos + n]
        if cand == floor:
            break
        cand = chain[cand]
        if cand < lowest:
            break
    return best, distance, tried


Sink = Callable[[List[int], Optional[bytes]], None]
CHECK_EVERY = 4096  # positions between two looks at the work done
CANDIDATES_PER_UNIT = 4  # a unit of work: a position, or this many chain candidates tried (each about a
# microsecond of CPython, give or take a factor of two)


def _lz77(data: bytes, block: Sink, work_limit: int) -> int:
    """Go's lazy matching over ``data``, handing ``block`` each block's tokens and the bytes they stand for
    (None once Go's buffer no longer holds their start): the units of work done (see CANDIDATES_PER_UNIT);
    raises WorkExceeded past ``work_limit`` of them."""
    n, hashes, hashed = len(data), _hashes(data), len(data) - 3
    heads, chain = [_EMPTY] * (1 << 17), [_EMPTY] * n
    slides = _slides(n)
    next_slide, oldest = next(slides)
    tokens: List[int] = []
    base = start = work = next_check = 0
    cap = work_limit * CANDIDATES_PER_UNIT  # work is counted in candidates
    pos, length, distance, waiting, head = 0, 3, 0, False, _EMPTY
    while pos < n:
        if pos >= next_slide:
            base, (next_slide, oldest) = oldest, next(slides)
        if pos >= next_check:
            if work > cap:
                raise WorkExceeded
            next_check = pos + CHECK_EVERY
        if pos < hashed:
            h = hashes[pos]
            head = chain[pos] = heads[h]
            heads[h] = pos
        prev_length, prev_distance = length, distance
        length, distance = 3, 0
        work += CANDIDATES_PER_UNIT
        if head >= base and head >= pos - WINDOW and n - pos > prev_length and prev_length < LAZY:
            length, distance, tried = _longest(data, chain, pos, head, base)
            work += tried
        if prev_length >= 4 and length <= prev_length:
            tokens.append(prev_length << 16 | prev_distance)
            end = pos + prev_length - 1
            work += CANDIDATES_PER_UNIT * (end - pos)
            for q in range(pos + 1, min(end, hashed)):
                h = hashes[q]
                chain[q] = heads[h]
                heads[h] = q
            pos, waiting, length = end, False, 3
        elif waiting:
            tokens.append(data[pos - 1])
            pos += 1
        else:
            pos, waiting = pos + 1, True
            continue
        if len(tokens) == BLOCK_TOKENS:
            end = pos - 1 if waiting else pos  # a waiting byte belongs to the next block
            block(tokens, data[start:end] if start >= base else None)
            tokens, start = [], end
    if waiting:
        tokens.append(data[n - 1])
    if tokens:
        block(tokens, data[start:n] if start >= base else None)
    return work // CANDIDATES_PER_UNIT


def _deflate(data: bytes, work_limit: int) -> Tuple[bytes, int]:
    """The raw deflate stream of Go's writer (``data`` written, flushed, closed), and the work it took."""
    out = BitWriter()
    work = _lz77(data, lambda tokens, raw: write_block(out, tokens, raw), work_limit)
    out.stored(b"", False)  # the flush
    out.stored(b"", True)  # the close
    return bytes(out.out), work


def go_gzip(data: bytes, work_limit: Optional[int] = None) -> Tuple[bytes, int]:
    """The bytes of Go's gzip.Writer (default level, no name, modification time 0, OS unknown) given
    ``data`` in one write, then Flush and Close; and the units of work it took (a position, or
    CANDIDATES_PER_UNIT hash chain candidates tried: at most 1 + CHAIN / CANDIDATES_PER_UNIT a byte).
    Raises WorkExceeded past ``work_limit`` units (None: no limit), found within CHECK_EVERY positions."""
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    limit = len(data) * (1 + CHAIN) if work_limit is None else work_limit
    body, work = _deflate(data, limit)
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return header + body + trailer, work
