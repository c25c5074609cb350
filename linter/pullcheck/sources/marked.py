"""YAML and JSON loaders that keep the position of every value.

Containers carry the positions of their items: ``MDict.kpos[key]`` / ``MList.ipos[i]`` are ranges
(line, col, end_line, end_col), 1-based, the end exclusive. A range covers what a finding there is about:
an item whose value is written on one line (a scalar, a short-form intrinsic, a flow collection) is
covered whole, key and value; an item whose value spans lines is covered by its key (YAML) or its opening
character (JSON) only, so an editor does not underline a whole block.
CloudFormation short-form tags become their long form (``!Ref X`` -> ``{"Ref": "X"}``).
A key written twice in one mapping keeps its later value, as CloudFormation does; the document's top mapping
is then an ``MDocument`` that lists each such key (``repeats_of``), for the format to report.
Bounded: nesting depth, and the node count after alias expansion (YAML alias bombs).

The containers are in ``marked_values``, the readers in ``marked_yaml`` and ``marked_json``; this module
is what the rest of pullcheck reads them through, with what the language server keeps of a YAML template.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.sources.errors import MAX_NODES, ParseError
from pullcheck.sources.marked_json import load_json
from pullcheck.sources.marked_values import (MDict, MDocument, MList, OneKeyPos, Pos, Repeat, moved_pos, moved_value,
                                             point, repeats_of)
from pullcheck.sources.marked_yaml import load_yaml
from pullcheck.sources.session import current

__all__ = ["MDict", "MDocument", "MList", "OneKeyPos", "Pos", "Repeat", "point", "moved_pos", "moved_value",
           "repeats_of", "load_json", "load_yaml_documents", "placed", "same_marked", "Unchanged", "position_of"]


def load_yaml_documents(text: str, name: str = "") -> list:
    """All documents of a YAML stream as marked values, built from libyaml's events (no node tree: the
    values are all that is kept). ``name``: the file, for what the language server keeps of it: its session
    keeps the parse of each resource of a YAML template by its text, so on a keystroke only the edited
    resource is read again. A run of the command keeps nothing."""
    pieces = current().yaml_pieces
    if pieces is not None:
        docs = _template_in_pieces(text, pieces, name)
        if docs is not None:
            return docs
    return load_yaml(text)


_RESOURCES_LINE = re.compile(r"^Resources:[ \t]*(?:#[^\n]*)?$", re.M)
_ANCHOR = re.compile(r"[\s\[{,][&*][A-Za-z0-9_-]")
_MARKERS = re.compile(r"^(?:---|\.\.\.|%)", re.M)
_CONTENT = re.compile(r"^ *[^ #\n]", re.M)  # a line that is not blank or a comment
_TOP = re.compile(r"^[^ #\n]", re.M)  # a line written at the first column


def _template_in_pieces(text: str, cache: dict, name: str = "") -> Any:
    """The documents of a block-style template read as the whole text would be, each resource on its own
    (cached by its file and text; its positions moved where they are now) and the rest as one skeleton with
    the resources' lines left blank. None when the text is not of that plain shape (anchors, aliases, merge
    keys, several documents, tabs, a flow-style ``Resources``) or a piece does not read as one resource: the
    caller reads it whole, so errors are the whole read's."""
    if len(cache) > 5000:
        cache.clear()
    blocks = _resource_blocks(text)
    if blocks is None:
        return None
    head, first, end, starts = blocks
    counts: list = []
    skeleton = text[:first] + "\n" * text.count("\n", first, end) + text[end:]
    docs, _ = _piece(cache, name, skeleton, 0, counts)
    if docs is None or len(docs) != 1 or not isinstance(docs[0], MDict) or docs[0].get("Resources", 0) is not None \
            or repeats_of(docs[0]):
        return None  # the whole read notes a key written twice
    resources = _resources_in_pieces(text, cache, name, starts, end, counts)
    if resources is None:
        return None
    if sum(counts) - len(starts) > MAX_NODES:  # each piece's own mapping is not a value of the whole
        return None  # the whole read says where the bound is passed
    return [_with_resources(docs[0], resources, head)]


def _resource_blocks(text: str) -> Optional[Tuple[int, int, int, List[int]]]:
    """Where the resources of a plain block-style template are: the 0-based line of ``Resources:``, the
    offsets of its first resource and of its end, and where each resource starts; None for other shapes."""
    if "\t" in text or "\r" in text or "<<" in text or text[:1] in "&*" or _ANCHOR.search(text) \
            or _MARKERS.search(text):
        return None
    heads = list(_RESOURCES_LINE.finditer(text))
    if len(heads) != 1:
        return None
    first_m = _CONTENT.search(text, heads[0].end())
    if first_m is None:
        return None
    first = first_m.start()
    indent = first_m.end() - 1 - first
    if not indent:
        return None
    start_re = re.compile(r"^ {%d}[A-Za-z0-9]+:(?: |$)" % indent, re.M)
    if not start_re.match(text, first):
        return None
    end_m = _TOP.search(text, first)
    end = end_m.start() if end_m else len(text)
    starts = [m.start() for m in start_re.finditer(text, first, end)]
    head = text.count("\n", 0, heads[0].start())
    return head, first, end, starts


def _resources_in_pieces(text: str, cache: dict, name: str, starts: List[int], end: int,
                         counts: list) -> Optional[MDict]:
    """The ``Resources`` mapping, each resource read on its own; None when one does not read as one
    resource, or a name is written twice."""
    import bisect

    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    resources = MDict()
    kpos: dict = {}
    for a, b in zip(starts, starts[1:] + [end]):
        piece = text[a:b] if text.endswith("\n", a, b) or b == len(text) else text[a:b] + "\n"
        got, lines = _piece(cache, name, piece, bisect.bisect_right(line_starts, a) - 1, counts)
        if got is None or len(got) != 1 or not isinstance(got[0], MDict) or len(got[0]) != 1 or repeats_of(got[0]):
            return None
        (logical, value), = got[0].items()
        if logical in kpos:
            return None  # the whole read says where the name is written twice
        if not kpos:
            resources.pos = moved_pos(got[0].pos, lines)
        resources[logical] = value
        kpos[logical] = moved_pos(got[0].kpos[logical], lines)
        # read at other lines: its positions are moved when it is evaluated (see ``placed``), not now
        if isinstance(value, MDict):
            value.moved = lines
    resources.kpos = OneKeyPos(*next(iter(kpos.items()))) if len(kpos) == 1 else kpos
    return resources


def _with_resources(skeleton: MDict, resources: MDict, head: int) -> MDict:
    """The skeleton's document with the resources in it, placed as the whole read places them."""
    doc = MDict(skeleton)
    doc.kpos = dict(skeleton.kpos.items())
    doc["Resources"] = resources
    # a key whose value spans lines is pointed at by the key
    doc.kpos["Resources"] = (head + 1, 1, head + 1, len("Resources") + 1)
    doc.pos = skeleton.pos if next(iter(doc)) != "Resources" else skeleton.pos[:2] + (head + 1, len("Resources") + 1)
    if len(doc) == 1:
        doc.kpos = OneKeyPos("Resources", doc.kpos["Resources"])
    return doc


def placed(value: Any) -> Any:
    """A resource's mapping with its positions where the resource is now: a moved copy when it was read in
    pieces at other lines (a line added or taken away above it: its ``moved``), else the mapping itself.
    What reads the mapping's positions (cloudformation's evaluation) moves them, and only when it evaluates
    the resource again."""
    lines = getattr(value, "moved", 0) if isinstance(value, MDict) else 0
    return moved_value(value, lines) if lines else value


def _piece(cache: dict, name: str, text: str, base: int, counts: list) -> Tuple[Any, int]:
    """A piece's documents, by its file and text, read once; and how many lines further down than where it
    was read the piece is now."""
    key = (name, text)
    entry = cache.get(key)
    if entry is None:
        counted: list = []
        try:
            entry = cache[key] = (load_yaml(text, base, counted), base, counted[0])
        except ParseError:
            entry = cache[key] = (None, base, 0)
    docs, at, count = entry
    counts.append(count)
    return docs, base - at


def same_marked(a: Any, b: Any) -> bool:
    """The same object, or equal values written in the same places (marked containers compared with their
    positions); objects without an equality of their own (parse trees) only as the same object."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (len(a) == len(b) and getattr(a, "pos", None) == getattr(b, "pos", None)
                and all(k in b and same_marked(v, b[k]) for k, v in a.items())
                and [getattr(a, "kpos", {}).get(k) for k in a] == [getattr(b, "kpos", {}).get(k) for k in a])
    if isinstance(a, list):
        return (len(a) == len(b) and getattr(a, "pos", None) == getattr(b, "pos", None)
                and list(getattr(a, "ipos", ())) == list(getattr(b, "ipos", ()))
                and all(same_marked(x, y) for x, y in zip(a, b)))
    return a == b


class Unchanged:
    """Whether what a resource read when it was evaluated (a list: parse objects, names, values) is what it
    would read now, for the language server's kept evaluations. The entries of one earlier lint share one
    list: each is compared once (and kept alive while its verdict is, so that its id is not reused)."""

    def __init__(self, now: List[Any]) -> None:
        self.now = now
        self._verdicts: Dict[int, Tuple[Any, bool]] = {}

    def __call__(self, kept: List[Any]) -> bool:
        verdict = self._verdicts.get(id(kept))
        if verdict is None:
            same = len(kept) == len(self.now) and all(same_marked(x, y) for x, y in zip(kept, self.now))
            verdict = self._verdicts[id(kept)] = (kept, same)
        return verdict[1]


def position_of(root: Any, path: tuple) -> Pos:
    """Position of the value at ``path`` (the key's position for mapping items)."""
    node = root
    best: Pos = getattr(root, "pos", (1, 1, 1, 2))
    for key in path:
        if isinstance(node, MDict) and key in node:
            best = node.kpos.get(key, best)
            node = node[key]
        elif isinstance(node, MList) and isinstance(key, int) and 0 <= key < len(node):
            best = node.ipos[key]
            node = node[key]
        else:
            break
    return best
