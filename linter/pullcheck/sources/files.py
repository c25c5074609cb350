"""Reading and replacing a file without following a link planted in its place: the fixes' rewrites of the
scanned files and the user's cache share these two steps. Only ``os`` and ``stat``, so the cache can use
them on every run without a cost at start-up."""
from __future__ import annotations

import os
import stat
from typing import Callable, Optional, Tuple

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def read_regular(path: str, limit: int) -> Optional[Tuple[os.stat_result, bytes]]:
    """The status and bytes of ``path`` when it is a regular file of at most ``limit`` bytes, read through
    one descriptor opened without following a symlink (nor waiting for a FIFO's writer); else None."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks, size = [], 0
        while size <= limit:  # the file may grow while it is read: the bound holds on what is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return (st, b"".join(chunks)) if size <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def replace(path: str, data: bytes, tag: str, ready: Optional[Callable[[int], bool]] = None) -> bool:
    """Put ``data`` in place of ``path``: written into a new file beside it, created afresh (``O_EXCL``, not
    through a name planted there) under a name of its own (``<name>.<tag>-<random>``: runs at the same time
    never share one), mode 0600, then renamed over ``path``, so a reader sees the old file or the new one,
    never half of one. ``ready(fd)``, given the written file, may give it its owner and mode and say whether
    to go on; when it says no, nothing is renamed and False is returned. An OSError is raised as it comes,
    the new file removed first."""
    folder, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    tmp, fd = "", -1
    try:
        for attempt in range(16):
            candidate = os.path.join(folder, f"{name}.{tag}-{os.urandom(6).hex()}")
            try:
                fd = os.open(candidate, flags, 0o600)
            except FileExistsError:
                if attempt == 15:
                    raise
                continue
            tmp = candidate
            break
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        go_on = ready is None or ready(fd)
        os.close(fd)
        fd = -1
        if not go_on:
            return False
        os.replace(tmp, path)
        tmp = ""
        return True
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
