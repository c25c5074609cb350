"""The account as an input: a snapshot of its network (and, when taken, its roles, exports and repositories)
that joins the graph as the account's resources.

``reader``: the snapshot file or a folder of AWS CLI outputs, and what is wrong with one (``SnapshotError``);
``network`` and ``account``: their items as graph resources of the canonical kinds; ``link``: the run's values
that name them (IDs, data sources) made references to them. ``pullcheck snapshot`` writes the file
(``pullcheck.integrations.snapshot``); nothing here calls AWS.
"""
from __future__ import annotations

from typing import Optional

from pullcheck.formats.snapshot.link import link
from pullcheck.formats.snapshot.reader import FORMAT, VERSION, Snapshot, SnapshotError, age, norm, read
from pullcheck.graph.model import Graph, Resource, Span

__all__ = ["FORMAT", "VERSION", "Snapshot", "SnapshotError", "add", "age", "link", "load", "read", "info"]


def load(path: str, region: Optional[str] = None) -> Snapshot:
    """A snapshot read and checked, every item in the shape its list wants (``SnapshotError`` otherwise): the
    whole file is built once into a scratch graph, so a bad one fails before any lint begins."""
    snap = read(path)
    if region and snap.region and snap.region != region:
        raise SnapshotError(f"{path}: the snapshot is of Region {snap.region}, but this run is for {region}: "
                            f"take one in {region} (pullcheck snapshot --region {region})")
    add(snap, Graph())
    return snap


def add(snap: Snapshot, graph: Graph) -> None:
    """The snapshot's resources into the graph, with one resource that says what the snapshot is."""
    from pullcheck.formats.snapshot import account
    from pullcheck.formats.snapshot.network import Builder

    name = norm(snap.source)
    meta = Resource(key=f"snapshot:{name}", kind="account.snapshot", rtype="pullcheck:Snapshot", name=name,
                    file=name, span=Span(1, 1))
    meta.attrs.update(account=snap.account, region=snap.region, taken=snap.taken, folder=snap.folder,
                      snapshot=name)
    graph.add(meta)
    b = Builder(snap, graph, name)
    b.build()
    account.exports(b)
    account.roles(b)
    account.repositories(b)


def info(graph: Graph) -> Optional[Resource]:
    """The resource that says which snapshot the graph holds, if any."""
    return next(graph.of_kind("account.snapshot"), None)
