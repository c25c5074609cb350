"""One item of a snapshot's list (a subnet, a route table...) read field by field: a field of the wrong shape is
a ``SnapshotError`` that names the file, the item and the field, never a defect further down."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional
from urllib.parse import unquote

from pullcheck.formats.snapshot.reader import SnapshotError, shape_of
from pullcheck.graph.values import Unknown
from pullcheck.sources.marked import MDict


class Item:
    def __init__(self, item: MDict, file: str, pos: Any, key: str, index: int) -> None:
        self.item, self.file, self.pos, self.key, self.index = item, file, pos, key, index

    def where(self, name: str = "") -> str:
        return f"{self.file}: {self.key}[{self.index}]{'.' + name if name else ''}"

    def _wrong(self, name: str, wanted: str, v: Any) -> SnapshotError:
        return SnapshotError(f"{self.where(name)} must be {wanted}, not {shape_of(v)}")

    def text(self, name: str, required: bool = False) -> Optional[str]:
        v = self.item.get(name)
        if v is None and not required:
            return None
        if not isinstance(v, str) or not v:
            raise self._wrong(name, "text", v) if v is not None else SnapshotError(f"{self.where(name)} is missing")
        return v

    def flag(self, name: str) -> Optional[bool]:
        """A boolean, or describe-vpc-attribute's ``{"Value": true}``."""
        v = self.item.get(name)
        if isinstance(v, dict) and "Value" in v:
            v = v["Value"]
        if v is None or isinstance(v, bool):
            return v
        raise self._wrong(name, "true or false", v)

    def number(self, name: str) -> Optional[int]:
        v = self.item.get(name)
        if v is None or (isinstance(v, int) and not isinstance(v, bool)):
            return v
        raise self._wrong(name, "a whole number", v)

    def objects(self, name: str) -> List["Item"]:
        """A list of objects (routes, associations, rules), each an Item of its own."""
        v = self.item.get(name)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            raise self._wrong(name, "a list of objects", v)
        ipos = getattr(v, "ipos", None) or []
        return [Item(x, self.file, ipos[i] if i < len(ipos) else self.pos, f"{self.key}[{self.index}].{name}", i)
                for i, x in enumerate(v)]

    def texts(self, name: str) -> List[str]:
        v = self.item.get(name)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self._wrong(name, "a list of text", v)
        return list(v)

    def tags(self) -> Dict[str, str]:
        out = {}
        for t in self.objects("Tags"):
            k, v = t.item.get("Key"), t.item.get("Value")
            if isinstance(k, str) and isinstance(v, str):
                out[k] = v
        return out

    def document(self, name: str) -> Any:
        """A policy document: an object, JSON text, or JSON text URL-encoded (as IAM's API returns it)."""
        v = self.item.get(name)
        if v is None or isinstance(v, dict):
            return v
        if not isinstance(v, str):
            raise self._wrong(name, "a policy document", v)
        for text in (v, unquote(v)):
            try:
                return json.loads(text)
            except ValueError:
                continue
        return Unknown(f"{self.where(name)} is not JSON")

    def span(self, name: str) -> Any:
        kpos = getattr(self.item, "kpos", None)
        return kpos.get(name) if kpos is not None else None
