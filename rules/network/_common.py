"""Iteration shared by the network rules."""
from typing import Iterator, Optional, Tuple

from linter import network as net
from linter.model import Graph, Resource


def sites(graph: Graph) -> Iterator[Tuple[Resource, Optional[Resource], int, Resource]]:
    """(launch site, its task definition, subnet index, subnet) for every Fargate launch and known subnet."""
    for launch in net.fargate_launches(graph):
        subnets = net.launch_subnets(graph, launch)
        if not subnets:
            continue
        td = net.task_definition(graph, launch)
        for i, subnet in subnets:
            yield launch, td, i, subnet


def table_name(e: net.Egress) -> str:
    return f"route table {e.table.name}" if e.table is not None else "its route table"
