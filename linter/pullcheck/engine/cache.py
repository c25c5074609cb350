"""The user-level folder where pullcheck keeps what it can reuse between runs (parser tables, entry points).

Only the user's own cache folder is used (``$XDG_CACHE_HOME/pullcheck`` or ``~/.cache/pullcheck``): created
0700, and used only while it is a real folder (not a symlink) owned by the user and writable by nobody else.
There is no fallback to a shared temporary folder: another user could plant a file there, and the parser
cache is a pickle. Without a usable folder pullcheck runs without a cache (``why_not`` says why).
"""
from __future__ import annotations

import os
import stat
from typing import Optional

why_not = ""  # why the cache is off, for --verbose


def _own_private_dir(path: str) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False  # a symlink or a file
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cache_dir() -> Optional[str]:
    """The checked cache folder, or None (and ``why_not`` set)."""
    global why_not
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not home or home == "~" or not os.path.isdir(home):
            why_not = f"no home folder ({home})"
            return None
        base = os.path.join(home, ".cache")
    if not os.path.isabs(base):
        why_not = f"the cache base {base} is not an absolute path"
        return None
    folder = os.path.join(base, "pullcheck")
    try:
        if not os.path.isdir(os.path.dirname(base)):
            why_not = f"{os.path.dirname(base)} does not exist"
            return None
        os.makedirs(base, mode=0o700, exist_ok=True)
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
    except OSError as e:
        why_not = f"cannot create {folder}: {e.strerror or e}"
        return None
    if not _own_private_dir(folder):
        why_not = f"{folder} is not a folder of this user that only this user can write"
        return None
    return folder


def read_private(path: str, limit: int = 64 << 20) -> Optional[bytes]:
    """The bytes of a cache file that is a regular file of this user, writable by nobody else; else None.
    Opened without following a symlink, checked on the open file."""
    from pullcheck.sources.files import read_regular

    got = read_regular(path, limit)
    if got is None:
        return None
    st, data = got
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return None
    return data


def write_private(path: str, data: bytes) -> bool:
    """Write a cache file atomically (a new private file renamed over the old one), never through a
    symlink; two runs writing at once both end with a whole file."""
    from pullcheck.sources.files import replace

    try:
        return replace(path, data, "tmp")
    except OSError:
        return False
