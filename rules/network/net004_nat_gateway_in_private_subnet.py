from typing import Iterator

from pullcheck import Graph, Hit, rule, text_of
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites


def _routed_through(graph: Graph) -> set:
    """Keys of the NAT gateways the default routes of the run's Fargate subnets point at."""
    out = set()
    for _, _, _, subnet in sites(graph):
        target = net.route_target(net.egress4(graph, subnet))
        nat = graph.deref(target, "ec2.nat_gateway")
        if nat is not None:
            out.add(nat.key)
    return out


@rule("NET004", "nat-gateway-in-private-subnet", "error", kinds=("ec2.nat_gateway",))
def check(graph: Graph) -> Iterator[Hit]:
    """Public NAT gateway placed in a subnet without a route to an internet gateway.

    ## What it does
    Flags a NAT gateway with public connectivity (the default) in a subnet whose route table has no
    default route to an internet gateway. Regional NAT gateways (no subnet) and private NAT gateways are
    not checked; a subnet whose routes cannot be seen is not judged.

    ## Why is this bad?
    A public NAT gateway forwards traffic to the internet gateway of its own subnet's route table. Placed
    in a private subnet it has nowhere to send it, and every task routed through it fails to pull with
    `CannotPullContainerError` (i/o timeout).

    ## How to fix
    Create the NAT gateway in a public subnet (one whose route table sends `0.0.0.0/0` to the internet
    gateway) and keep the private subnets' default route pointing at it.

    ## References
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
    """
    used = None
    for nat in graph.of_kind("ec2.nat_gateway"):
        if nat.get("conditional"):
            continue
        if nat.get("snapshot"):
            # the account's own NAT gateways are judged only where a task of the run routes through them
            used = _routed_through(graph) if used is None else used
            if nat.key not in used:
                continue
        ct = nat.get("connectivity_type")
        mode = nat.get("availability_mode")
        if ct is not None and (text_of(ct) or "").lower() != "public":
            continue
        if mode is not None and (text_of(mode) or "regional").lower() == "regional":
            continue
        subnet = graph.deref(nat.get("subnet"), "ec2.subnet")
        if subnet is None:
            continue
        e = net.egress4(graph, subnet)
        if e.kind not in ("none", "pcx", "nat", "nat-private"):
            continue
        where = {"none": "has no 0.0.0.0/0 route", "pcx": "sends 0.0.0.0/0 to a VPC peering connection"}.get(
            e.kind, "sends 0.0.0.0/0 to a NAT gateway")
        table = f"route table {e.table.name}" if e.table is not None else "route table"
        yield Hit(nat, ("subnet",),
                  f"public NAT gateway {nat.name} sits in subnet {subnet.label(nat)}, whose {table} {where}: it cannot "
                  f"reach the internet; place it in a public subnet whose default route is the internet gateway")
