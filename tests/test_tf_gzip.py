"""base64gzip() as Terraform gives it: Go's gzip writer at the default level, flushed then closed. The bytes
are held to Terraform's by the oracle group tests/data/tf_oracle/gzip and, with -m slow, by random inputs
asked of terraform console; here, what the bytes must be whatever Go chose (a stream Python's own gzip
reads back, Go's header and trailer), the parts of the encoder, and the bounds."""
import base64
import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import unicodedata
import zlib

import pytest

import tf_oracle
from pullcheck.formats.terraform.budget import MAX_STEPS, Budget
from pullcheck.formats.terraform.functions import call
from pullcheck.formats.terraform.functions_hash import MAX_GZIP_INPUT
from pullcheck.formats.terraform.go_deflate import CANDIDATES_PER_UNIT, CHAIN, WorkExceeded, go_gzip
from pullcheck.formats.terraform.go_huffman import code_length_runs, huffman
from pullcheck.graph.values import Missing, Unknown

DATA = os.path.join(tf_oracle.CASES, "gzip")


def _text(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return f.read()


def test_terraforms_own_answers():
    assert call("base64gzip", [""]) == "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA=="
    assert call("base64gzip", ["hello"]) == "H4sIAAAAAAAA/8pIzcnJBwAAAP//AQAA//+GphA2BQAAAA=="


@pytest.mark.parametrize("name,size", [("words.txt", 40_000), ("ab.txt", 24_000), ("printable.txt", 36_000),
                                       ("cjk.txt", 3_600), ("taskdef.json", 0), ("cloud-init.yaml", 0)])
def test_python_reads_back_what_is_written(name, size):
    raw = _text(name).encode()
    assert size == 0 or len(raw) == size
    for data in (raw, raw[:1], raw[:100], raw * 3):  # three times: past 64 KiB, the buffer slides
        out, work = go_gzip(data)
        assert gzip.decompress(out) == data
        assert out[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, time 0, OS unknown
        assert out[-8:] == (zlib.crc32(data)).to_bytes(4, "little") + len(data).to_bytes(4, "little")
        assert len(data) <= work <= len(data) * (1 + CHAIN // CANDIDATES_PER_UNIT)


def test_the_flush_and_the_close_end_every_stream():
    for data in (b"", b"a", b"abc" * 30_000):
        out, _ = go_gzip(data)
        assert out[-17:-8] == b"\x00\x00\xff\xff\x01\x00\x00\xff\xff"  # empty stored blocks, the last one final


def _first_block_type(data):
    out, _ = go_gzip(data)
    return ("stored", "fixed", "dynamic")[(out[10] >> 1) & 3]


def test_each_block_takes_the_encoding_go_counts_smallest():
    assert _first_block_type(b"a") == "fixed"
    assert _first_block_type(_text("cjk.txt")[:20].encode()) == "stored"  # fixed codes: 9 bits for most bytes
    assert _first_block_type(_text("words.txt").encode()) == "dynamic"


def _kraft(lengths):
    return sum(2.0 ** -n for n in lengths if n)


def test_huffman_codes_are_complete_prefix_codes_within_their_bound():
    fib = [1, 1]
    while len(fib) < 30:
        fib.append(fib[-1] + fib[-2])
    for freq, bound in [(fib, 15), (fib[:19], 7), ([5, 0, 3, 0, 1], 15), ([1] * 286, 15), ([7, 1, 1], 15)]:
        code = huffman(freq, bound)
        used = [n for n, f in zip(code.lengths, freq) if f]
        assert max(used) <= bound and _kraft(code.lengths) == 1.0, (freq, code.lengths)
        assert all(n == 0 for n, f in zip(code.lengths, freq) if not f)
        words = {format(c, f"0{n}b")[::-1] for c, n in zip(code.codes, code.lengths) if n}
        assert not any(a != b and b.startswith(a) for a in words for b in words)
    assert huffman([0, 4, 0, 9], 15).lengths == [0, 1, 0, 1]  # two symbols: a bit each
    assert max(huffman(fib, 15).lengths) == 15 and max(huffman(fib, 40).lengths) == 29


def test_code_length_runs_write_the_lengths_back():
    lengths = [8] * 144 + [9] * 112 + [7] * 24 + [0] * 200 + [5, 5, 5, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 0]
    runs = code_length_runs(lengths)
    back = []
    for sym, value in runs:
        if sym < 16:
            back.append(sym)
        elif sym == 16:
            back += [back[-1]] * (value + 3)
        else:
            back += [0] * (value + (3 if sym == 17 else 11))
    assert back == lengths
    assert (18, 127) in runs and (16, 3) in runs


def test_work_is_bounded_and_charged():
    data = _text("ab.txt").encode()
    with pytest.raises(WorkExceeded):
        go_gzip(data, 5_000)
    meter = Budget()
    assert call("base64gzip", [_text("words.txt")], meter).startswith("H4sI")
    assert meter.steps >= 40_000


def test_past_the_bounds_base64gzip_is_unknown():
    got = call("base64gzip", ["a" * (MAX_GZIP_INPUT + 1)])
    assert isinstance(got, Unknown) and not isinstance(got, Missing) and str(MAX_GZIP_INPUT) in got.origin
    assert isinstance(call("base64gzip", ["é" * (MAX_GZIP_INPUT // 2 + 1)]), Unknown)  # bytes, not characters
    meter = Budget()
    meter.steps = MAX_STEPS - 1_000
    got = call("base64gzip", [_text("ab.txt")], meter)
    assert isinstance(got, Unknown) and "budget" in got.origin


def test_text_is_compressed_as_utf8_in_nfc():
    decomposed = "e\u0301"
    got = call("base64gzip", [decomposed])
    assert gzip.decompress(base64.b64decode(got)) == "é".encode()


# -- against terraform console -------------------------------------------------------------------------------

def _random_text(r, size):
    kind = r.randrange(7)
    if kind == 0:
        return "".join(chr(r.randrange(1, 256)) for _ in range(size))
    if kind == 1:
        return "".join(r.choice("ab") for _ in range(size))
    if kind == 2:
        unit = "".join(chr(r.randrange(97, 123)) for _ in range(r.randrange(1, 40_000)))
        return (unit * (size // len(unit) + 1))[:size]
    if kind == 3:
        words = _text("words.txt").split()
        return " ".join(r.choice(words) for _ in range(size // 6 + 1))[:size]
    if kind == 4:
        return "".join(chr(r.randrange(0x20, 0x3000)) for _ in range(size // 3 + 1))
    if kind == 5:
        base = _text("printable.txt")
        cuts = [base[r.randrange(0, 30_000):][:r.randrange(3, 300)] for _ in range(size // 100 + 1)]
        return "".join(cuts)[:size]
    return "".join(r.choice("\n ACGT{}:,\"") for _ in range(size))


@pytest.mark.slow
def test_random_inputs_against_terraform_console(tmp_path):
    version = tf_oracle.terraform_version() if shutil.which("terraform") else None
    if version is None:
        pytest.skip("needs terraform on PATH")
    r = random.Random(1_11_4)
    sizes = [0, 1, 2, 3, 4, 5, 10, 100, 1000, 5000, 16_384, 20_000, 65_536, 70_000, 100_000, 140_000]
    texts = [unicodedata.normalize("NFC", _random_text(r, r.choice(sizes))) for _ in range(200)]
    for i, text in enumerate(texts):
        (tmp_path / f"in{i}.txt").write_bytes(text.encode())
    (tmp_path / "main.tf").write_text("")
    expr = "jsonencode([" + ",".join(f'sha256(base64gzip(file("in{i}.txt")))' for i in range(len(texts))) + "])"
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
               TF_DATA_DIR=str(tmp_path / ".terraform"))
    run = subprocess.run(["terraform", "console", "-no-color", f"-state={tmp_path / 'x.tfstate'}"],
                         input=expr + "\n", capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    theirs = json.loads(tf_oracle.go_unquote(run.stdout.strip()))
    ours = [hashlib.sha256(call("base64gzip", [t]).encode()).hexdigest() for t in texts]
    differ = [(i, len(t.encode())) for i, (t, a, b) in enumerate(zip(texts, theirs, ours)) if a != b]
    assert len(theirs) == len(texts) and not differ, f"inputs (index, bytes) whose bytes differ: {differ}"
