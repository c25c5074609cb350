"""The run's scope: the paths named on the command line (the current folder when none is named).

What pullcheck reads beyond the files it walks (a Terraform ``file()`` or ``templatefile()``, a nested
stack's child template, a stacks entry) must lie under one of them once symlinks are resolved, and a fix
is written only to a file under one of them: a pull request cannot make a run read ``/etc/passwd`` into a
finding, nor write outside the checkout. A ``..`` that stays inside is fine; an absolute path or a symlink
that leads out is not.
"""
from __future__ import annotations

import os
from typing import Iterable, List, Optional, Tuple

from pullcheck.sources.session import current



def _named(paths: Iterable[str]) -> List[Tuple[str, bool]]:
    return [(os.path.realpath(p), os.path.isdir(p)) for p in (list(paths) or ["."])]


def set_roots(paths: Iterable[str], also: Iterable[str] = ()) -> None:
    """The run's scope, kept in the session (set when a run starts; forked workers inherit it)."""
    session = current()
    session.roots = _named(paths)
    session.also = _named(also) if also else []


def under(real: str, top: str) -> bool:
    """``real`` (a resolved path) is ``top`` or lies below it."""
    try:
        return os.path.commonpath([real, top]) == top
    except ValueError:  # different drives
        return False


def readable(path: str, roots: Optional[Iterable[str]] = None) -> bool:
    """A file the run may read: under a named folder, or in the folder of a named file. ``roots``: other
    named paths than the run's (a configuration is looked for before the run starts); with no roots set
    (the library called without a run), the current folder."""
    try:
        real = os.path.realpath(path)
    except (ValueError, OSError):  # a NUL byte in the name: no such file
        return False
    session = current()
    named = _named(roots) if roots is not None else (session.roots or _named(["."])) + session.also
    tops = _tops(tuple(named))
    # ``real`` or a folder above it is one of them: as many set lookups as the path is deep, however many
    # files the run names (a large commit's)
    while True:
        if real in tops:
            return True
        parent = os.path.dirname(real)
        if parent == real:
            return False
        real = parent


_TOPS: List[Tuple[tuple, frozenset]] = []  # the last named paths asked about, and their folders


def _tops(named: tuple) -> frozenset:
    """The folders readable files lie under: each named folder, and the folder of each named file."""
    if _TOPS and _TOPS[0][0] == named:
        return _TOPS[0][1]
    tops = frozenset(top if is_dir else os.path.dirname(top) for top, is_dir in named)
    _TOPS[:] = [(named, tops)]
    return tops


def leaves_root(path: str) -> bool:
    """A path named on the command line that lies outside every ``--root`` once symlinks are resolved (a
    link committed in the checkout that leads out of it). Without ``--root``, nothing does."""
    also = current().also
    if not also:
        return False
    try:
        real = os.path.realpath(path)
    except (ValueError, OSError):
        return True
    return not any(under(real, top if is_dir else os.path.dirname(top)) for top, is_dir in also)


def writable(path: str) -> bool:
    """A file a fix may rewrite: under a named folder, or a named file itself."""
    try:
        real = os.path.realpath(path)
    except (ValueError, OSError):
        return False
    return any(under(real, top) if is_dir else real == top for top, is_dir in current().roots or _named(["."]))
