"""YAML and JSON loaders that keep the position of every value.

Containers carry the positions of their items: ``MDict.kpos[key]`` / ``MList.ipos[i]`` are ranges
(line, col, end_line, end_col), 1-based, the end exclusive. A range covers what a finding there is about:
an item whose value is written on one line (a scalar, a short-form intrinsic, a flow collection) is
covered whole, key and value; an item whose value spans lines is covered by its key (YAML) or its opening
character (JSON) only, so an editor does not underline a whole block.
CloudFormation short-form tags become their long form (``!Ref X`` -> ``{"Ref": "X"}``).
Bounded: nesting depth, and the node count after alias expansion (YAML alias bombs).
"""
from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any, Tuple

from pullcheck.parsers.errors import MAX_DEPTH, MAX_NODES, ParseError


class MDict(dict):
    __slots__ = ("pos", "kpos")


class MList(list):
    __slots__ = ("pos", "ipos")


Pos = Tuple[int, int, int, int]


def point(line: int, col: int) -> Pos:
    """A range of one character, for positions that only have a start."""
    return (line, col, line, col + 1)

_INTRINSIC_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}
_FN_TAGS = {"Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
            "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString", "GetAtt", "ForEach"}

_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


class _YamlBuilder:
    def __init__(self, yaml: Any) -> None:
        self.count = 0
        self.yaml = yaml

    def build(self, node: Any, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ParseError(f"document expands to more than {MAX_NODES} values (YAML aliases?)",
                             node.start_mark.line + 1, node.start_mark.column + 1)
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels",
                             node.start_mark.line + 1, node.start_mark.column + 1)
        tag = node.tag
        if isinstance(node, self.yaml.MappingNode):
            value: Any = MDict()
            value.pos = self._head(node)
            value.kpos = {}
            from_merge = set()  # keys from a << merge, which a key of the mapping itself overrides
            for knode, vnode in node.value:
                if knode.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(vnode, depth + 1)
                    for m in (merged if isinstance(merged, list) else [merged]):
                        if isinstance(m, MDict):
                            for k, v in m.items():
                                if k not in value:
                                    value[k] = v
                                    value.kpos[k] = m.kpos.get(k, value.pos)
                                    from_merge.add(k)
                    continue
                key = self.build(knode, depth + 1)
                if isinstance(key, (dict, list)):
                    key = json.dumps(key, sort_keys=True, default=str)
                if key in value.kpos and key not in from_merge:
                    # CloudFormation rejects a template with a key twice; YAML loaders keep the last
                    raise ParseError(f"YAML: duplicate key {str(key)[:60]!r} (first at line {value.kpos[key][0]})",
                                     knode.start_mark.line + 1, knode.start_mark.column + 1)
                from_merge.discard(key)
                value[key] = self.build(vnode, depth + 1)
                end = vnode.end_mark if self._whole(vnode) else knode.end_mark
                value.kpos[key] = (knode.start_mark.line + 1, knode.start_mark.column + 1,
                                   end.line + 1, end.column + 1)
        elif isinstance(node, self.yaml.SequenceNode):
            value = MList()
            value.pos = self._head(node)
            value.ipos = []
            for item in node.value:
                value.append(self.build(item, depth + 1))
                value.ipos.append(self._head(item))
        else:
            value = self._scalar(node)
        if tag.startswith("!") and not tag.startswith("!!"):
            return self._intrinsic(tag, value, node)
        return value

    def _whole(self, node: Any) -> bool:
        """A node a range covers whole: one written on one line (a block scalar or collection is not)."""
        return node.start_mark.line == node.end_mark.line

    def _head(self, node: Any) -> Pos:
        """The range of a node: whole when it is a scalar or on one line, else its first entry's head."""
        start = (node.start_mark.line + 1, node.start_mark.column + 1)
        if self._whole(node):
            return start + (node.end_mark.line + 1, node.end_mark.column + 1)
        if isinstance(node, self.yaml.MappingNode) and node.value:
            knode, vnode = node.value[0]
            end = vnode.end_mark if self._whole(vnode) else knode.end_mark
            return start + (end.line + 1, end.column + 1)
        return point(*start)

    @staticmethod
    def _scalar(node: Any) -> Any:
        v = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
            return v
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(v.replace("_", ""), 0) if not v.lstrip("-+").startswith("0") or v in ("0",) else int(v, 10)
            except ValueError:
                return v
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(v.replace("_", ""))
            except ValueError:
                return v
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL.get(v.lower(), v)
        if tag == "tag:yaml.org,2002:null":
            return None
        return v

    def _intrinsic(self, tag: str, value: Any, node: Any) -> Any:
        name = tag[1:]
        out = MDict()
        out.pos = self._head(node)
        if tag in _INTRINSIC_TAGS:
            key = _INTRINSIC_TAGS[tag]
        elif name in _FN_TAGS:
            key = "Fn::" + name
            if name == "GetAtt" and isinstance(value, str):
                first, _, rest = value.partition(".")
                value = [first, rest]
        else:
            return value
        out[key] = value
        out.kpos = {key: out.pos}
        return out


_C_STACK_DEPTH = 5000  # libyaml's C composer recurses; far deeper input overflows the C stack


def _guard_depth(text: str) -> None:
    """Refuse nesting deep enough to crash the C composer before it is handed over."""
    import re

    if text.count("[") + text.count("{") > _C_STACK_DEPTH:
        depth = 0
        for m in re.finditer(r"[\[\]{}]", text):
            depth += 1 if m.group() in "[{" else -1
            if depth > _C_STACK_DEPTH:
                line = text.count("\n", 0, m.start()) + 1
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", line, 1)
    if text.count("- ") > _C_STACK_DEPTH and re.search(r"(?:-[ \t]+){%d}" % _C_STACK_DEPTH, text):
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels")


def load_yaml_documents(text: str) -> list:
    """All documents of a YAML stream as marked values."""
    _guard_depth(text)
    import yaml  # imported here so that JSON-only runs do not pay for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = []
    try:
        for node in yaml.compose_all(text, Loader=loader):
            if node is not None:
                docs.append(_YamlBuilder(yaml).build(node))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or str(e)
        raise ParseError(f"YAML: {problem}", line, col) from None
    except yaml.YAMLError as e:
        raise ParseError(f"YAML: {e}") from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    return docs


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


def load_json(text: str) -> Any:
    """Parse JSON keeping positions, with the standard library's own grammar."""
    index = _LineIndex(text)
    depth = [0]

    def object_pairs(pairs: list) -> MDict:
        d = MDict()
        d.kpos = {}
        for k, (v, p) in pairs:
            d[k] = v
            d.kpos[k] = p
        return d

    class Ctx:
        strict = False
        object_hook = None
        object_pairs_hook = staticmethod(object_pairs)
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

    def scan_pos(s: str, idx: int):
        value, end = scan_once(s, idx)
        return (value, index.range(idx, end, not isinstance(value, (dict, list)))), end

    # JSONObject passes values through scan_once; they arrive as (value, pos) pairs.
    try:
        ws = json.decoder.WHITESPACE
        idx = ws.match(text, 0).end()
        (value, _), end_idx = scan_pos(text, idx)
        end_idx = ws.match(text, end_idx).end()
        if end_idx != len(text):
            raise ParseError("JSON: extra data after the document", *index.pos(end_idx))
        return value
    except StopIteration as e:
        raise ParseError("JSON: expecting a value", *index.pos(e.value)) from None
    except json.JSONDecodeError as e:
        raise ParseError(f"JSON: {e.msg}", e.lineno, e.colno) from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None


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
