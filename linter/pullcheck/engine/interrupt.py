"""SIGTERM as a run sees it. The handler marks the run as terminated before anything else, then raises
``Terminated`` to unwind it (temporary files go, the one line is printed). Near a memory limit raising can
itself fail: the handler's MemoryError is then caught by a stage's guard like any defect, so every guard
asks ``check()`` first and the mark is not lost."""
from __future__ import annotations

TERMINATED = [False]


class Terminated(BaseException):
    """SIGTERM: end the run at once, in one line."""


def handler(signum: int, frame: object) -> None:
    TERMINATED[0] = True  # first: a store into an existing list allocates nothing
    raise Terminated()


def check() -> None:
    """Raise ``Terminated`` when the run was terminated (a guard that caught the handler's exception)."""
    if TERMINATED[0]:
        raise Terminated()
