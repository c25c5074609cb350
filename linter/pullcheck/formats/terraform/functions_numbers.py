"""Terraform's numeric functions, and those that work out networks (cidrsubnet(), cidrsubnets()). Each returns
None when Terraform would give an error."""
from __future__ import annotations

import math
from typing import Any

from pullcheck.formats.terraform.convert import Unknowable, text_of, to_count, to_number

MAX_RANGE = 1024  # range() gives at most this many numbers: Terraform refuses more


def _minmax(fn: Any) -> Any:
    def run(*args: Any) -> Any:
        nums = [to_number(a) for a in args]
        return None if not nums or None in nums else fn(nums)
    return run


largest = _minmax(max)
smallest = _minmax(min)


def sum_list(xs: Any) -> Any:
    if not isinstance(xs, list) or not xs:
        return None
    nums = [to_number(x) for x in xs]
    return None if None in nums else sum(nums)


def absolute(v: Any) -> Any:
    return abs(to_number(v)) if to_number(v) is not None else None


def ceil(v: Any) -> Any:
    return math.ceil(to_number(v)) if to_number(v) is not None else None


def floor(v: Any) -> Any:
    return math.floor(to_number(v)) if to_number(v) is not None else None


def number_range(*args: Any) -> Any:
    """Terraform's range(): counts down when the end is below the start (one or two arguments), refuses a
    step of zero or one that moves away from the end, and more than MAX_RANGE numbers. Computed exactly
    (Terraform's numbers are not floating point), so a step too small for a float still ends."""
    nums = [to_number(a) for a in args]
    if not nums or len(nums) > 3 or None in nums:
        return None
    if not all(isinstance(n, int) for n in nums):
        from fractions import Fraction

        try:  # a float as the decimal it is written as; inf and nan are refused
            nums = [Fraction(repr(n)) if isinstance(n, float) else Fraction(n) for n in nums]
        except (ValueError, OverflowError):
            return None
    if len(nums) == 3:
        start, stop, step = nums
    else:
        start, stop = (0, nums[0]) if len(nums) == 1 else (nums[0], nums[1])
        step = -1 if stop < start else 1
    if step == 0 or (step > 0 and stop < start) or (step < 0 and stop > start):
        return None
    count = -((start - stop) // step)  # exactly, up to the end (not included)
    if count > MAX_RANGE:
        raise Unknowable(f"gives more than {MAX_RANGE} numbers, which Terraform refuses")
    if all(isinstance(n, int) for n in (start, step)):
        return list(range(start, start + count * step, step))
    return [_plain(start + i * step) for i in range(count)]


def _plain(v: Any) -> Any:
    """An exact number as the evaluator holds it: an int when whole, else a float."""
    return int(v) if v.denominator == 1 else float(v)


def cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    if text_of(prefix) is None or to_number(newbits) is None or to_number(netnum) is None:
        return None
    return _cidrsubnet(prefix, int(to_number(newbits)), int(to_number(netnum)))


def _cidrsubnet(prefix: str, newbits: int, netnum: int) -> Any:
    import ipaddress

    net = ipaddress.ip_network(prefix, strict=False)
    plen = net.prefixlen + newbits
    if newbits < 0 or plen > net.max_prefixlen or netnum < 0 or netnum >= (1 << newbits):
        return None
    base = int(net.network_address) + (netnum << (net.max_prefixlen - plen))
    return f"{ipaddress.ip_address(base)}/{plen}"


def cidrsubnets(prefix: Any, *bits: Any) -> Any:
    import ipaddress

    if text_of(prefix) is None or not all(to_count(b) is not None for b in bits):
        return None
    net = ipaddress.ip_network(prefix, strict=False)
    out = []
    cursor = int(net.network_address)
    for b in bits:
        plen = net.prefixlen + to_count(b)
        if plen > net.max_prefixlen:
            return None
        size = 1 << (net.max_prefixlen - plen)
        cursor = (cursor + size - 1) // size * size
        if cursor + size > int(net.network_address) + net.num_addresses:
            return None
        out.append(f"{ipaddress.ip_address(cursor)}/{plen}")
        cursor += size
    return out
