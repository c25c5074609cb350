"""``data "terraform_remote_state"`` read as a link: its ``outputs`` are those of the root module of the run
whose backend keeps that state.

An ``s3`` reader names a bucket and a key, a ``local`` one a path; a root module of the run keeps the state
its ``backend`` block says (``s3``: bucket and key; ``local`` or none: its ``terraform.tfstate``, or the
path given). A bucket that neither side gives (a partial backend configuration, a variable) matches any, so
the key decides; two roots that may keep the same state decide nothing. The roots compared are those the
run lints, so nothing outside the run's paths is read. When no root of the run matches, the outputs stay
unknown, naming the state and why.

Each root records the state it keeps, and each reader the state it reads, as tokens under ``STATES`` in
``graph.inputs.tf_folders``: a run split across processes (pullcheck.engine.links) joins them.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.formats.terraform.syntax import Body
from pullcheck.graph.model import Graph
from pullcheck.graph.values import Unknown

STATES = "terraform remote states"  # key in graph.inputs.tf_folders: (tokens kept, tokens read)
_ANY = object()  # a bucket not given: any bucket

# a backend as compared: (type, bucket or _ANY, key) for s3, ("local", absolute state path, "")
Backend = Tuple[str, Any, str]


def tokens(graph: Graph) -> Tuple[set, set]:
    """(states the run's roots keep, states its readers read), as link tokens."""
    return graph.inputs.tf_folders.setdefault(STATES, (set(), set()))


def token(b: Backend) -> str:
    return f"remote-state:{b[0]}:{b[2] if b[0] == 's3' else b[1]}"


def kept(folder: str, bodies: List[Body], ev: Callable[[Any], Any]) -> Optional[Backend]:
    """The state the root module in ``folder`` keeps, from its ``terraform { backend ... }`` block (``ev``
    evaluates a setting: a backend takes literals only); None for a backend this module does not compare."""
    for body in bodies:
        for name, _, block, _ in body.blocks:
            for inner, labels, b, _ in (block.blocks if name == "terraform" else ()):
                if inner != "backend" or not labels:
                    continue
                settings = {k: ev(v) for k, v in b.attrs.items() if k in ("bucket", "key", "path")}
                return _backend(labels[0], settings, folder)
    return ("local", os.path.abspath(os.path.join(folder, "terraform.tfstate")), "")


def read(backend: Any, config: Any, folder: str, workspace: Any = "default") -> Any:
    """The state a reader names (its ``backend`` and ``config`` evaluated; a relative local path is read
    from the root module's ``folder``), or an Unknown saying why it cannot be compared. A root module of the
    run is evaluated in the default workspace: a reader of another workspace's state reads what it is not."""
    if workspace != "default":
        shown = f"workspace {workspace}" if isinstance(workspace, str) else "a workspace that cannot be known"
        return Unknown(f"the state of {shown}, while the run evaluates its root modules in the default one")
    if not isinstance(backend, str):
        return Unknown("a backend that cannot be known")
    if not isinstance(config, dict):
        return Unknown("a config that cannot be known")
    got = _backend(backend, config, folder)
    if got is None:
        return Unknown(f"a state kept by the {backend} backend, which pullcheck does not compare")
    if got[0] == "s3" and not got[2]:
        return Unknown("an s3 state whose key cannot be known")
    return got


def _backend(kind: str, settings: Dict[str, Any], folder: str) -> Optional[Backend]:
    if kind == "s3":
        bucket, key = settings.get("bucket"), settings.get("key")
        return ("s3", bucket if isinstance(bucket, str) and bucket else _ANY, key if isinstance(key, str) else "")
    if kind == "local":
        path = settings.get("path", "terraform.tfstate")
        if not isinstance(path, str):
            return None
        return ("local", os.path.abspath(os.path.join(folder, path)), "")
    return None


def describe(b: Backend) -> str:
    if b[0] == "s3":
        return f"s3://{b[1] if isinstance(b[1], str) else '?'}/{b[2]}"
    return os.path.relpath(b[1]) if not os.path.isabs(b[1]) else b[1]


def matching(wanted: Backend, roots: Dict[str, Optional[Backend]]) -> List[str]:
    """The root folders whose state may be ``wanted``."""
    out = []
    for folder, b in roots.items():
        if b is None or b[0] != wanted[0]:
            continue
        if b[0] == "local" and b[1] == wanted[1]:
            out.append(folder)
        elif b[0] == "s3" and b[2] == wanted[2] and (b[1] is _ANY or wanted[1] is _ANY or b[1] == wanted[1]):
            out.append(folder)
    return out


def unmatched(name: str, wanted: Backend, found: List[str]) -> Unknown:
    """What a reader's outputs are when no single root of the run keeps its state."""
    where = f"data source data.terraform_remote_state.{name} (the state {describe(wanted)}"
    if not found:
        return Unknown(f"{where}, which no Terraform root module of the run keeps)")
    names = ", ".join(sorted(os.path.normpath(f) for f in found))
    return Unknown(f"{where}, which {len(found)} root modules of the run may keep: {names})")
