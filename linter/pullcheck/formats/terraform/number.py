"""Terraform's numbers: binary floating point of arbitrary precision (Go's big.Float, as cty uses it), with
its arithmetic, its ordering and its text.

A number Terraform reads from text (a literal, a string converted, JSON) is rounded to PRECISION bits of
mantissa, to nearest even; a sum or a quotient keeps the larger precision of its operands, a product is
rounded to PRECISION bits. A number is printed as the shortest decimal that reads back as the same number at
its precision (``1/3`` has 155 digits, ``0.1 + 0.2`` is ``0.3``), and two numbers that are not whole are
equal when their texts are.

The evaluator holds a whole number as a Python int (exact, and fast for the counts and ports modules use:
one past PRECISION bits is rounded as Terraform rounds it, and keeps its trailing zero bits), or as a
Whole when its precision is less (a length is a Go integer of INT_PRECISION bits, and ``length(a) /
length(b)`` is computed at that precision), and any other number as a Number: a float (its nearest double,
for code that reads it as one) that carries the exact binary value and its precision. A Number is never
whole, except for the infinities and negative zero.
Magnitudes past 2**MAX_BITS, or below 2**-MAX_BITS, are not followed (their text would run to thousands of
digits): the operations give None for them, and the callers an unknown.
"""
from __future__ import annotations

import functools
import math
import re
from typing import Any, Optional, Tuple

PRECISION = 512  # bits of mantissa of a number read from text, and of a product
INT_PRECISION = 64  # bits of a number made from a Go integer (a length, an index)
MAX_BITS = 14_000  # a magnitude past 2**MAX_BITS (about 4200 digits), or below its inverse, is not followed
MAX_DIGITS = 4_000  # digits a number's text may have to be read


class Number(float):
    """A number that is not a whole one (or an infinity, or negative zero): ``man * 2**exp`` rounded to
    ``prec`` bits; as a float, its nearest double."""

    man: int
    exp: int
    prec: int
    _text: Optional[str]

    def __new__(cls, man: int, exp: int, prec: int, approx: Optional[float] = None) -> "Number":
        self = float.__new__(cls, _approx(man, exp) if approx is None else approx)
        self.man, self.exp, self.prec, self._text = man, exp, prec, None
        return self

    def __str__(self) -> str:
        if self._text is None:
            self._text = text(self)
        return self._text

    __repr__ = __str__

    def __reduce__(self) -> Any:  # kept in caches: rebuilt from its exact parts
        return (Number, (self.man, self.exp, self.prec, float(self)))

    def infinite(self) -> bool:
        return math.isinf(self)


class Whole(int):
    """A whole number of a precision less than PRECISION (``prec``): a length, an index."""

    prec: int


def go_int(n: int, prec: int = INT_PRECISION) -> Whole:
    """A whole number as Terraform makes one from a Go integer (cty.NumberIntVal): INT_PRECISION bits."""
    out = Whole(n)
    out.prec = prec
    return out


INF = Number(0, 0, PRECISION, math.inf)
NEG_INF = Number(0, 0, PRECISION, -math.inf)
NEG_ZERO = Number(0, 0, PRECISION, -0.0)


class NotANumber(ArithmeticError):
    """What Go's big.Float refuses: zero divided by zero, infinity minus infinity, infinity times zero."""


def _approx(man: int, exp: int) -> float:
    shift = max(0, man.bit_length() - 64)
    try:
        return math.ldexp(float(man >> shift if man >= 0 else -((-man) >> shift)), exp + shift)
    except OverflowError:
        return math.inf if man > 0 else -math.inf


def _round(man: int, exp: int, prec: int, sticky: bool = False) -> Tuple[int, int]:
    """``man * 2**exp`` rounded to ``prec`` bits, to nearest even (``sticky``: the exact value is a little
    more than that, in magnitude, below the last bit of ``man``)."""
    neg = man < 0
    m = -man if neg else man
    n = m.bit_length()
    if n > prec:
        s = n - prec
        q = m >> s
        r = m & ((1 << s) - 1)
        half = 1 << (s - 1)
        if r > half or (r == half and (sticky or q & 1)):
            q += 1
            if q.bit_length() > prec:
                q >>= 1
                s += 1
        m, exp = q, exp + s
    return (-m if neg else m), exp


def _make(man: int, exp: int, prec: int, negative_zero: bool = False) -> Any:
    """The value ``man * 2**exp`` (already rounded): an int when whole, else a Number; None past MAX_BITS."""
    if man == 0:
        return NEG_ZERO if negative_zero else 0
    if exp >= 0:
        if man.bit_length() + exp > MAX_BITS:
            return None
        return man << exp if prec >= PRECISION else go_int(man << exp, prec)
    zeros = ((man & -man).bit_length() - 1) if man > 0 else (((-man) & man).bit_length() - 1)
    if zeros >= -exp:
        return man >> -exp if prec >= PRECISION else go_int(man >> -exp, prec)
    man, exp = man >> zeros, exp + zeros
    if man.bit_length() + exp < -MAX_BITS or man.bit_length() + exp > MAX_BITS:
        return None
    return Number(man, exp, prec)


def _parts(v: Any) -> Tuple[int, int, int]:
    """(mantissa, exponent, precision) of a finite number."""
    if isinstance(v, Number):
        return v.man, v.exp, v.prec
    return int(v), 0, _prec(v)


def _prec(v: Any) -> int:
    return v.prec if isinstance(v, (Number, Whole)) else PRECISION


def whole(n: int) -> Any:
    """A whole number as Terraform holds one made from text: rounded to PRECISION bits; None past MAX_BITS."""
    if -(1 << PRECISION) < n < (1 << PRECISION):
        return n
    return _make(*_round(n, 0, PRECISION), PRECISION)


_SYNTAX = re.compile(r"([+-]?)(?:([0-9]*)(?:\.([0-9]*))?(?:([eEpP])([+-]?[0-9]+))?|([iI]nf))")


def parse(s: str) -> Any:
    """The number text ``s`` spells as Go's big.ParseFloat reads it in base 10 (digits with an optional
    point, an optional ``e`` exponent or ``p`` binary exponent, ``inf``; no space, no underscore), rounded
    to PRECISION bits; None when it spells no number or one past the bounds."""
    if len(s) < _WHOLE_DIGITS and s.isdigit() and s.isascii():  # a whole number within PRECISION bits
        return int(s)
    return _parse(s)


_WHOLE_DIGITS = 154  # digits of whole numbers below 2**PRECISION, whatever they are


@functools.lru_cache(maxsize=1024)
def _parse(s: str) -> Any:
    m = _SYNTAX.fullmatch(s)
    if m is None:
        return None
    sign, digits, fraction, mark, power, inf = m.groups()
    if inf:
        return NEG_INF if sign == "-" else INF
    fraction = fraction or ""
    if not digits and not fraction:
        return None
    if len(digits) + len(fraction) > MAX_DIGITS or (power and len(power) > 6):
        return None
    man = int(digits + fraction or "0")
    ten = -len(fraction) + (int(power) if mark in ("e", "E") else 0)
    two = int(power) if mark in ("p", "P") else 0
    if man == 0:
        return NEG_ZERO if sign == "-" else 0
    if sign == "-":
        man = -man
    if abs(ten) > MAX_DIGITS or abs(two) > MAX_BITS:
        return None
    if ten >= 0:
        return _make(*_round(man * 10 ** ten, two, PRECISION), PRECISION)
    return _quotient(man, two, 10 ** -ten, 0, PRECISION)


def _quotient(ma: int, ea: int, mb: int, eb: int, prec: int) -> Any:
    """``(ma * 2**ea) / (mb * 2**eb)`` rounded to ``prec`` bits."""
    neg = (ma < 0) != (mb < 0)
    a, b = abs(ma), abs(mb)
    shift = max(0, prec + 2 + b.bit_length() - a.bit_length())
    q, r = divmod(a << shift, b)
    man, exp = _round(q, ea - eb - shift, prec, sticky=r != 0)
    return _make(-man if neg else man, exp, prec)


def _precision(a: Any, b: Any) -> int:
    return max(_prec(a), _prec(b))


def _is_zero(v: Any) -> bool:
    return v == 0


def _sign(v: Any) -> int:
    return -1 if v < 0 or (isinstance(v, Number) and math.copysign(1.0, v) < 0) else 1


def add(a: Any, b: Any) -> Any:
    """``a + b`` rounded to the larger precision of the two. Raises NotANumber for opposite infinities."""
    if type(a) is int and type(b) is int:
        n = a + b
        return n if -(1 << PRECISION) < n < (1 << PRECISION) else whole(n)
    if isinstance(a, int) and isinstance(b, int) and (a or b):
        prec = _precision(a, b)
        return _make(*_round(int(a) + int(b), 0, prec), prec)
    ia, ib = isinstance(a, Number) and a.infinite(), isinstance(b, Number) and b.infinite()
    if ia or ib:
        if ia and ib and (a > 0) != (b > 0):
            raise NotANumber("infinity minus infinity")
        return a if ia else b
    if _is_zero(a) and _is_zero(b):
        return NEG_ZERO if _sign(a) < 0 and _sign(b) < 0 else 0
    ma, ea, _ = _parts(a)
    mb, eb, _ = _parts(b)
    e = min(ea, eb)
    man = (ma << (ea - e)) + (mb << (eb - e))
    prec = _precision(a, b)
    return _make(*_round(man, e, prec), prec)


def negate(a: Any) -> Any:
    if isinstance(a, int):
        if not a:
            return NEG_ZERO
        return -a if type(a) is int else go_int(-a, _prec(a))
    if a.infinite():
        return NEG_INF if a > 0 else INF
    if a.man == 0:
        return 0
    return Number(-a.man, a.exp, a.prec)


def subtract(a: Any, b: Any) -> Any:
    return add(a, negate(b))


def multiply(a: Any, b: Any) -> Any:
    """``a * b`` rounded to PRECISION bits (cty computes every product at that precision)."""
    if type(a) is int and type(b) is int and a and b:
        n = a * b
        return n if -(1 << PRECISION) < n < (1 << PRECISION) else whole(n)
    ia, ib = isinstance(a, Number) and a.infinite(), isinstance(b, Number) and b.infinite()
    negative = _sign(a) != _sign(b)
    if ia or ib:
        if _is_zero(a) or _is_zero(b):
            raise NotANumber("infinity times zero")
        return NEG_INF if negative else INF
    if _is_zero(a) or _is_zero(b):
        return NEG_ZERO if negative else 0
    ma, ea, pa = _parts(a)
    mb, eb, pb = _parts(b)
    man, exp = _round(ma * mb, ea + eb, PRECISION)
    least = abs(man).bit_length() - ((man & -man).bit_length() - 1)  # the bits the product needs (MinPrec)
    return _make(man, exp, max(pa, pb, least))


def divide(a: Any, b: Any) -> Any:
    """``a / b`` rounded to the larger precision of the two; a number divided by zero is an infinity of its
    sign, as in Terraform. Raises NotANumber for zero by zero and infinity by infinity."""
    ia, ib = isinstance(a, Number) and a.infinite(), isinstance(b, Number) and b.infinite()
    negative = _sign(a) != _sign(b)
    if (ia and ib) or (_is_zero(a) and _is_zero(b)):
        raise NotANumber("zero by zero or infinity by infinity")
    if ia or _is_zero(b):
        return NEG_INF if negative else INF
    if ib or _is_zero(a):
        return NEG_ZERO if negative else 0
    if type(a) is int and type(b) is int and a % b == 0:
        return whole(a // b)
    ma, ea, _ = _parts(a)
    mb, eb, _ = _parts(b)
    return _quotient(ma, ea, mb, eb, _precision(a, b))


def modulo(a: Any, b: Any) -> Any:
    """``a % b`` as cty computes it: ``a - b * trunc(a / b)`` (the sign of ``a``, as Go's); ``a`` itself when
    ``b`` is zero; with an infinity, the product of the two."""
    if (isinstance(a, Number) and a.infinite()) or (isinstance(b, Number) and b.infinite()):
        return multiply(a, b)
    if _is_zero(b):
        return a
    if type(a) is int and type(b) is int and a.bit_length() < 256 and b.bit_length() < 256:
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    quotient = truncate(divide(a, b))
    if quotient is None:
        return None
    prec = _prec(a)
    mq, eq = _round(quotient, 0, prec)
    mb, eb, _ = _parts(b)
    mp, ep = _round(mb * mq, eb + eq, prec)
    ma, ea, _ = _parts(a)
    e = min(ea, ep)
    man = (ma << (ea - e)) - (mp << (ep - e))
    # a zero ``a`` less b times an integer zero (positive): negative only when that product is not
    return _make(*_round(man, e, prec), prec, negative_zero=a is NEG_ZERO and mb >= 0)


def truncate(v: Any) -> Any:
    """The whole part of a finite number, toward zero (an int); None for an infinity."""
    if isinstance(v, int):
        return int(v)
    if v.infinite():
        return None
    if v.man == 0:
        return 0
    q = abs(v.man) >> -v.exp if v.exp < 0 else abs(v.man) << v.exp
    return -q if v.man < 0 else q


def floor(v: Any) -> Any:
    """floor(): a whole number at the precision of ``v``, as cty sets it (an infinity as it is)."""
    if isinstance(v, int) or v.infinite():
        return v
    t = truncate(v)
    return _make(*_round(t - 1 if v < 0 and v.man != 0 else t, 0, v.prec), v.prec)


def ceil(v: Any) -> Any:
    if isinstance(v, int) or v.infinite():
        return v
    t = truncate(v)
    return _make(*_round(t + 1 if v > 0 and v.man != 0 else t, 0, v.prec), v.prec)


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as ``a`` is below, equal to or above ``b``, exactly."""
    if isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    ia, ib = isinstance(a, Number) and a.infinite(), isinstance(b, Number) and b.infinite()
    if ia or ib:
        fa, fb = float(a) if ia else 0.0, float(b) if ib else 0.0
        return (fa > fb) - (fa < fb)
    ma, ea, _ = _parts(a)
    mb, eb, _ = _parts(b)
    e = min(ea, eb)
    x, y = ma << (ea - e), mb << (eb - e)
    return (x > y) - (x < y)


def equal(a: Any, b: Any) -> bool:
    """Terraform's equality of two numbers: whole ones by value, others by their text (zeros of either sign
    are equal)."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if _is_zero(a) and _is_zero(b):
        return True
    if isinstance(a, Number) and isinstance(b, Number):
        return text(a) == text(b)
    return False


def from_float(f: float) -> Any:
    """A number Terraform makes from a float64 (pow(), log()): exact, at 53 bits."""
    if math.isinf(f):
        return INF if f > 0 else NEG_INF
    if f == 0:
        return NEG_ZERO if math.copysign(1.0, f) < 0 else 0
    if math.isnan(f):
        return None
    man, exp = float.as_integer_ratio(f)
    return _make(man, -(exp.bit_length() - 1), 53)


def text(v: Any) -> str:
    """A number as Terraform writes it (Go's ``Text('f', -1)``): the shortest decimal that reads back as the
    same number at its precision, without an exponent; ``+Inf`` and ``-Inf`` for the infinities."""
    if isinstance(v, int):
        prec = _prec(v)
        if -(1 << prec) < v < (1 << prec):  # every digit is needed: written whole
            return str(v)
        return ("-" if v < 0 else "") + _shortest(abs(int(v)), 0, prec)
    if isinstance(v, Number):
        if v.infinite():
            return "+Inf" if v > 0 else "-Inf"
        if v.man == 0:
            return "-0"
        return ("-" if v.man < 0 else "") + _shortest(abs(v.man), v.exp, v.prec)
    return str(v)


def text_g(v: Any, digits: int) -> str:
    """A number as Go's ``Text('g', digits)`` writes it (how cty orders sets of collections of numbers)."""
    if isinstance(v, Number) and (v.infinite() or v.man == 0):
        return text(v)
    man, exp, _ = _parts(v)
    if man == 0:
        return "0"
    sign = "-" if man < 0 else ""
    mant, point = _decimal(abs(man), exp)
    if len(mant) > digits:
        mant, point = _round_digits(mant, point, digits, _rounds_up(mant, digits))
    shown = digits if not (digits > len(mant) >= point) else len(mant)
    if point - 1 < -4 or point - 1 >= shown:
        e = point - 1
        head = mant[0] + ("." + mant[1:] if len(mant) > 1 else "")
        return f"{sign}{head}e{'+' if e >= 0 else '-'}{abs(e):02d}"
    return sign + _fixed(mant, point)


def _decimal(man: int, exp: int) -> Tuple[str, int]:
    """``man * 2**exp`` (man > 0) in decimal: (its digits without trailing zeros, the position of the point:
    the value is ``0.digits * 10**point``)."""
    if exp >= 0:
        s = str(man << exp)
        point = len(s)
    else:
        zeros = min((man & -man).bit_length() - 1, -exp)
        man, exp = man >> zeros, exp + zeros
        s = str(man * 5 ** -exp) if exp < 0 else str(man)
        point = len(s) + exp
    stripped = s.rstrip("0")
    return stripped, point


def _shortest(man: int, exp: int, prec: int) -> str:
    """Go's roundShortest and fmtF for ``man * 2**exp`` (man > 0) at ``prec`` bits."""
    digits, point = _decimal(man, exp)
    # the mantissa normalised to prec + 1 bits, so that its last bit is half an ulp
    shift = man.bit_length() - (prec + 1)
    m2, e2 = (man >> shift, exp + shift) if shift > 0 else (man << -shift, exp + shift)
    lower = _decimal(m2 - 1, e2)[0]
    upper = _decimal(m2 + 1, e2)[0]
    inclusive = m2 & 2 == 0
    # as Go does, digit by digit from the first of each, whatever the position of their points
    for i, d in enumerate(digits):
        low = lower[i] if i < len(lower) else "0"
        high = upper[i] if i < len(upper) else "0"
        okdown = low != d or (inclusive and i + 1 == len(lower))
        okup = d != high and (inclusive or int(d) + 1 < int(high) or i + 1 < len(upper))
        if okdown and okup:
            nearer_up = i + 1 < len(digits) and _rounds_up(digits, i + 1)
            digits, point = _round_digits(digits, point, i + 1, nearer_up)
            break
        if okdown:
            digits, point = _round_digits(digits, point, i + 1, False)
            break
        if okup:
            digits, point = _round_digits(digits, point, i + 1, True)
            break
    return _fixed(digits, point)


def _rounds_up(digits: str, n: int) -> bool:
    if digits[n] == "5" and n + 1 == len(digits):
        return n > 0 and int(digits[n - 1]) % 2 == 1
    return digits[n] >= "5"


def _round_digits(digits: str, point: int, n: int, up: bool) -> Tuple[str, int]:
    if n >= len(digits):
        return digits, point
    if not up:
        return digits[:n].rstrip("0"), point
    head = digits[:n]
    i = n - 1
    while i >= 0 and head[i] == "9":
        i -= 1
    if i < 0:
        return "1", point + 1
    return head[:i] + str(int(head[i]) + 1), point


def _fixed(digits: str, point: int) -> str:
    if point > 0:
        whole_part = digits[:point] + "0" * max(0, point - len(digits))
        fraction = digits[point:]
    else:
        whole_part = "0"
        fraction = "0" * -point + digits
    return whole_part + ("." + fraction if fraction else "")
