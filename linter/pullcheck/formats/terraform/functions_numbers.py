"""Terraform's numeric functions. Each returns None when it cannot tell and a Missing where Terraform gives an
error. Numbers are Terraform's (number): the arguments are converted to them as Terraform converts, text that
spells a number included. pow(), log() and signum() work, as cty does, on Go's float64 and int64: the float
arithmetic is Go's own (pullcheck.formats.terraform.go_math), so the last digit is Terraform's."""
from __future__ import annotations

import math
import sys
from typing import Any, List

from pullcheck.formats.terraform import go_math, number
from pullcheck.formats.terraform.convert import TfList, Unknowable, to_number
from pullcheck.formats.terraform.failures import Fails
from pullcheck.graph.values import Missing

MAX_RANGE = 1024  # range() gives at most this many numbers: Terraform refuses more


def _numbers(args: Any, name: str) -> Any:
    """The arguments as numbers, or the Missing of Terraform's error."""
    nums = [to_number(a) for a in args]
    if None in nums:
        return Missing(f"{name}() of a value that is not a number")
    return nums


def largest(*args: Any) -> Any:
    """max(): the first of the greatest (as cty compares from minus infinity)."""
    return _first_most(args, "max", 1)


def smallest(*args: Any) -> Any:
    """min(): the first of the least."""
    return _first_most(args, "min", -1)


def _first_most(args: Any, name: str, sign: int) -> Any:
    """The first number that no later one passes in the direction ``sign`` (1: greater, -1: less)."""
    nums = _numbers(args, name)
    if isinstance(nums, Missing) or not nums:
        return nums or Missing(f"{name}() of no number")
    best = nums[0]
    for n in nums[1:]:
        if number.compare(n, best) * sign > 0:
            best = n
    return best


def sum_list(xs: Any) -> Any:
    """sum(): added from the first, as Terraform adds (each sum rounded to the precision of its terms)."""
    if not isinstance(xs, list):
        return Missing("sum() of a value that is not a list, set or tuple")
    if not xs:
        return Missing("sum() of an empty list")
    nums = _numbers(xs, "sum")
    if isinstance(nums, Missing):
        return nums
    total = nums[0]
    try:
        for n in nums[1:]:
            total = number.add(total, n)
            if total is None:
                return None
    except number.NotANumber:
        return Missing("sum() of opposite infinities")
    return total


def _one_number(fn: Any, name: str) -> Any:
    def run(v: Any) -> Any:
        n = to_number(v)
        return Missing(f"{name}() of a value that is not a number") if n is None else fn(n)
    return run


absolute = _one_number(lambda n: 0 if n == 0 else n if n > 0 else number.negate(n), "abs")  # abs(-0) is 0
ceil = _one_number(number.ceil, "ceil")
floor = _one_number(number.floor, "floor")


def number_range(*args: Any) -> Any:
    """Terraform's range(): counts down when the end is below the start (one or two arguments); refuses a
    step that moves away from the end and more than MAX_RANGE numbers. Each number is the one before plus
    the step, added as Terraform adds (``range(1, 0.5, -0.1)`` ends in 0.5999...)."""
    nums = _numbers(args, "range")
    if isinstance(nums, Missing):
        return nums
    if not 1 <= len(nums) <= 3:
        return Missing("range() of other than one, two or three numbers")
    if len(nums) == 3:
        start, stop, step = nums
    else:  # cty's zero and step of one are Go integers
        start, stop = (number.go_int(0), nums[0]) if len(nums) == 1 else (nums[0], nums[1])
        step = number.go_int(-1 if number.compare(stop, start) < 0 else 1)
    down = number.compare(step, 0) < 0
    if (down and number.compare(stop, start) > 0) or (not down and number.compare(stop, start) < 0):
        return Missing("range(): the step moves away from the end")
    out: List[Any] = []
    n = start
    while (number.compare(n, stop) > 0) if down else (number.compare(n, stop) < 0):
        if len(out) >= MAX_RANGE:
            return Missing(f"range() gives more than {MAX_RANGE} numbers, which Terraform refuses")
        out.append(n)
        n = number.add(n, step)
        if n is None:
            return None
    return TfList(out)


# -- pow(), log(), signum(), parseint(): Go's float64 and int64 ---------------------------------------------------

def _float(v: Any, name: str) -> float:
    """A number as cty gives it to a float64 parameter: rounded to the nearest, an infinity refused."""
    n = to_number(v)
    if n is None:
        raise Fails(f"{name}(): a number is required")
    f = float(n)
    if f in (math.inf, -math.inf) and not (isinstance(n, number.Number) and n.infinite()):
        raise Fails(f"{name}(): value must be between {-sys.float_info.max:f} and {sys.float_info.max:f} inclusive")
    return f


def _number(f: float, name: str) -> Any:
    """cty.NumberFloatVal(f): NaN is no number of cty's (Terraform reports an error)."""
    if f != f:
        raise Fails(f"{name}() gives no number (NaN)")
    return number.from_float(f)


def power(x: Any, y: Any) -> Any:
    """pow(): Go's math.Pow of the two float64."""
    return _number(go_math.power(_float(x, "pow"), _float(y, "pow")), "pow")


def logarithm(x: Any, base: Any) -> Any:
    """log(): Go's math.Log(x) / math.Log(base)."""
    return _number(go_math.divide(go_math.log(_float(x, "log")), go_math.log(_float(base, "log"))), "log")


_INT64 = 1 << 63


def _int64(v: Any, name: str) -> int:
    """A number as cty gives it to a Go int parameter: a whole number that fits in 64 bits."""
    n = to_number(v)
    if isinstance(n, float) and n == 0:  # negative zero is the Go int 0
        n = 0
    if not isinstance(n, int) or not -_INT64 <= n < _INT64:
        raise Fails(f"{name}(): value must be a whole number, between {-_INT64} and {_INT64 - 1}")
    return int(n)


def signum(v: Any) -> Any:
    n = _int64(v, "signum")
    return number.go_int((n > 0) - (n < 0))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parseint(text: Any, base: Any) -> Any:
    """parseint(): Go's big.Int SetString in a base of 2 to 62: a sign, then digits only (no prefix, no
    underscore, no space); up to base 36 letters of either case, past it a-z before A-Z. The number is exact,
    at the precision Go's big.Float gives a big.Int (its bits, at least 64)."""
    if not isinstance(text, str):
        raise Fails("parseint(): first argument must be a string")
    b = _int64(base, "parseint")
    if not 2 <= b <= 62:
        raise Fails("parseint(): base must be a whole number between 2 and 62 inclusive")
    digits = text[1:] if text[:1] in ("+", "-") else text
    values = [_DIGITS.find(c.lower() if b <= 36 else c) for c in digits]
    if not digits or any(not 0 <= d < b for d in values):
        raise Fails(f"parseint(): cannot parse {text!r} as a base {b} integer")
    if len(digits) * math.log2(b) > number.MAX_BITS + 8:
        raise Unknowable(f"gives a number of more than {number.MAX_BITS} bits")
    n = 0
    for d in values:
        n = n * b + d
    n = -n if text.startswith("-") else n
    return number.go_int(n, max(number.INT_PRECISION, n.bit_length()))
