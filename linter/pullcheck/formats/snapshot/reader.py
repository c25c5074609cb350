"""A snapshot of the account as read from disk: the file ``pullcheck snapshot`` writes, or a folder of AWS CLI
outputs (``aws ec2 describe-subnets > subnets.json``...), each file recognised by its top-level key.

Both hold the AWS API's own shapes under the API's own keys (``Vpcs``, ``Subnets``, ``RouteTables``...), so one
builder (``build``) reads either. What is wrong with one is a ``SnapshotError``: one line that names the file
and what is wrong, which the command line says before it exits with 2.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.sources.errors import MAX_BYTES, ParseError, read_text
from pullcheck.sources.marked import load_json

FORMAT = "pullcheck-snapshot"
VERSION = 1

# the lists a snapshot holds, by the key the AWS API (and so the CLI) writes them under
EC2_KEYS = ("Vpcs", "Subnets", "RouteTables", "VpcEndpoints", "SecurityGroups", "NetworkAcls", "NatGateways",
            "InternetGateways", "EgressOnlyInternetGateways", "PrefixLists", "DhcpOptions")
OTHER_KEYS = ("Exports", "Roles", "Policies", "repositories", "pullThroughCacheRules")
KEYS = EC2_KEYS + OTHER_KEYS
# what else a CLI output may hold beside its list (a page's token)
_PAGING = ("NextToken", "nextToken", "Marker", "IsTruncated")
MAX_FILES = 200  # files of a folder of CLI outputs: more is not a folder of them


class SnapshotError(Exception):
    """A snapshot that cannot be used: the message names the file and what is wrong with it."""


@dataclass
class Snapshot:
    source: str  # the file or folder as the user named it
    account: Optional[str] = None
    region: Optional[str] = None
    taken: Optional[str] = None  # ISO 8601, UTC
    folder: bool = False  # a folder of AWS CLI outputs
    lists: Dict[str, List[Tuple[Any, str, Any]]] = field(default_factory=dict)  # key -> (item, file, pos)

    def items(self, key: str) -> List[Tuple[Any, str, Any]]:
        return self.lists.get(key, [])

    def holds(self, key: str) -> bool:
        """Whether the snapshot says anything about ``key`` (a folder may lack a file)."""
        return key in self.lists


def norm(path: str) -> str:
    """A path as findings name it (as the engine's discovery writes them)."""
    return os.path.normpath(path).replace(os.sep, "/")


def read(path: str) -> Snapshot:
    """The snapshot a path names: a snapshot file, or a folder of AWS CLI outputs."""
    if os.path.isdir(path):
        return _folder(path)
    doc = _json(path)
    if not isinstance(doc, dict):
        raise SnapshotError(f"{path}: not a snapshot: a JSON object was expected")
    if doc.get("format") != FORMAT:
        found = [k for k in KEYS if k in doc]
        hint = (f" (it holds {found[0]}: put the AWS CLI outputs in a folder and give the folder)" if found
                else " (take one with: pullcheck snapshot -o FILE)")
        raise SnapshotError(f"{path}: not a pullcheck snapshot: no \"format\": \"{FORMAT}\"{hint}")
    version = doc.get("version")
    if version != VERSION:
        raise SnapshotError(f"{path}: snapshot format version {version!r}; this pullcheck reads version {VERSION}: "
                            f"take the snapshot again with this pullcheck (pullcheck snapshot)")
    snap = Snapshot(path)
    for name in ("account", "region", "taken"):
        v = doc.get(name)
        if v is not None and not isinstance(v, str):
            raise SnapshotError(f"{path}: {name} must be text, not {shape_of(v)}")
        setattr(snap, name, v)
    for key in KEYS:
        if key in doc:
            snap.lists[key] = _list(doc, key, norm(path))
    return snap


def _json(path: str) -> Any:
    try:
        return load_json(read_text(path))
    except ParseError as e:
        where = f"{path}:{e.line}:{e.col}" if e.line > 1 or e.col > 1 else path
        if "larger than" in e.message:
            raise SnapshotError(f"{path}: {e.message} (a snapshot is bounded like every input: "
                                f"{MAX_BYTES // (1 << 20)} MB a file)") from None
        raise SnapshotError(f"{where}: not a readable snapshot: {e.message}") from None
    except RecursionError:
        raise SnapshotError(f"{path}: not a readable snapshot: nesting too deep") from None


def shape_of(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(v) if not isinstance(v, dict) else dict, "a number")


def _list(doc: Any, key: str, file: str) -> List[Tuple[Any, str, Any]]:
    """The items of one list, each an object, with its file and position."""
    v = doc.get(key)
    if not isinstance(v, list):
        raise SnapshotError(f"{file}: {key} must be a list of objects, not {shape_of(v)}")
    ipos = getattr(v, "ipos", None) or [getattr(v, "pos", (1, 1))] * len(v)
    out = []
    for i, item in enumerate(v):
        if not isinstance(item, dict):
            raise SnapshotError(f"{file}: {key}[{i}] must be an object, not {shape_of(item)}")
        out.append((item, file, ipos[i] if i < len(ipos) else (1, 1)))
    return out


def _folder(path: str) -> Snapshot:
    """AWS CLI outputs, one per file, whatever their names: ``describe-vpcs`` holds ``Vpcs``..."""
    names = sorted(n for n in os.listdir(path) if n.lower().endswith(".json") and not n.startswith("."))
    if not names:
        raise SnapshotError(f"{path}: no .json file in the folder (AWS CLI outputs as JSON were expected)")
    if len(names) > MAX_FILES:
        raise SnapshotError(f"{path}: more than {MAX_FILES} .json files: not a folder of AWS CLI outputs")
    snap = Snapshot(path, folder=True)
    newest = 0.0
    for n in names:
        file = os.path.join(path, n)
        doc = _json(file)
        keys = [k for k in KEYS if isinstance(doc, dict) and k in doc]
        if not keys:
            top = ", ".join(sorted(map(str, doc))[:5]) if isinstance(doc, dict) else shape_of(doc)
            raise SnapshotError(f"{file}: not an AWS CLI output pullcheck reads (found {top or 'nothing'}; "
                                f"expected one of {', '.join(KEYS)})")
        for key in keys:
            snap.lists.setdefault(key, []).extend(_list(doc, key, norm(file)))
        newest = max(newest, os.stat(file).st_mtime)
    snap.taken = datetime.fromtimestamp(newest, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    snap.account, snap.region = _account_and_region(snap)
    return snap


def _account_and_region(snap: Snapshot) -> Tuple[Optional[str], Optional[str]]:
    """What CLI outputs tell of the account and the Region: the owner of the VPCs, the zone of the subnets,
    the ARN of an exporting stack."""
    account = region = None
    for item, _, _ in snap.items("Vpcs"):
        if isinstance(item.get("OwnerId"), str):
            account = item["OwnerId"]
            break
    for item, _, _ in snap.items("Subnets"):
        zone = item.get("AvailabilityZone")
        if isinstance(zone, str) and len(zone) > 1 and zone[-1].isalpha():
            region = zone[:-1]
            break
    for item, _, _ in snap.items("Exports"):
        arn = item.get("ExportingStackId")
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) > 4 and parts[0] == "arn":
            region, account = region or parts[3], account or parts[4]
            break
    return account, region


def age(taken: Optional[str], now: Optional[datetime] = None) -> str:
    """How old a snapshot is, in words: "3 days", "5 hours"; "" when the time taken is not known."""
    if not taken:
        return ""
    try:
        when = datetime.strptime(taken, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return ""
    seconds = int(((now or datetime.now(timezone.utc)) - when).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


__all__ = ["FORMAT", "VERSION", "KEYS", "Snapshot", "SnapshotError", "read", "age", "norm"]
