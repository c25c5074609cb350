"""Numbers written as Terraform writes them: a cty number is a Go big.Float of 512 bits, and format() and the
conversion to text write it with big.Float's Text (%e, %f, %g, and the shortest form that reads back the
same). The evaluator's numbers (ints, floats, or exact Decimals and Fractions) are read as the decimal they
spell, rounded to 512 bits as Terraform rounds a number it parses."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Optional, Tuple

from pullcheck.formats.terraform.failures import Fails

PRECISION = 512  # bits of a number Terraform parses (cty.ParseNumberVal)

# a number in binary, ``mantissa * 2 ** exponent`` with a mantissa of PRECISION bits (0, 0 for zero), and
# its sign
Binary = Tuple[bool, int, int]


def exact(v: Any) -> Tuple[Fraction, Binary]:
    """(the number's value as Terraform holds it, that value in binary). A float is the decimal that
    ``repr`` spells (what it was written as)."""
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, Fraction)):
        raise Fails("number required")
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise Fails("a number that is not finite")
        v = Decimal(repr(v))
    elif not isinstance(v, Decimal):
        v = Decimal(v) if isinstance(v, int) else v
    f = Fraction(v)
    binary = _rounded(f)
    if not f and isinstance(v, Decimal) and v.is_signed():  # negative zero, which Terraform keeps and writes "-0"
        binary = (True, 0, 0)
    neg, m, e = binary
    value = Fraction(m) * (Fraction(2) ** e) if m else Fraction(0)
    return (-value if neg else value), binary


def _rounded(f: Fraction) -> Binary:
    """``f`` rounded to PRECISION bits, to nearest even."""
    if f == 0:
        return False, 0, 0
    neg = f < 0
    n, d = abs(f.numerator), f.denominator
    b = n.bit_length() - d.bit_length()  # 2**b <= n/d < 2**(b+1), after this adjustment
    if (n << max(0, -b)) < (d << max(0, b)):
        b -= 1
    e = b - (PRECISION - 1)
    num, den = (n, d << e) if e >= 0 else (n << -e, d)
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    if q.bit_length() > PRECISION:
        q >>= 1
        e += 1
    return neg, q, e


def _decimal(m: int, e: int) -> Tuple[str, int]:
    """``m * 2 ** e`` (m > 0) as big's decimal: digits without trailing zeros, and the exponent ``x`` of
    ``0.digits * 10 ** x``."""
    if e >= 0:
        s = str(m << e)
        shift = 0
    else:
        s = str(m * 5 ** -e)
        shift = -e
    return s.rstrip("0"), len(s) - shift


def _at(mant: str, i: int) -> str:
    return mant[i] if 0 <= i < len(mant) else "0"


def _round(mant: str, exp: int, n: int) -> Tuple[str, int]:
    """big's decimal.round: to ``n`` digits, half to even on the exact digits."""
    if n < 0 or n >= len(mant):
        return mant, exp
    if mant[n] > "5" or (mant[n] == "5" and (n + 1 < len(mant) or (n > 0 and int(mant[n - 1]) & 1))):
        return _round_up(mant, exp, n)
    return _down(mant, exp, n)


def _down(mant: str, exp: int, n: int) -> Tuple[str, int]:
    kept = mant[:n].rstrip("0")
    return kept, exp if kept else 0


def _round_up(mant: str, exp: int, n: int) -> Tuple[str, int]:
    if n < 0 or n >= len(mant):
        return mant, exp
    while n > 0 and mant[n - 1] >= "9":
        n -= 1
    if n == 0:
        return "1", exp + 1
    return mant[:n - 1] + chr(ord(mant[n - 1]) + 1), exp


def _shortest(binary: Binary) -> Tuple[str, int]:
    """big's roundShortest: the fewest digits that read back as the same number of PRECISION bits."""
    _, m, e = binary
    mant, exp = _decimal(m, e)
    lower, _ = _decimal(2 * m - 1, e - 1)
    upper, _ = _decimal(2 * m + 1, e - 1)
    inclusive = m & 1 == 0
    for i, digit in enumerate(mant):
        low, up = _at(lower, i), _at(upper, i)
        down_ok = low != digit or (inclusive and i + 1 == len(lower))
        up_ok = digit != up and (inclusive or chr(ord(digit) + 1) < up or i + 1 < len(upper))
        if down_ok and up_ok:
            return _round(mant, exp, i + 1)
        if down_ok:
            return _down(mant, exp, i + 1)
        if up_ok:
            return _round_up(mant, exp, i + 1)
    return mant, exp


def _digits(v: Any, shortest: bool) -> Tuple[bool, str, int]:
    """(negative, digits, exponent) of ``v`` as big's decimal: exact, or (``shortest``) the fewest digits
    that read back as the same number. A whole number of up to PRECISION bits is its own digits; a float
    that is not a Number of the evaluator's is the decimal ``repr`` spells, which is its shortest form
    (any shorter decimal is further from it than 2 ** -PRECISION of its size)."""
    bits = getattr(v, "prec", PRECISION) if shortest else PRECISION  # the shortest text at the number's own bits
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() <= bits:
        text = str(abs(v))
        return v < 0, text.rstrip("0"), len(text) if v else 0
    if shortest and type(v) is float and v == v and abs(v) != float("inf"):
        return _spelled(v)
    return _exact_digits(v, shortest)


def _spelled(v: float) -> Tuple[bool, str, int]:
    sign, digits, exponent = Decimal(repr(v)).as_tuple()
    text = "".join(map(str, digits)).lstrip("0")
    return bool(sign), text.rstrip("0"), len(text) + int(exponent) if text else 0


def _exact_digits(v: Any, shortest: bool) -> Tuple[bool, str, int]:
    _, binary = exact(v)
    neg, m, e = binary
    if m == 0:  # zero keeps its sign: big.Float writes negative zero "-0"
        return neg, "", 0
    prec = getattr(v, "prec", PRECISION)  # a number made from a float64 (pow(), log()) has 53 bits
    drop = m.bit_length() - prec
    if shortest and 0 < drop and not m & ((1 << drop) - 1):  # the shortest text at the number's own precision
        m, e = m >> drop, e + drop
        binary = (neg, m, e)
    mant, exp = _shortest(binary) if shortest else _decimal(m, e)
    return neg, mant, exp


def number_text(v: Any, mode: str, prec: Optional[int]) -> str:
    """big.Float's Append(mode, prec) of ``v``: ``prec`` None is Go's default (6 for %e and %f, the
    shortest for %g), -1 the shortest."""
    if isinstance(v, float) and v == v and abs(v) == float("inf"):  # an infinity, whatever the mode and precision
        return "+Inf" if v > 0 else "-Inf"
    if prec is None:
        prec = -1 if mode in "gG" else 6
    shortest = prec < 0
    if not shortest and type(v) is float and v == v and abs(v) != float("inf"):
        neg, mant, exp = _spelled(v)
        n = 1 + prec if mode in "eE" else exp + prec if mode == "f" else max(prec, 1)
        if n > 140 or (0 < n + 1 == len(mant) and mant[n] == "5") or (n == 0 and mant == "5"):
            neg, mant, exp = _exact_digits(v, False)  # a tie or a long text: the 512 bits decide
    else:
        neg, mant, exp = _digits(v, shortest)
    if shortest:
        prec = {"e": len(mant) - 1, "E": len(mant) - 1, "f": max(len(mant) - exp, 0)}.get(mode, len(mant))
    elif mode in "eE":
        mant, exp = _round(mant, exp, 1 + prec)
    elif mode == "f":
        mant, exp = _round(mant, exp, exp + prec)
    else:
        prec = prec or 1
        mant, exp = _round(mant, exp, prec)
    sign = "-" if neg else ""
    if mode in "eE":
        return sign + _fmt_e(mode, prec, mant, exp)
    if mode == "f":
        return sign + _fmt_f(prec, mant, exp)
    eprec = prec
    if eprec > len(mant) and len(mant) >= exp:
        eprec = len(mant)
    if shortest:
        eprec = 6
    if exp - 1 < -4 or exp - 1 >= eprec:
        return sign + _fmt_e("e" if mode == "g" else "E", min(prec, len(mant)) - 1, mant, exp)
    if prec > exp:
        prec = len(mant)
    return sign + _fmt_f(max(prec - exp, 0), mant, exp)


def _fmt_e(letter: str, prec: int, mant: str, exp: int) -> str:
    first = mant[0] if mant else "0"
    frac = (mant[1:prec + 1] + "0" * prec)[:prec] if prec > 0 else ""
    x = exp - 1 if mant else 0
    return f"{first}{'.' + frac if prec > 0 else ''}{letter}{'-' if x < 0 else '+'}{abs(x):02d}"


def _fmt_f(prec: int, mant: str, exp: int) -> str:
    whole = (mant[:exp] + "0" * (exp - len(mant))) if exp > 0 else "0"
    if prec <= 0:
        return whole
    digits = mant[exp:] if exp >= 0 else "0" * min(-exp, prec) + mant
    return whole + "." + digits[:prec] + "0" * (prec - len(digits))
