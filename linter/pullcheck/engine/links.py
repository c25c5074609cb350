"""What ties one part of a run to another, beyond references (which never leave the file or Terraform root
they are written in): a literal name that another part declares, a value that one part cannot resolve and
that therefore concerns every part of a kind, a folder or a file two parts share.

``--jobs`` lints the parts of a run (a data file, a Terraform root folder) in separate processes and joins
only the parts whose links meet; the findings are those of one whole run only if this module knows every
way a finding of one part can depend on another part. So every graph-wide lookup that is not by reference
is listed here, next to the index or rule that makes it:

- names: an execution or task role by ``role_name`` (``iam.role_for``, policy attachments naming roles),
  a task definition by ``family`` (a launch naming its task definition), a cluster by ``cluster_name``
  (a launch's cluster, capacity-provider associations, Terraform's lookup of a cluster), an ECR repository by ``repository_name`` (images:
  IMG005, IAM011; repository policies). A part provides the names it declares and consumes the values
  written where those lookups read, in every form a lookup takes of them (the last segment of an ARN or
  a path, the text before a ``:tag`` or ``:revision``). Two parts declaring one name are joined only when
  some part looks it up (``_uses``);
- hubs, a part holding something unresolvable that the indexes then apply to every resource of a kind:
  ``cluster-strategies`` (a capacity-provider association whose cluster cannot be known may give any
  cluster of the run its default strategy), ``routes`` (a route or route table association whose table or subnet is not a reference: every
  subnet's route table is unknown), ``main-table`` (what may route a CloudFormation VPC's main table:
  ``routing.may_route_cfn_main_tables``), ``endpoints`` (an endpoint or endpoint association whose
  VPC cannot be resolved), ``sg-rules``, ``acl``, ``dhcp``, ``role-policies`` (a policy that may attach to
  any role), ``repo-policies``, ``data-query`` (a Terraform data source selecting subnets or VPCs by filters
  matches every subnet and VPC of the run), ``ptc:`` (a pull-through cache rule applies to the ECR images
  under its prefix), ``registry-policy`` (the registry policy to every pull-through cache rule), ``batch`` (every Fargate Batch job runs in every Fargate compute environment);
- shared places: ``supfile:`` (a suppression comment is used or unused by the findings of every part that reads its
  file), ``tfroot:`` (a plan replaces the resources of the configuration in its folder), ``definition:`` (an
  ecspresso service runs the task-definition file its configuration names), ``tfstate`` (an ecspresso
  placeholder is a resource of one of the run's Terraform roots), ``remote-state:`` (a Terraform remote
  state's outputs are those of the root that keeps it), ``template:`` (a
  template that another one nests is evaluated as that child only, not on its own as well). Two Terraform
  roots calling the same module stay apart: each evaluates its own instances (and a folder that another
  one calls is not linted on its own: ``pullcheck.engine.parallel`` leaves it out);
- whole-run evaluation: ``worlds`` (parameter combinations are counted over the run), ``cfn-link``
  (exports, imports and nested stacks).

What registers a task-definition file (TD002: ``Inputs.registered_by``) is no link: it is read from the deploy
configuration around the file within the run's scope, whichever parts are linted with it.

A rule that adds a graph-wide lookup adds its link here; tests/test_jobs.py lints fixtures and corpus as one
run with one and with two processes and requires the same bytes.
"""
from __future__ import annotations

import os
from typing import Any, FrozenSet, Iterable, Set, Tuple

from pullcheck.facts import acls, endpoints, iam, launches, routing, security
from pullcheck.formats.terraform.remote_state import STATES
from pullcheck.graph.model import LAUNCH_KINDS, SITE_KINDS, Graph
from pullcheck.graph.values import Ref, Template, text_of

# (provides, consumes): a part that provides a token is joined with every part that consumes it
Signature = Tuple[FrozenSet[str], FrozenSet[str]]

# names a lookup matches: (kind, attribute holding the name, token prefix)
_NAMED = (("iam.role", "role_name", "role:"), ("ecs.task_definition", "family", "family:"),
          ("ecs.cluster", "cluster_name", "cluster:"), ("ecr.repository", "repository_name", "repo:"))
_LONGEST_NAME = 512  # names are at most 255 characters; a longer string is never looked up as one


def _forms(prefix: str, v: Any, out: Set[str]) -> None:
    """The names a lookup can make of a value: the text, every tail after a ``/`` (an ARN's resource, an
    image's repository), each also without its ``:tag``, ``:revision`` or ``@digest``; for a string built
    from parts, its known beginning."""
    s = v.known_prefix() if isinstance(v, Template) else v
    if not isinstance(s, str) or len(s) > _LONGEST_NAME:
        return
    tails = [s]
    i = s.find("/")
    while i != -1:
        tails.append(s[i + 1:])
        i = s.find("/", i + 1)
    for t in tails:
        out.add(prefix + t)
        out.add(prefix + t.split(":", 1)[0])
        out.add(prefix + t.split("@", 1)[0])


def _uses(graph: Graph, out: Set[str]) -> None:
    """The values looked up by name: task definitions' roles and images, launches' task definitions and
    clusters, the roles of policy attachments, the targets of capacity-provider associations and of
    repository policies."""
    for td in graph.of_kind("ecs.task_definition"):
        _forms("role:", td.get("execution_role"), out)
        _forms("role:", td.get("task_role"), out)
        containers = td.get("containers")
        for c in containers if isinstance(containers, list) else ():
            if isinstance(c, dict):
                _forms("repo:", c.get("image"), out)
    for launch in graph.of_kind(*LAUNCH_KINDS):
        _forms("family:", launch.get("task_definition"), out)
        _forms("cluster:", launch.get("cluster"), out)
    for res in graph.of_kind("iam.policy", "iam.attachment"):
        roles = res.get("roles")
        for rv in roles if isinstance(roles, list) else ():
            _forms("role:", rv, out)
    for a in graph.of_kind("ecs.cluster_capacity_providers"):
        _forms("cluster:", a.get("cluster"), out)
    for lookup in graph.of_kind("data.ecs_cluster"):
        _forms("cluster:", lookup.get("cluster_name"), out)
    for p in graph.of_kind("ecr.repository_policy"):
        _forms("repo:", p.get("repository"), out)


def _not_ref(v: Any) -> bool:
    return not isinstance(v, Ref)


def _has(graph: Graph, *kinds: str) -> bool:
    return any(True for _ in graph.of_kind(*kinds))


def _both(token: str, provides: Set[str], consumes: Set[str]) -> None:
    provides.add(token)
    consumes.add(token)


def _names(graph: Graph, provides: Set[str], consumes: Set[str]) -> None:
    """The names a part declares, and the values it looks up by name."""
    for kind, attr, prefix in _NAMED:
        for r in graph.of_kind(kind):
            name = text_of(r.get(attr))
            if name:
                provides.add(prefix + name)
    _uses(graph, consumes)


def _hubs(graph: Graph, provides: Set[str], consumes: Set[str]) -> None:
    """What cannot be resolved here is applied to every resource of a kind, in every part (the flags are the
    indexes' own, so that a link cannot say other than what the rules read)."""
    if routing.route_index(graph).unknown_routes:
        provides.add("routes")
    if _has(graph, "ec2.subnet"):
        consumes.update(("routes", "endpoints", "acl", "data-query"))
    if routing.may_route_cfn_main_tables(graph):
        provides.add("main-table")
    if any(r.rtype == "AWS::EC2::VPC" for r in graph.of_kind("ec2.vpc")):
        consumes.add("main-table")
    if endpoints.endpoint_index(graph).unresolved:
        provides.add("endpoints")
    if security.sg_index(graph).unresolved:
        provides.add("sg-rules")
    if _has(graph, *SITE_KINDS) or _has(graph, "ec2.security_group"):
        consumes.add("sg-rules")
    if acls.acl_index(graph).unresolved:
        provides.add("acl")
    if any(_not_ref(a.get("vpc")) or a.get("conditional") for a in graph.of_kind("ec2.dhcp_options_association")):
        provides.add("dhcp")
    if _has(graph, "ec2.vpc"):
        consumes.update(("dhcp", "data-query"))
    if graph.facts.index(launches.loose_associations):
        provides.add("cluster-strategies")
    if _has(graph, "ecs.cluster"):
        consumes.add("cluster-strategies")
    if iam.attached_policies(graph).unresolved:
        provides.add("role-policies")
    if _has(graph, "iam.role"):
        consumes.add("role-policies")
    if any(_not_ref(p.get("repository")) and text_of(p.get("repository")) is None
           for p in graph.of_kind("ecr.repository_policy")):
        provides.add("repo-policies")
    if _has(graph, "ecr.repository"):
        consumes.add("repo-policies")
    if _has(graph, "data.subnets", "data.subnet", "data.vpc", "data.security_group", "data.security_groups",
            "data.route_table", "data.vpc_endpoint"):
        provides.add("data-query")
    if _has(graph, "batch.compute_environment") or any(
            td.get("batch") for td in graph.of_kind("ecs.task_definition")):
        _both("batch", provides, consumes)


def _pull_through_caches(graph: Graph, provides: Set[str], consumes: Set[str]) -> None:
    """Pull-through cache rules apply to the images under their prefix; the registry policy to every rule."""
    for r in graph.of_kind("ecr.pull_through_cache_rule"):
        consumes.add("registry-policy")
        prefix = text_of(r.get("prefix"))
        if prefix:
            provides.add("ptc:" + prefix.strip("/"))
    if _has(graph, "ecr.registry_policy"):
        provides.add("registry-policy")
    for td in graph.of_kind("ecs.task_definition"):
        for _, im in launches.container_images(td):
            if im.kind == "ecr" and im.path:
                parts = im.path.split("/")
                consumes.update("ptc:" + "/".join(parts[:k]) for k in range(1, len(parts) + 1))


def _shared_places(graph: Graph, provides: Set[str], consumes: Set[str]) -> None:
    """The files whose suppressions a part reads, and the Terraform folders its resources come from."""
    for s in graph.suppressions:
        _both("supfile:" + s.file, provides, consumes)
    for key, r in graph.resources.items():
        if "#" in key and r.rtype.startswith("AWS::"):  # a template's resource, on its own or as a nested stack
            _both("template:" + os.path.abspath(r.file), provides, consumes)
        if key.startswith("plan:"):  # a plan's resource: the plan stands for the configuration in its folder
            _both("tfroot:" + os.path.abspath(os.path.dirname(r.file) or "."), provides, consumes)
        elif ":" in key and r.rtype.startswith(("aws_", "data.")):  # as the engine ties a plan to its sources
            _both("tfroot:" + os.path.abspath(key.split(":", 1)[0].split("/module.", 1)[0]), provides, consumes)
    kept, read = graph.inputs.tf_folders.get(STATES, ((), ()))  # a remote state's reader and the roots keeping it
    provides.update(kept)
    consumes.update(read)
    _ecspresso(graph, provides, consumes)


def _ecspresso(graph: Graph, provides: Set[str], consumes: Set[str]) -> None:
    """ecspresso's definitions: a service its configuration pairs with a task-definition file needs that
    file's part, and a ``{{ tfstate }}`` placeholder (``pullcheck.engine.tfstate``) the Terraform roots of
    the run, one of which holds the state it reads."""
    for r in graph.of_kind("ecs.task_definition", "ecs.service"):
        if not r.rtype.endswith(("(JSON)", "(Jsonnet)")):
            continue
        if r.kind == "ecs.task_definition":
            provides.add("definition:" + os.path.abspath(r.file))
        td = r.get("task_definition")
        if r.get("paired_by") and isinstance(td, Ref):
            consumes.add("definition:" + os.path.abspath(td.target.rsplit("#", 1)[0]))
        if any(_tfstate(v) for k, v in r.attrs.items() if k != "raw"):
            consumes.add("tfstate")
    if any(r.rtype.startswith("aws_") for r in graph.resources.values()):
        provides.add("tfstate")


def _tfstate(v: Any) -> bool:
    """Whether a value holds a tfstate placeholder left as written."""
    if isinstance(v, str):
        return "{{" in v and "tfstate" in v
    if isinstance(v, Template):
        return any(_tfstate(p) for p in v.parts)
    if isinstance(v, list):
        return any(_tfstate(x) for x in v)
    if isinstance(v, dict):
        return any(_tfstate(x) for x in v.values())
    return False


def _whole_run(graph: Graph, provides: Set[str], consumes: Set[str]) -> None:
    """What is evaluated over the run: parameter combinations, and exports, imports and nested stacks."""
    if graph.inputs.choices:
        _both("worlds", provides, consumes)
    if graph.inputs.cfn_linked:
        _both("cfn-link", provides, consumes)


# one part per kind of link (the module's docstring lists them), each adding what it provides and consumes
_PARTS = (_names, _hubs, _pull_through_caches, _shared_places, _whole_run)


def signature(graph: Graph) -> Signature:
    """The links of a graph built from some parts of a run."""
    provides: Set[str] = set()
    consumes: Set[str] = set()
    for part in _PARTS:
        part(graph, provides, consumes)
    return frozenset(provides), frozenset(consumes)


def named(resources: Iterable[Any]) -> Signature:
    """The names ``resources`` declare and the names they look up (only the ``names`` links): what ties a
    changed file to the parts of a repository that name what it declares or declare what it names
    (``pullcheck.engine.changed``)."""
    part = Graph()
    for r in resources:
        part.add(r)
    provides: Set[str] = set()
    consumes: Set[str] = set()
    _names(part, provides, consumes)
    return frozenset(provides), frozenset(consumes)


def joined(signatures: Iterable[Signature]) -> list:
    """Groups of indexes of ``signatures`` whose links meet (directly or through others), in order."""
    sigs = list(signatures)
    parent = list(range(len(sigs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    providers: dict = {}
    consumers: dict = {}
    for i, (provides, consumes) in enumerate(sigs):
        for t in provides:
            providers.setdefault(t, []).append(i)
        for t in consumes:
            consumers.setdefault(t, []).append(i)
    for t, ps in providers.items():
        cs = consumers.get(t)
        if not cs:
            continue
        first = find(ps[0])
        for j in ps[1:] + cs:
            rj = find(j)
            if rj != first:
                parent[rj] = first
    groups: dict = {}
    for i in range(len(sigs)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())
