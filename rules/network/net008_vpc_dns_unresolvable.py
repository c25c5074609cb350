from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, Ref, rule, spell, text_of, truthy
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites


def _associations(graph):
    """(VPC key -> (place, its first DHCP options association), place of the first association that could
    be any VPC's), in the graph's order: built once, not scanned per launch site."""
    first, unresolved = {}, None
    for i, a in enumerate(graph.of_kind("ec2.dhcp_options_association")):
        v = a.get("vpc")
        if isinstance(v, Ref) and not a.get("conditional"):
            first.setdefault(v.target, (i, a))
        elif unresolved is None:
            unresolved = i
    return first, unresolved


def _custom_dns(graph, vpc):
    """True when a DHCP option set with other DNS servers is tied to the VPC; None if it cannot be told."""
    first, unresolved = graph.facts.index(_associations)
    i, a = first.get(vpc.key, (None, None))
    if unresolved is not None and (i is None or unresolved < i):
        return None
    if a is None:
        return False
    opts = graph.deref(a.get("options"), "ec2.dhcp_options")
    if opts is None:
        return None
    servers = opts.get("servers")
    if not isinstance(servers, list):
        return None
    return any(text_of(s) != "AmazonProvidedDNS" for s in servers)


@rule("NET008", "vpc-dns-unresolvable", "error", kinds=SITE_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task in a VPC that cannot resolve names.

    ## What it does
    Flags a VPC with `EnableDnsSupport: false` (`enable_dns_support = false`) where Fargate tasks run, when
    no DHCP option set gives the VPC other DNS servers.

    ## Why is this bad?
    With DNS support off, the Amazon-provided resolver does not answer. The task cannot resolve the
    registry's name and the pull fails before a single packet reaches it.

    ## How to fix
    Remove `EnableDnsSupport: false` (the default is true), or attach a DHCP option set with DNS servers that
    forward to the VPC resolver (VPC endpoints answer only through Amazon-provided DNS).

    ## References
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    """
    for launch, td, i, subnet in sites(graph):
        vpc = net.vpc_of(graph, subnet)
        if vpc is None or vpc.get("conditional"):
            continue
        if truthy(vpc.get("enable_dns_support")) is not False or vpc.get("enable_dns_support") is None:
            continue
        if _custom_dns(graph, vpc) is not False:
            continue
        yield Hit(vpc, ("enable_dns_support",),
                  f"VPC {vpc.name} has DNS support disabled and no other DNS servers, so {launch.name} cannot "
                  f"resolve the registry's name; set {spell(vpc, 'enable_dns_support', True)}")
