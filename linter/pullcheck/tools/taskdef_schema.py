"""Generate ``taskdef.schema.json`` from the ECS service model that botocore ships.

Run by hand when the ECS API changes (botocore is not a runtime dependency):

    pip install botocore && python -m pullcheck.tools.taskdef_schema

The schema is RegisterTaskDefinitionRequest as JSON Schema (draft 2020-12). Java-style ``\\p{..}`` patterns,
which Python cannot compile, are left out; server-side rules (Fargate cpu/memory pairs, execution-role needs)
are rules of their own.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict

# rules/taskdef/schema in a checkout (TD003's own data)
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                   "rules", "taskdef", "schema", "taskdef.schema.json")


def _convert(name: str, shapes: Dict[str, Any], defs: Dict[str, Any]) -> Dict[str, Any]:
    if name in defs:
        return {"$ref": f"#/$defs/{name}"}
    shape = shapes[name]
    t = shape["type"]
    out: Dict[str, Any]
    if t == "structure":
        defs[name] = {}  # placeholder against recursion
        props = {m: _convert(spec["shape"], shapes, defs) for m, spec in shape.get("members", {}).items()}
        out = {"type": "object", "properties": props, "additionalProperties": False}
        if shape.get("required"):
            out["required"] = list(shape["required"])
        defs[name] = out
        return {"$ref": f"#/$defs/{name}"}
    if t == "list":
        out = {"type": "array", "items": _convert(shape["member"]["shape"], shapes, defs)}
    elif t == "map":
        out = {"type": "object", "additionalProperties": _convert(shape["value"]["shape"], shapes, defs)}
    elif t == "string":
        out = {"type": "string"}
        if "enum" in shape:
            out["enum"] = list(shape["enum"])
        if "pattern" in shape and "\\p{" not in shape["pattern"]:
            out["pattern"] = shape["pattern"]
    elif t in ("integer", "long"):
        out = {"type": "integer"}
    elif t in ("float", "double"):
        out = {"type": "number"}
    elif t == "boolean":
        out = {"type": "boolean"}
    elif t == "timestamp":
        out = {"type": ["string", "number"]}
    else:
        out = {}
    return out


def generate() -> Dict[str, Any]:
    import botocore
    import botocore.loaders

    model = botocore.loaders.Loader().load_service_model("ecs", "service-2")
    shapes = model["shapes"]
    defs: Dict[str, Any] = {}
    root = _convert("RegisterTaskDefinitionRequest", shapes, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "ECS RegisterTaskDefinition input",
            "description": f"Generated from the ECS service model in botocore {botocore.__version__}.",
            **defs[root["$ref"].rsplit("/", 1)[1]], "$defs": defs}


if __name__ == "__main__":
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(generate(), f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}")
