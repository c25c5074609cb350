"""Terraform's numeric functions, and those that work out networks (cidrsubnet(), cidrsubnets()). Each returns
None when it cannot tell and a Missing where Terraform gives an error. Numbers are Terraform's (number): the
arguments are converted to them as Terraform converts, text that spells a number included."""
from __future__ import annotations

from typing import Any, List

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.convert import TfList, text_of, to_count, to_number
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
    nums = _numbers(args, "max")
    if isinstance(nums, Missing) or not nums:
        return nums or Missing("max() of no number")
    best = nums[0]
    for n in nums[1:]:
        if number.compare(n, best) > 0:
            best = n
    return best


def smallest(*args: Any) -> Any:
    nums = _numbers(args, "min")
    if isinstance(nums, Missing) or not nums:
        return nums or Missing("min() of no number")
    best = nums[0]
    for n in nums[1:]:
        if number.compare(n, best) < 0:
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
