"""The verdict account: for each Fargate launch site of the graph, whether the rules could judge it, and when
not, each value it waits on, where that value is used and how a run can be given it.

A launch site is judged when no fact a rule that applies to it reads is unknown: whether it runs on Fargate,
its task definition and images, its execution role (when the task needs one), its subnets and security
groups, and per subnet its route table, default route and endpoints. This module asks the same facts the rules
ask (their indexes are built once per graph, so the account costs one more look at each launch site), and
says "not judged" whenever one of them is unknown: an account that errs says too little, never "safe".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

from pullcheck.facts import coverage
from pullcheck.facts import endpoints as eps
from pullcheck.facts import iam
from pullcheck.facts import launches
from pullcheck.facts import routing
from pullcheck.facts import security as sec
from pullcheck.facts.images import classify
from pullcheck.graph.model import LAUNCH_KINDS, Graph, Resource
from pullcheck.graph.values import Ref, Template, Unknown, placeholder, shown

# how a run is given a value, by the start of an Unknown's origin (the first match wins)
_SUPPLY: Tuple[Tuple[str, str], ...] = (
    ("parameter ", "a parameter file or a stacks-file entry"),
    ("pseudo parameter ", "a stacks-file entry (the stack's account and Region)"),
    ("variable ", "--var-file or --var"),
    ("output of module ", "terraform init (the module's folder)"),
    ("data source ", "a network snapshot (--network)"),
    ("Fn::ImportValue ", "the sibling stack that exports it (its template in the run), or a network snapshot "
                         "(--network)"),
    ("output ", "the sibling stack (its template in the run)"),
    ("nested stack ", "the nested stack's template within the paths the run reads (--root)"),
    ("definition substitution ", "a parameter file or a stacks-file entry"),
)
# how an unknown parameter that a deploy command of the repository passes says so (pullcheck.engine.deploy)
DEPLOYED_WITH = " passes a value that depends on "
_NOT_IN_RUN = "the template or module that declares it, in the run (or under --root)"
# a default VPC or subnet Terraform adopts: the account's, with routes the files do not hold
_ADOPTED = "a network snapshot (--network): Terraform adopts the account's default VPC and subnets as they are"
_ACCOUNT = "a network snapshot (--network), or the template or module that declares it, in the run"
_ROLE = "the template or module that declares the role, in the run (or under --root)"
_LAUNCH_TYPE = "a LaunchType or capacity provider strategy on the launch site, or its cluster's default strategy"
_RENDERED = "the file as the pipeline renders it (a value in place of the placeholder)"
_CONDITION = "a parameter file or a stacks-file entry (the condition's parameters)"
_UNIT_OUTPUTS = "outputs of the unit "
_UNIT_SOURCE = "the unit's module comes from "
_UNIT_ABSENT = re.compile(re.escape(_UNIT_SOURCE) + r"(.+), which is not on disk \(line (\d+)\)$")
UNIT_INPUTS = "terragrunt unit inputs"
_ABSENT = re.compile(r"\$\{(module\.\S+) \((.+):(\d+)\) comes from (.+?), which is not downloaded here\}")
_REMOTE_STATE = "data source data.terraform_remote_state."
# Terraform data sources of the network, which a network snapshot holds
_NETWORK_DATA = tuple(f"data source data.aws_{k}" for k in (
    "subnet", "vpc", "security_group", "route_table", "vpc_endpoint", "nat_gateway", "internet_gateway",
    "network_acl", "ec2_managed_prefix_list", "prefix_list", "availability_zone", "network_interface"))
# Terraform data sources that read the provider's own account, Region and partition
_PROVIDER_DATA = ("data.aws_caller_identity", "data.aws_region", "data.aws_partition")
# a module call whose folder the run does not read (pullcheck.formats.terraform.modules records it as skipped)
_OUTSIDE = ", outside the paths this run reads"
_NOT_READ = re.compile(r"(module\.\S+) \((.+):(\d+)\) comes from (.+?)" + re.escape(_OUTSIDE) + r": (.+)$")


@dataclass(frozen=True)
class Wait:
    """A value a launch site waits on: what it is, where it is used, how to supply it."""

    value: str
    file: str
    line: int
    supply: str

    def as_dict(self) -> dict:
        return {"value": self.value, "file": self.file, "line": self.line, "supply": self.supply}


@dataclass(frozen=True)
class Site:
    """A launch site of the account: judged, or the values it waits on."""

    name: str
    kind: str
    file: str
    line: int
    waits_on: Tuple[Wait, ...] = field(default=())
    # the stack the repository's deploy inputs imply for it, and where ("stack prod, from samconfig.toml [prod]")
    deployed_as: str = ""

    @property
    def judged(self) -> bool:
        return not self.waits_on

    def as_dict(self) -> dict:
        got = {"name": self.name, "kind": self.kind, "file": self.file, "line": self.line, "judged": self.judged,
               "waits_on": [w.as_dict() for w in self.waits_on]}
        if self.deployed_as:
            got["deployed_as"] = self.deployed_as
        return got


def supply_for(origin: str) -> str:
    """How a run can be given a value that is unknown for ``origin`` (an Unknown's reason)."""
    if origin.startswith("module") and "not downloaded" in origin:
        return "terraform init (the module is not in .terraform/modules)"
    if origin.startswith(_REMOTE_STATE) and "in the default one" in origin:  # another workspace's state
        return "nothing a run of pullcheck can be given yet: it reads root modules in the default workspace"
    if origin.startswith(_REMOTE_STATE):  # pullcheck.formats.terraform.remote_state
        if "root modules of the run may keep" in origin:
            return "a bucket that tells those root modules apart (in their backend blocks, or the data source's config)"
        if "(the state " in origin:
            return "the Terraform root module whose backend keeps that state, in the run (lint its folder too)"
        return "a backend and config of literal values for the data source"
    if origin.startswith("module") and _OUTSIDE in origin:
        return "the module's folder within the paths the run reads (lint from a folder that holds it, or --root)"
    if origin.startswith(_UNIT_OUTPUTS):  # a Terragrunt dependency
        unit = origin[len(_UNIT_OUTPUTS):].split(",", 1)[0]
        if ", whose module cannot be read" in origin:
            return f"the module of the unit {unit} on disk (a local source, within the paths the run reads)"
        return f"the unit {unit} in the run"
    if origin.startswith("module "):
        return "the module's folder within the paths the run reads (--root), or terraform init"
    if origin.startswith("parameter ") and DEPLOYED_WITH in origin:
        # a deploy command of the repository passes it, from something the shell is given when it runs
        command = origin.split(": ", 1)[-1].split(DEPLOYED_WITH, 1)[0]
        return f"a literal value in the deploy command at {command}, or a stacks-file entry (which wins)"
    if "at run time" in origin or "run-time" in origin or "state's input" in origin:
        return "nothing a run of pullcheck can be given: the value is chosen when the task is started"
    if origin.startswith("data source data.") and not origin.startswith(_NETWORK_DATA):
        return "the resource it looks up, in the run (or the value, given as a variable)"  # a snapshot holds none
    for prefix, how in _SUPPLY:
        if origin.startswith(prefix):
            return how
    return "a value the scanned files do not give (" + origin + ")"


def account(graph: Graph) -> List[Site]:
    """Every launch site that runs, or may run, on Fargate, in file and line order; the account a parallel
    run gathered from its batches when the graph holds it."""
    given = graph.inputs.account
    if given is not None:
        return list(given)
    sites = [site(graph, launch) for launch in candidates(graph)]
    return sorted(sites, key=lambda s: (s.file, s.line, s.name))


def candidates(graph: Graph) -> Iterator[Resource]:
    """The launch sites the account counts: Fargate ones, and those that may be (launch type unknown, or
    existing only under a condition)."""
    for launch in list(graph.of_kind(*LAUNCH_KINDS)) + launches.batch_launches(graph):
        if launches.is_fargate(launch, graph) is not False:
            yield launch


def site(graph: Graph, launch: Resource) -> Site:
    span = launch.span
    waits = _dedup(list(_waits(graph, launch)))
    return Site(launch.name, launch.kind, launch.file, span.line, tuple(waits), _deployed_as(graph, launch))


def _deployed_as(graph: Graph, launch: Resource) -> str:
    """Where the stack (or Terraform root module) of a launch site comes from, when the repository's deploy
    inputs imply it; "" otherwise. A template evaluated as a stack keys its resources ``file@stack#logical``,
    a Terraform resource ``folder:address``."""
    origins = graph.inputs.stack_origins
    if not origins:
        return ""
    import os

    key = launch.key
    if "@" in key and "#" in key:
        stack = key.split("@", 1)[1].rsplit("#", 1)[0]
        if stack not in origins:
            return ""
        # a stack whose name the deploy command leaves to the shell is named by the command
        return f"stack {stack}" if stack.endswith(origins[stack]) else f"stack {stack}, from {origins[stack]}"
    folder = os.path.abspath(key.split(":", 1)[0].split("/module.", 1)[0])
    origin = origins.get("terraform:" + folder)
    return f"Terraform variables from {origin}" if origin else ""


def _dedup(waits: List[Wait]) -> List[Wait]:
    seen, out = set(), []
    for w in waits:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def unknowns_in(v: Any, graph: Graph) -> Iterator[Tuple[str, str]]:
    """(value as shown, how to supply it) for each part of ``v`` that cannot be known: an Unknown, or a
    reference to a resource the graph does not hold."""
    if isinstance(v, Unknown):
        yield shown(v), supply_for(v.origin)
    elif isinstance(v, Ref):
        if v.target not in graph.resources:
            yield shown(v), _data_supply(v.rtype) if v.rtype.startswith("data.") else \
                _ADOPTED if v.rtype in ("aws_default_subnet", "aws_default_vpc") else _NOT_IN_RUN
    elif isinstance(v, Template):
        for p in v.parts:
            if not isinstance(p, str):
                yield from unknowns_in(p, graph)
    elif isinstance(v, list):
        for item in v:
            yield from unknowns_in(item, graph)
    elif isinstance(v, dict):
        for item in v.values():
            yield from unknowns_in(item, graph)


def _data_supply(rtype: str) -> str:
    """How to supply what a Terraform data source of the run reads: it is declared, but what it reads is the
    account's (the provider's own account and Region, or resources selected in it)."""
    if rtype in _PROVIDER_DATA:
        return "nothing a run can give a Terraform module: the provider reads it from the credentials it runs with"
    return supply_for("data source " + rtype)


def _of(graph: Graph, res: Resource, attr: str, fallback: str, where: str = _NOT_IN_RUN) -> Iterator[Wait]:
    """The waits of ``res``'s attribute ``attr``: each unknown part of it, else (the value known but not
    found in the graph) the value itself, to be found as ``where`` says."""
    file, line = coverage.at(res, attr)
    v = res.get(attr)
    found = list(unknowns_in(v, graph))
    if not found:
        found = [(fallback if v is None else shown(v), where)]
    for value, supply in found:
        yield Wait(value, file, line, supply)


def _waits(graph: Graph, launch: Resource) -> Iterator[Wait]:
    if launch.get("conditional"):
        file, line = launch.file, launch.span.line
        counted = launch.get("instances")
        if isinstance(counted, Unknown):  # a Terraform count or for_each that cannot be known
            made = "there are" if counted.origin.startswith(("the definition of ", "generate ")) else \
                "its count or for_each makes"  # a definition or a generated file that cannot be read
            yield Wait(f"how many instances of {launch.name} {made} ({shown(counted)})",
                       file, line, supply_for(counted.origin))
        else:
            yield Wait(f"the condition {launch.name} is created under", file, line, _CONDITION)
        return
    if launches.is_fargate(launch, graph) is None:
        attr = "launch_type" if launch.get("launch_type") not in (None, "") else "capacity_providers"
        yield from _of(graph, launch, attr, "the launch type or capacity provider strategy", _LAUNCH_TYPE)
        return
    yield from _task_waits(graph, launch)
    yield from _network_waits(graph, launch)


def _task_waits(graph: Graph, launch: Resource) -> Iterator[Wait]:
    td = launches.task_definition(graph, launch)
    if td is None:
        yield from _of(graph, launch, "task_definition", "the task definition")
        return
    containers = td.get("containers")
    if not isinstance(containers, list):
        yield from _of(graph, td, "containers", "the container definitions")
        return
    for i, c in enumerate(containers):
        image = c.get("image") if isinstance(c, dict) else None
        if image is not None and classify(image).kind == "unresolved":
            # a reference to a resource of the run is the image rules' to judge; a placeholder waits on the
            # pipeline, an unknown on what its origin says
            found = list(unknowns_in(image, graph)) or (
                [(image, _RENDERED)] if isinstance(image, str) and placeholder(image) else [])
            file, line = coverage.at(td, "containers", i, "image")
            for value, supply in found:
                yield Wait(value, file, line, supply)
    needs = iam.needs(graph, td)
    role = td.get("execution_role")
    if needs == [] or role is None:
        return
    declared = iam.role_for(graph, role)
    if declared is None:
        yield from _of(graph, td, "execution_role", "the execution role", _ROLE)
    else:
        for value, file, line, supply in coverage.role_waits(graph, td, declared, needs):
            yield Wait(value, file, line, supply)


def _network_waits(graph: Graph, launch: Resource) -> Iterator[Wait]:
    subnets = launches.launch_subnets(graph, launch)
    raw = launch.get("subnets")
    if raw is None and launch.kind != "ecs.run_task":
        yield Wait("the network configuration (none is given: ECS refuses an awsvpc service without subnets)",
                   launch.file, launch.span.line, "the service's subnets (and security groups)")
        return
    if raw == []:
        file, line = coverage.at(launch, "subnets")
        yield Wait("the subnets (the list is empty: ECS refuses a service or task set without subnets)", file, line,
                   "the subnets the tasks run in (a variables or parameter file for the environment)")
        return
    # no subnets at all is a launch site without a network configuration: a finding (NET017), not an unknown
    if raw is not None and (subnets is None or (isinstance(raw, list) and len(raw) > len(subnets))):
        file, line = coverage.at(launch, "subnets")
        known = {s.key for _, s in subnets or ()}
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            if isinstance(item, Ref) and item.target in known:
                continue
            for value, supply in list(unknowns_in(item, graph)) or [
                    ("the subnets", _ACCOUNT) if item is None else _id(item, "subnet")]:
                yield Wait(value, file, line, supply)
    vpc = None
    for _, subnet in subnets or ():
        vpc = vpc or subnet.get("vpc")
        yield from _subnet_waits(graph, launch, subnet)
    if not subnets:
        return
    groups = sec.task_groups(graph, launch, vpc)
    if groups is None:
        yield from _groups_waits(graph, launch)
    td = launches.task_definition(graph, launch)
    for _, subnet in subnets:
        more = coverage.acl_waits(graph, subnet), coverage.endpoint_waits(graph, launch, subnet, td), \
            coverage.egress_waits(graph, launch, subnet, groups) if groups is not None else iter(())
        for found in more:
            for value, file, line, supply in found:
                yield Wait(value, file, line, supply)


_LOOSE_ROUTE = re.compile(r"route (\S+) is on a route table that cannot be resolved")


def _route_supply(graph: Graph, why: str) -> str:
    """How to supply a subnet's default route: for a route of the run whose table cannot be resolved, what
    its table (or its count or for_each) waits on; else the account's or the declaring files'."""
    m = _LOOSE_ROUTE.search(why)
    route = next((r for r in graph.of_kind("ec2.route") if m and r.name == m.group(1)), None)
    if route is None:
        return _ACCOUNT
    counted = route.get("instances")
    if isinstance(counted, Unknown):
        return supply_for(counted.origin)
    found = list(unknowns_in(route.get("route_table"), graph))
    return found[0][1] if found else _ACCOUNT


def _id(item: Any, what: str) -> Tuple[str, str]:
    """(value as shown, how to supply it) for an ID the run does not declare; an empty one is said as such
    (a parameter or variable a deploy input sets to "")."""
    if isinstance(item, str) and not item.strip():
        return f'an empty {what} ID ("{item}")', f"the {what} ID that the value given leaves empty"
    return shown(item), _ACCOUNT


def _groups_waits(graph: Graph, launch: Resource) -> Iterator[Wait]:
    sgs = launch.get("security_groups")
    file, line = coverage.at(launch, "security_groups")
    if not sgs:
        yield Wait("the VPC's default security group", file, line, _ACCOUNT)
        return
    items = sgs if isinstance(sgs, list) else [sgs]
    found = [w for item in items for w in unknowns_in(item, graph)]
    found += [_id(item, "security group") for item in items if not isinstance(item, (Unknown, Ref, Template))
              and graph.deref(item, "ec2.security_group") is None]
    # the groups are unknown (task_groups said so) even when no part of them is: then the value as written
    for value, supply in found or [(shown(sgs), _ACCOUNT)]:
        yield Wait(value, file, line, supply)


def _subnet_waits(graph: Graph, launch: Resource, subnet: Resource) -> Iterator[Wait]:
    """A subnet's unknowns as the network rules meet them: its route table and default route; then, with an
    internet gateway, the public IP; with no way to the internet, the endpoints (asked only then, as the
    rules ask them)."""
    tid, _, why = routing.route_table(graph, subnet)
    if tid is None:
        yield Wait(f"the route table of subnet {subnet.name} ({why})", subnet.file, subnet.span.line, _ACCOUNT)
        return
    only6 = routing.ipv6_only(subnet)
    if only6 is None:
        yield Wait(f"whether subnet {subnet.name} is IPv6-only", *coverage.at(subnet, "ipv6_native"), _ACCOUNT)
        return
    if only6:  # NET016's: the ::/0 route; the IPv4 rules do not judge it
        if routing.egress6(graph, subnet) == "unknown":
            yield Wait(f"the ::/0 route of subnet {subnet.name}", subnet.file, subnet.span.line, _ACCOUNT)
        return
    kind = routing.internet_kind(graph, subnet)
    if kind == "unknown":
        egress = routing.egress4(graph, subnet)
        yield Wait(f"the 0.0.0.0/0 route of subnet {subnet.name}{' (' + egress.why + ')' if egress.why else ''}",
                   subnet.file, subnet.span.line, _route_supply(graph, egress.why or ""))
    elif kind == "igw" and launches.public_ip(launch) is None:
        yield from _of(graph, launch, "assign_public_ip", "whether the task gets a public IP")
    elif kind == "none":
        found = eps.endpoints(graph, subnet)
        if not found.known:
            yield Wait(f"the VPC endpoints of subnet {subnet.name} ({found.why})", subnet.file, subnet.span.line,
                       _ACCOUNT)


def not_judged(sites: List[Site]) -> List[Site]:
    return [s for s in sites if not s.judged]


def counts(sites: List[Site]) -> Tuple[int, int]:
    """(judged, all) launch sites."""
    return sum(1 for s in sites if s.judged), len(sites)


def summary(sites: Optional[List[Site]]) -> str:
    if not sites:
        return ""
    n, m = counts(sites)
    return f"judged {n} of {m} launch site{'s' if m != 1 else ''}"


@dataclass(frozen=True)
class Absent:
    """A module call (or a Terragrunt unit's module) whose source is not on disk, named once per run: what
    calls it, its source, where, and how many launch sites wait on it."""

    what: str
    source: str
    file: str
    line: int
    waiting: int
    # for a module on disk whose folder lies outside the paths the run reads: how to read it ("" otherwise)
    remedy: str = ""

    def as_dict(self) -> dict:
        unit = self.what.startswith("the unit ")
        return {"module": self.what, "source": self.source, "file": self.file, "line": self.line,
                "launch_sites_waiting": None if unit else self.waiting,
                "supply": "a local source for the unit" if unit else self.remedy or "terraform init"}


def not_on_disk(source: str, line: int) -> str:
    """Why a Terragrunt unit (its configuration file is the path skipped) is left out: its module's source is
    not on disk. Said with --verbose as any file left out, and read back by ``absent_modules``."""
    return f"{_UNIT_SOURCE}{source}, which is not on disk (line {line})"


def unit_inputs(graph: Graph) -> Dict[str, List[Tuple[str, Any, str, int]]]:
    """Terragrunt unit folder -> each input it gives its module's variables (name, value, file, line), as
    the Terragrunt reader records them: where a value of a module used by a unit comes from."""
    return graph.inputs.tf_folders.setdefault(UNIT_INPUTS, {})


def units_not_linted(graph: Graph) -> List[Tuple[str, str]]:
    """(configuration file, why) of each Terragrunt unit whose module cannot be read but for a remote source
    (``absent_modules`` names those): from the files the run left out, which a parallel run hands back."""
    return [(path, why) for path, why in graph.inputs.skipped
            if path.endswith("/terragrunt.hcl") and not _UNIT_ABSENT.match(why)]


def absent_modules(graph: Graph, sites: Optional[List[Site]]) -> List[Absent]:
    """Each module not on disk once: a module call that launch sites wait on (read from the values they wait
    on, so a parallel run finds the same), with how many; a Terragrunt unit whose source is not on disk."""
    found: Dict[Tuple[str, int], Tuple[str, str]] = {}
    outside: Dict[Tuple[str, int], Absent] = {}
    for path, why in graph.inputs.skipped:  # a parallel run's batches hand these back too
        m = _UNIT_ABSENT.match(why)
        if m:
            found[(path, int(m.group(2)))] = (f"the unit {path.rsplit('/', 1)[0]}", m.group(1))
        m = _NOT_READ.match(why)
        if m:
            mark = f"({m.group(2)}:{m.group(3)}) comes from {m.group(4)}{_OUTSIDE}}}"
            waiting = sum(1 for s in sites or () if any(mark in w.value for w in s.waits_on))
            outside[(m.group(2), int(m.group(3)))] = Absent(m.group(1), m.group(4), m.group(2), int(m.group(3)),
                                                            waiting, m.group(5))
    for s in sites or ():
        for w in s.waits_on:
            m = _ABSENT.search(w.value)
            if m and (m.group(2), int(m.group(3))) not in found:
                found[(m.group(2), int(m.group(3)))] = (m.group(1), m.group(4))
    out = []
    for (file, line), (what, source) in sorted(found.items()):
        mark = f"({file}:{line}) comes from {source}, which is not downloaded"
        waiting = sum(1 for s in sites or () if any(mark in w.value for w in s.waits_on))
        out.append(Absent(what, source, file, line, waiting))
    return sorted(out + list(outside.values()), key=lambda a: (a.file, a.line))
