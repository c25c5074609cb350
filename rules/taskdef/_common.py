"""Facts about task definitions shared by the TD rules."""
from pullcheck import Graph
from pullcheck.facts import network as net

# keys that describe-task-definition returns and RegisterTaskDefinition does not take
OUTPUT_ONLY = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
               "registeredBy", "deregisteredAt", "deleteRequestedAt")


def fargate_task_definitions(graph: Graph):
    """Task definitions that run on Fargate (Batch jobs aside: their sizes and network come from Batch)."""
    for td in graph.of_kind("ecs.task_definition"):
        if not td.get("conditional") and not td.get("batch") and net.runs_on_fargate(graph, td):
            yield td
