import json
import os
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.rules.taskdef._common import OUTPUT_ONLY

_schema = None
_validator = None


def _get_schema():
    global _schema
    if _schema is None:
        from pullcheck.rules.taskdef import schema

        with open(os.path.join(os.path.dirname(schema.__file__), "taskdef.schema.json"), encoding="utf-8") as f:
            _schema = json.load(f)
    return _schema


def _get_validator():
    global _validator
    if _validator is None:
        import jsonschema  # only when a file does not conform and its errors must be described

        _validator = jsonschema.Draft202012Validator(_get_schema())
    return _validator


@rule("TD003", "task-definition-schema", "error", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Task-definition JSON that does not match the ECS API shape.

    ## What it does
    Validates task-definition JSON files (the `register-task-definition --cli-input-json` form; the
    `describe-task-definition` wrapper is unwrapped first) against a JSON Schema generated from the ECS
    service model: unknown keys, wrong types, missing required fields, values outside an enum.

    ## Why is this bad?
    The CLI and the SDKs reject such input before anything is registered (`Unknown parameter in input`,
    `Invalid type for parameter cpu`), and the deploy step of a pipeline fails.

    ecspresso registers through the AWS SDK for Go v2, whose request writer leaves out an enumeration
    field set to `""` (`"ipcMode": ""`, `"appProtocol": ""`): in a file that only ecspresso registers (see
    TD002 for how that is found) such a field is as if absent, and only what remains is checked.
    `register-task-definition --cli-input-json` sends it, and the API rejects it.

    ## How to fix
    Use the key names and types of the RegisterTaskDefinition API: task-level `cpu` and `memory` are strings,
    container-level `cpu` and `memory` are integers; remove keys that only `describe-task-definition` returns.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
    """
    for td in graph.of_kind("ecs.task_definition"):
        raw = td.get("raw")
        if raw is None:
            continue  # CloudFormation and Terraform have their own schemas
        from pullcheck.rules.taskdef.schema.quick import conforms

        if conforms(_get_schema(), raw):
            continue  # the common case, decided without importing jsonschema
        errors = sorted(_get_validator().iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
        if _only_ecspresso(graph, td):
            dropped = [tuple(e.absolute_path) for e in errors if _empty_enum_field(e)]
            if dropped:
                raw = _without(raw, dropped)
                errors = sorted(_get_validator().iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
        for err in errors:
            path = tuple(err.absolute_path)
            if path in (("cpu",), ("memory",)) and err.validator == "type":
                continue  # a number for the task's cpu or memory is TD001's, with a plainer message
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                known = set(err.schema.get("properties", {}))
                # keys that describe-task-definition adds are TD002's
                extra = sorted(k for k in err.instance if k not in known and not (not path and k in OUTPUT_ONLY))
                if not extra:
                    continue
                path = path + (extra[0],)  # point at the unexpected key itself
            key = ("raw",) + path
            where = "/".join(str(p) for p in path) or "(top level)"
            msg = err.message if len(err.message) <= 160 else err.message[:157] + "..."
            yield Hit(td, key, f"task definition {td.name}: {where}: {msg}")


def _only_ecspresso(graph: Graph, td) -> bool:
    """Whether what the repository says registers the file is ecspresso, and nothing else."""
    registered = graph.inputs.registered_by.get(td.file, ())
    return bool(registered) and all(r.tool == "ecspresso" for r in registered)


def _empty_enum_field(err) -> bool:
    """An object's field (not a list's item) of an enumeration, set to "": the Go SDK leaves it out of the
    request (its writer sends an enumeration field only when it is not empty)."""
    path = list(err.absolute_path)
    return err.validator == "enum" and err.instance == "" and bool(path) and isinstance(path[-1], str)


def _without(doc, paths):
    """A copy of ``doc`` without the fields at ``paths``: what ecspresso sends."""
    if not paths:
        return doc
    here = {p[0] for p in paths if len(p) == 1}
    deeper = {}
    for p in paths:
        if len(p) > 1:
            deeper.setdefault(p[0], []).append(p[1:])
    if isinstance(doc, dict):
        return {k: _without(v, deeper.get(k, [])) for k, v in doc.items() if k not in here}
    if isinstance(doc, list):
        return [_without(v, deeper.get(i, [])) for i, v in enumerate(doc)]
    return doc
