"""ECS task-definition JSON (register form or describe output) and CreateService input."""
from __future__ import annotations

from typing import Any

from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.graph.values import Ref, Template, Unknown
from pullcheck.formats import common
from pullcheck.sources.marked import MDict, MList


def is_task_definition(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    inner = doc.get("taskDefinition")
    return "containerDefinitions" in doc or (isinstance(inner, dict) and "containerDefinitions" in inner)


# keys only a service's definition has (CreateService input, as ecspresso keeps it without the service's
# name and task definition, which its configuration gives)
_SERVICE_ONLY = ("desiredCount", "deploymentConfiguration", "schedulingStrategy", "enableECSManagedTags",
                 "healthCheckGracePeriodSeconds", "deploymentController", "serviceRegistries")


def is_service_input(doc: Any) -> bool:
    if not isinstance(doc, dict) or "containerDefinitions" in doc:
        return False
    launching = "networkConfiguration" in doc or "launchType" in doc or "capacityProviderStrategy" in doc
    if "serviceName" in doc:
        return launching or "taskDefinition" in doc
    return launching and any(k in doc for k in _SERVICE_ONLY)


def parse_task_definition(doc: MDict, file: str, graph: Graph, rtype: str = "ECS::TaskDefinition (JSON)") -> None:
    body = doc
    wrapped = False
    if "containerDefinitions" not in doc and isinstance(doc.get("taskDefinition"), dict):
        body = doc["taskDefinition"]
        wrapped = True
    pos = getattr(body, "pos", (1, 1))
    family = body.get("family") if isinstance(body.get("family"), str) else file
    res = Resource(key=f"{file}#taskDefinition", kind="ecs.task_definition", rtype=rtype,
                   name=str(family), file=file, span=Span.at(pos))
    res.attrs.update(common.normalise_task_definition(body, False, res.spans))
    res.attrs["conditional"] = False
    res.attrs["wrapped"] = wrapped
    if wrapped:
        common.put(res.spans, ("wrapper",), doc.kpos.get("taskDefinition") if isinstance(doc, MDict) else None)
    res.attrs["raw"] = body
    graph.add(res)


def parse_service_input(doc: MDict, file: str, graph: Graph, rtype: str = "ECS::Service (JSON)") -> None:
    pos = getattr(doc, "pos", (1, 1))
    name = doc.get("serviceName")
    paired = None
    if "serviceName" not in doc or "taskDefinition" not in doc:
        from pullcheck.formats.taskdef.deploys import ecspresso_service

        paired = ecspresso_service(file)  # an ecspresso service definition: its configuration names the rest
    if name is None:
        name = (paired[1] if paired and paired[1] else None) or file
    res = Resource(key=f"{file}#service", kind="ecs.service", rtype=rtype,
                   name=str(name), file=file, span=Span.at(pos))
    common.normalise_launch(doc, False, res.spans, res.attrs)
    if paired and paired[0] and "taskDefinition" not in doc:
        res.attrs["task_definition"] = Ref(f"{paired[0]}#taskDefinition", "ECS::TaskDefinition (JSON)", None)
        res.attrs["paired_by"] = paired[2]
    res.attrs["conditional"] = False
    graph.add(res)


JSONNET_TASK, JSONNET_SERVICE = "ECS::TaskDefinition (Jsonnet)", "ECS::Service (Jsonnet)"
# what a definition holds when none of it can be read: every fact the rules read is unknown, none missing
_TASK_FIELDS = ("containerDefinitions", "cpu", "memory", "networkMode", "requiresCompatibilities",
                "executionRoleArn")
_SERVICE_FIELDS = ("launchType", "networkConfiguration")


def read_jsonnet(path: str, graph: Graph) -> bool:
    """An ecspresso task or service definition written in Jsonnet (``pullcheck.formats.taskdef.jsonnet``),
    read as its JSON twin is; False when no ecspresso configuration names the file as one (a library, or
    another tool's Jsonnet). ParseError when it does not parse."""
    import os

    from pullcheck.formats.taskdef import deploys, jsonnet

    name = os.path.normpath(path).replace(os.sep, "/")
    service = deploys.ecspresso_service(path) is not None
    task = any(r.tool == deploys.ECSPRESSO for r in deploys.registrations([path]).get(path, ()))
    if not service and not task:
        return False
    doc = jsonnet.evaluate(path)
    if service and not (task and isinstance(doc, dict) and "containerDefinitions" in doc):
        parse_service_input(_readable(doc, _SERVICE_FIELDS), name, graph, JSONNET_SERVICE)
        return True
    parse_task_definition(_readable(doc, _TASK_FIELDS), name, graph, JSONNET_TASK)
    res = graph.resources[f"{name}#taskDefinition"]
    res.attrs["raw"] = _placeheld(res.attrs["raw"])
    return True


def _readable(doc: Any, fields: tuple) -> MDict:
    """The definition as a mapping: a value that is not one (nothing of it could be read) is a mapping whose
    every field the rules read is that unknown."""
    if isinstance(doc, MDict):
        return doc
    why = doc if isinstance(doc, Unknown) else Unknown("not read: the definition is not an object")
    out = MDict((f, why) for f in fields)
    out.pos, out.kpos = (1, 1, 1, 2), {f: (1, 1, 1, 2) for f in fields}
    return out


def _placeheld(v: Any) -> Any:
    """The document with each unknown as a ``{{ ... }}`` placeholder, as a JSON definition holds what the
    deploy fills in: what the schema checks read (a placeholder is not judged there), positions kept."""
    if isinstance(v, MDict):
        out = MDict((k, _placeheld(x)) for k, x in v.items())
        out.pos, out.kpos = v.pos, v.kpos
        return out
    if isinstance(v, MList):
        items = MList(_placeheld(x) for x in v)
        items.pos, items.ipos = v.pos, v.ipos
        return items
    if isinstance(v, (Unknown, Template)):
        parts = v.parts if isinstance(v, Template) else (v,)
        return "".join(p if isinstance(p, str) else "{{ unknown }}" for p in parts)
    return v
