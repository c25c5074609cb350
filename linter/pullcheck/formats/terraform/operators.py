"""Terraform's operators over values the evaluator computes: arithmetic on its numbers (number), ordering,
equality of the same type only, and the logical ones. Where Terraform gives an error (an operand of the
wrong type, null, zero divided by zero), the value is a Missing that says so."""
from __future__ import annotations

from typing import Any

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import Opaque, reading
from pullcheck.formats.terraform.convert import is_known, same, to_bool, to_number
from pullcheck.graph.values import Missing, Ref, Template, Unknown

_ARITHMETIC = {"+": number.add, "-": number.subtract, "*": number.multiply, "/": number.divide,
               "%": number.modulo}
_ORDER = {"<": lambda c: c < 0, ">": lambda c: c > 0, "<=": lambda c: c <= 0, ">=": lambda c: c >= 0}


def _unknown(v: Any) -> bool:
    return isinstance(v, (Unknown, Ref, Template, Opaque))


def binary(op: str, a: Any, b: Any, budget: Any = None) -> Any:
    if _unknown(a) or _unknown(b):
        return Unknown(f"operation {op} on a value that cannot be known")
    if op in ("==", "!="):
        return _equality(op, a, b, budget)
    if op in ("&&", "||"):
        x, y = to_bool(a), to_bool(b)
        if x is None or y is None:
            return Missing(f"operation {op} on a value that is not a bool")
        return (x and y) if op == "&&" else (x or y)
    x, y = to_number(a), to_number(b)
    if x is None or y is None:
        if a is None or b is None:
            return Missing(f"operation {op} on null")
        return Missing(f"operation {op} on a value that is not a number")
    try:
        if op in _ORDER:
            return _ORDER[op](number.compare(x, y))
        out = _ARITHMETIC[op](x, y)
    except number.NotANumber as e:
        return Missing(f"operation {op}: {e}")
    except KeyError:
        return Unknown(f"operation {op} is not evaluated")
    return Unknown(f"operation {op} gives a number of more than {number.MAX_BITS} bits") if out is None else out


def _equality(op: str, a: Any, b: Any, budget: Any) -> Any:
    if a is None or b is None:  # null is told from a value known at the top, whatever it holds (a map of refs)
        return (a is None and b is None) == (op == "==")
    if isinstance(a, (list, dict)) and isinstance(b, (list, dict)):
        if budget is not None:  # each distinct part keyed (equality_key): a step per element
            if not budget.spend(reading([a, b], True, budget.steps_left(), each=1)):
                return budget.spent()
        if not is_known(a) or not is_known(b):
            return Unknown(f"operation {op} on a value that cannot be known")
    elif not is_known(a) or not is_known(b):
        return Unknown(f"operation {op} on a value that cannot be known")
    return same(a, b) == (op == "==")


def unary(op: str, v: Any) -> Any:
    if _unknown(v):
        return v if isinstance(v, Unknown) else Unknown("unary operation on a value that cannot be known")
    if op == "!":
        got = to_bool(v)
        return Missing("operation ! on a value that is not a bool") if got is None else not got
    n = to_number(v)
    if n is None:
        return Missing(f"operation {op} on a value that is not a number")
    return number.negate(n)
