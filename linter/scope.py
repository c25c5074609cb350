"""The run's scope: the paths named on the command line (the current folder when none is named).

What pullcheck reads beyond the files it walks (a Terraform ``file()`` or ``templatefile()``, a nested
stack's child template, a stacks entry) must lie under one of them once symlinks are resolved, and a fix
is written only to a file under one of them: a pull request cannot make a run read ``/etc/passwd`` into a
finding, nor write outside the checkout. A ``..`` that stays inside is fine; an absolute path or a symlink
that leads out is not.
"""
from __future__ import annotations

import os
from typing import Iterable, List, Tuple

# (real path, is a folder) of each named path; set by the engine when a run starts, the same in forked workers
ROOTS: List[Tuple[str, bool]] = []


def set_roots(paths: Iterable[str]) -> None:
    ROOTS[:] = [(os.path.realpath(p), os.path.isdir(p)) for p in (list(paths) or ["."])]


def under(real: str, top: str) -> bool:
    """``real`` (a resolved path) is ``top`` or lies below it."""
    try:
        return os.path.commonpath([real, top]) == top
    except ValueError:  # different drives
        return False


def readable(path: str) -> bool:
    """A file the run may read: under a named folder, or in the folder of a named file. With no roots
    set (the library called without a run), the current folder."""
    real = os.path.realpath(path)
    roots = ROOTS or [(os.path.realpath("."), True)]
    return any(under(real, top if is_dir else os.path.dirname(top)) for top, is_dir in roots)


def writable(path: str) -> bool:
    """A file a fix may rewrite: under a named folder, or a named file itself."""
    real = os.path.realpath(path)
    roots = ROOTS or [(os.path.realpath("."), True)]
    return any(under(real, top) if is_dir else real == top for top, is_dir in roots)
