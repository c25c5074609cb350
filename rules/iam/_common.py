"""Fargate task definitions without an execution role."""
from linter import network as net
from linter.model import Graph


def fargate_task_definitions_without_role(graph: Graph):
    used_by_fargate = set()
    for launch in net.fargate_launches(graph):
        td = net.task_definition(graph, launch)
        if td is not None:
            used_by_fargate.add(td.key)
    for td in graph.of_kind("ecs.task_definition"):
        if td.get("conditional") or td.get("execution_role") is not None:
            continue
        compat = td.get("requires_compatibilities")
        fargate = td.key in used_by_fargate or (
            isinstance(compat, list) and any(isinstance(c, str) and c.upper() == "FARGATE" for c in compat))
        if not fargate or not isinstance(td.get("containers"), list):
            continue
        yield td


def message(td, container, what: str) -> str:
    return (f"Fargate task definition {td.name} has no execution role, but container {container!s} {what}; "
            f"registration fails (\"Fargate requires task definition to have execution role ARN\"): set "
            f"ExecutionRoleArn / executionRoleArn / execution_role_arn to a role trusted by "
            f"ecs-tasks.amazonaws.com with AmazonECSTaskExecutionRolePolicy")
