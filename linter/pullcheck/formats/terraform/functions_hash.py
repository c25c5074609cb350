"""Terraform's functions over the bytes of text: hashes (md5(), sha1(), sha256(), sha512(), base64sha256(),
base64sha512(), uuidv5()), base64 (base64encode(), base64decode(), textencodebase64(), textdecodebase64()) and
urlencode(), and base64gzip(). Text is its UTF-8 bytes, in NFC as Terraform holds it (functions.Pure gives
it so).

base64gzip() gives the bytes of Go's compress/gzip (pullcheck.formats.terraform.go_deflate), which zlib's
differ from, for text up to MAX_GZIP_INPUT bytes; each unit of the compressor's work (a position, or a few
hash chain candidates tried: go_deflate.CANDIDATES_PER_UNIT) is a step of the budget."""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any, Dict, Optional, Tuple

from pullcheck.formats.terraform.budget import Budget
from pullcheck.formats.terraform.convert import Unknowable, spend
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.go_deflate import WorkExceeded, go_gzip
from pullcheck.formats.terraform.unicode_text import go_trimspace


def _hex(algorithm: str) -> Any:
    def run(s: str) -> str:
        return hashlib.new(algorithm, s.encode()).hexdigest()
    return run


def _b64(algorithm: str) -> Any:
    def run(s: str) -> str:
        return base64.b64encode(hashlib.new(algorithm, s.encode()).digest()).decode()
    return run


md5, sha1, sha256, sha512 = _hex("md5"), _hex("sha1"), _hex("sha256"), _hex("sha512")
base64sha256, base64sha512 = _b64("sha256"), _b64("sha512")


def base64encode(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def go_base64(s: str) -> Optional[bytes]:
    """Go's base64.StdEncoding.DecodeString: padded, line breaks ignored, nothing after the padding; None
    for text it refuses."""
    s = s.replace("\r", "").replace("\n", "")
    if len(s) % 4 or not _BASE64.fullmatch(s):
        return None
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None


def base64decode(s: str) -> str:
    raw = go_base64(s)
    if raw is None:
        raise Fails(f"failed to decode base64 data {s}")
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise Fails("the result of decoding the provided string is not valid UTF-8") from None


def urlencode(s: str) -> str:
    """Go's url.QueryEscape: letters, digits and -_.~ as they are, a space as +, the rest %XX."""
    from urllib.parse import quote_plus

    return quote_plus(s, safe="")


_NAMESPACES = {"dns": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "url": "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
               "oid": "6ba7b812-9dad-11d1-80b4-00c04fd430c8", "x500": "6ba7b814-9dad-11d1-80b4-00c04fd430c8"}
_UUID = re.compile(r"(?:urn:uuid:)?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?"
                   r"([0-9a-fA-F]{12})|\{([0-9a-fA-F-]{36})\}")


def uuidv5(namespace: str, name: str) -> str:
    import uuid

    text = _NAMESPACES.get(namespace, namespace)
    m = _UUID.fullmatch(text)
    if m is None or ("-" in text and text.count("-") != 4):
        raise Fails(f"uuidv5() doesn't support namespace {namespace}")
    try:
        space = uuid.UUID(m.group(6) or "".join(m.groups()[:5]))
    except ValueError:
        raise Fails(f"uuidv5() doesn't support namespace {namespace}") from None
    return str(uuid.uuid5(space, name))


# IANA names and aliases (as Go's ianaindex reads them, whatever their case) -> (Python's codec, IANA's name).
# The CJK and other encodings Terraform knows (_SUPPORTED) are not modelled: a call with one is unknown.
_ENCODINGS: Dict[str, Tuple[str, str]] = {
    **dict.fromkeys(("utf-8", "csutf8"), ("utf-8", "UTF-8")),
    **dict.fromkeys(("utf-16", "csutf16"), ("utf-16", "UTF-16")),
    **dict.fromkeys(("utf-16be", "csutf16be"), ("utf-16-be", "UTF-16BE")),
    **dict.fromkeys(("utf-16le", "csutf16le"), ("utf-16-le", "UTF-16LE")),
    **dict.fromkeys(("us-ascii", "iso-ir-6", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso_646.irv:1991", "iso646-us",
                     "us", "ibm367", "cp367", "csascii"), ("ascii", "US-ASCII")),
    **dict.fromkeys(("iso-8859-1", "iso_8859-1:1987", "iso-ir-100", "iso_8859-1", "latin1", "l1", "ibm819",
                     "cp819", "csisolatin1"), ("latin-1", "ISO_8859-1:1987")),
    **dict.fromkeys(("iso-8859-15", "iso_8859-15", "latin-9", "csiso885915"), ("iso8859-15", "ISO-8859-15")),
    **dict.fromkeys(("windows-1252", "cswindows1252"), ("cp1252", "windows-1252")),
}


# every name and alias, in lower case, that Go's ianaindex gives an encoding for (the registry's names of
# the encodings golang.org/x/text implements); any other name is Terraform's error
_SUPPORTED = frozenset("""
    437 850 852 855 860 862 863 865 866 ansi_x3.4-1968 ansi_x3.4-1986 arabic asmo-708 big5 ccsid00858
    ccsid01140 cp00858 cp01140 cp037 cp367 cp437 cp819 cp850 cp852 cp855 cp860 cp862 cp863 cp865 cp866 cp936
    csascii csbig5 cseuckr cseucpkdfmtjapanese csgb18030 csgbk csibm00858 csibm01140 csibm037 csibm1047
    csibm855 csibm860 csibm863 csibm865 csibm866 csiso2022jp csiso885913 csiso885914 csiso885915 csiso885916
    csiso88596e csiso88596i csiso88598e csiso88598i csisolatin1 csisolatin2 csisolatin3 csisolatin4
    csisolatin5 csisolatin6 csisolatinarabic csisolatincyrillic csisolatingreek csisolatinhebrew cskoi8r
    cskoi8u csmacintosh cspc850multilingual cspc862latinhebrew cspc8codepage437 cspcp852 csshiftjis csutf16
    csutf16be csutf16le csutf8 cswindows1250 cswindows1251 cswindows1252 cswindows1253 cswindows1254
    cswindows1255 cswindows1256 cswindows1257 cswindows1258 cswindows874 cyrillic ebcdic-cp-ca ebcdic-cp-nl
    ebcdic-cp-us ebcdic-cp-wt ebcdic-us-37+euro ecma-114 ecma-118 elot_928 euc-jp euc-kr
    extended_unix_code_packed_format_for_japanese gb18030 gbk greek greek8 hebrew hz-gb-2312 ibm-1047
    ibm00858 ibm01140 ibm037 ibm1047 ibm367 ibm437 ibm819 ibm850 ibm852 ibm855 ibm860 ibm862 ibm863 ibm865
    ibm866 iso-2022-jp iso-8859-1 iso-8859-10 iso-8859-13 iso-8859-14 iso-8859-15 iso-8859-16 iso-8859-2
    iso-8859-3 iso-8859-4 iso-8859-5 iso-8859-6 iso-8859-6-e iso-8859-6-i iso-8859-7 iso-8859-8 iso-8859-8-e
    iso-8859-8-i iso-8859-9 iso-celtic iso-ir-100 iso-ir-101 iso-ir-109 iso-ir-110 iso-ir-126 iso-ir-127
    iso-ir-138 iso-ir-144 iso-ir-148 iso-ir-157 iso-ir-199 iso-ir-226 iso-ir-6 iso646-us iso_646.irv:1991
    iso_8859-1 iso_8859-10:1992 iso_8859-14 iso_8859-14:1998 iso_8859-15 iso_8859-16 iso_8859-16:2001
    iso_8859-1:1987 iso_8859-2 iso_8859-2:1987 iso_8859-3 iso_8859-3:1988 iso_8859-4 iso_8859-4:1988
    iso_8859-5 iso_8859-5:1988 iso_8859-6 iso_8859-6-e iso_8859-6-i iso_8859-6:1987 iso_8859-7
    iso_8859-7:1987 iso_8859-8 iso_8859-8-e iso_8859-8-i iso_8859-8:1988 iso_8859-9 iso_8859-9:1989 koi8-r
    koi8-u l1 l10 l2 l3 l4 l5 l6 l8 latin-9 latin1 latin10 latin2 latin3 latin4 latin5 latin6 latin8 mac
    macintosh ms936 ms_kanji pc-multilingual-850+euro shift_jis us us-ascii utf-16 utf-16be utf-16le utf-8
    windows-1250 windows-1251 windows-1252 windows-1253 windows-1254 windows-1255 windows-1256 windows-1257
    windows-1258 windows-874 windows-936
""".split())


def _encoding(name: str) -> Tuple[str, str]:
    key = go_trimspace(name).lower()
    got = _ENCODINGS.get(key)
    if got is None:
        if key not in _SUPPORTED:
            raise Fails(f"{name!r} is not a supported IANA encoding name or alias in this Terraform version")
        raise Unknowable(f"uses the encoding {name!r}, which pullcheck does not model")
    return got


def textencodebase64(s: str, encoding: str) -> str:
    codec, iana = _encoding(encoding)
    try:
        raw = b"\xfe\xff" + s.encode("utf-16-be") if codec == "utf-16" else s.encode(codec)
    except UnicodeEncodeError:
        raise Fails(f"the given string contains characters that cannot be represented in {iana}") from None
    return base64.b64encode(raw).decode()


def textdecodebase64(source: str, encoding: str) -> str:
    codec, iana = _encoding(encoding)
    raw = go_base64(source)
    if raw is None:
        raise Fails("the given value is has an invalid base64 symbol")
    if codec == "utf-16":  # a byte-order mark says which; big-endian without one
        codec = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
        raw = raw[2:] if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        raise Fails(f"the given string contains symbols that are not defined for {iana}") from None


MAX_GZIP_INPUT = 1 << 20  # bytes of text base64gzip() compresses: past it, unknown


def base64gzip(s: str, meter: Budget) -> str:
    """Go's gzip bytes of ``s`` in base64; the compressor stops once it would spend past the budget."""
    raw = s.encode()
    if len(raw) > MAX_GZIP_INPUT:
        raise Unknowable(f"is given over {MAX_GZIP_INPUT} bytes of text, more than pullcheck compresses")
    left = meter.steps_left()
    try:
        out, work = go_gzip(raw, left)
    except WorkExceeded:
        meter.spend(left + 1)
        raise Unknowable("spends past the evaluation budget") from None
    spend(meter, work)
    return base64.b64encode(out).decode()
