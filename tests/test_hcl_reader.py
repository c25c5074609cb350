"""pullcheck's HCL reader against python-hcl2 7.3.1, the reference: on every .tf of the fixtures, the corpus,
the shared tricky file and a generated set, both find the same blocks and attributes (name, labels, start
line and column) and the same values once python-hcl2's way of writing expressions (``"${...}"``, spacing,
object keys quoted inside expressions, ``list.0`` as ``list[0]``) is normalised.

python-hcl2 is a test dependency only: pullcheck reads HCL itself."""
import glob
import json
import os
import random
import re

import pytest

from conftest import FIXTURES, SHARED
from pullcheck.sources.errors import ParseError
from pullcheck.formats.terraform import hcl

hcl2 = pytest.importorskip("hcl2")
if getattr(hcl2, "__version__", None) not in (None, "7.3.1"):
    from importlib.metadata import version

    if version("python-hcl2") != "7.3.1":
        pytest.skip("the reference is python-hcl2 7.3.1", allow_module_level=True)


def _files():
    roots = [FIXTURES] + ([os.path.join(SHARED, "corpus")] if SHARED else [])
    out = []
    for root in roots:
        out += sorted(glob.glob(os.path.join(root, "**", "*.tf"), recursive=True))
    if SHARED and os.path.isfile(os.path.join(SHARED, "bench", "tricky.tf")):
        out.append(os.path.join(SHARED, "bench", "tricky.tf"))
    return out


# -- python-hcl2's side ---------------------------------------------------------------------------------------

def _edge(tree):
    node = tree
    while hasattr(node, "children"):
        kids = [c for c in node.children if c is not None]
        if not kids:
            return None
        node = kids[0]
    return node


def _ref_positions(tree, out):
    """(kind, name, line, column) of every attribute and block of python-hcl2's parse tree."""
    for c in getattr(tree, "children", []):
        if not hasattr(c, "data"):
            continue
        if c.data in ("attribute", "block"):
            tok = _edge(c.children[0])
            out.append((c.data, str(tok), tok.line, tok.column))
            if c.data == "block":
                _ref_positions(c.children[-1], out)
        elif c.data in ("body", "start"):
            _ref_positions(c, out)
    return out


def _ref_flat(d, path, out):
    """(path, value) of python-hcl2's dictionary: blocks are lists of dicts with __start_line__, labels
    are the dict levels above."""
    for k, v in d.items():
        if k.startswith("__"):
            continue
        if isinstance(v, list) and v and all(_is_block(x) for x in v):
            for x in v:
                labels = []
                while "__start_line__" not in x:
                    (label, x), = x.items()
                    labels.append(label)
                _ref_flat(x, path + ((k, tuple(labels), x["__start_line__"]),), out)
        else:
            out.append((path, k, _norm(v)))
    return out


def _is_block(x):
    """A block of python-hcl2's dictionary: its body (with __start_line__) under one dict level per label."""
    while isinstance(x, dict) and "__start_line__" not in x and len(x) == 1:
        (x,) = x.values()
    return isinstance(x, dict) and "__start_line__" in x


def _norm(v):
    """python-hcl2 writes expressions back in its own way (``${...}`` around them, quotes dropped or added
    inside, spacing): compared without whitespace, quotes, dollars and braces, the rest (names, operators,
    numbers, brackets, order) must be the same. It writes a bool inside a template as Python does (True),
    and null as None, and objects inside templates as Python dictionaries: case and single quotes are
    dropped too, and None is null. An object value that starts and ends with a quote (``a = "x" ? y : "z"``)
    loses its outer quotes and gains backslashes there: backslashes are dropped (the generated set has no
    escapes; real files keep theirs and pass as they are)."""
    if isinstance(v, str):
        v = re.sub(r"\\[nrt]", "", v)  # python-hcl2 turns some escapes into the characters, some not
        return re.sub(r"[\s\"'${}\\]+", "", v).lower().replace("none", "null")
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return {_norm(k): _norm(x) for k, x in v.items()}
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


# -- pullcheck's side -----------------------------------------------------------------------------------------

def _positions(body, out):
    for name, (_, at) in body.attrs.items():
        line, col = body.src.lc(at)
        out.append(("attribute", name, line, col))
    for name, _, inner, start, _ in body.blocks:
        line, col = body.src.lc(start)
        out.append(("block", name, line, col))
        _positions(inner, out)
    return out


def _flat(body, path, out):
    for name, (node, _) in body.attrs.items():
        out.append((path, name, _norm(_value(node))))
    for name, labels, inner, start, _ in body.blocks:
        _flat(inner, path + ((name, tuple(labels), body.src.lc(start)[0]),), out)
    return out


def _raw(node):
    """A string's text as written (python-hcl2 keeps escapes and interpolations as they are)."""
    text = node.text()
    if node.b == "q":
        return text[1:-1]
    body = text.split("\n", 1)[1]
    return body.rsplit("\n", 1)[0]


def _value(node):
    """A value as python-hcl2 gives it: literals as values, strings as their text, expressions as
    ``${...}``."""
    k = node.kind
    if k == "num":
        return float(node.a) if any(c in node.a for c in ".eE") else int(node.a)
    if k == "lit":
        return node.a
    if k == "tpl":
        if node.b == "h":
            return '"' + _raw(node) + '"'
        if any(not isinstance(p, str) and p.kind in ("tif", "tfor") for p in node.a):
            return _raw(node)
        return _expr(node)[1:-1]
    if k == "tuple":
        return [_value(x) for x in node.a]
    if k == "object":
        return {_key(e.a): _value(e.b) for e in node.a}
    return "${" + _expr(node) + "}"


def _key(node):
    if node.kind == "var":
        return node.a
    if node.kind == "tpl" and node.b == "q":
        return _raw(node)
    if node.kind == "num":
        return node.a
    return "${" + _expr(node) + "}"


def _expr(node):
    """An expression written the way python-hcl2 writes it back."""
    k = node.kind
    if k in ("num", "var"):
        return node.a
    if k == "lit":
        return {True: "true", False: "false", None: "null"}[node.a]
    if k == "tpl":
        if node.b == "h":
            return '"' + _raw(node) + '"'
        if any(not isinstance(p, str) and p.kind in ("tif", "tfor") for p in node.a):
            return node.text()
        return '"' + "".join(_escaped(p) if isinstance(p, str) else "${" + _expr(p) + "}" for p in node.a) + '"'
    if k == "attr":
        return f"{_expr(node.a)}.{node.b}"
    if k == "index":
        return f"{_expr(node.a)}[{_expr(node.b)}]"
    if k == "splat":
        return f"{_expr(node.a)}{'[*]' if node.c else '.*'}{_ops(node.b)}"
    if k == "call":
        return f"{node.a}({', '.join(_expr(a) for a in node.b)}{'...' if node.c else ''})"
    if k == "tuple":
        return "[" + ", ".join(_expr(x) for x in node.a) + "]"
    if k == "object":
        return "{" + ", ".join(f"{_obj_key(e.a)}: {_expr(e.b)}" for e in node.a) + "}"
    if k == "for":
        names = node.a[1] if node.a[0] is None else f"{node.a[0]}, {node.a[1]}"
        value, cond, group = node.d
        body = _expr(value) if node.c is None else f"{_expr(node.c)} => {_expr(value)}{' ...' if group else ''}"
        tail = f" if {_expr(cond)}" if cond is not None else ""
        inner = f"for {names} in {_expr(node.b)} : {body}{tail}"
        return f"[{inner}]" if node.c is None else "{" + inner + "}"
    if k == "cond":
        return f"{_expr(node.a)} ? {_expr(node.b)} : {_expr(node.c)}"
    if k == "bin":
        return f"{_expr(node.b)} {node.a} {_expr(node.c)}"
    if k == "un":
        return f"{node.a}{_expr(node.b)}"
    if k == "paren":
        return f"({_expr(node.a)})"
    raise AssertionError(k)


def _ops(ops):
    return "".join(f".{a}" if op == "attr" else f"[*]{_ops(a)}" if op == "splat" else f"[{_expr(a)}]"
                   for op, a in ops)


def _escaped(text):
    """Literal text of a template written back with its escapes."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("${", "$${").replace("%{", "%%{")


def _obj_key(node):
    if node.kind == "var":
        return f'"{node.a}"'
    return _expr(node)


def _compare(text, where):
    try:
        ref_tree = hcl2.parses(text)
    except Exception:
        try:  # python-hcl2 needs a new line after a comment on the last line; Terraform does not
            text += "\n"
            ref_tree = hcl2.parses(text)
        except Exception:
            with pytest.raises(ParseError):
                hcl.parse(text)
            return "rejected by both"
    body = hcl.parse(text)
    assert sorted(_positions(body, [])) == sorted(_ref_positions(ref_tree, [])), where
    assert sorted(map(repr, _flat(body, (), []))) == sorted(map(repr, _ref_flat(hcl2.loads(text, with_meta=True),
                                                                               (), []))), where
    return "same"


@pytest.mark.parametrize("path", _files(), ids=lambda p: os.path.relpath(p, os.path.dirname(FIXTURES)))
def test_same_as_python_hcl2_on_real_files(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert _compare(text, path) == "same"  # every real file is HCL both readers accept


# -- a generated set --------------------------------------------------------------------------------------------

_LEAVES = ["1", "0.5", "-3", "true", "null", '"plain"', '"a-${var.env}"', "var.x", "local.names",
           "aws_subnet.private[0].id", "aws_subnet.private[*].id", "aws_subnet.private.*.id", "var.list.0",
           'var.map["k"]', "each.key", "count.index", '"${var.a}"', '"$${lit}"']


def _gen_expr(rng, depth):
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(_LEAVES)
    d = depth - 1
    form = rng.randrange(11)
    if form == 0:
        return f"{_gen_expr(rng, d)} {rng.choice(['+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||'])} " \
               f"{_gen_expr(rng, d)}"
    if form == 1:
        return f"{_gen_expr(rng, d)} ? {_gen_expr(rng, d)} : {_gen_expr(rng, d)}"
    if form == 2:
        args = ", ".join(_gen_expr(rng, d) for _ in range(rng.randrange(4)))
        return f"{rng.choice(['max', 'join', 'lookup', 'format', 'jsonencode', 'try'])}({args})"
    if form == 3:
        return "[" + ", ".join(_gen_expr(rng, d) for _ in range(rng.randrange(4))) + "]"
    if form == 4:
        keys = rng.sample(["a", "b_c", "d-e", '"q k"'], rng.randrange(3))  # python-hcl2 keeps one of twins
        items = [f"{key} = {_gen_expr(rng, d)}" for key in keys]
        return "{ " + ", ".join(items) + " }"
    if form == 5:
        return f"[for s in {_gen_expr(rng, d)} : {_gen_expr(rng, d)}" + \
               (f" if {_gen_expr(rng, d)}]" if rng.random() < 0.5 else "]")
    if form == 6:
        return f"{{ for k, v in {_gen_expr(rng, d)} : k => {_gen_expr(rng, d)} }}"
    if form == 7:
        return f"({_gen_expr(rng, d)})"
    if form == 8:
        return f"!{_gen_expr(rng, 0)}"
    if form == 9:
        return f'"pre-${{{_gen_expr(rng, d)}}}-post"'
    return f"{_gen_expr(rng, 0)}[{_gen_expr(rng, 0)}]"


def _gen_file(seed):
    rng = random.Random(seed)
    out = ["# generated", ""]
    for b in range(rng.randrange(1, 4)):
        kind = rng.choice(['resource "aws_ecs_service" "s{0}"', "locals", 'variable "v{0}"', 'module "m{0}"'])
        out.append(kind.format(b) + " {")
        for a in range(rng.randrange(1, 5)):
            out.append(f"  attr_{a} = {_gen_expr(rng, 3)}  // note")
        if rng.random() < 0.5:
            out += ["  network_configuration {", f"    subnets = {_gen_expr(rng, 2)}", "  }"]
        if rng.random() < 0.3:
            out += ["  doc = <<EOT", "line ${var.env}", "  second", "EOT"]
        out += ["}", ""]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", range(200))
def test_same_as_python_hcl2_on_generated_files(seed):
    _compare(_gen_file(seed), f"seed {seed}:\n{_gen_file(seed)}")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(200, 5200))
def test_same_as_python_hcl2_on_a_large_generated_set(seed):
    _compare(_gen_file(seed), f"seed {seed}:\n{_gen_file(seed)}")


# -- what python-hcl2 cannot judge: evaluation of templates, precedence, errors ---------------------------------

def _eval(expr, module_text=""):
    from pullcheck.formats.terraform.evaluate import Module
    from pullcheck.formats.terraform.syntax import read

    m = Module(".")
    m.add_body(read(module_text, "main.tf"))
    return m.evaluator({}).eval(read(f"x = {expr}\n", "main.tf").attrs["x"])


@pytest.mark.parametrize("expr,want", [
    ('"%{ if true }on%{ else }off%{ endif }"', "on"),
    ('"%{ if 1 > 2 }on%{ endif }"', ""),
    ('"%{ for s in ["a", "b"] }${s},%{ endfor }"', "a,b,"),
    ('"%{ for i, s in ["a", "b"] }${i}=${s};%{ endfor }"', "0=a;1=b;"),
    ('"<%{~ for s in ["a", "b"] ~} ${s} %{~ endfor ~}>"', "<ab>"),
    ('"x\\ty\\u00e9\\"q\\\\"', 'x\ty\u00e9"q\\'),
    ('"$${a} %%{b} $ %"', "${a} %{b} $ %"),
    ('1 == 1 ? "y" : "n"', "y"), ('"a" == "b" ? 1 : 2', 2),
    ("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("10 - 2 - 3", 5), ("7 % 4 * 2", 6),
    ("!false && true", True), ("true || false && false", True), ("-1 + 3", 2), ("1 < 2 == true", True),
    ("{ for k, v in { b = 1, a = 2 } : k => v }", {"a": 2, "b": 1}),
    ('{ for s in ["a", "b", "a"] : s => s... }', {"a": ["a", "a"], "b": ["b"]}),
    ("[for k, v in { b = 1, a = 2 } : k]", ["a", "b"]),  # a map is walked in key order
    ("[for s in [1, 2, 3] : s * 2 if s != 2]", [2, 6]),
    ("max([1, 5, 3]...)", 5),
    ("local.l.1", 20), ("local.l[*]", [10, 20]), ("local.n[*].s[*].t", [[1, 2], [3]]), ("local.o.k", "v"), ('local.o["k"]', "v"),
    ("{ (local.key) = 1, 2 = 3 }", {"dyn": 1, "2": 3}),
    ("<<-EOT\n    a\n      b\n    EOT\n", "a\n  b\n"),
    ("<<EOT\nkeep ${local.key}\n  as is\nEOT\n", "keep dyn\n  as is\n"),
    ('<<EOT\n%{ for s in local.l ~}\n${s}\n%{ endfor ~}\nEOT\n', "10\n20\n"),
])
def test_evaluated_as_terraform_does(expr, want):
    module = 'locals {\n  l = [10, 20]\n  n = [{ s = [{ t = 1 }, { t = 2 }] }, { s = [{ t = 3 }] }]\n  o = { k = "v" }\n  key = "dyn"\n}\n'
    assert _eval(expr, module) == want


@pytest.mark.parametrize("text,line,col,words", [
    ("a = {\n", 2, 1, "expected"),
    ('a = "abc\n', 1, 9, "not closed"),
    ("a = 1\na = 2\n", 2, 1, "set twice"),
    ("resource \"x\" \"y\" {\n  a = 1\n", 3, 1, "not closed"),
    ("a = [1, 2\nb = 3\n", 2, 1, "expected ',' or ']'"),
    ("a = <<EOT\nno end\n", 1, 5, "heredoc EOT is not closed"),
    ('a = "%{ if true }x"\n', 1, 6, "%{if} without %{endif}"),
    ("a = 1 +\n", 2, 1, "expected an expression"),
    ("a = b c\n", 1, 7, "expected a new line"),
])
def test_syntax_errors_say_where(text, line, col, words):
    with pytest.raises(ParseError) as e:
        hcl.parse(text)
    assert (e.value.line, e.value.col) == (line, col) and words in e.value.message, e.value.message


@pytest.mark.parametrize("text", [
    "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "x = " + "!" * 5000 + "true\n",
    "x = " + '"${' * 3000 + "1" + '}"' * 3000 + "\n",
    "a {\n" * 3000 + "}\n" * 3000,
    "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
])
def test_nesting_is_bounded_before_the_stack_is(text):
    with pytest.raises(ParseError) as e:
        hcl.parse(text)
    assert f"nesting deeper than {hcl.MAX_NESTING}" in e.value.message and e.value.line >= 1


def test_windows_line_endings_read_the_same():
    text = 'resource "aws_x" "y" {\n  a = "b"\n  c = <<EOT\nline\nEOT\n}\n'
    unix = hcl.parse(text)
    dos = hcl.parse(text.replace("\n", "\r\n"))
    assert _positions(unix, []) == _positions(dos, [])
    assert _eval(text.replace("\n", "\r\n").split("c = ", 1)[1].rsplit("}", 1)[0]) == "line\n"
