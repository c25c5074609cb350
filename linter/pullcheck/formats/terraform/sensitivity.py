"""Whether Terraform marks a value sensitive, read from the expression that makes it (issensitive()).

Terraform keeps a mark beside a value: sensitive() sets it, a variable declared ``sensitive = true`` has it,
nonsensitive() takes it off. An operation, a template or a function carries the marks of what it reads over
to its result: a function the marks found anywhere inside its arguments (go-cty unmarks them deep and marks
the result), an operation and a template those of its operands themselves. A tuple or an object built of
marked elements is not itself marked. Each answer is True, False, or None where it cannot be told here
(resource attributes, whose marks come from a provider's schema; what a for expression, an index or a
splat picks out of a collection; a module's variables, which carry what their caller gives)."""
from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, FrozenSet, Optional

from pullcheck.formats.terraform.functions_collections import holds_error
from pullcheck.formats.terraform.hcl_nodes import key_name
from pullcheck.formats.terraform.syntax import JsonExpr, Known
from pullcheck.graph.values import Missing, Undeclared, Unknown

if TYPE_CHECKING:
    from pullcheck.formats.terraform.evaluate import Module

MAX_DEPTH = 64  # locals read through locals: past it, not told
_MARKERS = {"sensitive": True, "nonsensitive": False, "issensitive": False}
# the names of the for expressions around an expression whose collections hold no mark anywhere: each such
# name holds no mark either
_CLEAN: ContextVar[FrozenSet[str]] = ContextVar("clean_names", default=frozenset())


def marked(module: "Module", node: Any, deep: bool = False, depth: int = 0,
           evaluate: Optional[Callable[[Any], Any]] = None) -> Optional[bool]:
    """Whether the value of ``node`` in ``module`` is marked sensitive (``deep``: it or anything inside it).
    ``evaluate`` gives the value of an expression where ``node`` is written: with it, try() is told by the
    argument it gives."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, Known):
        return False
    if isinstance(node, JsonExpr):
        return None
    kind = node.kind
    if kind in ("num", "lit"):
        return False
    if kind == "paren":
        return marked(module, node.a, deep, depth + 1)
    if kind in ("tuple", "object"):
        if not deep:
            return False
        items = node.a if kind == "tuple" else [e.b for e in node.a] + [e.a for e in node.a if e.a.kind != "var"]
        return _any(module, items, True, depth)
    if kind == "tpl":
        if any(not isinstance(p, str) and p.kind in ("tif", "tfor") for p in node.a):
            return None
        if len(node.a) == 1 and not isinstance(node.a[0], str):  # "${x}" is x itself
            return marked(module, node.a[0], deep, depth + 1)
        return _operands(module, [p for p in node.a if not isinstance(p, str)], depth)
    if kind in ("bin", "un"):
        return _operands(module, [node.b, node.c] if kind == "bin" else [node.b], depth)
    if kind == "call":
        return _call(module, node, depth, deep, evaluate)
    if kind == "cond":  # marked when the condition or either result is (Terraform marks the one it gives so)
        return _operands(module, [node.a, node.b, node.c], depth) if not deep else \
            _any(module, [node.a, node.b, node.c], True, depth)
    if kind == "attr" and node.a.kind == "var":
        return _named(module, node.a.a, node.b, deep, depth)
    if kind in ("attr", "index"):
        return _element(module, node, deep, depth)
    if kind == "for" and not deep:  # a new collection: marked only as the one it walks is
        return marked(module, node.b, False, depth + 1)
    if kind == "for":
        return _walked(module, node, depth)
    if kind == "splat" and marked(module, node.a, True, depth + 1) is False:  # nothing marked to pick from
        return False
    if kind == "var" and node.a in _CLEAN.get():
        return False
    return None


def _walked(module: "Module", node: Any, depth: int) -> Optional[bool]:
    """Whether a for expression's result holds a mark anywhere: not when neither the collection it walks nor
    any of its expressions (its names then holding none) does."""
    walked = marked(module, node.b, True, depth + 1)
    if walked is not False:
        return walked
    value, cond, _ = node.d
    parts = [p for p in (node.c, value, cond) if p is not None]
    token = _CLEAN.set(_CLEAN.get() | {n for n in node.a if isinstance(n, str)})
    try:
        return _any(module, parts, True, depth)
    finally:
        _CLEAN.reset(token)


def _element(module: "Module", node: Any, deep: bool, depth: int) -> Optional[bool]:
    """``base.name`` or ``base[key]``: marked when the base is, else as the element written in the tuple or
    object the base is (through locals), for a key written as a literal."""
    base = marked(module, node.a, False, depth + 1)
    if base is not False:
        return base
    if marked(module, node.a, True, depth + 1) is False:  # nothing inside it is marked
        return False
    built, key = _built(module, node.a, depth), node.b
    if built is None:
        return None
    if node.kind == "index":
        if isinstance(key, Known) or key.kind not in ("num", "lit", "tpl"):
            return None
        key = key.a if key.kind != "tpl" else (key.a[0] if len(key.a) == 1 and isinstance(key.a[0], str) else None)
    if built.kind == "tuple" and isinstance(key, str) and key.isdigit() and int(key) < len(built.a):
        return marked(module, built.a[int(key)], deep, depth + 1)
    if built.kind == "object" and isinstance(key, str):
        for e in built.a:
            if key_name(e.a) == key:
                return marked(module, e.b, deep, depth + 1)
    return None


def _picked(module: "Module", node: Any, depth: int) -> Optional[bool]:
    """lookup(), element() and one() of a tuple or object written out, with a literal key or index: marked
    as the collection itself is, or else as the element they pick."""
    args = node.b
    if not args:
        return None
    whole = marked(module, args[0], False, depth + 1)
    if whole is not False:
        return True if whole else None
    built = _built(module, args[0], depth)
    if built is None:
        return None
    if node.a == "one":
        return marked(module, built.a[0], False, depth + 1) if built.kind == "tuple" and len(built.a) == 1 else None
    key = args[1] if len(args) > 1 else None
    if key is None or isinstance(key, Known) or key.kind not in ("num", "lit", "tpl"):
        return None
    text = key.a if key.kind != "tpl" else (key.a[0] if len(key.a) == 1 and isinstance(key.a[0], str) else None)
    if node.a == "element" and built.kind == "tuple" and isinstance(text, str) and text.isdigit() and built.a:
        return marked(module, built.a[int(text) % len(built.a)], False, depth + 1)
    if node.a == "lookup" and built.kind == "object" and isinstance(text, str):
        names = [key_name(e.a) for e in built.a]
        if text in names:
            return marked(module, built.a[names.index(text)].b, False, depth + 1)
        if None not in names and len(args) == 3:  # no such key among keys all written out: the default, as it is marked
            return marked(module, args[2], False, depth + 1)
    return None


def _tried(args: Any, evaluate: Callable[[Any], Any]) -> Any:
    """The argument try() gives: the first whose value is not an error nor holds one; None where that
    cannot be told (an argument that cannot be known comes first, or none is without an error)."""
    for a in args:
        got = evaluate(a)
        if isinstance(got, Undeclared) or (isinstance(got, Unknown) and not isinstance(got, Missing)):
            return None
        if not isinstance(got, Missing) and not holds_error(got):
            return a
    return None


def _built(module: "Module", node: Any, depth: int) -> Any:
    """The tuple or object constructor ``node`` is, through parentheses and locals, or None."""
    for _ in range(MAX_DEPTH - depth):
        if isinstance(node, (Known, JsonExpr)):
            return None
        if node.kind in ("tuple", "object"):
            return node
        if node.kind == "paren":
            node = node.a
        elif node.kind == "attr" and node.a.kind == "var" and node.a.a == "local" and node.b in module.locals:
            node = module.locals[node.b]
        else:
            return None
    return None


def _any(module: "Module", nodes: Any, deep: bool, depth: int) -> Optional[bool]:
    """Marked if any of ``nodes`` is; not if none is; else not told."""
    got = [marked(module, n, deep, depth + 1) for n in nodes]
    if any(got):
        return True
    return False if all(g is False for g in got) else None


def _operands(module: "Module", nodes: Any, depth: int) -> Optional[bool]:
    """An operation's or a template's result: marked where an operand is; not where no operand holds a mark
    anywhere."""
    if _any(module, nodes, True, depth) is False:
        return False
    return True if _any(module, nodes, False, depth) else None


# functions that read the marks of their arguments themselves: those that keep the marks of the elements
# where they are and mark their result as their arguments themselves are marked, and the others (what they
# give back keeps some marks, or none)
_TOP_MARKS = {"length", "tolist", "toset", "tomap", "concat", "keys", "values", "merge", "flatten", "reverse", "slice",
              "setproduct", "zipmap", "chunklist"}
_SETS = {"toset", "setunion", "setintersection", "setsubtract"}
_OWN_MARKS = {"try", "can", "lookup", "element", "one", "ephemeralasnull"}


def _call(module: "Module", node: Any, depth: int, deep: bool = False,
          evaluate: Optional[Callable[[Any], Any]] = None) -> Optional[bool]:
    """A function's result: marked where an argument is (its marks anywhere inside it, for a function that
    does not read marks itself); not where none of its arguments holds a mark anywhere."""
    if node.a in _MARKERS:
        return _MARKERS[node.a] if len(node.b) == 1 and not node.c else None
    if _any(module, node.b, True, depth) is False:
        return False
    if node.a == "try" and not node.c and evaluate is not None:
        chosen = _tried(node.b, evaluate)
        return None if chosen is None else marked(module, chosen, deep, depth + 1, evaluate)
    if node.a in ("lookup", "element", "one") and not node.c:
        return _picked(module, node, depth)
    if node.a in _SETS:  # a set holds no marked element: the marks of its elements are the set's
        return _any(module, node.b, True, depth)
    if node.a in _TOP_MARKS:  # the marks inside its arguments stay inside its result
        return _any(module, node.b, deep, depth)
    if node.a in _OWN_MARKS:
        return None
    return _any(module, node.b, True, depth)


def _named(module: "Module", root: str, name: str, deep: bool, depth: int) -> Optional[bool]:
    """``var.name`` and ``local.name``."""
    if root == "var":
        decl = module.variables.get(name)
        if decl is None:
            return None
        flag = decl.attrs.get("sensitive")
        if flag is not None:
            value = module.evaluator({}).eval(flag)
            if value is True:
                return True
            if value is not False:
                return None
        return False if module.caller is None else None
    if root == "local" and name in module.locals:
        return marked(module, module.locals[name], deep, depth + 1)
    return None
