"""Terraform's type conversion functions: tostring(), tonumber(), tobool() of a primitive, and tolist(),
toset(), tomap() of a collection, whose elements are converted to the one type they unify to (unify).
Null converts to null; where Terraform refuses a conversion, the call is a Missing that says why."""
from __future__ import annotations

from typing import Any, Callable

from pullcheck.formats.terraform.convert import NULL, Invalid, text_known, text_of, to_bool, to_number
from pullcheck.formats.terraform.unify import as_list, as_map, as_set
from pullcheck.graph.values import Missing


def _primitive(to: Callable[[Any], Any], name: str) -> Callable[[Any], Any]:
    def run(v: Any) -> Any:
        if v is None:
            return NULL
        if isinstance(v, (list, dict)):
            return Missing(f"cannot convert a collection to a {name}")
        if isinstance(v, str) and not text_known(v):
            return None
        got = to(v)
        return Missing(f"cannot convert {v!r} to a {name}") if got is None else got
    return run


def _tonumber(v: Any) -> Any:
    return None if isinstance(v, bool) else to_number(v)


def _tobool(v: Any) -> Any:
    return v if isinstance(v, bool) else to_bool(v) if isinstance(v, str) else None


tostring = _primitive(text_of, "string")
tonumber = _primitive(_tonumber, "number")
tobool = _primitive(_tobool, "bool")


def _collection(to: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(v: Any) -> Any:
        if v is None:
            return NULL
        try:
            return to(v)
        except Invalid as e:
            return Missing(str(e))
    return run


tolist = _collection(as_list)
toset = _collection(as_set)
tomap = _collection(as_map)
