"""SIGTERM as a run sees it. The handler marks the session as terminated before anything else, then raises
``Terminated`` to unwind the run (temporary files go, the one line is printed). Near a memory limit raising can
itself fail: the handler's MemoryError is then caught by a stage's guard like any defect, so every guard
asks ``check()`` first and the mark is not lost. It sits with the sources because a reader that waits on a
file or a nested template asks it too."""
from __future__ import annotations

from pullcheck.sources.session import current


class Terminated(BaseException):
    """SIGTERM: end the run at once, in one line."""


def handler(signum: int, frame: object) -> None:
    current().terminated = True  # first: storing a bool into an existing attribute allocates nothing
    raise Terminated()


def check() -> None:
    """Raise ``Terminated`` when the run was terminated (a guard that caught the handler's exception)."""
    if current().terminated:
        raise Terminated()
