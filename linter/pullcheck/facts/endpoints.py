"""Facts about VPC endpoints, shared by rules: the ECR-related endpoints of a subnet's VPC, the services a
task needs them for, which ones it lacks or relies on, the Region their names give, and whether a pull
needs a way to the internet at all.

Every answer is three-valued: a fact the graph proves, or None / "unknown" when it depends on
something the scanned files do not show.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts.launches import images, public_ip
from pullcheck.facts.reach import Unresolved
from pullcheck.facts.routing import internet_kind, route_table, table_ref_id, table_vpc
from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref, Template, Unknown, text_of

_SERVICE = re.compile(r"\.(ecr\.dkr|ecr\.api|s3|logs|secretsmanager|ssm)$")


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
    # endpoints, and associations naming an endpoint, that cannot be placed in a VPC: each may be in any VPC
    # its value can stand for (pullcheck.facts.reach)
    unresolved: Unresolved = field(default_factory=Unresolved)
    in_vpc: Dict[str, str] = field(default_factory=dict)  # VPC -> why an endpoint of unknown name may be in it
    sets: Dict[str, Endpoints] = field(default_factory=dict)


def endpoint_index(graph: Graph) -> _EndpointIndex:
    return graph.facts.index(_build_endpoint_index)


def _build_endpoint_index(graph: Graph) -> _EndpointIndex:
    idx = _EndpointIndex()
    for ep in graph.of_kind("ec2.vpc_endpoint"):
        vpc = _endpoint_vpc(graph, ep)
        if vpc is not None:
            idx.by_vpc.setdefault(vpc, []).append(ep)
        if vpc is None or graph.resources[vpc].rtype.startswith("data."):  # a data source may select any VPC
            idx.unresolved.add(ep, ep.get("vpc"), f"endpoint {ep.name} has a VPC that cannot be resolved")
    for a in graph.of_kind("ec2.vpc_endpoint_route_table_association"):
        ep = a.get("vpc_endpoint")
        if isinstance(ep, Ref):
            idx.route_table_assocs.setdefault(ep.target, []).append(a)
            continue
        why = f"{a.name} names an endpoint that cannot be resolved"
        vpc = vpc_key(graph, table_vpc(graph, a.get("route_table")))
        if vpc is not None:  # the endpoint is in the VPC of the table it is put on
            idx.in_vpc.setdefault(vpc, why)
        else:
            idx.unresolved.add(a, ep, why)
    return idx


def vpc_key(graph: Graph, v: Any) -> Optional[str]:
    """The key that names the VPC a value points at: a VPC of the graph, or what a data source selects (the
    data source itself when it cannot say which); None when the value names nothing in the graph."""
    found = graph.deref(v, "ec2.vpc")
    if found is not None:
        return found.key
    return v.target if isinstance(v, Ref) and v.target in graph.resources else None


def _endpoint_vpc(graph: Graph, ep: Resource) -> Optional[str]:
    """The VPC an endpoint is in: its own VPC value, else the VPC of the subnets or route tables it is
    placed on (AWS places an endpoint only in its own VPC's subnets and tables)."""
    own = vpc_key(graph, ep.get("vpc"))
    if own is not None:
        return own
    placed = set()
    for attr, kind in (("subnets", "ec2.subnet"), ("route_tables", "ec2.route_table")):
        values = ep.get(attr)
        for v in values if isinstance(values, list) else ():
            res = graph.deref(v, kind)
            key = vpc_key(graph, res.get("vpc")) if res is not None else None
            if key is not None:
                placed.add(key)
    return placed.pop() if len(placed) == 1 else None


def endpoints(graph: Graph, subnet: Resource) -> Endpoints:
    """The ECR-related endpoints of the subnet's VPC, and whether the graph shows all of them."""
    vpc = subnet.get("vpc")
    if not isinstance(vpc, Ref) or vpc.target not in graph.resources:
        return Endpoints({}, [], False, "the subnet's VPC is not declared in the scanned files")
    idx = endpoint_index(graph)
    key = vpc_key(graph, vpc) or vpc.target
    why = idx.in_vpc.get(key) or idx.unresolved.about(graph, graph.resources.get(key))
    if why:
        return Endpoints({}, [], False, why)
    cached = idx.sets.get(key)
    if cached is None:
        cached = idx.sets[key] = _vpc_endpoints(idx, key)
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
            if table_ref_id(t) == tid:
                return True
        else:
            return None
    return False


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


def has_ecr_endpoints(graph: Graph, subnet: Resource) -> Optional[bool]:
    eps = endpoints(graph, subnet)
    if not eps.known:
        return None
    return eps.has("ecr.dkr") or eps.has("ecr.api")


def task_internet(graph: Graph, launch: Resource, subnet: Resource) -> str:
    """How the task reaches the internet from the subnet (``routing.internet_kind``), but "none" through an
    internet gateway when the task has no public IP: the gateway carries nothing for a private address, so
    only the VPC's endpoints can serve it; "unknown" when whether it has one is not known."""
    kind = internet_kind(graph, subnet)
    if kind != "igw":
        return kind
    ip = public_ip(launch)
    return "igw" if ip else "unknown" if ip is None else "none"


def relied_endpoints(graph: Graph, launch: Resource, subnet: Resource,
                     td: Optional[Resource]) -> Optional[List[Tuple[str, Resource]]]:
    """(service, endpoint) for every interface endpoint the task needs when it has no internet path."""
    if task_internet(graph, launch, subnet) != "none":
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


def needs_internet(graph: Graph, launch: Resource, subnet: Resource, td: Optional[Resource]) -> Optional[bool]:
    """Whether a pull from this subnet needs a way to the internet: an image endpoints do not serve (another
    registry, ECR in another Region), or an endpoint set that is not complete. None when the images or the
    endpoints cannot be known."""
    if has_ecr_endpoints(graph, subnet) is False:
        return True  # no ECR endpoints at all: whatever the image, it comes over the internet
    imgs = images(td)
    if imgs is not None and any(im.kind in ("dockerhub", "ecr-public", "other") for im in imgs):
        return True  # whatever the endpoints are
    missing = missing_endpoints(graph, launch, subnet, td)
    if missing:
        return True  # no image gets through an incomplete set
    if imgs is None or any(im.kind != "ecr" for im in imgs) or missing is None:
        return None
    here = region(graph, launch, subnet)
    return here is not None and any(im.region is not None and im.region != here for im in imgs)


def s3_gateway_endpoints(graph: Graph, subnet: Resource) -> List[Resource]:
    """The S3 gateway endpoints of the subnet's VPC."""
    vpc = vpc_key(graph, subnet.get("vpc"))
    out = []
    for ep in endpoint_index(graph).by_vpc.get(vpc, ()) if vpc is not None else ():
        name = ep.get("service_name")
        text = name.text() if isinstance(name, Template) else text_of(name)
        etype = ep.get("type")
        if text and text.endswith(".s3") and isinstance(etype, str) and etype.lower() == "gateway":
            out.append(ep)
    return out


_REGION = re.compile(r"^(?:[a-z.]+\.)?amazonaws\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.")


def region(graph: Graph, launch: Resource, subnet: Resource) -> Optional[str]:
    """The Region the task runs in: the Terraform provider's, or the one the VPC's endpoints name."""
    r = launch.get("region")
    if isinstance(r, str) and r:
        return r
    vpc = vpc_key(graph, subnet.get("vpc"))
    if vpc is None:
        return None
    cache = graph.facts.table(region)
    if vpc not in cache:
        found = set()
        for ep in endpoint_index(graph).by_vpc.get(vpc, ()):
            name = text_of(ep.get("service_name"))
            m = _REGION.match(name or "")
            if m:
                found.add(m.group(1))
        cache[vpc] = found.pop() if len(found) == 1 else None
    return cache[vpc]
