"""Go's math.Pow and math.Log on float64, step for step (Go's own algorithms, not the C library's, whose last
bit may differ): what cty's pow() and log() compute. Python's float arithmetic is the same IEEE double
arithmetic, without fused multiply-adds, as Go's on amd64."""
from __future__ import annotations

import math
from fractions import Fraction


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


# Go's math.Exp on amd64 and arm64 (assembly after Shibata's method, from SLEEF): x = k ln 2 + r, r / 16
# by a Taylor series, squared back four times, with fused multiply-adds (every arm64; amd64 with AVX2 and
# FMA, as every x86-64 since 2013: only an older one, without them, may give another last bit)
_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e+02
_TAYLOR = (2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
           4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0)


def _fma(a: float, b: float, c: float) -> float:
    """a * b + c rounded once, as a fused multiply-add gives it."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def exp(x: float) -> float:
    """Go's math.Exp."""
    if x != x or x == math.inf:
        return x
    if x == -math.inf:
        return 0.0
    if x > _EXP_OVERFLOW:
        return math.inf
    k = round(x * _LOG2E)  # CVTSD2SL rounds to the nearest, ties to even, as round() does
    kf = float(k)
    r = _fma(-kf, _LN2L, _fma(-kf, _LN2U, x)) * 0.0625
    p = _TAYLOR[0]
    for t in _TAYLOR[1:]:
        p = _fma(r, p, t)
    r = r * p
    for _ in range(3):
        r = r * (r + 2.0)
    r = _fma(r + 2.0, r, 1.0)
    if k + 0x3FF <= 0:
        return 0.0
    if k + 0x3FF >= 0x7FF:
        return math.inf
    return r * math.ldexp(1.0, k)


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
    frac, whole = math.modf(y)  # modf gives the fraction first
    return frac == 0 and int(whole) & 1 == 1


def _ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(math.inf, frac)


def power(x: float, y: float) -> float:
    """Go's math.Pow: its special cases, then x**y by repeated squaring of Frexp's parts, times Go's
    math.Exp of the fraction's logarithm."""
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
    a1, ae = 1.0, 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = exp(yf * log(x))
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
