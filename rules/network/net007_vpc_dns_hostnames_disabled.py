from typing import Iterator

from pullcheck import Graph, Hit, rule, spell, truthy


@rule("NET007", "vpc-dns-hostnames-disabled", "error", kinds=("ec2.vpc_endpoint",), once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Private DNS endpoints in a VPC without DNS hostnames or DNS support.

    ## What it does
    Flags a VPC that has an interface endpoint with private DNS enabled while `EnableDnsHostnames`
    (`enable_dns_hostnames`) is false or absent, or `EnableDnsSupport` is false. Both default differently:
    DNS support is on unless turned off, DNS hostnames are off for a VPC you create.

    ## Why is this bad?
    Private DNS for an endpoint needs both VPC attributes; the endpoint cannot be created (the stack or the
    apply fails), and without it the task's pulls go to public addresses it cannot reach.

    ## How to fix
    Set `EnableDnsHostnames: true` and `EnableDnsSupport: true` on the VPC (`enable_dns_hostnames = true`).

    ## References
    - https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html
    """
    for ep in graph.of_kind("ec2.vpc_endpoint"):
        if ep.get("conditional") or truthy(ep.get("private_dns")) is not True:
            continue
        vpc = graph.deref(ep.get("vpc"), "ec2.vpc")
        if vpc is None or vpc.get("conditional"):
            continue
        hostnames, support = vpc.get("enable_dns_hostnames"), vpc.get("enable_dns_support")
        host_ok = False if hostnames is None else truthy(hostnames)
        support_ok = True if support is None else truthy(support)
        if host_ok is None or support_ok is None or (host_ok and support_ok):
            continue
        missing = [n for n, ok in (("enable_dns_hostnames", host_ok), ("enable_dns_support", support_ok)) if not ok]
        path = ("enable_dns_hostnames",) if not host_ok and hostnames is not None else \
            ("enable_dns_support",) if not support_ok else ()
        yield Hit(vpc, path,
                  f"VPC {vpc.name} has endpoint {ep.name} with private DNS, but {' and '.join(spell(vpc, n) for n in missing)} "
                  f"{'is' if len(missing) == 1 else 'are'} not enabled: the endpoint cannot be created; set "
                  f"{' and '.join(spell(vpc, n, True) for n in missing)}")
