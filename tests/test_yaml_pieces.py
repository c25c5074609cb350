"""The language server reads a YAML template one resource at a time and keeps each resource's parse
(``current().yaml_pieces``): the documents must be the whole read's, value for value and position for position,
on every YAML file of fixtures, corpus and tests, after edits of every kind (a value typed, a line added
above, a resource removed or broken, a comment between resources), with the pieces of earlier texts in the
cache; shapes it does not handle (anchors, several documents, flow-style resources) are read whole."""
import glob
import os
import random

import pytest
from conftest import FIXTURES, ROOT, SHARED

from pullcheck.sources import marked
from pullcheck.sources.errors import ParseError
from pullcheck.sources.session import current


def _files():
    out = []
    for root in (FIXTURES, os.path.join(ROOT, "tests"), os.path.join(SHARED, "corpus")):
        for ext in ("yaml", "yml", "template"):
            out += sorted(glob.glob(os.path.join(root, "**", f"*.{ext}"), recursive=True))
    return out


def _dump(v):
    """A value with every position the reader recorded (containers' own, their items')."""
    if isinstance(v, dict):
        kpos = getattr(v, "kpos", None)
        return ("map", getattr(v, "pos", None), [(k, kpos.get(k) if kpos is not None else None, _dump(x))
                                                 for k, x in v.items()])
    if isinstance(v, list):
        return ("seq", getattr(v, "pos", None), list(getattr(v, "ipos", [])), [_dump(x) for x in v])
    return (type(v).__name__, v)


def _read(text, cache):
    current().yaml_pieces = cache
    try:
        return [(_dump(_placed(d)), marked.repeats_of(d)) for d in marked.load_yaml_documents(text, "t.yaml")]
    except ParseError as e:
        return ("error", e.message, e.line, e.col)
    finally:
        current().yaml_pieces = None


def _placed(doc):
    """A resource read at other lines keeps its parse until it is evaluated (its ``moved`` says how far it
    moved): placed where it is now, as the evaluation does."""
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    if isinstance(resources, dict):
        for name, value in list(resources.items()):
            resources[name] = marked.placed(value)
    return doc


def _edits(text, rng):
    lines = text.split("\n")
    out = [text, "\n" + text, text + "\n\n"]
    mid = len(lines) // 2
    out.append("\n".join(lines[:mid] + ["# a comment"] + lines[mid:]))
    keyed = [i for i, line in enumerate(lines) if line.startswith("  ") and line.rstrip().endswith(":")]
    if keyed:
        i = rng.choice(keyed)
        out.append("\n".join(lines[:i] + lines[i + 1:]))  # a key taken away: maybe unreadable
        out.append("\n".join(lines[:i] + [lines[i] + " x"] + lines[i + 1:]))
    valued = [i for i, line in enumerate(lines) if ": " in line]
    if valued:
        i = rng.choice(valued)
        out.append("\n".join(lines[:i] + [lines[i] + "1"] + lines[i + 1:]))
        out.append("\n".join(lines[:i] + [lines[i].replace(": ", ": [", 1)] + lines[i + 1:]))
    return out


@pytest.mark.parametrize("path", _files(), ids=lambda p: os.path.relpath(p, os.path.dirname(ROOT)))
def test_pieces_read_as_the_whole_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    cache: dict = {}
    for edited in _edits(text, random.Random(path)):
        assert _read(edited, cache) == _read(edited, None)


TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + "".join(
    f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b{i}\n" for i in range(40)) + \
    "Outputs:\n  Name:\n    Value: !Ref Bucket0\n"


def test_an_edit_reads_only_its_resource_again():
    cache: dict = {}
    current().yaml_pieces = cache
    try:
        marked.load_yaml_documents(TEMPLATE, "t.yaml")
        assert len(cache) == 41  # the skeleton and 40 resources
        docs = marked.load_yaml_documents(TEMPLATE.replace("BucketName: b7\n", "BucketName: b7x\n"), "t.yaml")
    finally:
        current().yaml_pieces = None
    assert len(cache) == 42
    assert docs[0]["Resources"]["Bucket7"]["Properties"]["BucketName"] == "b7x"
    assert docs[0]["Resources"].kpos["Bucket39"][0] == 3 + 39 * 4  # where the file has it


def test_a_line_added_above_moves_the_resources_below_without_reading_them_again():
    cache: dict = {}
    current().yaml_pieces = cache
    try:
        marked.load_yaml_documents(TEMPLATE, "t.yaml")
        lines = TEMPLATE.split("\n")
        docs = marked.load_yaml_documents("\n".join(lines[:82] + ["", ""] + lines[82:]), "t.yaml")
    finally:
        current().yaml_pieces = None
    resources = docs[0]["Resources"]
    # read again: the skeleton (its blank lines changed) and the resource the new lines are in; no other
    assert len(cache) == 43
    assert resources.kpos["Bucket39"][0] == 3 + 39 * 4 + 2
    assert resources["Bucket39"].moved == 2
    assert resources["Bucket1"].moved == 0  # above the new lines: where it was
    assert marked.placed(resources["Bucket39"]).pos[0] == resources["Bucket39"].pos[0] + 2


@pytest.mark.parametrize("text", [
    TEMPLATE.replace("  Bucket3:\n", "  Bucket3: &b\n"),  # an anchor
    "---\n" + TEMPLATE + "---\nResources: {}\n",  # several documents
    "Resources: {A: {Type: AWS::S3::Bucket}}\n",  # flow style
    TEMPLATE.replace("  Bucket5:", "  Bucket4:"),  # a name written twice: noted by the whole read
    TEMPLATE.replace("BucketName: b5\n", "BucketName: b5\n      BucketName: c5\n"),  # a key twice in one
    TEMPLATE.replace("Outputs:\n", "Outputs:\n  Name:\n    Value: x\n"),  # ... or outside the resources
])
def test_other_shapes_are_read_whole(text):
    assert _read(text, {}) == _read(text, None)


def test_a_key_written_twice_is_noted_however_the_template_is_read():
    """Read whole, in pieces, and in pieces again from the cache: the later value, and the key noted."""
    text = TEMPLATE.replace("BucketName: b5\n", "BucketName: b5\n      BucketName: c5\n")
    cache: dict = {}
    for pieces in (None, cache, cache):
        current().yaml_pieces = pieces
        try:
            doc, = marked.load_yaml_documents(text, "t.yaml")
        finally:
            current().yaml_pieces = None
        assert marked.repeats_of(doc) == (marked.Repeat("BucketName", 27, 7, 26),)
        assert doc["Resources"]["Bucket5"]["Properties"]["BucketName"] == "c5"


def test_most_templates_are_read_in_pieces():
    """The comparison above means something only if the pieces are taken: most templates are plain."""
    templates = [p for p in _files() if "Resources:" in open(p, encoding="utf-8", errors="replace").read()]
    taken = 0
    for p in templates:
        with open(p, encoding="utf-8", errors="replace") as f:
            taken += marked._template_in_pieces(f.read(), {}) is not None
    assert len(templates) > 50 and taken >= 0.8 * len(templates), (taken, len(templates))
