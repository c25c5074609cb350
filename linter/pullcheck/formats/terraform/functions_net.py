"""Terraform's network functions, cidrhost(), cidrnetmask(), cidrsubnet() and cidrsubnets(), as Terraform works
them out: prefixes read by its copy of Go's net.ParseCIDR (an IPv4 part may have leading zeros, read as
decimal), subnets and hosts by go-cidr 1.1 (a negative host number counts from the end of the prefix, and
the arithmetic is on big integers as go-cidr does it), addresses written as Go writes them. An address is
held as Go holds it: its bytes as a number, and how many bytes (4, or 16 for IPv6)."""
from __future__ import annotations

from typing import Any, List, Tuple

from pullcheck.formats.terraform.convert import at_most, to_number
from pullcheck.formats.terraform.failures import Fails

# (the address as a number, its length in bytes, the prefix length) of a network whose host bits are clear
Network = Tuple[int, int, int]
_MAPPED = 0xFFFF << 32  # ::ffff:0:0/96, IPv4 addresses in IPv6 form


def _dtoi(s: str) -> Tuple[int, int]:
    """Go's dtoi: (the decimal number at the start of ``s``, how many digits), or (-1, 0) for none."""
    n = i = 0
    while i < len(s) and "0" <= s[i] <= "9" and s[i].isascii():
        n = n * 10 + ord(s[i]) - 48
        if n >= 0xFFFFFF:
            return -1, i
        i += 1
    return (n, i) if i else (-1, 0)


def _ipv4(s: str) -> Any:
    value = 0
    for k in range(4):
        if k:
            if not s.startswith("."):
                return None
            s = s[1:]
        n, used = _dtoi(s)
        if n < 0 or n > 0xFF:
            return None
        value = value << 8 | n
        s = s[used:]
    return None if s else value


def _ipv6(s: str) -> Any:
    import ipaddress

    if not s or "%" in s or not s.isascii():
        return None
    try:
        return int(ipaddress.IPv6Address(s))
    except ValueError:
        return None


def parse_cidr(s: str) -> Network:
    """Go's net.ParseCIDR (Terraform's copy): the network, its host bits cleared."""
    addr, slash, mask = s.partition("/")
    size, ip = 4, _ipv4(addr)
    if ip is None:
        size, ip = 16, _ipv6(addr)
    n, used = _dtoi(mask)
    if not slash or ip is None or n < 0 or used != len(mask) or n > 8 * size:
        raise Fails(f"invalid CIDR expression: invalid CIDR address: {s}")
    bits = 8 * size
    return ip & _mask(n, bits), size, n


def _mask(prefix: int, bits: int) -> int:
    return ((1 << prefix) - 1) << (bits - prefix)


def _to4(ip: int, size: int) -> bool:
    return size == 4 or ip >> 32 == 0xFFFF


def ip_text(ip: int, size: int) -> str:
    """Go's IP.String(): dotted for IPv4 (and IPv4 in IPv6 form), else IPv6 with its longest run of zero
    groups (two or more) written ``::``."""
    import ipaddress

    if _to4(ip, size):
        return str(ipaddress.IPv4Address(ip & 0xFFFFFFFF))
    return ipaddress.IPv6Address(ip).compressed


def _network_text(ip: int, size: int, prefix: int) -> str:
    """Go's IPNet.String(): an IPv4 address in IPv6 form is written as IPv4, its prefix counted in 32 bits."""
    if size == 16 and ip >> 32 == 0xFFFF:
        return f"{ip_text(ip, size)}/{max(0, prefix - 96)}"
    return f"{ip_text(ip, size)}/{prefix}"


def _from_bytes(v: int, size: int) -> int:
    """go-cidr's intToIP: the magnitude's bytes at the end of the address (more than fit: Go panics)."""
    v = abs(v)
    if v.bit_length() > 8 * size:
        raise Fails("panic in function implementation: index out of range")
    return v


def _whole(v: Any, go_int: bool) -> int:
    n = to_number(v)
    if n is None or isinstance(v, bool):
        raise Fails("a number is required")
    if isinstance(n, float) and not n.is_integer() or (go_int and not -(1 << 63) <= n < 1 << 63):
        if go_int:
            raise Fails("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
        raise Fails("value must be a whole number")
    return int(n)


def _uint64(n: int) -> int:
    """Go's big.Int.Uint64(): the low 64 bits of the magnitude."""
    return abs(n) & ((1 << 64) - 1)


def cidrhost(prefix: str, hostnum: Any) -> Any:
    num = _whole(hostnum, go_int=False)
    ip, size, plen = parse_cidr(prefix)
    bits = 8 * size
    most = (1 << (bits - plen)) - 1
    low = _uint64(num)
    low = low - (1 << 64) if low >= 1 << 63 else low  # go-cidr reads it as an int64
    if num < 0:
        low = -num - 1
        num = most - low
    if low > most:
        raise Fails(f"prefix of {plen} does not accommodate a host numbered {num}")
    width = 32 if _to4(ip, size) else 128
    return ip_text(_from_bytes(ip | num << (bits - width), size), size)


def cidrnetmask(prefix: str) -> Any:
    ip, size, plen = parse_cidr(prefix)
    if not _to4(ip, size):
        raise Fails(f"IPv6 addresses cannot have a netmask: {prefix}")
    return ip_text(_mask(plen, 8 * size), size)


def cidrsubnet(prefix: str, newbits: Any, netnum: Any) -> Any:
    extra = _whole(newbits, go_int=True)
    num = _whole(netnum, go_int=False)
    ip, size, plen = parse_cidr(prefix)
    bits = 8 * size
    new = plen + extra
    if new > bits:
        raise Fails(f"insufficient address space to extend prefix of {plen} by {extra}")
    if new < 0:
        raise Fails(f"a prefix of {new} bits, which Go's net package has no mask for")
    most = (1 << extra) - 1 if 0 <= extra < 64 else (1 << 64) - 1
    if _uint64(num) > most:
        raise Fails(f"prefix extension of {extra} does not accommodate a subnet numbered {num}")
    shift = bits - new
    moved = num << shift if shift >= 0 else num >> -shift
    return _network_text(_from_bytes(ip | moved, size), size, new)


def cidrsubnets(prefix: str, *newbits: Any) -> Any:
    """Consecutive subnets of the lengths given, each after the one before, aligned to its own size."""
    ip, size, plen = parse_cidr(prefix)
    if not newbits:
        return []
    at_most(len(newbits))
    bits = 8 * size
    if size == 16 and ip >> 32 == 0xFFFF:
        raise Fails("an IPv4 prefix in IPv6 form, which go-cidr reads in two sizes at once")
    first = min(max(plen + _whole(newbits[0], go_int=True), 0), bits)  # out of range: refused below
    span = (1 << bits) - 1
    current = ((ip - 1) & span) & _mask(first, bits), first  # go-cidr's PreviousSubnet
    out: List[str] = []
    for arg in newbits:
        extra = _whole(arg, go_int=True)
        if extra < 1:
            raise Fails("must extend prefix by at least one bit")
        if extra > 32:
            raise Fails("may not extend prefix by more than 32 bits")
        length = plen + extra
        if length > bits:
            raise Fails(f"would extend prefix to {length} bits, which is too long for an "
                        f"{'IPv4' if size == 4 else 'IPv6'} address")
        base, clen = current
        last = base | ((1 << (bits - clen)) - 1)  # go-cidr's NextSubnet: after the block that holds it
        after = ((last & _mask(length, bits) | ((1 << (bits - length)) - 1)) + 1) & span
        if after == 0 or after & _mask(plen, bits) != ip:
            raise Fails(f"not enough remaining address space for a subnet with a prefix of {length} bits "
                        f"after {_network_text(base, size, clen)}")
        current = after & _mask(length, bits), length
        out.append(_network_text(current[0], size, length))
    return out
