"""What lives between runs of one process, in one object: the run's scope, the files read, an editor's
unsaved texts, what the language server keeps of earlier parses and builds, and whether SIGTERM ended the
run.

A command-line run has one session for its one run. The language server keeps one across requests (with
``keep_parses``), so a keystroke reads and evaluates again only what changed. ``--jobs`` workers are forked
from the parent and start with its session as it was at the fork; what a worker reads is sent back to the
parent (``read``), nothing else is shared. Every module reads the session through ``current()``, so a new
session (``begin``) replaces all of it at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple


@dataclass(eq=False)
class Session:
    # (real path, is a folder) of each named path: what the run may read and fix (see pullcheck.sources.scope)
    roots: List[Tuple[str, bool]] = field(default_factory=list)
    # folders the files may also read from but fixes do not write to (--root, an editor's workspace folders)
    also: List[Tuple[str, bool]] = field(default_factory=list)
    # unsaved editor texts by absolute path: the language server lints what the user sees, not the disk
    overlay: Dict[str, str] = field(default_factory=dict)
    # the paths read: a report must never be written over one
    read: Set[str] = field(default_factory=set)
    # the language server's kept work (None in a command-line run, which keeps nothing): the parse of each
    # resource of a YAML template by its text, the parse of each Terraform block by its text, and the
    # resources built from each Terraform block and CloudFormation resource
    yaml_pieces: Optional[Dict[Any, Any]] = None
    tf_parsed: Optional[Dict[Any, Any]] = None
    tf_built: Optional[Dict[Any, Any]] = None
    cfn_built: Optional[Dict[Any, Any]] = None
    # a file's lines and digest as the fixes read them (a fix is checked against the bytes it was made from)
    lines: Dict[str, List[str]] = field(default_factory=dict)
    digests: Dict[str, str] = field(default_factory=dict)
    # configurations passed over and said so: said once per session
    warned: Set[str] = field(default_factory=set)
    # SIGTERM arrived (set by pullcheck.sources.interrupt's handler before anything else)
    terminated: bool = False


_CURRENT = [Session()]


def current() -> Session:
    return _CURRENT[0]


def begin(keep_parses: bool = False) -> Session:
    """A new session in place of the current one: what the last one held is let go."""
    s = Session()
    if keep_parses:
        s.yaml_pieces, s.tf_parsed, s.tf_built, s.cfn_built = {}, {}, {}, {}
    _CURRENT[0] = s
    return s
