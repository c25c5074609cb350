"""Facts about task definitions shared by the TD rules."""
from linter import network as net
from linter.model import Graph

# keys that describe-task-definition returns and RegisterTaskDefinition does not take
OUTPUT_ONLY = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
               "registeredBy", "deregisteredAt", "deleteRequestedAt")


def fargate_task_definitions(graph: Graph):
    """Task definitions that run on Fargate: FARGATE in requiresCompatibilities, or used by a Fargate launch."""
    used = used_by_fargate(graph)
    for td in graph.of_kind("ecs.task_definition"):
        if td.get("conditional") or td.get("batch"):
            continue
        compat = td.get("requires_compatibilities")
        if td.key in used or (isinstance(compat, list) and any(isinstance(c, str) and c.upper() == "FARGATE"
                                                               for c in compat)):
            yield td


def used_by_fargate(graph: Graph):
    """Keys of the task definitions a Fargate launch site in the graph runs."""
    return graph.memo("td-used-by-fargate", lambda g: {
        td.key for td in (net.task_definition(g, launch) for launch in net.fargate_launches(g)) if td is not None})
