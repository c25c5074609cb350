"""The write stage: reports and baselines written where the user asked, never through a symbolic link a
checkout can hold, each failure said in one line while the others are still written."""
from __future__ import annotations

import os
import sys
from typing import Any, List, Optional, Tuple

def written(reports: List[Tuple[str, str]]) -> bool:
    """Write each report; one that cannot be written is said, and the others go on. False if any failed."""
    from pullcheck.outputs.safetext import printable

    ok = True
    for path, report in reports:
        try:
            with created(path) as f:
                f.write(report)
        except OSError as e:
            print(f"pullcheck: error: cannot write {printable(path)}: {e.strerror or e}", file=sys.stderr)
            ok = False
    return ok


def created(path: str) -> Any:
    """``path`` opened for writing as ``open(path, "w")`` would (created with 0666 less the umask, else
    emptied), but never through a symbolic link a checkout can hold: a report or baseline name committed as
    a link (or below a folder committed as a link) must not write outside the checkout. A relative path
    (what CI, the pre-commit hook and the Action give, inside a checkout) is walked folder by folder from
    the current folder, none of them followed if it is a link, and the file is created in the last one. An
    absolute path was typed on the command line: its folders are the user's, and only its last component
    is not followed. The names of the process's own streams (``/dev/stdout``, ``/dev/stderr``: links the
    system keeps, never the checkout's) are followed."""
    import errno

    from pullcheck.outputs.safetext import printable

    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    if path in ("/dev/stdout", "/dev/stderr"):
        return os.fdopen(os.open(path, flags, 0o666), "w", encoding="utf-8", errors="backslashreplace")
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    walk = not os.path.isabs(path) and os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
    *folders, name = path.split(os.sep) if walk else [path]
    into = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    opened: List[int] = []
    at: Optional[int] = None  # the folder the next name is opened in (None: the current folder, by name)
    try:
        if walk:
            at = os.open(".", into)
            opened.append(at)
        for n, part in enumerate(folders):
            if part in ("", "."):
                continue
            try:
                at = os.open(part, into | nofollow, dir_fd=at)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR) and _is_link(part, at):
                    folder = printable(os.sep.join(folders[:n + 1]))
                    raise OSError(errno.ELOOP, f"the folder {folder} is a symbolic link: not written through") \
                        from None
                raise
            opened.append(at)
        try:
            fd = os.open(name, flags | nofollow, 0o666, dir_fd=at)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.EMLINK) and _is_link(name, at):  # EMLINK: the BSDs
                raise OSError(errno.ELOOP, "a symbolic link: not written through") from None
            raise
    finally:
        for folder_fd in opened:
            os.close(folder_fd)
    return os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace")


def _is_link(name: str, dir_fd: Optional[int]) -> bool:
    import stat

    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False
