"""The values of ``pullcheck.formats.taskdef.jsonnet``: objects made of layers (``a + b`` stacks ``b``'s fields
over ``a``'s, each evaluated lazily with ``self`` the whole), functions, and what an evaluation error is.

Plain values are Python's: None, bool, float, str, ``JList`` (a list that can remember where its items are
written); an unknown is ``pullcheck.graph.values.Unknown``, a string with unknown parts a ``Template``.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Template, Unknown, make_template


@dataclass(frozen=True)
class StateValue(Unknown):
    """A value ecspresso's ``tfstate`` reads: unknown to every operation, and written out as the placeholder
    a JSON definition holds (``{{ tfstate `ADDR` }}``), which ``pullcheck.engine.tfstate`` links."""

    placeholder: str = ""


class JsonnetError(Exception):
    """What stops an evaluation where it happens: ``reason`` and the place (line, col) in ``file``."""

    def __init__(self, reason: str, pos: Any = None, file: str = "") -> None:
        super().__init__(reason)
        self.reason, self.pos, self.file = reason, pos, file

    def where(self, main: str = "") -> str:
        """The reason and its place (and its file, when it is not ``main``, the definition)."""
        at = f" at {self.pos[0]}:{self.pos[1]}" if self.pos else ""
        elsewhere = self.file and self.pos and self.file != main
        return f"{self.reason}{at}{' in ' + self.file if elsewhere else ''}"


class NotRead(JsonnetError):
    """A construct outside the subset pullcheck evaluates."""


class Limit(JsonnetError):
    """A bound passed: steps, depth, size."""


# What one evaluation may build in all, however it is built (a string or an array made again and again in a
# comprehension): past either, what is being evaluated is not read. Reset for each file (``reset``); one file
# is evaluated at a time in a process.
MAX_TEXT_TOTAL = 16 * 1024 * 1024
MAX_ITEMS_TOTAL = 1_000_000
_SPENT = [0, 0]


def reset() -> None:
    _SPENT[0] = _SPENT[1] = 0


def spend(text: int = 0, items: int = 0) -> None:
    _SPENT[0] += text
    _SPENT[1] += items
    if _SPENT[0] > MAX_TEXT_TOTAL:
        raise Limit(f"not read: more than {MAX_TEXT_TOTAL // (1024 * 1024)} MB of text built")
    if _SPENT[1] > MAX_ITEMS_TOTAL:
        raise Limit(f"not read: more than {MAX_ITEMS_TOTAL} array items built")


class JList(list):
    """An array, with where each item is written (``spots``: (pos, file) or None each) when known."""

    __slots__ = ("spots",)

    def __init__(self, items: Any = (), spots: Optional[List[Any]] = None) -> None:
        # taken one at a time up to the bound: a generator of billions stops there, never built whole
        super().__init__(itertools.islice(iter(items), MAX_ITEMS + 1))
        if len(self) > MAX_ITEMS:
            raise Limit(f"not read: an array of more than {MAX_ITEMS} items")
        spend(items=len(self))
        self.spots = spots if spots is not None and len(spots) == len(self) else [None] * len(self)


class Field:
    """One field of an object layer: how it shows (1 ``:``, 2 ``::`` hidden, 3 ``:::`` shown), whether it adds
    to the field below (``+:``), and its expression with the scope it is evaluated in, or a value."""

    __slots__ = ("hide", "plus", "node", "env", "value")

    def __init__(self, hide: int, plus: bool, node: Any, env: Any, value: Any = None) -> None:
        self.hide, self.plus, self.node, self.env, self.value = hide, plus, node, env, value


class Layer:
    """An object literal as evaluated: its fields, its locals (bound with ``self``), whether it is the
    outermost object of its file (``$``)."""

    __slots__ = ("fields", "locals", "outer", "where")

    def __init__(self, fields: Dict[str, Field], locals_: List[Tuple[str, Any]], outer: bool,
                 where: Any = None) -> None:
        self.fields, self.locals, self.outer = fields, locals_, outer
        self.where = where  # (pos, file) of the object literal


class Obj:
    __slots__ = ("layers", "cache")

    def __init__(self, layers: Tuple[Layer, ...]) -> None:
        self.layers = layers
        self.cache: Dict[str, Any] = {}

    def names(self, hidden: bool = False) -> List[str]:
        """The fields' names, sorted as Jsonnet manifests them; the hidden ones only when asked."""
        shown: Dict[str, bool] = {}
        for layer in self.layers:
            for name, f in layer.fields.items():
                if f.hide == 2:
                    shown[name] = False
                elif f.hide == 3 or name not in shown:
                    shown[name] = True
        return sorted(n for n, v in shown.items() if v or hidden)

    def has(self, name: str, hidden: bool = True) -> bool:
        return name in self.names(hidden)


def constant(values: Dict[str, Any]) -> Obj:
    """An object of known values (what std functions build)."""
    return Obj((Layer({k: Field(1, False, None, None, v) for k, v in values.items()}, [], False),))


class Func:
    __slots__ = ("params", "body", "env", "name")

    def __init__(self, params: List[Tuple[str, Any]], body: Any, env: Any, name: str = "function") -> None:
        self.params, self.body, self.env, self.name = params, body, env, name


class Builtin:
    """A std or native function: ``fn`` takes the evaluator, the evaluated arguments and the call's node."""

    __slots__ = ("name", "fn", "params")

    def __init__(self, name: str, fn: Callable[..., Any], params: Tuple[str, ...]) -> None:
        self.name, self.fn, self.params = name, fn, params


def is_unknown(v: Any) -> bool:
    return isinstance(v, (Unknown, Template))


def unknown_of(*values: Any) -> Unknown:
    """The unknown a value built from ``values`` is: the first unknown part's reason."""
    for v in values:
        if isinstance(v, StateValue):  # what is computed from it is not the state's value itself
            return Unknown(f"a value computed from {v.origin}")
        if isinstance(v, Unknown):
            return v
        if isinstance(v, Template):
            return next((p for p in v.parts if isinstance(p, Unknown)), Unknown("a value built from unknowns"))
    return Unknown("a value built from unknowns")


def text_of(parts: List[Any]) -> Any:
    """A string from known and unknown parts (a Template when some part is not known), bounded."""
    flat: List[Any] = []
    size = 0
    for p in parts:
        items = p.parts if isinstance(p, Template) else (p,)
        for x in items:
            if isinstance(x, str):
                size += len(x)
            elif not isinstance(x, Unknown):
                x = unknown_of(x)
            flat.append(x)
    if size > MAX_STRING:
        raise Limit(f"not read: a string longer than {MAX_STRING} characters")
    spend(text=size)
    return make_template(flat)


def type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, Obj):
        return "object"
    if isinstance(v, (Func, Builtin)):
        return "function"
    return "unknown"
