"""Terraform's functions over paths and files: basename(), dirname(), pathexpand(), abspath() as Go's filepath
package works them out; fileexists(), fileset(), filebase64() and the file hashes (filemd5() ...) read as
file() is read (evaluate.Module.read_file): relative paths from the root module's folder, and only what lies
in the run's scope (pullcheck.sources.scope), each read charged to the budget.

What depends on the machine that deploys (its home folder for ``~``, its working folder for a relative
abspath()) is unknown; so is a file outside the scanned tree. file() itself and templatefile() are read by
the evaluator (expressions.Evaluator._call)."""
from __future__ import annotations

import base64
import hashlib
import os
import re
from typing import Any, List

from pullcheck.formats.terraform.budget import CHARS_PER_READ, READS_PER_STEP, Budget
from pullcheck.formats.terraform.convert import Unknowable, at_most, spend
from pullcheck.formats.terraform.failures import Fails
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING

MAX_FILE_BYTES = MAX_STRING  # the longest file a file function reads, as file() does


def go_clean(path: str) -> str:
    """Go's filepath.Clean (POSIX): one slash between names, no ``.``, ``..`` resolved lexically."""
    rooted = path.startswith("/")
    out: List[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    text = "/".join(out)
    return ("/" + text) if rooted else (text or ".")


def basename(path: str) -> str:
    """Go's filepath.Base: the last name, trailing slashes aside; "." for nothing, "/" for only slashes."""
    if path == "":
        return "."
    path = path.rstrip("/")
    return path[path.rfind("/") + 1:] if path else "/"


def dirname(path: str) -> str:
    """Go's filepath.Dir: all but the last name, cleaned."""
    return go_clean(path[:path.rfind("/") + 1])


def _home(path: str) -> str:
    """go-homedir's Expand: a path that starts with ``~`` reads the home folder of the machine."""
    if path.startswith("~"):
        if len(path) > 1 and path[1] not in "/\\":
            raise Fails("cannot expand user-specific home dir")
        raise Unknowable("reads the home folder of the machine that deploys")
    return path


def pathexpand(path: str) -> str:
    return _home(path)


def abspath(path: str) -> str:
    if not path.startswith("/"):
        raise Unknowable("depends on the working folder of the deploy")
    return go_clean(path)


# -- files of the run's scope --------------------------------------------------------------------------------

def _where(path: str, meter: Budget) -> str:
    """The file ``path`` names, as Terraform finds it: from the root module's folder unless absolute."""
    module = meter.files
    if module is None:
        raise Unknowable("reads a file, which is not read here")
    if "\x00" in path:
        raise Fails("invalid argument")
    path = _home(path)
    module.file_reads[0] += 1  # a file on disk is not in the module's definitions (modules.BUILT)
    return go_clean(path if path.startswith("/") else os.path.join(module.root_folder(), path))


def _in_scope(full: str, path: str) -> None:
    from pullcheck.sources import scope

    if not scope.readable(full):
        raise Unknowable(f"reads {path}, which is outside the scanned tree")


def fileexists(path: str, meter: Budget) -> Any:
    """Whether a regular file is there; a folder is an error, as in Terraform."""
    full = _where(path, meter)
    _in_scope(full, path)
    spend(meter, 1)
    if os.path.isdir(full):
        raise Fails(f"{full} is a directory, not a file")
    if not os.path.lexists(full):
        return False
    if not os.path.isfile(full):
        raise Fails(f"{full} is not a regular file")
    return True


def _bytes(path: str, meter: Budget) -> bytes:
    from pullcheck.sources.files import read_regular

    full = _where(path, meter)
    _in_scope(full, path)
    got = read_regular(full, MAX_FILE_BYTES)
    if got is None:
        if not os.path.lexists(full):  # inside the scanned tree, so not there: Terraform's error too
            raise Fails(f"no file exists at {path}")
        raise Unknowable(f"reads {path}, which is not a regular file of at most {MAX_FILE_BYTES} bytes")
    data = got[1]
    spend(meter, len(data) // (READS_PER_STEP * CHARS_PER_READ))
    return data


def filebase64(path: str, meter: Budget) -> Any:
    return base64.b64encode(_bytes(path, meter)).decode()


def _file_hash(algorithm: str, encoded: bool) -> Any:
    def run(path: str, meter: Budget) -> Any:
        digest = hashlib.new(algorithm, _bytes(path, meter))
        return base64.b64encode(digest.digest()).decode() if encoded else digest.hexdigest()
    return run


filemd5, filesha1 = _file_hash("md5", False), _file_hash("sha1", False)
filesha256, filesha512 = _file_hash("sha256", False), _file_hash("sha512", False)
filebase64sha256, filebase64sha512 = _file_hash("sha256", True), _file_hash("sha512", True)


# -- fileset() -----------------------------------------------------------------------------------------------

def glob_regex(pattern: str) -> Any:
    """doublestar 1.1's pattern as a regular expression over a slash-separated relative path: ``**`` alone
    between slashes is any number of folders, ``*`` any run within a name, ``?`` one character, ``[...]``
    (``[^...]`` or ``[!...]`` excluded), ``{a,b}`` either, ``\\`` quotes the next character."""
    parts = pattern.split("/")
    out: List[str] = []
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if part == "**":
            out.append("(?:[^/]*(?:/[^/]*)*)?" if last else "(?:[^/]*/)*")
            continue
        out.append(_component(part) + ("" if last else "/"))
    return re.compile("".join(out))


def _component(part: str) -> str:
    out: List[str] = []
    i, depth = 0, 0
    while i < len(part):
        c = part[i]
        if c == "\\" and i + 1 < len(part):
            out.append(re.escape(part[i + 1]))
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = part.find("]", i + 2)
            if end < 0:
                raise Fails("syntax error in pattern")
            body = part[i + 1:end]
            negate = body[:1] in ("^", "!")
            body = body[1:] if negate else body
            out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\").replace("[", "\\[") + "]")
            i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise Fails("syntax error in pattern")
    return "".join(out)


def fileset(path: str, pattern: str, meter: Budget) -> Any:
    """The regular files under ``path`` that ``pattern`` matches, relative to it, in a set's order."""
    if ".." in pattern.split("/") or pattern.startswith("/"):
        raise Unknowable("has a pattern that leaves its folder")
    top = _where(path, meter)
    _in_scope(top, path)
    try:
        matcher = glob_regex(go_clean(pattern))
    except re.error:
        raise Fails("syntax error in pattern") from None
    found: List[str] = []
    seen = 0
    for folder, dirs, files in os.walk(top):
        spend(meter, 1 + len(dirs) + len(files))
        seen += len(dirs) + len(files)
        if seen > MAX_ITEMS:
            raise Unknowable(f"walks more than {MAX_ITEMS} files and folders")
        dirs.sort()
        for name in files:
            rel = os.path.relpath(os.path.join(folder, name), top).replace(os.sep, "/")
            if matcher.fullmatch(rel) and _regular(os.path.join(folder, name)):
                found.append(rel)
    at_most(len(found))
    return sorted(found, key=lambda s: s.encode("utf-8", "surrogateescape"))


def _regular(full: str) -> bool:
    """A regular file (through a symbolic link only when it stays in the run's scope)."""
    from pullcheck.sources import scope

    if os.path.islink(full) and not scope.readable(full):
        raise Unknowable("finds a symbolic link that leads outside the scanned tree")
    return os.path.isfile(full)
