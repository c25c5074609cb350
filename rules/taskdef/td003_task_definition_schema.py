import json
import os
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, placeholder, rule
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

    What is checked is what the tool that registers the file sends (see TD002 for how that is found): a
    file that nothing in the repository is seen to register, or that `register-task-definition
    --cli-input-json` registers, as written; for ecspresso, which registers through the AWS SDK for Go v2,
    without the enumeration fields set to `""` (`"ipcMode": ""`, `"appProtocol": ""`), which that SDK's
    request writer leaves out; for the amazon-ecs-deploy-task-definition action, without the empty values
    (`""`, `null`, and lists and objects of nothing else) it removes. A field left out that the API
    requires is still reported.

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
        said = set()
        for path, err in _errors_as_sent(graph, td, raw):
            if isinstance(err.instance, str) and placeholder(err.instance):
                continue  # a value the deploy tool fills in (ecspresso's {{ must_env }}, envsubst's ${X})
            if path in (("cpu",), ("memory",)) and err.validator == "type":
                continue  # a number for the task's cpu or memory is TD001's, with a plainer message
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                known = set(err.schema.get("properties", {}))
                # keys that describe-task-definition adds are TD002's
                extra = sorted(k for k in err.instance if k not in known and not (not path and k in OUTPUT_ONLY))
                if not extra:
                    continue
                path = path + (extra[0],)  # point at the unexpected key itself
            if err.validator in ("type", "enum"):
                if path in said:
                    continue  # a value of the wrong type is outside the enumeration too: one finding a field
                said.add(path)
            where = "/".join(str(p) for p in path) or "(top level)"
            msg = _as_json(err)
            msg = msg if len(msg) <= 160 else msg[:157] + "..."
            if (path, msg) not in said:
                said.add((path, msg))
                yield Hit(td, ("raw",) + path, f"task definition {td.name}: {where}: {msg}")


def _as_json(err) -> str:
    """The error's message with the value it starts with written as JSON writes it (``null``, ``true``),
    not as Python does."""
    value = err.instance
    if (value is None or isinstance(value, bool)) and err.message.startswith(repr(value) + " "):
        return json.dumps(value) + err.message[len(repr(value)):]
    return err.message


def _errors(doc):
    return sorted(_get_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))


def _errors_as_sent(graph: Graph, td, raw):
    """(path in the file, error) of what each tool that registers the file sends: the file as written when
    nothing is seen to register it or the CLI does; in the order of the paths, and at one path a type
    error before an enumeration's."""
    tools = {r.tool for r in graph.inputs.registered_by.get(td.file, ())} or {"cli"}
    errors = _errors(raw)
    out: list = []
    # the file as written first: another tool's error about what holds one already said is left out (a
    # required field the tool took out, where the CLI's error names the field's value)
    for tool in sorted(tools, key=lambda t: (t in ("ecspresso", "deploy-action"), t)):
        if tool == "ecspresso":
            dropped = [tuple(e.absolute_path) for e in errors if _empty_enum_field(e)]
            sent, trace = (_without(raw, dropped), None) if dropped else (raw, None)
        elif tool == "deploy-action":
            sent, trace = _without_empty(raw)
        else:
            sent, trace = raw, None
        said = [p for p, _ in out]
        for e in (errors if sent is raw else _errors(sent)):
            path = _in_file(tuple(e.absolute_path), trace)
            if not any(p[:len(path)] == path and p != path for p in said):
                out.append((path, e))
    # at one path, a type error before the enumeration's (which is then left out)
    return sorted(out, key=lambda pe: (list(map(str, pe[0])), pe[1].validator == "enum"))


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


def _empty(v) -> bool:
    """Empty as the deploy action sees it: null, "", or a list or object of nothing but empty values."""
    if v is None or (isinstance(v, str) and v == ""):
        return True
    if isinstance(v, dict):
        return all(_empty(x) for x in v.values())
    if isinstance(v, list):
        return all(_empty(x) for x in v)
    return False


def _without_empty(doc):
    """(what the deploy action sends of ``doc``: its empty values taken out at every depth, a list's too,
    where each kept list item came from: a trace for _in_file)."""
    if isinstance(doc, dict):
        kept = {k: _without_empty(v) for k, v in doc.items() if not _empty(v)}
        return {k: v[0] for k, v in kept.items()}, {k: v[1] for k, v in kept.items()}
    if isinstance(doc, list):
        kept_items = [(i, _without_empty(v)) for i, v in enumerate(doc) if not _empty(v)]
        return [v[0] for _, v in kept_items], [(i, v[1]) for i, v in kept_items]
    return doc, None


def _in_file(path, trace):
    """A path in what was sent, as the path in the file (a list's items may have moved up)."""
    out = []
    for step in path:
        if isinstance(trace, list) and isinstance(step, int) and step < len(trace):
            step, trace = trace[step]
        else:
            trace = trace.get(step) if isinstance(trace, dict) else None
        out.append(step)
    return tuple(out)
