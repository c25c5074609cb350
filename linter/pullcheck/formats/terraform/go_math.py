"""Go's math.Pow and math.Log on float64, step for step (Go's own algorithms, not the C library's, whose last
bit may differ): what cty's pow() and log() compute. Python's float arithmetic is the same IEEE double
arithmetic, without fused multiply-adds, as Go's on amd64."""
from __future__ import annotations

import math

from pullcheck.formats.terraform.convert import Unknowable

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_L1, _L2, _L3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_L4, _L5 = 2.222219843214978396e-01, 1.818357216161805012e-01
_L6, _L7 = 1.531383769920937332e-01, 1.479819860511658591e-01


def log(x: float) -> float:
    """Go's math.Log (FreeBSD's e_log.c, as Go writes it in Go and in amd64 assembly)."""
    if x != x or x == math.inf:
        return x
    if x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    f1, ki = math.frexp(x)
    if f1 < math.sqrt(2) / 2:
        f1 *= 2
        ki -= 1
    f = f1 - 1
    k = float(ki)
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_L1 + s4 * (_L3 + s4 * (_L5 + s4 * _L7)))
    t2 = s4 * (_L2 + s4 * (_L4 + s4 * _L6))
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)


def divide(a: float, b: float) -> float:
    """Go's a / b on float64: by zero, an infinity of the signs' product, or NaN for 0 / 0."""
    if b != 0:
        return a / b
    if a == 0 or a != a:
        return math.nan
    return math.copysign(math.inf, math.copysign(1, a) * math.copysign(1, b))


def _odd_int(y: float) -> bool:
    if abs(y) >= 1 << 53:
        return False
    whole, frac = math.modf(y)
    return frac == 0 and int(whole) & 1 == 1


def _ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(math.inf, frac)


def power(x: float, y: float) -> float:
    """Go's math.Pow: its special cases, then x**y by repeated squaring of Frexp's parts. A power with a
    fraction (other than a half) needs Go's math.Exp, which on amd64 is assembly of its own: Unknowable."""
    special = _pow_special(x, y)
    if special is not None:
        return special
    yi, yf = math.modf(abs(y))[1], math.modf(abs(y))[0]
    if yf != 0 and x < 0:
        return math.nan
    if yi >= 1 << 63:
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    if yf != 0:
        raise Unknowable("of a fractional power is computed with Go's math.Exp, not followed here")
    a1, ae = 1.0, 0
    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or (1 << 12) < xe:
            ae += xe  # catastrophic overflow: Go gives up the same way
            break
        if i & 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1, ae = 1 / a1, -ae
    return _ldexp(a1, ae)


def _pow_special(x: float, y: float) -> float | None:
    """Go's math.Pow for the cases it answers before computing, or None."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if x != x or y != y:
        return math.nan
    if x == 0:
        odd = math.copysign(1, x) < 0 and _odd_int(y)
        if y < 0:
            return -math.inf if odd else math.inf
        return x if odd else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    if math.isinf(x):
        if x < 0:
            return power(1 / x, -y)
        return 0.0 if y < 0 else math.inf
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x >= 0 else math.nan
    return None
