"""Terraform's functions over the bytes of text: hashes (md5(), sha1(), sha256(), sha512(), base64sha256(),
base64sha512(), uuidv5()), base64 (base64encode(), base64decode(), textencodebase64(), textdecodebase64()) and
urlencode(). Text is its UTF-8 bytes, in NFC as Terraform holds it (functions.Pure gives it so).

base64gzip() is not evaluated: its bytes are those of Go's compress/gzip, which zlib does not reproduce."""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any, Dict, Optional, Tuple

from pullcheck.formats.terraform.convert import Unknowable
from pullcheck.formats.terraform.failures import Fails


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
# The CJK and other encodings Terraform knows are not modelled: a call with one is unknown.
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


def _encoding(name: str) -> Tuple[str, str]:
    got = _ENCODINGS.get(name.lower())
    if got is None:
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


def base64gzip(s: str) -> Any:
    raise Unknowable("gives Go's gzip bytes, which pullcheck does not reproduce")
