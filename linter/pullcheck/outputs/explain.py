"""``--explain``: the path each launch site's pull takes, as the network rules see it.

For every launch site: is it Fargate, which task definition and images, then per subnet the route table
and its default route, the endpoints, the network ACL and the security groups, with the reason wherever
a fact cannot be known. A user who disagrees with a finding, or expects one, can see which fact decided.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from pullcheck.facts import network as net
from pullcheck.facts import acls
from pullcheck.facts import security as sec
from pullcheck.graph.model import Finding, Graph, Resource
from pullcheck.outputs.safetext import printable
from pullcheck.graph.values import Ref, Unknown, shown

_WORD = {True: "allowed", False: "BLOCKED", None: "unknown"}
_EGRESS = {"igw": "an internet gateway", "nat": "a NAT gateway", "nat-private": "a private NAT gateway",
           "assumed": "a gateway whose egress is outside the scanned files (assumed to reach the internet)",
           "pcx": "a VPC peering connection (no internet)", "none": "nothing (no 0.0.0.0/0 route)",
           "unknown": "unknown"}


def _where(res: Resource) -> str:
    if res.get("snapshot"):
        return f"{res.file}:{res.span.line}, the account's, from its snapshot"
    return f"{res.file}:{res.span.line}"


def _mark(res: Optional[Resource], name: str) -> str:
    """A name, marked when the resource is the account's (from the snapshot), not the run's."""
    return f"{name} [snapshot]" if res is not None and res.get("snapshot") else name


def _snapshot(graph: Graph) -> List[str]:
    """Which snapshot of the account the run was given, and how old it is."""
    from pullcheck.formats.snapshot.reader import age

    meta = next(graph.of_kind("account.snapshot"), None)
    if meta is None:
        return []
    old = age(meta.get("taken"))
    what = "AWS CLI outputs" if meta.get("folder") else "snapshot"
    return [f"Account facts from {meta.name} ({what} of account {meta.get('account') or 'unknown'}, Region "
            f"{meta.get('region') or 'unknown'}, taken {meta.get('taken') or 'at an unknown time'}"
            f"{', ' + old + ' ago' if old else ''}): resources marked [snapshot] are the account's as they were "
            f"then, not the run's", ""]


def _assumed(graph: Graph) -> List[str]:
    """What the run's values rest on besides the files: imports matched to exports by how their names are
    built from parameters nobody gave."""
    notes = graph.inputs.assumed
    return [f"Assumed: {printable(n)}" for n in notes] + [""] if notes else []


def explain(graph: Graph, findings: List[Finding]) -> str:
    by_resource: Dict[str, List[str]] = {}
    for f in findings:
        by_resource.setdefault(f.resource, []).append(f.rule_id)
    launches = list(graph.of_kind(*net.LAUNCH_KINDS)) + net.batch_launches(graph)
    if not launches:
        return "No launch sites (ECS services, task sets, scheduled or pipe targets, state machine tasks, " \
               "Batch jobs) in the scanned files.\n"
    out: List[str] = _snapshot(graph) + _assumed(graph)
    for launch in launches:
        out.extend(_launch(graph, launch))
        out.append("")
    # names come from the scanned tree: each line printable on its own, so a name cannot start a line
    return "\n".join(printable(line) for line in out)


def _launch(graph: Graph, launch: Resource) -> List[str]:
    lines = [f"{launch.name} ({launch.rtype}, {_where(launch)})"]
    if launch.get("conditional"):
        lines.append("  exists only under a condition that cannot be decided: not judged")
        return lines
    fargate = net.is_fargate(launch, graph)
    if fargate is not True:
        lines.append("  not Fargate" if fargate is False else
                     "  launch type unknown (no LaunchType, no capacity provider strategy that names FARGATE):"
                     " not judged")
        return lines
    td = net.task_definition(graph, launch)
    if td is None:
        lines.append(f"  task definition: not in the scanned files ({shown(launch.get('task_definition'))})")
    else:
        imgs = ", ".join(f"{im.shown} [{im.kind}]" for _, im in net.container_images(td)) or "none"
        lines.append(f"  task definition: {td.name} ({_where(td)}); images: {imgs}")
    ip = net.public_ip(launch)
    lines.append(f"  public IP: {'ENABLED' if ip else 'DISABLED' if ip is False else 'unknown'}"
                 f"{' (default)' if launch.get('assign_public_ip') is None else ''}")
    subnets = net.launch_subnets(graph, launch)
    raw = launch.get("subnets")
    if subnets is None:
        why = raw.origin if isinstance(raw, Unknown) else (
            f"{raw.target.rsplit(':', 1)[-1]} selects nothing that the scanned files show for sure"
            if raw is not None and hasattr(raw, "target") else "no subnets given")
        lines.append(f"  subnets: unknown ({why}): network rules not judged")
        return lines
    known = {s.key for _, s in subnets}
    if isinstance(raw, list) and len(raw) > len(subnets):
        others = [x.origin if isinstance(x, Unknown) else shown(x).strip("${}") if isinstance(x, Ref) else str(x)
                  for x in raw if not (hasattr(x, "target") and x.target in known)]
        lines.append(f"  subnets not in the scanned files (not judged): {', '.join(others)}")
    for _, subnet in subnets:
        lines.extend(_subnet(graph, launch, td, subnet))
    return lines


def _subnet(graph: Graph, launch: Resource, td, subnet: Resource) -> List[str]:
    lines = [f"  subnet {subnet.name} ({_where(subnet)})"]
    tid, table, why = net.route_table(graph, subnet)
    e = net.egress4(graph, subnet)
    if tid is None:
        lines.append(f"    route table: unknown ({why})")
    else:
        name = table.name if table is not None else ("the VPC's main route table" if tid.startswith("main:") else tid)
        lines.append(f"    route table: {_mark(table or net.vpc_of(graph, subnet), name)}")
    lines.append(f"    0.0.0.0/0 -> {_EGRESS.get(e.kind, e.kind)}{f' ({e.why})' if e.why else ''}")
    kind = net.internet_kind(graph, subnet)
    if e.kind == "nat-private":
        lines.append(f"    through the private NAT gateway: {_EGRESS.get(kind, kind)}")
    if net.ipv6_only(subnet):
        lines.append(f"    IPv6-only subnet; ::/0 -> {net.egress6(graph, subnet)}")
    eps = net.endpoints(graph, subnet)
    if not eps.known:
        lines.append(f"    endpoints: unknown ({eps.why})")
    else:
        have = ", ".join(f"{svc} ({', '.join(_mark(ep, ep.name) for ep in eps.interface[svc])})"
                         for svc in sorted(eps.interface)) or "none"
        s3 = net.s3_on_table(graph, eps, tid)
        lines.append(f"    interface endpoints: {have}; S3 gateway on this route table: "
                     f"{'yes' if s3 else 'no' if s3 is False else 'unknown'}")
        if kind == "none":
            missing = net.missing_endpoints(graph, launch, subnet, td)
            lines.append(f"    endpoints missing for this task: "
                         f"{', '.join(missing) if missing else 'none' if missing == [] else 'unknown'}")
            _, peer = sec.task_peer(graph, launch, subnet)
            for service, ep in net.relied_endpoints(graph, launch, subnet, td) or []:
                groups = sec.endpoint_groups(graph, ep)
                verdict = sec.groups_allow(groups, "ingress", peer) if groups and peer else None
                lines.append(f"    endpoint {ep.name} ({service}): private DNS {ep.get('private_dns')}; its groups "
                             f"admit the task on TCP 443: {_WORD[verdict]}")
    acl, why = acls.subnet_acl(graph, subnet)
    if acl is None:
        lines.append(f"    network ACL: {'unknown (' + why + ')' if why else 'the default ACL (allows all)'}")
    else:
        out = acls.acl_allows(graph, acl, True, sec.HTTPS, sec.HTTPS)
        back = acls.acl_allows(graph, acl, False, *sec.EPHEMERAL)
        lines.append(f"    network ACL {_mark(acl, acl.name)}: TCP 443 out {_WORD[out.allowed]}, replies in {_WORD[back.allowed]}")
    groups = sec.task_groups(graph, launch, subnet.get("vpc"))
    if groups is None:
        lines.append("    security groups: not all in the scanned files")
    else:
        verdict = sec.groups_allow(groups, "egress", sec.Peer(internet=True))
        names = ", ".join(_mark(g.resource, g.name) for g in groups)
        lines.append(f"    security groups: {names}; TCP 443 egress to 0.0.0.0/0 "
                     f"{_WORD[verdict]}")
    return lines
