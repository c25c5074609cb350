"""Iteration shared by the network rules."""
from typing import Iterator, Optional, Tuple

from pullcheck import Graph, Resource
from pullcheck.facts import network as net


def sites(graph: Graph, ipv4: bool = True) -> Iterator[Tuple[Resource, Optional[Resource], int, Resource]]:
    """(launch site, its task definition, subnet index, subnet) for every Fargate launch and known subnet.
    The IPv4 rules (``ipv4``) leave out a subnet that is, or may be, IPv6-only: a task there has no IPv4
    address, and NET016 judges how it pulls."""
    for launch in net.fargate_launches(graph):
        subnets = net.launch_subnets(graph, launch)
        if not subnets:
            continue
        td = net.task_definition(graph, launch)
        for i, subnet in subnets:
            if ipv4 and net.ipv6_only(subnet) is not False:
                continue
            yield launch, td, i, subnet


def table_name(e: net.Egress) -> str:
    if e.table is not None:
        return f"route table {e.table.name}"
    if e.main_local_only:
        return "route table (the VPC's main one: the subnet has no association, and it holds only the local route)"
    return "its route table"


def dead_default_routes(graph: Graph, kind: str) -> Iterator[Tuple[Resource, Resource, net.Egress]]:
    """(launch, subnet, egress) for each default route of the given target kind that leaves the subnet
    without internet while the pull needs it (rules using it report once per route: ``once_per="place"``)."""
    for launch, td, i, subnet in sites(graph):
        e = net.egress4(graph, subnet)
        if e.kind != kind or e.route is None or net.internet_kind(graph, subnet) != "none":
            continue
        if net.needs_internet(graph, launch, subnet, td) is not True:
            continue
        yield launch, subnet, e
