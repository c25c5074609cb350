"""Walk the containers of every task definition in the graph."""
from pullcheck import Graph


def containers(graph: Graph):
    for td in graph.of_kind("ecs.task_definition"):
        cs = td.get("containers")
        if not isinstance(cs, list):
            continue
        for i, c in enumerate(cs):
            if isinstance(c, dict):
                yield td, i, c
