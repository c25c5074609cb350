"""Terraform's functions of given times: formatdate(), timeadd() and timecmp() (timestamp() and plantimestamp()
read the clock: functions_world). A time is RFC 3339 text as Go's time.Parse reads it (strictly: two-digit
fields, a ``T``, ``Z`` or an offset of whole minutes below 24 hours, a fraction of a second cut to
nanoseconds); a duration is Go's time.ParseDuration's ("1h30m", "-1.5h", "300ms"). Time is counted here in
nanoseconds from 1970 in proleptic Gregorian days, as Go counts it, so years 0 to 9999 all work.

What Terraform prints for a time given with a numeric offset depends on the time zone of the machine that
runs it (Go names the zone, and follows its summer time, when the machine's zone has that offset): it is
taken here as UTC, the zone of build machines and containers, where only a zero offset is the machine's
(named ``UTC``) and any other stays the fixed offset it was written with."""
from __future__ import annotations

import re
from typing import Any, List, Tuple

from pullcheck.formats.terraform.budget import Budget
from pullcheck.formats.terraform.convert import Unknowable, spend
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.number import go_int

_NS = 1_000_000_000
_DAY = 86_400
_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
                      r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MAX_FORMAT = 65_536  # bytes: Go's bufio.Scanner stops at a token this long, and Terraform's output with it


class Time:
    """An instant (``ns`` from 1970-01-01T00:00:00Z) with the offset it was written with (``zulu``: as ``Z``,
    Go's UTC location)."""

    __slots__ = ("ns", "offset", "zulu")

    def __init__(self, ns: int, offset: int, zulu: bool) -> None:
        self.ns, self.offset, self.zulu = ns, offset, zulu

    def fields(self) -> Tuple[int, int, int, int, int, int, int]:
        """(year, month, day, hour, minute, second, weekday) of the clock at its offset; Sunday is 0."""
        seconds = self.ns // _NS + self.offset
        days, rest = divmod(seconds, _DAY)
        year, month, day = _civil(days)
        return year, month, day, rest // 3600, rest // 60 % 60, rest % 60, (days + 4) % 7


def _days(y: int, m: int, d: int) -> int:
    """Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's days_from_civil)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil(z: int) -> Tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) // 5 + 1


def parse_time(text: str) -> Time:
    """An RFC 3339 timestamp as Terraform reads one, or Fails."""
    m = _RFC3339.fullmatch(text)
    if m is None:
        raise Fails(f"not a valid RFC3339 timestamp: {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] if 1 <= month <= 12 else 0
    if not last or not 1 <= day <= last or hour > 23 or minute > 59 or second > 59:
        raise Fails(f"not a valid RFC3339 timestamp: {text!r}: a field out of range")
    offset = 0
    if not m.group(8):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            raise Fails(f"not a valid RFC3339 timestamp: cannot use {text[-6:]!r} as UTC offset")
        offset = (oh * 3600 + om * 60) * (-1 if m.group(9) == "-" else 1)
    nanos = int((m.group(7) or "")[:9].ljust(9, "0"))
    seconds = _days(year, month, day) * _DAY + hour * 3600 + minute * 60 + second - offset
    return Time(seconds * _NS + nanos, offset, bool(m.group(8)))


_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": _NS, "m": 60 * _NS,
          "h": 3600 * _NS}
_MAX = 1 << 63


def parse_duration(text: str) -> int:
    """Go's time.ParseDuration: nanoseconds, or Fails. Each part is digits, maybe a fraction, and a unit; a
    fraction is added as Go adds it, through a float64."""
    neg, at = text[:1] == "-", 1 if text[:1] in ("-", "+") else 0
    if text[at:] == "0":
        return 0
    if at == len(text):
        raise Fails(f"time: invalid duration {text!r}")
    total = 0
    while at < len(text):
        whole, end = _leading(text, at, fraction=False)
        pre, at = end > at, end
        frac, scale, post = 0, 1.0, False
        if text.startswith(".", at):
            frac, scale, end = _leading(text, at + 1, fraction=True)
            post, at = end > at + 1, end
        if not pre and not post:
            raise Fails(f"time: invalid duration {text!r}")
        m = _UNIT.match(text, at)
        if m is None:
            raise Fails(f"time: missing unit in duration {text!r}")
        unit = _UNITS.get(m.group())
        if unit is None:
            raise Fails(f"time: unknown unit in duration {text!r}")
        at = m.end()
        if whole > _MAX // unit:
            raise Fails(f"time: invalid duration {text!r}")
        value = whole * unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > _MAX:
                raise Fails(f"time: invalid duration {text!r}")
        total += value
        if total > _MAX:
            raise Fails(f"time: invalid duration {text!r}")
    if not neg and total > _MAX - 1:
        raise Fails(f"time: invalid duration {text!r}")
    return -total if neg else total


_UNIT = re.compile(r"[^.0-9]+")


def _leading(text: str, at: int, fraction: bool) -> Any:
    """Go's leadingInt from ``at`` (digits; an overflow Fails): (value, end); or its leadingFraction (digits
    past 63 bits ignored): (value, the scale it stands for, end)."""
    x, scale, i, over = 0, 1.0, at, False
    limit = (_MAX - 1) // 10 if fraction else _MAX // 10
    while i < len(text) and "0" <= text[i] <= "9":
        if not over:
            y = x * 10 + ord(text[i]) - 48
            if x > limit or y > _MAX:
                if not fraction:
                    raise Fails(f"time: invalid duration {text!r}")
                over = True
            else:
                x, scale = y, scale * 10
        i += 1
    return (x, scale, i) if fraction else (x, i)


def rfc3339(t: Time) -> str:
    """Go's Format(time.RFC3339): whole seconds, ``Z`` for a zero offset."""
    year, month, day, hour, minute, second, _ = t.fields()
    if not 0 <= year <= 9999:
        raise Unknowable("gives a year Go writes in a form of its own")
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{_offset(t.offset, ':', True)}"


def _offset(offset: int, colon: str, zulu: bool) -> str:
    if zulu and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    minutes = abs(offset) // 60
    return f"{sign}{minutes // 60:02d}{colon}{minutes % 60:02d}"


def timeadd(timestamp: Any, duration: Any, meter: Budget) -> Any:
    t = parse_time(timestamp)
    spend(meter, len(duration) // 2)  # a part of a duration, two characters at least, is about a step
    d = parse_duration(duration)
    return rfc3339(Time(t.ns + d, t.offset, t.zulu))


def timecmp(a: Any, b: Any) -> Any:
    x, y = parse_time(a).ns, parse_time(b).ns
    return go_int((x > y) - (x < y))


def formatdate(spec: Any, timestamp: Any, meter: Budget) -> Any:
    """formatdate(): the time's fields by Terraform's verbs (runs of one letter), quoted text as it is ('' a
    quote), any other text as it is."""
    t = parse_time(timestamp)
    if len(spec) * 4 > MAX_FORMAT and len(spec.encode("utf-8", "surrogatepass")) > MAX_FORMAT:
        raise Unknowable(f"of a format over {MAX_FORMAT} bytes, which Terraform may cut short")
    tokens = _date_tokens(spec)
    spend(meter, len(tokens) + len(spec) // 16)  # a step a token, and for the characters of quoted text
    out: List[str] = []
    fields = t.fields()
    for token in tokens:
        if token[0] == "'":
            if token[-1] != "'" or len(token) == 1:
                raise Fails("unterminated literal '")
            out.append("'" if len(token) == 2 else token[1:-1].replace("''", "'"))
        elif _is_verb(token[0]):
            out.append(_verb(token, t, fields))
        else:
            out.append(token)
    return "".join(out)


def _is_verb(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


# Terraform's splitDateFormat: a doubled quote; a quoted run to its closing quote, doubled quotes inside it (an
# unclosed one to the end; the lookahead keeps it from giving back an escape); a run of one letter; anything else
_TOKEN = re.compile(r"''|'(?=((?:[^']|'')*))\1(?:'|\Z)|([A-Za-z])\2*|[^'A-Za-z]+")


def _date_tokens(spec: str) -> List[str]:
    return [m.group() for m in _TOKEN.finditer(spec)]


def _verb(token: str, t: Time, fields: Tuple[int, ...]) -> str:
    year, month, day, hour, minute, second, weekday = fields
    letter, n = token[0], len(token)
    numbers = {"D": day, "h": hour, "H": hour % 12 or 12, "m": minute, "s": second, "M": month}
    if letter in numbers and n in (1, 2):
        return f"{numbers[letter]:0{n}d}"
    if letter == "Y" and n in (2, 4):
        return f"{year % 100:02d}" if n == 2 else f"{year:04d}"
    if letter == "M" and n in (3, 4):
        return _MONTHS[month - 1][:3] if n == 3 else _MONTHS[month - 1]
    if letter == "E" and n in (3, 4):
        return _WEEKDAYS[weekday][:3] if n == 3 else _WEEKDAYS[weekday]
    if letter in "Aa" and n == 2:
        half = "AM" if hour < 12 else "PM"
        return half if letter == "A" else half.lower()
    if letter == "Z" and n in (1, 3, 4, 5):
        if n == 3:  # the zone's name: UTC's for a zero offset, none (the offset) for a fixed zone
            return "UTC" if t.offset == 0 else _offset(t.offset, "", False)
        return _offset(t.offset, ":" if n != 4 else "", n == 1)
    raise Fails(f"invalid date format verb {token!r}")
