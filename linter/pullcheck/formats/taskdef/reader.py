"""ECS task-definition JSON (register form or describe output) and CreateService input."""
from __future__ import annotations

from typing import Any

from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.graph.values import Ref
from pullcheck.formats import common
from pullcheck.sources.marked import MDict


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
    name = doc.get("serviceName")
    paired = None
    if "serviceName" not in doc or "taskDefinition" not in doc:
        from pullcheck.formats.taskdef.deploys import ecspresso_service

        paired = ecspresso_service(file)  # an ecspresso service definition: its configuration names the rest
    if name is None:
        name = (paired[1] if paired and paired[1] else None) or file
    res = Resource(key=f"{file}#service", kind="ecs.service", rtype="ECS::Service (JSON)",
                   name=str(name), file=file, span=Span.at(pos))
    common.normalise_launch(doc, False, res.spans, res.attrs)
    if paired and paired[0] and "taskDefinition" not in doc:
        res.attrs["task_definition"] = Ref(f"{paired[0]}#taskDefinition", "ECS::TaskDefinition (JSON)", None)
        res.attrs["paired_by"] = paired[2]
    res.attrs["conditional"] = False
    graph.add(res)
