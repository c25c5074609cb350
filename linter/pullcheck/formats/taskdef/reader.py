"""ECS task-definition JSON (register form or describe output) and CreateService input."""
from __future__ import annotations

from typing import Any

from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.formats import common
from pullcheck.sources.marked import MDict


def is_task_definition(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    inner = doc.get("taskDefinition")
    return "containerDefinitions" in doc or (isinstance(inner, dict) and "containerDefinitions" in inner)


def is_service_input(doc: Any) -> bool:
    return isinstance(doc, dict) and "serviceName" in doc and (
        "networkConfiguration" in doc or "launchType" in doc or "taskDefinition" in doc)


def parse_task_definition(doc: MDict, file: str, graph: Graph) -> None:
    body = doc
    wrapped = False
    if "containerDefinitions" not in doc and isinstance(doc.get("taskDefinition"), dict):
        body = doc["taskDefinition"]
        wrapped = True
    pos = getattr(body, "pos", (1, 1))
    family = body.get("family") if isinstance(body.get("family"), str) else file
    res = Resource(key=f"{file}#taskDefinition", kind="ecs.task_definition", rtype="ECS::TaskDefinition (JSON)",
                   name=str(family), file=file, span=Span.at(pos))
    res.attrs.update(common.normalise_task_definition(body, False, res.spans))
    res.attrs["conditional"] = False
    res.attrs["wrapped"] = wrapped
    if wrapped:
        common.put(res.spans, ("wrapper",), doc.kpos.get("taskDefinition") if isinstance(doc, MDict) else None)
    res.attrs["raw"] = body
    graph.add(res)


def parse_service_input(doc: MDict, file: str, graph: Graph) -> None:
    pos = getattr(doc, "pos", (1, 1))
    res = Resource(key=f"{file}#service", kind="ecs.service", rtype="ECS::Service (JSON)",
                   name=str(doc.get("serviceName")), file=file, span=Span.at(pos))
    common.normalise_launch(doc, False, res.spans, res.attrs)
    res.attrs["conditional"] = False
    graph.add(res)
