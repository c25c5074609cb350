"""``python -m pullcheck``. ``-m`` puts the current folder first on the import path, and the current folder
is usually the repository being linted: a ``yaml.py`` or ``typing.py`` committed there would be imported in
place of the real module. So the folder leaves the import path before anything else is imported (the
package's ``__init__`` imports nothing). The installed ``pullcheck`` command never had it on the path."""
import os
import sys


def _without_current_folder(path: list) -> list:
    try:
        here = {os.getcwd(), os.path.realpath(os.getcwd())}
    except OSError:  # the current folder was removed: only the empty entry can name it
        here = set()
    return [p for p in path if p and os.path.abspath(p) not in here and os.path.realpath(p) not in here]


sys.path[:] = _without_current_folder(sys.path)

from pullcheck.cli import run  # noqa: E402  (after the import path is safe)

run()
