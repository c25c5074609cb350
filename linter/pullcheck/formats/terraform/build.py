"""Terraform resources into the graph's canonical kinds (plain attributes from ``pullcheck.graph.mapping``), each
resource type or kind by a builder: launches, task definitions, clusters and IAM here, the network's in
build_network."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List

from pullcheck.facts import policy
from pullcheck.formats import common
from pullcheck.formats.terraform import build_network as network
from pullcheck.formats.terraform.build_context import BuildContext, flatten_refs, json_attr, json_value, nested
from pullcheck.formats.terraform.build_states import state_machine
from pullcheck.formats.terraform.declared import Declared
from pullcheck.formats.terraform.evaluate import Module, expand_dynamic
from pullcheck.formats.terraform.lookup import QUERY_KINDS, may_select, resolve
from pullcheck.formats.terraform.syntax import Body, pos_of
from pullcheck.graph import mapping
from pullcheck.graph.model import Graph, Resource, Span, register_selector
from pullcheck.graph.values import Ref, Template, Unknown, make_template

for _kind in QUERY_KINDS:  # the data sources this format builds that select resources declared elsewhere
    register_selector(_kind, resolve, may_select)

KINDS = {
    "aws_ecs_service": "ecs.service", "aws_ecs_task_set": "ecs.task_set",
    "aws_ecs_task_definition": "ecs.task_definition", "aws_vpc": "ec2.vpc", "aws_subnet": "ec2.subnet",
    "aws_route_table": "ec2.route_table", "aws_default_route_table": "ec2.route_table", "aws_route": "ec2.route",
    "aws_route_table_association": "ec2.route_table_association",
    "aws_main_route_table_association": "ec2.route_table_association",
    "aws_internet_gateway": "ec2.internet_gateway", "aws_nat_gateway": "ec2.nat_gateway",
    "aws_vpc_endpoint": "ec2.vpc_endpoint",
    "aws_vpc_endpoint_route_table_association": "ec2.vpc_endpoint_route_table_association",
    "aws_security_group": "ec2.security_group", "aws_egress_only_internet_gateway": "ec2.egress_only_internet_gateway",
    "aws_ec2_transit_gateway": "ec2.transit_gateway", "aws_vpc_peering_connection": "ec2.vpc_peering_connection",
    "aws_iam_role": "iam.role", "aws_ecr_repository": "ecr.repository", "aws_ecs_cluster": "ecs.cluster",
    "aws_ecs_cluster_capacity_providers": "ecs.cluster_capacity_providers",
    "aws_ecs_capacity_provider": "ecs.capacity_provider", "data.aws_ecs_cluster": "data.ecs_cluster",
    "aws_default_security_group": "ec2.security_group", "aws_security_group_rule": "ec2.security_group_rule",
    "aws_vpc_security_group_egress_rule": "ec2.security_group_rule",
    "aws_vpc_security_group_ingress_rule": "ec2.security_group_rule",
    "aws_network_acl": "ec2.network_acl", "aws_default_network_acl": "ec2.network_acl",
    "aws_network_acl_rule": "ec2.network_acl_entry", "aws_network_acl_association": "ec2.network_acl_association",
    "aws_vpc_dhcp_options": "ec2.dhcp_options", "aws_vpc_dhcp_options_association": "ec2.dhcp_options_association",
    "aws_ecr_pull_through_cache_rule": "ecr.pull_through_cache_rule",
    "aws_cloudwatch_event_target": "ecs.run_task", "aws_scheduler_schedule": "ecs.run_task",
    "aws_pipes_pipe": "ecs.run_task", "aws_sfn_state_machine": "launch.state_machine",
    "aws_batch_job_definition": "ecs.task_definition", "aws_batch_compute_environment": "batch.compute_environment",
    "aws_iam_role_policy": "iam.policy", "aws_iam_policy": "iam.policy",
    "aws_iam_role_policy_attachment": "iam.attachment", "aws_iam_policy_attachment": "iam.attachment",
    "data.aws_iam_policy_document": "iam.policy_document", "data.aws_iam_policy": "data.iam_policy",
    "data.aws_ecs_task_definition": "data.task_definition",
    "data.aws_subnets": "data.subnets",
    "data.aws_subnet": "data.subnet", "data.aws_vpc": "data.vpc", "aws_ecr_repository_policy": "ecr.repository_policy",
    "data.aws_security_group": "data.security_group", "data.aws_security_groups": "data.security_groups",
    "data.aws_route_table": "data.route_table", "data.aws_vpc_endpoint": "data.vpc_endpoint",
    "aws_ecr_registry_policy": "ecr.registry_policy", "aws_secretsmanager_secret": "secretsmanager.secret",
    "aws_ecrpublic_repository": "ecr.public_repository",
}


def _file_of(res: Declared) -> str:
    return res.body.file


def build(module: Module, res: Declared, kind: str, suffix: str, ctx: Dict[str, Any], graph: Graph,
          conditional: bool = False) -> None:
    """One instance of ``res`` (``suffix``, and ``ctx``: its count.index or each.key and each.value) into
    ``graph`` as ``kind``: the attributes of the mapping table, then what the builder of its resource type,
    or else of its kind, reads. A builder that returns resources adds those instead (none, or several)."""
    c = _started(module, res, kind, suffix, ctx, conditional)
    builder = _BUILDERS.get(res.rtype)
    if builder is not None:
        extra = builder(c)
    else:
        extra = _KIND_BUILDERS.get(kind, _b_table_only)(c)
        c.r.attrs["conditional"] = conditional
    if extra is None:
        graph.add(c.r)
        return
    for sub in extra:
        sub.attrs["conditional"] = conditional or sub.attrs.get("conditional") is True  # or its own builder's
        graph.add(sub)


def _started(module: Module, res: Declared, kind: str, suffix: str, ctx: Dict[str, Any],
             conditional: bool) -> BuildContext:
    """The resource of one instance, with the attributes that the mapping table gives its kind."""
    ev = module.evaluator(ctx)
    body = expand_dynamic(res.body, ev)
    r = Resource(key=res.key(suffix), kind=kind, rtype=res.rtype, name=f"{module.prefix}{res.address}{suffix}",
                 file=_file_of(res), span=Span.at(res.pos))
    c = BuildContext(r, ev, body, module)
    attr = c.attr
    r.attrs["conditional"] = conditional
    for name, arg, parse in mapping.table(kind, "tf"):
        v = attr(arg, name)
        if parse == "policy":
            r.attrs[name] = policy.parse(v) if v is not None else None
    return c


def _launch(c: BuildContext, body: Body, task_definition: str, nets: List[Body], vpc_block: str = "") -> None:
    """Launch type, task definition, capacity providers and awsvpc settings from HCL blocks."""
    r, attr = c.r, c.attr
    attr("launch_type", "launch_type", body)
    attr(task_definition, "task_definition", body)
    r.attrs["task_definition"] = by_family(r.attrs.get("task_definition"))
    attr("platform_version", "platform_version", body)
    attr("cluster", "cluster", body)
    strategies = body.block_list("capacity_provider_strategy")
    r.attrs["capacity_providers"] = [c.value(s, "capacity_provider") for s in strategies] if strategies else None
    if body.unexpanded("capacity_provider_strategy"):
        r.attrs["capacity_providers"] = Unknown("dynamic capacity_provider_strategy blocks")
    r.attrs["has_network_configuration"] = bool(nets)
    if not nets and (body.unexpanded("network_configuration") or (vpc_block and any(
            b.unexpanded(vpc_block) for b in body.block_list("network_configuration")))):
        unknown = Unknown("dynamic network_configuration blocks")
        r.attrs.update(subnets=unknown, security_groups=unknown, assign_public_ip=unknown,
                       has_network_configuration=unknown)
        r.attrs["region"] = c.module.region()
        return
    if nets and vpc_block:
        inner = nets[0].block_list(vpc_block)
        nets = inner
    if nets:
        n = nets[0]
        subnets = attr("subnets", "subnets", n)
        if isinstance(subnets, list):
            r.attrs["subnets"] = flatten_refs(subnets)
        groups = attr("security_groups", "security_groups", n)
        if isinstance(groups, list):
            r.attrs["security_groups"] = flatten_refs(groups)
        attr("assign_public_ip", "assign_public_ip", n)
    else:
        r.attrs.update(subnets=None, security_groups=None, assign_public_ip=None)
    r.attrs["region"] = c.module.region()


def by_family(v: Any) -> Any:
    """A task definition ARN built around a task definition's family (``arn:aws:ecs:...:task-definition/
    ${aws_ecs_task_definition.t.family}``, with or without its revision) as that family and revision: the
    task definition of the module it names, whatever account and Region the ARN is written with."""
    if not isinstance(v, Template):
        return v
    parts = list(v.parts)
    for i, p in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if isinstance(p, str) and p.endswith(":task-definition/") and isinstance(nxt, Ref) \
                and nxt.rtype == "aws_ecs_task_definition" and nxt.attr == "family":
            return make_template(parts[i + 1:])
    return v


def _b_service(c: BuildContext) -> None:
    """An ECS service or task set: a launch."""
    _launch(c, c.body, "task_definition", c.body.block_list("network_configuration"))


def _b_task_definition(c: BuildContext) -> None:
    r, attr = c.r, c.attr
    for name, out in (("execution_role_arn", "execution_role"), ("task_role_arn", "task_role"),
                      ("requires_compatibilities", "requires_compatibilities"),
                      ("network_mode", "network_mode"), ("cpu", "cpu"), ("memory", "memory"),
                      ("family", "family")):
        attr(name, out)
    t = c.body.attrs.get("container_definitions")
    defs: Any = None
    if t is not None:
        r.spans[("containers",)] = Span.at(pos_of(t))
        defs = json_value(c.ev, t, "container_definitions")
    r.attrs["containers"] = common.normalise_containers(defs, False, r.spans) if defs is not None else []
    file = c.elsewhere(c.body, "container_definitions")
    if file:  # written in an override file: so are the containers' positions
        r.spans.update({k: replace(v, file=v.file or file) if isinstance(v, Span) else Span.at(v, file)
                        for k, v in r.spans.items() if k[:1] == ("containers",)})


def _b_cluster(c: BuildContext) -> None:
    strategies = c.blocks(c.body, "default_capacity_provider_strategy")
    c.r.attrs["default_strategy"] = strategies if isinstance(strategies, Unknown) else \
        [c.value(s, "capacity_provider") for s in strategies] if strategies else None


def _b_repository(c: BuildContext) -> None:
    c.r.attrs["policy"] = None


def _b_role(c: BuildContext) -> None:
    r = c.r
    blocks = c.blocks(c.body, "inline_policy")
    r.attrs["inline"] = None
    if isinstance(blocks, Unknown):
        r.attrs["inline"] = blocks
    elif blocks:
        r.attrs["inline"] = [(c.value(b, "name"), policy.parse(c.value(b, "policy"))) for b in blocks]
        for i, b in enumerate(blocks):
            if "policy" in b.attrs:
                r.spans[("inline", i)] = Span.at(pos_of(b.attrs["policy"]), c.elsewhere(b, "policy"))


def _b_table_only(c: BuildContext) -> None:
    """A kind whose attributes all come from the mapping table."""


def _b_event_target(c: BuildContext) -> Any:
    targets = nested(c.body, "ecs_target")
    if not targets:
        return []
    t = targets[0]
    _launch(c, t, "task_definition_arn", t.block_list("network_configuration"))
    return None


def _b_schedule(c: BuildContext) -> Any:
    params = nested(c.body, "target", "ecs_parameters")
    if not params:
        return []
    _launch(c, params[0], "task_definition_arn", params[0].block_list("network_configuration"))
    v = c.r.attrs.get("assign_public_ip")
    if isinstance(v, bool):  # the provider sends ENABLED / DISABLED
        c.r.attrs["assign_public_ip"] = "ENABLED" if v else "DISABLED"
    return None


def _b_pipe(c: BuildContext) -> Any:
    params = nested(c.body, "target_parameters", "ecs_task_parameters")
    if not params:
        return []
    _launch(c, params[0], "task_definition_arn", params[0].block_list("network_configuration"),
            vpc_block="aws_vpc_configuration")
    return None


def _b_batch_job(c: BuildContext) -> None:
    c.attr("platform_capabilities", "platform_capabilities")
    c.r.attrs.update(common.normalise_batch_job(c.r.attrs["platform_capabilities"],
                                                json_attr(c, "container_properties"),
                                                json_attr(c, "ecs_properties"), False, c.r.spans))


def _b_compute_environment(c: BuildContext) -> None:
    crs = c.body.block_list("compute_resources")
    if not crs:
        c.r.attrs.update(fargate=False, subnets=None, security_groups=None)
        return
    ctype = c.value(crs[0], "type")
    c.r.attrs["fargate"] = ctype.upper() in ("FARGATE", "FARGATE_SPOT") if isinstance(ctype, str) else None
    for name, out in (("subnets", "subnets"), ("security_group_ids", "security_groups")):
        v = c.attr(name, out, crs[0])
        if isinstance(v, list):
            c.r.attrs[out] = flatten_refs(v)


def _b_policy(c: BuildContext) -> None:
    doc = c.attr("policy", "document")
    c.r.attrs["document"] = policy.parse(doc)
    c.attr("name", "policy_name")
    if c.r.rtype == "aws_iam_role_policy":
        c.r.attrs["roles"] = [c.value(c.body, "role")]
        c.r.attrs["managed"] = False
    else:
        c.r.attrs["roles"] = []
        c.r.attrs["managed"] = True


def _b_attachment(c: BuildContext) -> None:
    if c.r.rtype == "aws_iam_role_policy_attachment":
        c.r.attrs["roles"] = [c.value(c.body, "role")]
    else:
        roles = c.value(c.body, "roles")
        c.r.attrs["roles"] = roles if isinstance(roles, (list, Unknown)) else []
    c.attr("policy_arn", "policy_arn")


def _b_policy_document(c: BuildContext) -> None:
    b = c.body
    if any(k in b.attrs for k in ("source_policy_documents", "override_policy_documents", "source_json",
                                  "override_json")):
        c.r.attrs["document"] = Unknown("the policy document merges other documents")
        return
    blocks = c.blocks(b, "statement")
    if isinstance(blocks, Unknown):
        c.r.attrs["document"] = blocks
        return
    stmts = []
    for sb in blocks:
        rec: Dict[str, Any] = {k: c.value(sb, k) for k in ("effect", "actions", "not_actions", "resources",
                                                            "not_resources")}
        rec["principals"] = [{"type": c.value(p, "type"), "identifiers": c.value(p, "identifiers")}
                             for p in sb.block_list("principals")]
        rec["conditions"] = [{"test": c.value(x, "test"), "variable": c.value(x, "variable"),
                              "values": c.value(x, "values")} for x in sb.block_list("condition")]
        if sb.block_list("not_principals"):
            rec["principals"] = [{"type": "?", "identifiers": Unknown("not_principals")}]
        stmts.append(rec)
    c.r.attrs["document"] = policy.from_statements(stmts)


def _b_repository_policy(c: BuildContext) -> None:
    c.attr("repository", "repository")
    doc = c.attr("policy", "document")
    c.r.attrs["document"] = policy.parse(doc)


# the builders of resource types, each reading what the mapping table does not
_BUILDERS = {
    "aws_security_group": network.security_group, "aws_default_security_group": network.security_group,
    "aws_security_group_rule": network.security_group_rule,
    "aws_vpc_security_group_egress_rule": network.security_group_rule,
    "aws_vpc_security_group_ingress_rule": network.security_group_rule,
    "aws_network_acl": network.network_acl, "aws_default_network_acl": network.network_acl,
    "aws_network_acl_rule": network.network_acl_rule, "aws_network_acl_association": _b_table_only,
    "aws_vpc_dhcp_options": _b_table_only, "aws_vpc_dhcp_options_association": _b_table_only,
    "aws_ecr_pull_through_cache_rule": _b_table_only,
    "aws_cloudwatch_event_target": _b_event_target, "aws_scheduler_schedule": _b_schedule,
    "aws_pipes_pipe": _b_pipe, "aws_sfn_state_machine": state_machine,
    "aws_batch_job_definition": _b_batch_job, "aws_batch_compute_environment": _b_compute_environment,
    "aws_iam_role_policy": _b_policy, "aws_iam_policy": _b_policy,
    "aws_iam_role_policy_attachment": _b_attachment, "aws_iam_policy_attachment": _b_attachment,
    "data.aws_iam_policy_document": _b_policy_document, "aws_ecr_repository_policy": _b_repository_policy,
    "aws_ecr_registry_policy": lambda c: None, "aws_secretsmanager_secret": _b_table_only,
    "data.aws_subnets": network.query, "data.aws_subnet": network.query, "data.aws_vpc": network.query,
    "data.aws_security_group": network.query, "data.aws_security_groups": network.query,
    "data.aws_route_table": network.query, "data.aws_vpc_endpoint": network.query,
}


# the builders of the kinds that several resource types share, for a type without a builder of its own
_KIND_BUILDERS = {
    "ecs.service": _b_service, "ecs.task_set": _b_service, "ecs.task_definition": _b_task_definition,
    "ec2.route_table": network.route_table, "ec2.route": network.route,
    "ec2.route_table_association": network.route_table_association, "ec2.vpc_endpoint": network.vpc_endpoint,
    "ec2.vpc_endpoint_route_table_association": network.endpoint_route_table_association,
    "ecs.cluster": _b_cluster, "ecs.cluster_capacity_providers": _b_cluster, "ecr.repository": _b_repository,
    "iam.role": _b_role,
}
