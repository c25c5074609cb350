"""The user-level folder where pullcheck keeps what it can reuse between runs (parser tables, entry points)."""
from __future__ import annotations

import os
import tempfile
from typing import Optional


def cache_dir() -> Optional[str]:
    """``$XDG_CACHE_HOME/pullcheck`` (or ``~/.cache/pullcheck``), else a private temporary folder, else None."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    user = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
    for d in (os.path.join(base, "pullcheck"), os.path.join(tempfile.gettempdir(), f"pullcheck{user}")):
        try:
            os.makedirs(d, exist_ok=True)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            continue
    return None
