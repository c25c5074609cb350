"""Facts about launch sites, shared by rules: which launches run on Fargate (their own settings, or the
default strategy of their cluster), the task definition each runs and its images, the subnets each is placed
in, and the launch sites Fargate Batch makes of its jobs and compute environments.

Every answer is three-valued: a fact the graph proves, or None / "unknown" when it depends on
something the scanned files do not show.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts.images import Image, classify
from pullcheck.graph.model import LAUNCH_KINDS, Graph, Resource, Span
from pullcheck.graph.values import Ref, Template, as_list, placeholder, text_of, truthy

_FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def is_fargate(launch: Resource, graph: Optional[Graph] = None) -> Optional[bool]:
    """Whether a launch runs on Fargate: its launch type, its capacity provider strategy, or (neither
    set) the default strategy of its cluster, which ECS applies; None when that cannot be known. A task
    definition that is compatible with neither Fargate nor anything unknown rules Fargate out whatever the
    launch site leaves open."""
    found = _launch_setting(launch, graph)
    if found is None and graph is not None and _not_for_fargate(graph, launch):
        return False
    return found


def _launch_setting(launch: Resource, graph: Optional[Graph]) -> Optional[bool]:
    lt = launch.get("launch_type")
    if lt == "":
        lt = None  # an empty launch type is an unset one: the API's clients leave an empty enum out
    if isinstance(lt, str):
        return lt.upper() == "FARGATE"
    if lt is not None:
        return None
    cps = launch.get("capacity_providers")
    if isinstance(cps, list) and cps:
        return _strategy_is_fargate(cps, graph)
    if cps is None and graph is not None and launch.kind in ("ecs.service", "ecs.task_set"):
        default = cluster_default_strategy(graph, launch)
        if isinstance(default, list) and default:
            return _strategy_is_fargate(default, graph)
        if default == [] or (default is None and _cluster_without_default(graph, launch)):
            return False  # no strategy anywhere: ECS launches it on EC2
    return None


def _strategy_is_fargate(providers: List[Any], graph: Optional[Graph]) -> Optional[bool]:
    """True when a strategy names a Fargate provider; False when every provider is named as text, or is
    one the run declares (which cannot be Fargate's); else None."""
    if any(isinstance(c, str) and c.upper() in _FARGATE_PROVIDERS for c in providers):
        return True
    if all(isinstance(c, str) and not placeholder(c) or (graph is not None and not isinstance(c, str) and
                                                         graph.deref(c, "ecs.capacity_provider") is not None)
           for c in providers):  # a name the deploy fills in ({{ must_env `X` }}, ${X}) may be FARGATE
        return False
    return None


def _not_for_fargate(graph: Graph, launch: Resource) -> bool:
    """The task definition the launch runs requires compatibilities, all known, none of them Fargate:
    ECS does not start it on Fargate."""
    if launch.get("conditional"):
        return False
    td = task_definition(graph, launch)
    compat = td.get("requires_compatibilities") if td is not None and not td.get("conditional") else None
    return isinstance(compat, list) and bool(compat) and all(
        isinstance(c, str) and c.upper() != "FARGATE" for c in compat)


def cluster_default_strategy(graph: Graph, launch: Resource) -> Any:
    """The capacity providers of the default strategy of the launch's cluster, when the run declares it:
    on the cluster, or on the cluster's capacity-provider association (which then decides)."""
    cluster = _cluster_of(graph, launch)
    if cluster is None:
        return None
    assoc = graph.facts.index(_cluster_index)[1].get(cluster.key)
    return (assoc if assoc is not None else cluster).get("default_strategy")


def _cluster_of(graph: Graph, launch: Resource) -> Optional[Resource]:
    """The cluster of the run a launch names: by reference, by name (or ARN ending in it), or through a
    Terraform lookup of a cluster by a name the run's cluster has."""
    v = launch.get("cluster")
    cluster = graph.deref(v, "ecs.cluster")
    if cluster is not None:
        return cluster
    name = text_of(v)
    lookup = graph.resources.get(v.target) if isinstance(v, Ref) else None
    if lookup is not None and lookup.kind == "data.ecs_cluster" and not lookup.get("conditional"):
        named_by = lookup.get("cluster_name")
        found = graph.deref(named_by, "ecs.cluster")
        if found is not None and (named_by.attr in ("name", "cluster_name", "id", "arn", None)):
            return found
        name = text_of(named_by)
    if not name:
        return None
    named = graph.facts.index(_cluster_index)[0].get(name.rsplit("/", 1)[-1], ())
    return named[0] if len(named) == 1 else None


def _cluster_without_default(graph: Graph, launch: Resource) -> bool:
    """The launch's cluster is in the run, writes no default strategy, and no association of the run that
    could be its own (one whose cluster cannot be known, or one naming a cluster by a name the run's
    cluster may have) gives it one: ECS then launches on EC2."""
    cluster = _cluster_of(graph, launch)
    if cluster is None or cluster.get("conditional"):
        return False
    assoc = graph.facts.index(_cluster_index)[1].get(cluster.key)
    if any("default_strategy" not in r.attrs or r.get("default_strategy") is not None
           for r in (cluster, assoc) if r is not None):
        return False
    loose = graph.facts.index(loose_associations)
    return not loose or (not any(t is None for t in loose) and text_of(cluster.get("cluster_name")) is not None)


def loose_associations(graph: Graph) -> List[Optional[str]]:
    """The cluster names (None where it cannot be known) of the run's capacity-provider associations that
    name no cluster of the run."""
    names = graph.facts.index(_cluster_index)[0]
    out: List[Optional[str]] = []
    for a in graph.of_kind("ecs.cluster_capacity_providers"):
        target = a.get("cluster")
        if graph.deref(target, "ecs.cluster") is None and text_of(target) not in names:
            out.append(text_of(target))
    return out


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


def public_ip(launch: Resource) -> Optional[bool]:
    v = launch.get("assign_public_ip")
    if v is None:
        return False
    return truthy(v)


def task_definition(graph: Graph, launch: Resource) -> Optional[Resource]:
    """The task definition a launch runs: a reference, or a family name (``family``, ``family:revision``,
    an ARN, or ``${aws_ecs_task_definition.t.family}:${...}``) naming the one task definition of the run
    with that family."""
    return _task_definition_of(graph, launch.get("task_definition"), 2)


def _task_definition_of(graph: Graph, v: Any, depth: int) -> Optional[Resource]:
    found = graph.deref(v, "ecs.task_definition")
    if found is not None or v is None:
        return found
    if isinstance(v, Ref) and v.rtype == "data.aws_ecs_task_definition" and depth > 0:
        # Terraform's lookup of a family's latest revision: the task definition of the run it names
        lookup = graph.resources.get(v.target)
        if lookup is None or lookup.get("conditional"):
            return None
        return _task_definition_of(graph, lookup.get("task_definition"), depth - 1)
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


def container_images(td: Optional[Resource]):
    """(container index, Image) of a task definition's containers with a readable record."""
    if td is None or not isinstance(td.get("containers"), list):
        return
    for i, c in enumerate(td.get("containers")):
        if isinstance(c, dict):
            yield i, classify(c.get("image"))


def used_by_fargate(graph: Graph) -> set:
    """Keys of the task definitions that a Fargate launch site of the graph runs."""
    return graph.facts.index(lambda g: {
        td.key for td in (task_definition(g, launch) for launch in fargate_launches(g)) if td is not None})


def runs_on_fargate(graph: Graph, td: Resource) -> bool:
    """FARGATE among the task definition's compatibilities, or a Fargate launch site runs it."""
    compat = td.get("requires_compatibilities")
    return td.key in used_by_fargate(graph) or (
        isinstance(compat, list) and any(isinstance(c, str) and c.upper() == "FARGATE" for c in compat))
