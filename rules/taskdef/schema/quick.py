"""A yes/no check of an instance against the generated task-definition schema, without jsonschema.

The generated schema uses only ``type``, ``$ref``, ``properties``, ``additionalProperties``, ``items``,
``enum`` and ``required``. For those keywords this answers exactly what jsonschema would: whether there
is any error. Importing jsonschema costs about 60 ms, a third of a one-file run, so it is imported only
when this check fails and the errors have to be described.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

KEYWORDS = {"type", "$ref", "properties", "additionalProperties", "items", "enum", "required", "$defs", "$schema",
            "description", "title"}
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema sees it: true and 1 differ."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def supported(schema: Any) -> bool:
    """Whether every keyword in the schema is one this module understands."""
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k not in KEYWORDS:
                return False
            if k in ("properties", "$defs"):
                if not all(supported(x) for x in v.values()):
                    return False
            elif k in ("items", "additionalProperties") and isinstance(v, dict) and not supported(v):
                return False
        return True
    return isinstance(schema, bool)


def conforms(schema: Dict[str, Any], instance: Any, root: Optional[Dict[str, Any]] = None, depth: int = 0) -> bool:
    root = root if root is not None else schema
    if depth > 200:
        return False
    if schema is True or schema == {}:
        return True
    if schema is False:
        return False
    ref = schema.get("$ref")
    if ref is not None:
        target = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        if not conforms(target, instance, root, depth + 1):
            return False
    t = schema.get("type")
    if t is not None:
        kinds = t if isinstance(t, list) else [t]
        if not any(_TYPES[k](instance) for k in kinds):
            return False
    if "enum" in schema and not any(_equal(instance, e) for e in schema["enum"]):
        return False
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in instance:
                return False
        extra = schema.get("additionalProperties", True)
        for k, v in instance.items():
            if k in props:
                if not conforms(props[k], v, root, depth + 1):
                    return False
            elif extra is False:
                return False
            elif isinstance(extra, dict) and not conforms(extra, v, root, depth + 1):
                return False
    if isinstance(instance, list) and isinstance(schema.get("items"), (dict, bool)):
        for v in instance:
            if not conforms(schema["items"], v, root, depth + 1):
                return False
    return True
