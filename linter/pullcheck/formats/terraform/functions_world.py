"""Terraform's functions whose value is not in their arguments alone: the clock (timestamp(), plantimestamp()),
chance (uuid(), bcrypt()'s salt), a private key (rsadecrypt()), and the marks Terraform keeps beside a value
(sensitive(), nonsensitive(), issensitive(), ephemeralasnull()). pullcheck keeps no marks: a value marked
sensitive is the value itself; whether one is marked is read from the expression that makes it (the
evaluator asks pullcheck.formats.terraform.sensitivity), and is unknown where that cannot tell. And the functions Terraform retired,
list() and map(), which are errors."""
from __future__ import annotations

from typing import Any, List

from pullcheck.formats.terraform.budget import Budget
from pullcheck.formats.terraform.failures import Fails
from pullcheck.graph.values import Unknown


def _unknowable(why: str) -> Any:
    def run(args: List[Any], unknown: Any, meter: Budget) -> Any:
        return Unknown(why)
    return run


timestamp = _unknowable("timestamp() is the time of the deploy")
plantimestamp = _unknowable("plantimestamp() is the time of the plan")
uuid = _unknowable("uuid() is new at each deploy")
bcrypt = _unknowable("bcrypt() draws a new salt at each deploy")
rsadecrypt = _unknowable("rsadecrypt() is not evaluated: it needs a private key")


def _one(args: List[Any], name: str) -> Any:
    if len(args) != 1:
        raise Fails(f"{name}() takes one argument")
    return args[0]


def sensitive(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return _one(args, "sensitive")


def nonsensitive(args: List[Any], unknown: Any, meter: Budget) -> Any:
    return _one(args, "nonsensitive")


def ephemeralasnull(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """The value itself: pullcheck reads no ephemeral value (those of ephemeral resources are unknown)."""
    return _one(args, "ephemeralasnull")


def issensitive(args: List[Any], unknown: Any, meter: Budget) -> Any:
    _one(args, "issensitive")
    return Unknown("issensitive(): whether the value is marked sensitive cannot be told from its expression")


def _retired(name: str, instead: str) -> Any:
    def run(args: List[Any], unknown: Any, meter: Budget) -> Any:
        raise Fails(f'the "{name}" function was deprecated in Terraform v0.12 and is no longer available; '
                    f"use {instead} syntax to write a literal {name}")
    return run


retired_list = _retired("list", "tolist([ ... ])")
retired_map = _retired("map", "tomap({ ... })")
