"""The language server reads a ``.tf`` file one top-level block at a time and keeps each block's parse
(``syntax.read_pieces``): the result must be the whole read's, node for node and position for position,
on every ``.tf`` of fixtures and corpus and the shared tricky file, after edits of every kind (a value
typed, a line added above, a block removed, a heredoc holding a ``}`` line, a broken block), with the
pieces of earlier texts in the cache."""
import glob
import os
import random

import pytest
from conftest import FIXTURES, SHARED

from pullcheck.sources.errors import ParseError
from pullcheck.formats.terraform import hcl
from pullcheck.formats.terraform.syntax import Body, pos_of, read, read_pieces


def _files():
    roots = [FIXTURES, os.path.join(SHARED, "corpus")]
    out = []
    for root in roots:
        out += sorted(glob.glob(os.path.join(root, "**", "*.tf"), recursive=True))
    tricky = os.path.join(SHARED, "bench", "tricky.tf")
    return out + ([tricky] if os.path.isfile(tricky) else [])


def _node(n, out):
    """Every node under ``n``: its kind, text and range (the range computed from the piece's own offsets)."""
    if isinstance(n, hcl.Node):
        out.append((n.kind, n.text(), n.pos()))
        for x in (n.a, n.b, n.c, n.d):
            _node(x, out)
    elif isinstance(n, (list, tuple)):
        for x in n:
            _node(x, out)
    elif isinstance(n, dict):
        for k, x in n.items():
            _node(k, out)
            _node(x, out)
    return out


def _dump(body: Body):
    return ([(name, labels, pos, _dump(b)) for name, labels, b, pos in body.blocks],
            [(k, pos_of(v), _node(v, [])) for k, v in body.attrs.items()])


def _whole(text, name):
    try:
        return _dump(read(text, name))
    except ParseError as e:
        return ("error", e.message, e.line, e.col)


def _pieces(text, name, cache):
    try:
        return _dump(read_pieces(text, name, cache))
    except ParseError as e:
        return ("error", e.message, e.line, e.col)


def _edits(text, rng):
    """Texts an editor passes through: a character typed in a value, a line added at the top and in the
    middle, a block's closing line removed, a closing line put inside a heredoc, CRLF line ends."""
    lines = text.split("\n")
    mid = len(lines) // 2
    out = [text, "\n" + text, text + "\n\n", text.replace("\n", "\r\n")]
    out.append("\n".join(lines[:mid] + ["# a comment"] + lines[mid:]))
    closers = [i for i, line in enumerate(lines) if line.rstrip() == "}"]
    if closers:
        i = rng.choice(closers)
        out.append("\n".join(lines[:i] + lines[i + 1:]))  # an unfinished block: the whole read's error
        out.append("\n".join(lines[:i] + ['  x = <<EOT', "}", "EOT"] + lines[i:]))
    quoted = [i for i, line in enumerate(lines) if '"' in line]
    if quoted:
        i = rng.choice(quoted)
        out.append("\n".join(lines[:i] + [lines[i].replace('"', '"a', 1)] + lines[i + 1:]))
    return out


@pytest.mark.parametrize("path", _files(), ids=lambda p: os.path.relpath(p, os.path.dirname(FIXTURES)))
def test_pieces_read_as_the_whole_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    cache: dict = {}
    rng = random.Random(path)
    for edited in _edits(text, rng):
        assert _pieces(edited, "m.tf", cache) == _whole(edited, "m.tf")


def test_an_edit_reads_only_its_block_again():
    blocks = [f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n' for i in range(50)]
    cache: dict = {}
    read_pieces("".join(blocks), "m.tf", cache)
    assert len(cache) == 50
    blocks[20] = blocks[20].replace('"b20"\n', '"b20x"\n')
    body = read_pieces("".join(blocks), "m.tf", cache)
    assert len(cache) == 51  # one piece read again; the 49 others came from the cache
    assert body.blocks[20][2].attrs["bucket"].text() == '"b20x"'
    assert body.blocks[49][3][0] == 3 * 49 + 1  # and every block where the file has it


def test_a_heredoc_holding_a_closing_line_is_read_whole():
    text = ('resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{\n}\nEOF\n}\n'
            'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    assert _pieces(text, "m.tf", {}) == _whole(text, "m.tf")
    assert read_pieces(text, "m.tf", {}).blocks[0][2].attrs["policy"].kind == "tpl"


def test_an_attribute_written_in_two_pieces_is_the_whole_reads_error():
    text = 'a = 1\nlocals {\n}\na = 2\n'
    assert _pieces(text, "x.tfvars", {})[0] == "error"
    assert _pieces(text, "x.tfvars", {}) == _whole(text, "x.tfvars")
