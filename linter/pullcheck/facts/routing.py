"""Facts about routing, shared by rules: a subnet's VPC and route table (its own, or the VPC's main one),
how IPv4 and IPv6 traffic to the internet leaves it (an internet or NAT gateway, something we do not see
through, nothing), and whether something in the run may change a VPC's main route table.

Every answer is three-valued: a fact the graph proves, or None / "unknown" when it depends on
something the scanned files do not show.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts.reach import Unresolved
from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref, Template, Unknown, text_of, truthy

_PREFIX_KIND = {"igw-": "igw", "nat-": "nat", "vgw-": "assumed", "tgw-": "assumed", "pcx-": "pcx",
                "eni-": "assumed", "i-": "assumed", "vpce-": "assumed", "eigw-": "unknown", "cagw-": "assumed",
                "lgw-": "assumed"}
_ATTR_KIND = {"nat": "nat", "tgw": "assumed", "instance": "assumed", "eni": "assumed", "vpce": "assumed",
              "core": "assumed", "cagw": "assumed", "lgw": "assumed", "pcx": "pcx"}
_KIND_EGRESS = {"ec2.internet_gateway": "igw", "ec2.transit_gateway": "assumed",
                "ec2.vpc_peering_connection": "pcx", "ec2.vpc_endpoint": "assumed"}


def vpc_of(graph: Graph, subnet: Resource) -> Optional[Resource]:
    return graph.deref(subnet.get("vpc"), "ec2.vpc")


@dataclass
class Egress:
    kind: str  # igw | nat | nat-private | assumed | pcx | none | unknown
    route: Optional[Resource] = None
    route_path: Tuple[Any, ...] = ()
    table: Optional[Resource] = None
    why: str = ""
    main_local_only: bool = False  # the main table of a VPC the run creates, which nothing can change


@dataclass
class _Index:
    assoc: Dict[str, List[Any]] = field(default_factory=dict)
    main_assoc: Dict[str, List[Any]] = field(default_factory=dict)
    routes: Dict[str, List[Tuple[Resource, Tuple[Any, ...], Dict[str, Any]]]] = field(default_factory=dict)
    main_tables: Dict[str, Resource] = field(default_factory=dict)
    # what the graph cannot place, each reaching what its value can stand for (pullcheck.facts.reach): routes
    # whose table is unknown, and associations whose subnet is unknown (within their table's VPC if known)
    loose_routes: Unresolved = field(default_factory=Unresolved)
    loose_assocs: Unresolved = field(default_factory=Unresolved)
    loose_assocs_in_vpc: Dict[str, str] = field(default_factory=dict)

    @property
    def unknown_routes(self) -> bool:
        """Some route or association cannot be tied to its table or subnet."""
        return bool(self.loose_routes or self.loose_assocs or self.loose_assocs_in_vpc)


def route_index(graph: Graph) -> _Index:
    return graph.facts.index(_build_index)


def _build_index(graph: Graph) -> _Index:
    idx = _Index()
    for a in graph.of_kind("ec2.route_table_association"):
        # a conditional association makes only its own subnet's (or VPC's) table unknown
        main_vpc = a.get("main_for_vpc")
        if isinstance(main_vpc, Ref):
            idx.main_assoc.setdefault(main_vpc.target, []).append(
                a.get("route_table") if not a.get("conditional") else Unknown("conditional association"))
            continue
        s = a.get("subnet")
        if isinstance(s, Ref) and s.rtype.startswith("data."):
            found = graph.deref(s, "ec2.subnet")  # the subnet a data source selects, when it is known
            s = Ref(found.key, found.rtype, "id") if found is not None else s
        if isinstance(s, Ref) and not s.rtype.startswith("data."):
            idx.assoc.setdefault(s.target, []).append(a.get("route_table") if not a.get("conditional") else
                                                      Unknown("conditional association"))
            continue
        why = f"association {a.name} names a subnet that cannot be resolved"
        vpc = table_vpc(graph, a.get("route_table"))
        if isinstance(vpc, Ref) and vpc.target in graph.resources:
            idx.loose_assocs_in_vpc.setdefault(vpc.target, why)  # a table takes subnets of its own VPC only
        else:
            idx.loose_assocs.add(a, s, why)
    for rt in graph.of_kind("ec2.route_table"):
        if rt.get("main"):
            idx.main_tables.setdefault(_table_id(rt), rt)
        for i, r in enumerate(rt.get("routes") or []):
            idx.routes.setdefault(_table_id(rt), []).append((rt, ("routes", i), r))
    for r in graph.of_kind("ec2.route"):
        t = r.get("route_table")
        if isinstance(t, Ref):
            idx.routes.setdefault(table_ref_id(t), []).append((r, (), r.attrs))
        else:
            idx.loose_routes.add(r, t, f"route {r.name} is on a route table that cannot be resolved")
    return idx


def table_vpc(graph: Graph, t: Any) -> Any:
    """The VPC value of the route table a value names (the VPC itself for its main table), else None."""
    if not isinstance(t, Ref):
        return None
    if t.attr in ("main_route_table_id", "default_route_table_id"):
        return Ref(t.target, t.rtype, None)
    table = graph.deref(t, "ec2.route_table")
    return table.get("vpc") if table is not None else None


def _unsure(graph: Graph, subnet: Resource, tid: str, table: Optional[Resource]) -> str:
    """Why what the graph cannot place may add routes to the subnet's table (a route whose table is
    unknown), or give the subnet another table when it has none of its own (an association whose subnet is
    unknown: AWS associates a subnet with one table only); "" when nothing can."""
    idx = route_index(graph)
    if not idx.unknown_routes:
        return ""
    if table is None:  # a main table is its VPC's
        table = graph.resources.get(tid[len("main:"):] if tid.startswith("main:") else tid)
    why = idx.loose_routes.about(graph, table)
    if why or idx.assoc.get(subnet.key):
        return why
    vpc = subnet.get("vpc")
    return idx.loose_assocs_in_vpc.get(vpc.target if isinstance(vpc, Ref) else "", "") or \
        idx.loose_assocs.about(graph, subnet)


def table_ref_id(t: Ref) -> str:
    """The table id a reference names: the VPC's main table for main/default_route_table_id."""
    return f"main:{t.target}" if t.attr in ("main_route_table_id", "default_route_table_id") else t.target


def _table_id(rt: Resource) -> str:
    vpc = rt.get("vpc")
    if rt.get("main") and isinstance(vpc, Ref):
        return f"main:{vpc.target}"
    return rt.key


def _untouched_cfn_main_table(graph: Graph, vpc_key: str) -> bool:
    """The main route table of a VPC declared in CloudFormation holds only the local route when nothing in
    the run can change it: CloudFormation exposes no attribute to route it (only a custom resource given
    that VPC, or a value that may stand for it, could; or a Terraform resource of the same run adopting
    it, when the VPC it names may be this one)."""
    vpc = graph.resources.get(vpc_key)
    if vpc is None or vpc.rtype != "AWS::EC2::VPC" or vpc.get("conditional"):
        return False
    return not main_table_changer(graph, vpc)


def main_table_changer(graph: Graph, vpc: Resource) -> str:
    """What in the run may change the main route table of ``vpc``, said; "" when nothing can."""
    named, loose = graph.facts.index(_custom_reach)
    return named.get(vpc.key) or loose.about(graph, vpc) or graph.facts.index(_main_table_adopters).about(graph, vpc)


# where a custom resource's code may change routes: the VPC of each resource it is given (a VPC itself,
# or a resource in one); a value that cannot be resolved may stand for any VPC its template reaches
_CUSTOM = re.compile(r"Custom::|AWS::CloudFormation::CustomResource$")
_ID = re.compile(r"(?:vpc|subnet|rtb|sg|eni|vpce)-[0-9a-f]{8}(?:[0-9a-f]{9})?$")


def _custom_reach(graph: Graph) -> Tuple[Dict[str, str], Unresolved]:
    named: Dict[str, str] = {}
    loose = Unresolved()
    own: Dict[str, List[Resource]] = {}  # template -> its VPCs
    for created in graph.of_kind("ec2.vpc"):
        own.setdefault(created.file, []).append(created)
    for cr in graph.inputs.custom_resources:
        why = f"custom resource {cr.name} ({cr.rtype}) is given the VPC and may change its main table's routes"
        for v in _leaves(cr.get("given")):
            if isinstance(v, Ref) and v.target not in graph.resources and _CUSTOM.match(v.rtype or ""):
                loose.add(cr, v, f"custom resource {cr.name} ({cr.rtype}) is given another's output, which may "
                                 f"name this VPC")
            elif isinstance(v, Ref):
                target = graph.resources.get(v.target)
                vpc = target if target is not None and target.kind == "ec2.vpc" else \
                    (target.get("vpc") if target is not None else None)
                if isinstance(vpc, Resource):
                    named.setdefault(vpc.key, why)
                elif isinstance(vpc, Ref) and vpc.target in graph.resources:
                    named.setdefault(vpc.target, why)
                elif target is not None and vpc is not None:
                    loose.add(cr, vpc, f"custom resource {cr.name} ({cr.rtype}) is given a VPC that may be this one")
            elif isinstance(v, Unknown) or (isinstance(v, str) and _ID.match(v.strip())):
                loose.add(cr, v, f"custom resource {cr.name} ({cr.rtype}) is given a value that may name this VPC")
    for cr in graph.inputs.custom_resources:
        # the function behind it may find its template's VPCs without being given them (its environment, a
        # tag, a name): every VPC of its own template may be one it changes
        for created in own.get(cr.file, ()):
            if not loose.about(graph, created):
                named.setdefault(created.key, f"custom resource {cr.name} ({cr.rtype}) of the same template may "
                                          f"change its VPC's main table's routes")
    return named, loose


def _leaves(value: Any) -> List[Any]:
    """The references, unknowns and texts a value holds, at any depth (a text built of parts: its parts)."""
    out: List[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, Template):
            stack.extend(v.parts)
        else:
            out.append(v)
    return out


def _foreign(v: Any) -> bool:
    """A VPC value that is not one of the run's own: a literal ID, a variable, a data source's selection."""
    return not (isinstance(v, Ref) and not v.rtype.startswith("data."))


def _main_table_adopters(graph: Graph) -> Unresolved:
    """Terraform main route tables and main associations of VPCs named by a value: each may adopt the
    main table of any VPC that value can stand for."""
    out = Unresolved()
    for rt in graph.of_kind("ec2.route_table"):
        if rt.get("main") and _foreign(rt.get("vpc")):
            out.add(rt, rt.get("vpc"), f"{rt.name} may route the main table of any VPC")
    for a in graph.of_kind("ec2.route_table_association"):
        if a.get("main_for_vpc") is not None and _foreign(a.get("main_for_vpc")):
            out.add(a, a.get("main_for_vpc"), f"{a.name} may replace the main table of any VPC")
    return out


def may_route_cfn_main_tables(graph: Graph) -> bool:
    """Something in the run may change a CloudFormation VPC's main route table: a custom resource given a VPC
    or a value that may be one, or a
    Terraform main route table or main association whose VPC is not one of its own (a literal ID, or a
    data source that may select any VPC)."""
    named, loose = graph.facts.index(_custom_reach)
    return bool(named) or bool(loose) or bool(graph.facts.index(_main_table_adopters))


def route_table(graph: Graph, subnet: Resource) -> Tuple[Optional[str], Optional[Resource], str]:
    """(table id, table resource, reason) for a subnet; a None id means unknown."""
    idx = route_index(graph)
    tables = idx.assoc.get(subnet.key, [])
    if len(tables) > 1:
        return None, None, "the subnet has several route table associations"
    if tables:
        t = tables[0]
        if isinstance(t, Ref) and t.target in graph.resources:
            if t.attr in ("main_route_table_id", "default_route_table_id"):
                return f"main:{t.target}", None, ""
            return t.target, graph.resources[t.target], ""
        return None, None, "its route table is not declared in the scanned files"
    vpc = subnet.get("vpc")
    if not isinstance(vpc, Ref) or vpc.target not in graph.resources:
        return None, None, "its VPC is not declared in the scanned files"
    mains = idx.main_assoc.get(vpc.target, [])
    if len(mains) == 1 and isinstance(mains[0], Ref) and mains[0].target in graph.resources:
        return mains[0].target, graph.resources[mains[0].target], ""
    return f"main:{vpc.target}", None, ""


def _target_kind(graph: Graph, target: Any, attr: Optional[str]) -> str:
    if isinstance(target, Ref):
        res = graph.resources.get(target.target)
        if res is not None:
            if res.kind == "ec2.nat_gateway":
                ct = res.get("connectivity_type")
                if isinstance(ct, str):
                    return "nat-private" if ct.lower() == "private" else "nat"
                return "nat" if ct is None else "unknown"
            return _KIND_EGRESS.get(res.kind, "unknown")
    t = text_of(target)
    if t is not None:
        for prefix, kind in _PREFIX_KIND.items():
            if t.startswith(prefix):
                return kind
        return "unknown"
    return _ATTR_KIND.get(attr or "", "unknown")


def egress4(graph: Graph, subnet: Resource) -> Egress:
    """How IPv4 traffic to the internet leaves this subnet."""
    cache = graph.facts.table(egress4)
    if subnet.key in cache:
        return cache[subnet.key]
    tid, table, why = route_table(graph, subnet)
    if tid is None:
        e = Egress("unknown", why=why)
    else:
        e = _egress_of_table(graph, tid, table, _unsure(graph, subnet, tid, table))
    cache[subnet.key] = e
    return e


def _egress_of_table(graph: Graph, tid: str, table: Optional[Resource], unsure: str) -> Egress:
    idx = route_index(graph)
    if table is None and tid.startswith("main:"):
        table = idx.main_tables.get(tid)
    uncertain = bool(unsure)
    default = None
    for res, path, r in idx.routes.get(tid, []):
        dest = r.get("destination")
        if isinstance(dest, str) and dest.strip() == "0.0.0.0/0":
            if r.get("conditional") or res.get("conditional"):
                uncertain = True
                continue
            default = (res, path, r)
        elif dest is None and r.get("destination_prefix_list") is not None:
            uncertain = True
        elif dest is not None and not isinstance(dest, str):
            uncertain = True
    if default is not None:
        res, path, r = default
        kind = _target_kind(graph, r.get("target"), r.get("target_attr"))
        return Egress(kind, res, path + ("target",), table)
    if tid.startswith("main:") and table is None:
        if _untouched_cfn_main_table(graph, tid[len("main:"):]) and not uncertain:
            return Egress("none", table=None, main_local_only=True,
                          why="the VPC's main route table, which holds only the local route: the subnet has no "
                              "route table association and CloudFormation cannot add routes to a main table")
        vpc = graph.resources.get(tid[len("main:"):])
        changer = main_table_changer(graph, vpc) if vpc is not None and vpc.rtype == "AWS::EC2::VPC" else ""
        return Egress("unknown", table=None,
                      why=f"the subnet uses the VPC's main route table, and {changer}" if changer else
                      "the subnet uses the VPC's main route table, which the scanned files do not manage")
    if uncertain:
        return Egress("unknown", table=table, why=unsure or "some routes cannot be resolved")
    return Egress("none", table=table)


def internet_kind(graph: Graph, subnet: Resource, _seen: Optional[set] = None) -> str:
    """igw, nat, assumed (internet by some gateway we do not see through), none, or unknown."""
    e = egress4(graph, subnet)
    if e.kind == "nat-private":
        # A private NAT gateway has no public address: it gives internet only through what its own subnet
        # routes to (a transit gateway to a central egress VPC, say). An internet gateway drops its traffic.
        seen = _seen or set()
        nat = graph.deref(route_target(e), "ec2.nat_gateway")
        nat_subnet = graph.deref(nat.get("subnet"), "ec2.subnet") if nat is not None else None
        if nat_subnet is None:
            return "unknown"
        seen.add(subnet.key)
        if nat_subnet.key in seen:
            return "none"  # the NAT's traffic comes back to a subnet already on the path: a loop
        if egress4(graph, nat_subnet).kind == "igw":
            return "none"  # an internet gateway drops traffic from an address with no public IP
        beyond = internet_kind(graph, nat_subnet, seen)
        return beyond if beyond in ("none", "assumed") else "unknown"
    if e.kind == "pcx":
        return "none"
    return e.kind


def route_target(e: Egress) -> Any:
    if e.route is None:
        return None
    if e.route_path and e.route_path[0] == "routes":
        return e.route.get("routes")[e.route_path[1]].get("target")
    return e.route.get("target")


def egress6(graph: Graph, subnet: Resource) -> str:
    """The target kind of the subnet's ::/0 route: igw, eigw, assumed, none or unknown."""
    tid, table, why = route_table(graph, subnet)
    if tid is None:
        return "unknown"
    idx = route_index(graph)
    found = None
    for res, path, r in idx.routes.get(tid, []):
        dest = r.get("destination_ipv6")
        if isinstance(dest, str) and dest.strip() == "::/0" and not (r.get("conditional") or res.get("conditional")):
            found = r
        elif dest is not None and not isinstance(dest, str):
            return "unknown"
    if found is None:
        if tid.startswith("main:") and table is None and tid not in idx.main_tables:
            return "unknown"
        return "unknown" if _unsure(graph, subnet, tid, table) else "none"
    target = found.get("target")
    if found.get("target_attr") == "eigw":
        return "eigw"
    res = graph.deref(target)
    if res is not None and res.kind == "ec2.egress_only_internet_gateway":
        return "eigw"
    kind = _target_kind(graph, target, found.get("target_attr"))
    return {"igw": "igw", "unknown": "unknown", "pcx": "none"}.get(kind, "assumed")


def ipv6_only(subnet: Resource) -> Optional[bool]:
    native = subnet.get("ipv6_native")
    if native is not None:
        return truthy(native)
    if subnet.get("cidr_block") is None and subnet.get("ipv6_cidr") is not None:
        return None  # an IPv4 range may come from elsewhere (IPAM); not proven
    return False
