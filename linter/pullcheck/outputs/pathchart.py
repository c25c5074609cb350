"""The path a launch site's pull takes, as a Mermaid flowchart for the markdown report.

The launch site, its subnets, their route tables (each drawn once, however many subnets use it) and where
each table's default route goes; a table without a default route says so in its own box. Then the
endpoints the task needs when its pull relies on them (``ecr.dkr``, ``ecr.api`` unless its platform version
predates them, the S3 gateway on the table, ``logs``, ``secretsmanager``, ``ssm`` as its containers use
them): the ones in the files drawn solid, the missing ones dashed. What the finding's rule says is broken
is red: an edge, or the box of a table with no way out. A legend says so.

Every label is in quotes (``["..."]``, ``|"..."|``), and what Mermaid would read in it is written as the
entity Mermaid decodes (``#91;`` for ``[``, ``#34;`` for ``"``, ``#35;`` for ``#`` itself, so no name can
spell an entity); names come from the scanned tree and are cut to 80 characters before they are escaped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from pullcheck.graph.model import Graph, Resource
from pullcheck.outputs.safetext import printable

MAX_SUBNETS = 8  # subnets drawn; more are one box that counts them
_TARGET = {"igw": "internet gateway", "nat": "NAT gateway", "nat-private": "private NAT gateway",
           "assumed": "gateway outside the scanned files", "pcx": "VPC peering (no internet)"}
_NO_TARGET = {"none": "no 0.0.0.0/0 route", "unknown": "0.0.0.0/0 route unknown"}
# which part of the path each rule says is missing or blocked
RED = {"NET001": "ip", "NET005": "endpoints", "NET006": "endpoints", "NET009": "endpoints", "NET010": "egress",
       "NET011": "acl", "NET013": "endpoints", "NET014": "route", "NET015": "route", "NET016": "route"}
LEGEND = "solid: in the files<br>dashed: missing<br>red: where the pull breaks"
# what Mermaid reads inside a quoted label, as the entity it decodes: the quote, the entity mark itself,
# brackets and braces (Mermaid's own advice for a [ in a label), HTML and Markdown-string marks
_ENTITY = {ord(c): f"#{n};" for c, n in (("#", 35), ('"', 34), ("&", 38), ("<", 60), (">", 62), ("[", 91),
                                         ("]", 93), ("{", 123), ("}", 125), ("|", 124), ("`", 96))}


def label(text: str) -> str:
    """Text for a quoted Mermaid label: one line (printable), cut to 80 characters first so no escape is cut in
    half, then each character Mermaid would read written as its entity."""
    return printable(text[:80]).translate(_ENTITY)


@dataclass
class Chart:
    """Nodes (id, label, class) and edges (from, to, label, dashed, red) in the order they are written."""

    nodes: List[Tuple[str, str, str]] = field(default_factory=list)
    edges: List[Tuple[str, str, str, bool, bool]] = field(default_factory=list)
    ids: Dict[Any, str] = field(default_factory=dict)
    culprit: Optional[str] = None  # the key of the resource the finding is on, when it is not the launch site

    def node(self, key: Any, prefix: str, text: str, cls: str = "") -> Tuple[str, bool]:
        """The id of the node for ``key``, and whether it is new (added with ``text``)."""
        if key in self.ids:
            return self.ids[key], False
        count = sum(nid.rstrip("0123456789") == prefix for nid, _, _ in self.nodes)
        nid = self.ids[key] = prefix if prefix == "L" else f"{prefix}{count}"
        self.nodes.append((nid, text, cls))
        return nid, True

    def edge(self, a: str, b: str, text: str = "", dashed: bool = False, red: bool = False) -> None:
        if not any(e[:3] == (a, b, text) for e in self.edges):
            self.edges.append((a, b, text, dashed, red))

    def text(self) -> str:
        lines = ["flowchart LR"]
        lines += [f'  {nid}["{body}"]' for nid, body, _ in self.nodes]
        lines.append(f'  K["{LEGEND}"]')
        for a, b, text, dashed, _ in self.edges:
            arrow = "-.->" if dashed else "-->"
            lines.append(f'  {a} {arrow}|"{label(text)}"| {b}' if text else f"  {a} {arrow} {b}")
        lines += [f"  linkStyle {i} stroke:red,stroke-width:3px" for i, e in enumerate(self.edges) if e[4]]
        lines += ["  classDef broken stroke:red,stroke-width:3px", "  classDef missing stroke-dasharray:5 5",
                  "  classDef legend fill:none,stroke:none"]
        for cls in ("broken", "missing"):
            members = [nid for nid, _, c in self.nodes if c == cls]
            if members:
                lines.append(f"  class {','.join(members)} {cls}")
        lines.append("  class K legend")
        return "\n".join(lines)


def mermaid(graph: Graph, launch: Resource, rule_id: str,
            culprit: Optional[str] = None) -> Optional[Tuple[str, int]]:
    """The path of ``launch``'s pull as a Mermaid flowchart and its number of nodes (the legend not
    counted), or None when its subnets are not known. ``culprit``: the key of the resource the finding is on
    when it is one on the path (an endpoint: only its edge is red)."""
    from pullcheck.facts import network as net

    subnets = net.launch_subnets(graph, launch)
    if not subnets:
        return None
    red = RED.get(rule_id, "route")
    chart = Chart(culprit=culprit)
    chart.node(("launch",), "L", label(launch.name))
    td = net.task_definition(graph, launch)
    for _, subnet in subnets[:MAX_SUBNETS]:
        s, r, tid = _subnet(chart, graph, launch, subnet, red)
        _endpoints(chart, graph, launch, td, subnet, (s, r, tid), red)
        _guards(chart, graph, launch, subnet, s, red)
    if len(subnets) > MAX_SUBNETS:
        more, _ = chart.node(("more",), "M", label(f"{len(subnets) - MAX_SUBNETS} more subnets"))
        chart.edge("L", more)
    return chart.text(), len(chart.nodes)


def involved(graph: Graph, launch: Resource) -> Set[str]:
    """The keys of what the pull of a Fargate launch site goes through (its task definition, subnets, route
    tables, default routes and their targets, endpoints, network ACLs and their entries, security groups): a finding on one of
    them is drawn on that launch site's path. Empty for a launch site not on Fargate."""
    from pullcheck.facts import network as net
    from pullcheck.facts import acls
    from pullcheck.facts import security as sec

    if net.is_fargate(launch, graph) is not True:
        return set()
    keys = {launch.key}
    td = net.task_definition(graph, launch)
    if td is not None:
        keys.add(td.key)
    for _, subnet in net.launch_subnets(graph, launch) or []:
        _, table, _ = net.route_table(graph, subnet)
        egress = net.egress4(graph, subnet)
        target = graph.deref(net.route_target(egress))
        acl, _ = acls.subnet_acl(graph, subnet)
        keys.update(r.key for r in (subnet, table, egress.route, target, acl) if r is not None)
        keys.update(e.key for e in (acls.acl_index(graph).entries.get(acl.key, []) if acl is not None else []))
        keys.update(ep.key for eps in net.endpoints(graph, subnet).interface.values() for ep in eps)
        keys.update(ep.key for ep in net.s3_gateway_endpoints(graph, subnet))
        keys.update(g.resource.key for g in sec.task_groups(graph, launch, subnet.get("vpc")) or []
                    if g.resource is not None)
    return keys


def _subnet(chart: Chart, graph: Graph, launch: Resource, subnet: Resource,
            red: str) -> Tuple[str, str, Optional[str]]:
    """The subnet, its route table (one box for every subnet that uses it) and where its default route
    goes; (subnet id, table id, table key)."""
    from pullcheck.facts import network as net

    s, _ = chart.node(("subnet", subnet.key), "S", label(f"subnet {subnet.name}"))
    chart.edge("L", s, "public IP" if net.public_ip(launch) else "no public IP", red=red == "ip")
    tid, table, _ = net.route_table(graph, subnet)
    egress = net.egress4(graph, subnet)
    name = table.name if table is not None else ("the VPC's main route table" if tid and tid.startswith("main:")
                                                 else "route table unknown")
    says = _NO_TARGET.get(egress.kind)
    broken = says is not None and red == "route"  # an endpoint-only VPC has no default route by design
    text = label(f"route table {name}") + (f"<br>{label(says)}" if says else "")
    r, new = chart.node(("table", tid or subnet.key), "R", text, "broken" if broken else "")
    chart.edge(s, r)
    if new and says is None:
        target = graph.deref(net.route_target(egress))
        shown = _TARGET.get(egress.kind, egress.kind) + (f" {target.name}" if target is not None else "")
        t, _ = chart.node(("target", target.key if target is not None else (tid, egress.kind)), "T", label(shown))
        chart.edge(r, t, "0.0.0.0/0", red=red == "route" or egress.kind == "pcx")
    return s, r, tid


def _guards(chart: Chart, graph: Graph, launch: Resource, subnet: Resource, s: str, red: str) -> None:
    """For a rule about them, the task's security groups or the subnet's network ACL, in red."""
    from pullcheck.facts import acls
    from pullcheck.facts import security as sec

    if red == "egress":
        groups = sec.task_groups(graph, launch, subnet.get("vpc"))
        names = ", ".join(g.name for g in groups) if groups else "security groups"
        g, _ = chart.node(("groups", names), "G", label(f"{names}: no TCP 443 out"), "broken")
        chart.edge("L", g, "egress", red=True)
    elif red == "acl":
        acl, _ = acls.subnet_acl(graph, subnet)
        if acl is not None:
            a, _ = chart.node(("acl", acl.key), "A", label(f"network ACL {acl.name}: blocks HTTPS"), "broken")
            chart.edge(s, a, "TCP 443", red=True)


def _endpoints(chart: Chart, graph: Graph, launch: Resource, td: Optional[Resource], subnet: Resource,
               where: Tuple[str, str, Optional[str]], red: str) -> None:
    """The endpoints of the subnet's VPC that the pull uses: those in the files, and, when the pull relies on
    endpoints alone, the missing ones the task needs. For a rule about endpoints, the missing ones are red
    (those in the files when none is missing: their DNS, groups or Region are what is broken)."""
    from pullcheck.facts import network as net

    s, r, tid = where
    eps = net.endpoints(graph, subnet)
    if not eps.known:
        return
    imgs = net.images(td)  # endpoints serve no image of Docker Hub, ECR Public or another registry
    relies = net.internet_kind(graph, subnet) == "none" and (
        not imgs or any(im.kind not in ("dockerhub", "ecr-public", "other") for im in imgs))
    drawn = [(svc, present) for svc, present in _needed(graph, launch, td, eps, tid) if present or relies]
    complete = all(present for _, present in drawn)
    keys = {svc: {ep.key for ep in (net.s3_gateway_endpoints(graph, subnet) if svc == "s3"
                                    else eps.interface.get(svc, []))} for svc, _ in drawn}
    on_endpoint = any(chart.culprit in k for k in keys.values())
    vpc = getattr(subnet.get("vpc"), "target", None)
    for service, present in drawn:
        names = ", ".join(sorted(graph.resources[k].name for k in keys[service])) if present else ""
        text = ("S3 gateway endpoint" if service == "s3" else f"{service} endpoint") + (f" {names}" if names else "")
        origin = r if service == "s3" else s
        e, _ = chart.node(("endpoint", vpc, service, tid if service == "s3" else None), "E",
                          label(text) + ("" if present else "<br>missing"), "" if present else "missing")
        blamed = chart.culprit in keys[service] if on_endpoint else (complete or not present)
        chart.edge(origin, e, dashed=not present, red=red == "endpoints" and relies and blamed)


def _needed(graph: Graph, launch: Resource, td: Optional[Resource], eps: Any,
            tid: Optional[str]) -> List[Tuple[str, bool]]:
    """(service, whether the VPC has it) for each endpoint the task would need, and any other of those the
    VPC has; the S3 gateway left out when its tables are not known."""
    from pullcheck.facts import network as net

    out = [("ecr.dkr", eps.has("ecr.dkr"))]
    if eps.has("ecr.api") or net.needs_ecr_api(launch) is not False:
        out.append(("ecr.api", eps.has("ecr.api")))
    s3 = net.s3_on_table(graph, eps, tid)
    if s3 is not None:
        out.append(("s3", s3))
    need = net.needs(td) or {}
    out += [(svc, eps.has(svc)) for svc in ("logs", "secretsmanager", "ssm") if need.get(svc) or eps.has(svc)]
    return out


class Pictures:
    """The picture of each network finding: the path of the launch site it is on, or, for a finding on
    something that path goes through (a route, an endpoint, a security group, the task definition), of the
    first launch site whose path does."""

    def __init__(self, graph: Graph) -> None:
        from pullcheck.facts import network as net

        self.graph = graph
        self.launches = list(graph.of_kind(*net.LAUNCH_KINDS))
        self.at: Dict[Tuple[str, str], Resource] = {}
        for r in self.launches:
            self.at.setdefault((r.file, r.name), r)
        self.resources: Dict[Tuple[str, str], Resource] = {}
        for r in graph.resources.values():
            self.resources.setdefault((r.file, r.name), r)
        self.paths: Dict[str, Set[str]] = {}

    def of(self, rule_id: str, file: str, resource: str) -> Optional[Tuple[str, int]]:
        """The chart and its number of nodes for a finding of ``rule_id`` on ``resource`` in ``file``."""
        if not rule_id.startswith("NET"):
            return None
        launch, culprit = self.at.get((file, resource)), None
        if launch is None:
            found = self.resources.get((file, resource))
            if found is None:
                return None
            culprit = found.key
            for candidate in self.launches:
                if candidate.key not in self.paths:
                    self.paths[candidate.key] = involved(self.graph, candidate)
                if culprit in self.paths[candidate.key]:
                    launch = candidate
                    break
        return mermaid(self.graph, launch, rule_id, culprit) if launch is not None else None
