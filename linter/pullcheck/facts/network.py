"""Facts derived from the graph for the network rules: launch sites, subnets, routes, endpoints.

Every answer is three-valued: a fact the graph proves, or None / "unknown" when it depends on
something the scanned files do not show.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts.images import Image, classify
from pullcheck.graph.model import (
    LAUNCH_KINDS,  # noqa: E402  (re-exported for the rules and --explain)
    Graph,
    Resource,
    Span,
)
from pullcheck.graph.values import Ref, Template, Unknown, as_list, text_of, truthy

_PREFIX_KIND = {"igw-": "igw", "nat-": "nat", "vgw-": "assumed", "tgw-": "assumed", "pcx-": "pcx",
                "eni-": "assumed", "i-": "assumed", "vpce-": "assumed", "eigw-": "unknown", "cagw-": "assumed",
                "lgw-": "assumed"}
_ATTR_KIND = {"nat": "nat", "tgw": "assumed", "instance": "assumed", "eni": "assumed", "vpce": "assumed",
              "core": "assumed", "cagw": "assumed", "lgw": "assumed", "pcx": "pcx"}
_KIND_EGRESS = {"ec2.internet_gateway": "igw", "ec2.transit_gateway": "assumed",
                "ec2.vpc_peering_connection": "pcx", "ec2.vpc_endpoint": "assumed"}
_SERVICE = re.compile(r"\.(ecr\.dkr|ecr\.api|s3|logs|secretsmanager|ssm)$")


def is_fargate(launch: Resource, graph: Optional[Graph] = None) -> Optional[bool]:
    """Whether a launch runs on Fargate: its launch type, its capacity provider strategy, or (neither
    set) the default strategy of its cluster, which ECS applies; None when that cannot be known."""
    lt = launch.get("launch_type")
    if isinstance(lt, str):
        return lt.upper() == "FARGATE"
    if lt is not None:
        return None
    cps = launch.get("capacity_providers")
    if isinstance(cps, list):
        if any(isinstance(c, str) and c.upper() in ("FARGATE", "FARGATE_SPOT") for c in cps):
            return True
        if cps and all(isinstance(c, str) for c in cps):
            return False
    if lt is None and cps is None and graph is not None and launch.kind in ("ecs.service", "ecs.task_set"):
        default = cluster_default_strategy(graph, launch)
        if isinstance(default, list) and default and all(isinstance(c, str) for c in default):
            return any(c.upper() in ("FARGATE", "FARGATE_SPOT") for c in default)
    return None


def cluster_default_strategy(graph: Graph, launch: Resource) -> Any:
    """The capacity providers of the default strategy of the launch's cluster, when the run declares it:
    on the cluster, or on the cluster's capacity-provider association (which then decides)."""
    v = launch.get("cluster")
    cluster = graph.deref(v, "ecs.cluster")
    idx = graph.facts.index(_cluster_index)
    if cluster is None and text_of(v):
        named = idx[0].get(text_of(v).rsplit("/", 1)[-1], ())
        cluster = named[0] if len(named) == 1 else None
    if cluster is None:
        return None
    assoc = idx[1].get(cluster.key)
    return (assoc if assoc is not None else cluster).get("default_strategy")


def _cluster_index(graph: Graph) -> Tuple[Dict[str, List[Resource]], Dict[str, Resource]]:
    """Clusters by name, and each cluster's first capacity-provider association (by reference or name):
    built once, not scanned per launch site."""
    by_name: Dict[str, List[Resource]] = {}
    for c in graph.of_kind("ecs.cluster"):
        name = text_of(c.get("cluster_name"))
        if name is not None:
            by_name.setdefault(name, []).append(c)
    assoc: Dict[str, Resource] = {}
    for a in graph.of_kind("ecs.cluster_capacity_providers"):
        target = a.get("cluster")
        found = graph.deref(target, "ecs.cluster")
        if found is not None:
            assoc.setdefault(found.key, a)
        for c in by_name.get(text_of(target), ()) if text_of(target) is not None else ():
            assoc.setdefault(c.key, a)
    return by_name, assoc


def task_definition(graph: Graph, launch: Resource) -> Optional[Resource]:
    """The task definition a launch runs: a reference, or a family name (``family``, ``family:revision``,
    an ARN, or ``${aws_ecs_task_definition.t.family}:${...}``) naming the one task definition of the run
    with that family."""
    v = launch.get("task_definition")
    found = graph.deref(v, "ecs.task_definition")
    if found is not None or v is None:
        return found
    if isinstance(v, Template) and v.parts and isinstance(v.parts[0], Ref):
        head = v.parts[0]
        rest = v.parts[1] if len(v.parts) > 1 else ""
        if head.attr in ("family", "arn", "arn_without_revision", "id") and (
                len(v.parts) == 1 or (isinstance(rest, str) and rest.startswith(":"))):
            return graph.deref(Ref(head.target, head.rtype, None), "ecs.task_definition")
        return None
    text = v.known_prefix().split(":", 1)[0] if isinstance(v, Template) and ":" in v.known_prefix() else text_of(v)
    if not text:
        return None
    family = family_of(text)
    matches = graph.facts.index(_tasks_by_family).get(family) if family else None
    return matches[0] if matches and len(matches) == 1 else None


def family_of(text: str) -> Optional[str]:
    """The family in ``family``, ``family:3`` or ``arn:aws:ecs:...:task-definition/family:3``."""
    if text.startswith("arn:"):
        if ":task-definition/" not in text:
            return None
        text = text.split(":task-definition/", 1)[1]
    family = text.split(":", 1)[0]
    return family if re.fullmatch(r"[A-Za-z0-9_-]{1,255}", family) else None


def _tasks_by_family(graph: Graph) -> Dict[str, List[Resource]]:
    out: Dict[str, List[Resource]] = {}
    for td in graph.of_kind("ecs.task_definition"):
        family = text_of(td.get("family"))
        if family and not td.get("batch"):
            out.setdefault(family, []).append(td)
    return out


def images(td: Optional[Resource]) -> Optional[List[Image]]:
    if td is None:
        return None
    cs = td.get("containers")
    if not isinstance(cs, list):
        return None
    out = []
    for c in cs:
        if not isinstance(c, dict):
            return None
        out.append(classify(c.get("image")))
    return out


def needs(td: Optional[Resource]) -> Optional[Dict[str, bool]]:
    """Which optional endpoints the task definition needs: logs, secretsmanager, ssm."""
    if td is None or not isinstance(td.get("containers"), list):
        return None
    out = {"logs": False, "secretsmanager": False, "ssm": False}
    for c in td.get("containers"):
        if not isinstance(c, dict):
            return None
        drv = c.get("log_driver")
        if isinstance(drv, str) and drv == "awslogs":
            out["logs"] = True
        if c.get("repository_credentials") is not None:
            out["secretsmanager"] = True
        secrets = c.get("secrets")
        if isinstance(secrets, Unknown):
            return None
        for s in secrets or []:
            t = text_of(s)
            if t is None:
                if isinstance(s, Template):
                    t = s.text()
                else:
                    continue
            if ":secretsmanager:" in t:
                out["secretsmanager"] = True
            else:
                out["ssm"] = True
    return out


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
    unknown_routes: bool = False


def _index(graph: Graph) -> _Index:
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
        if isinstance(s, Ref):
            idx.assoc.setdefault(s.target, []).append(a.get("route_table") if not a.get("conditional") else
                                                      Unknown("conditional association"))
        else:
            idx.unknown_routes = True
    for rt in graph.of_kind("ec2.route_table"):
        if rt.get("main"):
            idx.main_tables.setdefault(_table_id(rt), rt)
        for i, r in enumerate(rt.get("routes") or []):
            idx.routes.setdefault(_table_id(rt), []).append((rt, ("routes", i), r))
    for r in graph.of_kind("ec2.route"):
        t = r.get("route_table")
        if isinstance(t, Ref):
            idx.routes.setdefault(_table_ref_id(t), []).append((r, (), r.attrs))
        else:
            idx.unknown_routes = True
    return idx


def _table_ref_id(t: Ref) -> str:
    """The table id a reference names: the VPC's main table for main/default_route_table_id."""
    return f"main:{t.target}" if t.attr in ("main_route_table_id", "default_route_table_id") else t.target


def _table_id(rt: Resource) -> str:
    vpc = rt.get("vpc")
    if rt.get("main") and isinstance(vpc, Ref):
        return f"main:{vpc.target}"
    return rt.key


def _untouched_cfn_main_table(graph: Graph, vpc_key: str) -> bool:
    """The main route table of a VPC declared in CloudFormation holds only the local route when nothing in
    the run can change it: CloudFormation exposes no attribute to route it (only a custom resource could,
    or a Terraform resource of the same run adopting it)."""
    vpc = graph.resources.get(vpc_key)
    if vpc is None or vpc.rtype != "AWS::EC2::VPC" or vpc.get("conditional"):
        return False
    return not may_route_cfn_main_tables(graph)


def may_route_cfn_main_tables(graph: Graph) -> bool:
    """Something in the run may change a CloudFormation VPC's main route table: a custom resource, or a
    Terraform main route table or main association whose VPC is not one of its own (a literal ID, or a
    data source that may select any VPC)."""
    def foreign(v: Any) -> bool:
        return not (isinstance(v, Ref) and not v.rtype.startswith("data."))

    return graph.inputs.custom_resources or any(
        rt.get("main") and foreign(rt.get("vpc")) for rt in graph.of_kind("ec2.route_table")) or any(
        a.get("main_for_vpc") is not None and foreign(a.get("main_for_vpc"))
        for a in graph.of_kind("ec2.route_table_association"))


def route_table(graph: Graph, subnet: Resource) -> Tuple[Optional[str], Optional[Resource], str]:
    """(table id, table resource, reason) for a subnet; a None id means unknown."""
    idx = _index(graph)
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
        e = _egress_of_table(graph, tid, table)
    cache[subnet.key] = e
    return e


def _egress_of_table(graph: Graph, tid: str, table: Optional[Resource]) -> Egress:
    idx = _index(graph)
    if table is None and tid.startswith("main:"):
        table = idx.main_tables.get(tid)
    uncertain = idx.unknown_routes
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
        return Egress("unknown", table=None,
                      why="the subnet uses the VPC's main route table, which the scanned files do not manage")
    if uncertain:
        return Egress("unknown", table=table, why="some routes cannot be resolved")
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


@dataclass
class Endpoints:
    interface: Dict[str, List[Resource]]
    s3_tables: List[Any]
    known: bool
    why: str = ""

    def has(self, service: str) -> bool:
        return bool(self.interface.get(service))


@dataclass
class _EndpointIndex:
    by_vpc: Dict[str, List[Resource]] = field(default_factory=dict)
    route_table_assocs: Dict[str, List[Resource]] = field(default_factory=dict)
    unresolved: str = ""  # why some endpoint or association could belong to any VPC
    sets: Dict[str, Endpoints] = field(default_factory=dict)


def _endpoint_index(graph: Graph) -> _EndpointIndex:
    return graph.facts.index(_build_endpoint_index)


def _build_endpoint_index(graph: Graph) -> _EndpointIndex:
    idx = _EndpointIndex()
    for ep in graph.of_kind("ec2.vpc_endpoint"):
        ev = ep.get("vpc")
        if isinstance(ev, Ref):
            idx.by_vpc.setdefault(ev.target, []).append(ep)
        else:
            idx.unresolved = f"endpoint {ep.name} has a VPC that cannot be resolved"
    for a in graph.of_kind("ec2.vpc_endpoint_route_table_association"):
        ep = a.get("vpc_endpoint")
        if isinstance(ep, Ref):
            idx.route_table_assocs.setdefault(ep.target, []).append(a)
        else:
            idx.unresolved = f"{a.name} names an endpoint that cannot be resolved"
    return idx


def endpoints(graph: Graph, subnet: Resource) -> Endpoints:
    """The ECR-related endpoints of the subnet's VPC, and whether the graph shows all of them."""
    vpc = subnet.get("vpc")
    if not isinstance(vpc, Ref) or vpc.target not in graph.resources:
        return Endpoints({}, [], False, "the subnet's VPC is not declared in the scanned files")
    idx = _endpoint_index(graph)
    if idx.unresolved:
        return Endpoints({}, [], False, idx.unresolved)
    cached = idx.sets.get(vpc.target)
    if cached is None:
        cached = idx.sets[vpc.target] = _vpc_endpoints(idx, vpc.target)
    return cached


def _vpc_endpoints(idx: _EndpointIndex, vpc: str) -> Endpoints:
    interface: Dict[str, List[Resource]] = {}
    s3_tables: List[Any] = []
    associated: List[Any] = []  # tables from separate associations, after the endpoints' own
    known = True
    why = ""
    for ep in idx.by_vpc.get(vpc, ()):
        name = ep.get("service_name")
        if isinstance(name, Template):
            text = name.text()
        else:
            text = text_of(name)
        m = _SERVICE.search(text or "")
        if text is None or (m is None and _may_be_relevant(text)):
            known, why = False, f"endpoint {ep.name} has a service name that cannot be resolved"
            continue
        if m is None:
            continue
        service = m.group(1)
        etype = ep.get("type")
        etype = etype.lower() if isinstance(etype, str) else None
        if ep.get("conditional"):
            known, why = False, f"endpoint {ep.name} depends on a condition"
            continue
        if service == "s3":
            if etype == "gateway":
                tables = ep.get("route_tables")
                if tables is None:
                    tables = []  # tables may come from separate associations
                if isinstance(tables, list):
                    s3_tables.extend(tables)
                    associated.extend(a.get("route_table") for a in idx.route_table_assocs.get(ep.key, ()))
                else:
                    known, why = False, f"endpoint {ep.name} has route tables that cannot be resolved"
            elif etype is None:
                known, why = False, f"endpoint {ep.name} has a type that cannot be resolved"
        elif etype == "interface":
            interface.setdefault(service, []).append(ep)
        elif etype is None:
            known, why = False, f"endpoint {ep.name} has a type that cannot be resolved"
    return Endpoints(interface, s3_tables + associated, known, why)


def _may_be_relevant(text: str) -> bool:
    """Whether a service name with unknown parts could still name one of the services a pull needs.

    ``com.amazonaws.${Region}.sqs`` cannot; ``com.amazonaws.${Region}.${Service}`` or ``${Prefix}.dkr`` can.
    """
    if "\x00" not in text:
        return False
    tail = text.rsplit("\x00", 1)[1]
    if not tail.startswith(".") or len(tail) < 2:
        return True
    return tail[1:] in ("dkr", "api") or tail[1:].startswith(("ecr", "dkr", "api"))


def s3_on_table(graph: Graph, eps: Endpoints, tid: Optional[str]) -> Optional[bool]:
    if tid is None:
        return None
    for t in eps.s3_tables:
        if isinstance(t, Ref):
            if _table_ref_id(t) == tid:
                return True
        else:
            return None
    return False


def missing_endpoints(graph: Graph, launch: Resource, subnet: Resource,
                      td: Optional[Resource]) -> Optional[List[str]]:
    """Endpoint services the task would need and the VPC lacks; None when it cannot be known."""
    eps = endpoints(graph, subnet)
    if not eps.known:
        return None
    tid, _, _ = route_table(graph, subnet)
    missing = []
    if not eps.has("ecr.dkr"):
        missing.append("ecr.dkr")
    api = None if eps.has("ecr.api") else needs_ecr_api(launch)
    if api:
        missing.append("ecr.api")
    s3 = s3_on_table(graph, eps, tid)
    if s3 is None:
        return None
    if not s3:
        missing.append("s3 (gateway, on the subnet's route table)")
    need = needs(td)
    if need:
        for svc in ("logs", "secretsmanager", "ssm"):
            if need[svc] and not eps.has(svc):
                missing.append(svc)
    if api is None and not eps.has("ecr.api") and not missing:
        return None  # complete, unless the platform version needs ecr.api
    return missing


_VERSION = re.compile(r"([0-9]{1,4})\.([0-9]{1,4})\.[0-9]{1,4}")


def needs_ecr_api(launch: Resource) -> Optional[bool]:
    """Whether the launch's platform version pulls through the ecr.api endpoint: LATEST and 1.4.0 on; not
    the Linux versions before 1.4.0. None when the version is not text a platform version is written as
    (a parameter, a number)."""
    v = launch.get("platform_version")
    if v is None:
        return True
    m = _VERSION.fullmatch(v.strip()) if isinstance(v, str) else None
    if m is None:
        return True if isinstance(v, str) and v.strip().upper() == "LATEST" else None
    return (int(m.group(1)), int(m.group(2))) >= (1, 4)


def has_ecr_endpoints(graph: Graph, subnet: Resource) -> Optional[bool]:
    eps = endpoints(graph, subnet)
    if not eps.known:
        return None
    return eps.has("ecr.dkr") or eps.has("ecr.api")


def launch_subnets(graph: Graph, launch: Resource) -> Optional[List[Tuple[int, Resource]]]:
    """The launch site's subnets as graph resources; None if any of them is unknown."""
    raw = launch.get("subnets")
    if isinstance(raw, Ref) and raw.attr == "ids":  # data.aws_subnets.x.ids
        found = graph.select(raw)
        return [(0, s) for s in found] if found is not None else None
    subnets = as_list(raw)
    if not isinstance(subnets, list) or not subnets:
        return None
    out = []
    for i, s in enumerate(subnets):
        res = graph.deref(s, "ec2.subnet")
        if res is not None:  # a subnet from elsewhere is unknown; the others can still be judged
            out.append((i, res))
    return out


def fargate_launches(graph: Graph):
    for launch in list(graph.of_kind(*LAUNCH_KINDS)) + batch_launches(graph):
        if launch.get("conditional"):
            continue
        if is_fargate(launch, graph):
            yield launch


def batch_launches(graph: Graph) -> List[Resource]:
    """A Fargate Batch job can run in any Fargate compute environment: one launch site per pair.

    The subnets and groups come from the compute environment, the public IP and image from the job.
    """
    return graph.facts.index(_batch_launches)


def _batch_launches(graph: Graph) -> List[Resource]:
    jobs = [td for td in graph.of_kind("ecs.task_definition") if td.get("batch") and not td.get("conditional")
            and td.get("requires_compatibilities") == ["FARGATE"]]
    envs = [ce for ce in graph.of_kind("batch.compute_environment") if ce.get("fargate") is True
            and not ce.get("conditional")]
    out = []
    for job in jobs:
        for ce in envs:
            launch = Resource(key=f"{job.key} in {ce.key}", kind="ecs.run_task", rtype=ce.rtype,
                              name=f"{job.name} in {ce.name}", file=ce.file, span=ce.span)
            launch.attrs.update(launch_type="FARGATE", task_definition=Ref(job.key, job.rtype, None),
                                subnets=ce.get("subnets"), security_groups=ce.get("security_groups"),
                                assign_public_ip=job.get("assign_public_ip"),
                                platform_version=job.get("platform_version"), conditional=False,
                                has_network_configuration=True, region=job.get("region"))
            launch.spans.update(ce.spans)
            for path in (("assign_public_ip",), ("platform_version",)):
                sp = job.locate(path) if path in job.spans else None
                if sp is not None:
                    launch.spans[path] = Span(sp.line, sp.col, sp.end_line, sp.end_col, job.file)
            out.append(launch)
    return out


def vpc_of(graph: Graph, subnet: Resource) -> Optional[Resource]:
    return graph.deref(subnet.get("vpc"), "ec2.vpc")


_REGION = re.compile(r"^(?:[a-z.]+\.)?amazonaws\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.")


def region(graph: Graph, launch: Resource, subnet: Resource) -> Optional[str]:
    """The Region the task runs in: the Terraform provider's, or the one the VPC's endpoints name."""
    r = launch.get("region")
    if isinstance(r, str) and r:
        return r
    vpc = subnet.get("vpc")
    if not isinstance(vpc, Ref):
        return None
    cache = graph.facts.table(region)
    if vpc.target not in cache:
        found = set()
        for ep in _endpoint_index(graph).by_vpc.get(vpc.target, ()):
            name = text_of(ep.get("service_name"))
            m = _REGION.match(name or "")
            if m:
                found.add(m.group(1))
        cache[vpc.target] = found.pop() if len(found) == 1 else None
    return cache[vpc.target]


def egress6(graph: Graph, subnet: Resource) -> str:
    """The target kind of the subnet's ::/0 route: igw, eigw, assumed, none or unknown."""
    tid, table, why = route_table(graph, subnet)
    if tid is None:
        return "unknown"
    idx = _index(graph)
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
        return "unknown" if idx.unknown_routes else "none"
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


def relied_endpoints(graph: Graph, launch: Resource, subnet: Resource,
                     td: Optional[Resource]) -> Optional[List[Tuple[str, Resource]]]:
    """(service, endpoint) for every interface endpoint the task needs when it has no internet path."""
    if internet_kind(graph, subnet) != "none":
        return []
    imgs = images(td)
    if imgs is not None and not any(im.kind == "ecr" for im in imgs):
        return []
    eps = endpoints(graph, subnet)
    if not eps.known:
        return None
    wanted = ["ecr.dkr", "ecr.api"]
    need = needs(td) or {}
    wanted += [svc for svc in ("logs", "secretsmanager", "ssm") if need.get(svc)]
    return [(svc, ep) for svc in wanted for ep in eps.interface.get(svc, [])]


def public_ip(launch: Resource) -> Optional[bool]:
    v = launch.get("assign_public_ip")
    if v is None:
        return False
    return truthy(v)


def needs_internet(graph: Graph, launch: Resource, subnet: Resource, td: Optional[Resource]) -> Optional[bool]:
    """Whether a pull from this subnet needs a way to the internet: an image endpoints do not serve, or
    an endpoint set that is not complete. None when the images or the endpoints cannot be known."""
    if has_ecr_endpoints(graph, subnet) is False:
        return True  # no ECR endpoints at all: whatever the image, it comes over the internet
    imgs = images(td)
    if imgs is None:
        return None
    if any(im.kind in ("dockerhub", "ecr-public", "other") for im in imgs):
        return True
    if any(im.kind != "ecr" for im in imgs):
        return None
    missing = missing_endpoints(graph, launch, subnet, td)
    return None if missing is None else bool(missing)


def container_images(td: Optional[Resource]):
    """(container index, Image) of a task definition's containers with a readable record."""
    if td is None or not isinstance(td.get("containers"), list):
        return
    for i, c in enumerate(td.get("containers")):
        if isinstance(c, dict):
            yield i, classify(c.get("image"))


def s3_gateway_endpoints(graph: Graph, subnet: Resource) -> List[Resource]:
    """The S3 gateway endpoints of the subnet's VPC."""
    vpc = subnet.get("vpc")
    if not isinstance(vpc, Ref):
        return []
    out = []
    for ep in _endpoint_index(graph).by_vpc.get(vpc.target, ()):
        name = ep.get("service_name")
        text = name.text() if isinstance(name, Template) else text_of(name)
        etype = ep.get("type")
        if text and text.endswith(".s3") and isinstance(etype, str) and etype.lower() == "gateway":
            out.append(ep)
    return out


def used_by_fargate(graph: Graph) -> set:
    """Keys of the task definitions that a Fargate launch site of the graph runs."""
    return graph.facts.index(lambda g: {
        td.key for td in (task_definition(g, launch) for launch in fargate_launches(g)) if td is not None})


def runs_on_fargate(graph: Graph, td: Resource) -> bool:
    """FARGATE among the task definition's compatibilities, or a Fargate launch site runs it."""
    compat = td.get("requires_compatibilities")
    return td.key in used_by_fargate(graph) or (
        isinstance(compat, list) and any(isinstance(c, str) and c.upper() == "FARGATE" for c in compat))
