"""Terraform resources into the graph's canonical kinds (plain attributes from ``pullcheck.graph.mapping``)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Tuple

from pullcheck.graph import mapping
from pullcheck.facts import policy
from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.formats import common
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MDict, MList
from pullcheck.formats.terraform.budget import JsonEncoded
from pullcheck.formats.terraform.evaluate import Declared, Evaluator, Module, expand_dynamic
from pullcheck.formats.terraform.functions import Unknowable, json_with_holes
from pullcheck.formats.terraform.hcl import Node
from pullcheck.formats.terraform.syntax import (
    Body,
    Known,
    end_line,
    is_heredoc,
    is_literal_text,
    pinned,
    pos_of,
    shift,
)
from pullcheck.graph.values import Ref, Template, Unknown

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
    "data.aws_iam_policy_document": "iam.policy_document", "data.aws_subnets": "data.subnets",
    "data.aws_subnet": "data.subnet", "data.aws_vpc": "data.vpc", "aws_ecr_repository_policy": "ecr.repository_policy",
    "aws_ecr_registry_policy": "ecr.registry_policy", "aws_secretsmanager_secret": "secretsmanager.secret",
}
ROUTE_TARGETS = {"gateway_id": "gateway", "nat_gateway_id": "nat", "transit_gateway_id": "tgw",
                 "vpc_peering_connection_id": "pcx", "network_interface_id": "eni", "vpc_endpoint_id": "vpce",
                 "egress_only_gateway_id": "eigw", "carrier_gateway_id": "cagw", "local_gateway_id": "lgw",
                 "core_network_arn": "core", "instance_id": "instance"}



def _file_of(res: Declared) -> str:
    return res.body.file


class _Ctx:
    """What a builder needs: the resource being built, the evaluator and the HCL body."""

    def __init__(self, r: Resource, ev: "Evaluator", body: Body, module: Module) -> None:
        self.r, self.ev, self.body, self.module = r, ev, body, module

    def attr(self, name: str, out: str, b: Any = None, path: Tuple[Any, ...] = ()) -> Any:
        b = self.body if b is None else b
        t = b.attrs.get(name)
        r = self.r
        if t is None:
            r.attrs[out] = None
            return None
        v = self.ev.eval(t)
        r.attrs[out] = v
        where, file = _fix_site(self.module, t)
        # moved to the caller's argument: remember where it is written in the module, for suppressions there
        origin = (b.file, pos_of(t)[0]) if file else ()
        whole = Span.at(pos_of(where), file)
        if origin:
            whole = replace(whole, origin=origin)
        r.spans[path + (out,)] = whole
        if isinstance(v, MList):
            # item positions only where the list is written there: a list read from a local, an output or
            # another file has its items elsewhere, and the finding belongs at this attribute
            end = end_line(where) or whole.line
            for i, p in enumerate(v.ipos):
                r.spans[path + (out, i)] = replace(Span.at(p, file), origin=origin) \
                    if isinstance(where, Known) or whole.line <= p[0] <= end else whole
        return v

    def value(self, b: Body, name: str) -> Any:
        t = b.attrs.get(name)
        return None if t is None else self.ev.eval(t)

    def blocks(self, b: Body, name: str) -> Any:
        """Nested blocks by name; an Unknown when a dynamic block of that name may add more."""
        if any(n == "dynamic" and labels == [name] for n, labels, _, _ in b.blocks) or (
                name in b.attrs and not b.json):
            return Unknown(f"dynamic {name} blocks")
        return b.block_list(name)


def _fix_site(module: Module, t: Any) -> Tuple[Any, str]:
    """Where a value is set: an attribute that is just ``var.x`` of a called module, whose caller passes x,
    is fixed at the caller's argument (the file of the module block); anything else where it is written."""
    if module.caller is not None and module.call_file and not isinstance(t, Known):
        name = _var_name(t)
        if name is not None and name in module.inputs:
            inner, file = _fix_site(module.caller, module.inputs[name])
            return inner, file or module.call_file
    return t, ""


def _var_name(t: Any) -> Any:
    """NAME when an expression is exactly ``var.NAME``."""
    if isinstance(t, Node) and t.kind == "attr" and t.a.kind == "var" and t.a.a == "var":
        return t.b
    return None


def build(module: Module, res: Declared, kind: str, suffix: str, ctx: Dict[str, Any], graph: Graph,
           conditional: bool = False) -> None:
    ev = module.evaluator(ctx)
    body = expand_dynamic(res.body, ev)
    r = Resource(key=res.key(suffix), kind=kind, rtype=res.rtype, name=f"{module.prefix}{res.address}{suffix}",
                 file=_file_of(res), span=Span.at(res.pos))
    c = _Ctx(r, ev, body, module)
    attr = c.attr
    r.attrs["conditional"] = conditional
    for name, arg, parse in mapping.table(kind, "tf"):
        v = attr(arg, name)
        if parse == "policy":
            r.attrs[name] = policy.parse(v) if v is not None else None
    builder = _BUILDERS.get(res.rtype)
    if builder is not None:
        extra = builder(c)
        if extra is None:
            graph.add(r)
        else:
            for sub in extra:
                sub.attrs["conditional"] = conditional
                graph.add(sub)
        return
    if kind in ("ecs.service", "ecs.task_set"):
        _launch(c, body, "task_definition", body.block_list("network_configuration"))
    elif kind == "ecs.task_definition":
        for name, out in (("execution_role_arn", "execution_role"), ("task_role_arn", "task_role"),
                          ("requires_compatibilities", "requires_compatibilities"),
                          ("network_mode", "network_mode"), ("cpu", "cpu"), ("memory", "memory"),
                          ("family", "family")):
            attr(name, out)
        t = body.attrs.get("container_definitions")
        defs: Any = None
        if t is not None:
            r.spans[("containers",)] = Span.at(pos_of(t))
            defs = _json_value(ev, t, "container_definitions")
        r.attrs["containers"] = common.normalise_containers(defs, False, r.spans) if defs is not None else []
    elif kind == "ec2.route_table":
        if res.rtype == "aws_default_route_table":
            v = attr("default_route_table_id", "vpc")
            if isinstance(v, Ref):
                r.attrs["vpc"] = Ref(v.target, v.rtype, None)
            r.attrs["main"] = True
        else:
            attr("vpc_id", "vpc")
            r.attrs["main"] = False
        routes = []
        for i, rb in enumerate(body.block_list("route")):
            rec: Dict[str, Any] = {"destination": ev.eval(rb.attrs["cidr_block"]) if "cidr_block" in rb.attrs
                                   else None,
                                   "destination_ipv6": c.value(rb, "ipv6_cidr_block"),
                                   "destination_prefix_list": ev.eval(rb.attrs["destination_prefix_list_id"])
                                   if "destination_prefix_list_id" in rb.attrs else None,
                                   "target": None, "target_attr": None}
            for name, tk in ROUTE_TARGETS.items():
                if name in rb.attrs:
                    rec["target"] = ev.eval(rb.attrs[name])
                    rec["target_attr"] = tk
                    r.spans[("routes", i, "target")] = Span.at(pos_of(rb.attrs[name]))
                    break
            routes.append(rec)
        if ("route" in body.attrs and not isinstance(body.attrs["route"], Known)) or any(
                n == "dynamic" and labels == ["route"] for n, labels, _, _ in body.blocks):
            routes.append({"destination": Unknown("route attribute"), "target": None, "target_attr": None})
        r.attrs["routes"] = routes
    elif kind == "ec2.route":
        r.attrs["target"] = None
        r.attrs["target_attr"] = None
        for name, tk in ROUTE_TARGETS.items():
            if name in body.attrs:
                attr(name, "target")
                r.attrs["target_attr"] = tk
                break
    elif kind == "ec2.route_table_association":
        if res.rtype == "aws_main_route_table_association":
            attr("vpc_id", "main_for_vpc")
            r.attrs["subnet"] = None
        else:
            attr("subnet_id", "subnet")
            r.attrs["main_for_vpc"] = None
            if r.attrs["subnet"] is None:
                return  # a gateway association
    elif kind == "ec2.vpc_endpoint":
        if attr("vpc_endpoint_type", "type") is None:
            r.attrs["type"] = "Gateway"
    elif kind == "ec2.vpc_endpoint_route_table_association":
        attr("vpc_endpoint_id", "vpc_endpoint")
        attr("route_table_id", "route_table")
    elif kind in ("ecs.cluster", "ecs.cluster_capacity_providers"):
        strategies = c.blocks(body, "default_capacity_provider_strategy")
        r.attrs["default_strategy"] = strategies if isinstance(strategies, Unknown) else \
            [c.value(s, "capacity_provider") for s in strategies] if strategies else None
    elif kind == "ecr.repository":
        r.attrs["policy"] = None
    elif kind == "iam.role":
        blocks = c.blocks(body, "inline_policy")
        r.attrs["inline"] = None
        if isinstance(blocks, Unknown):
            r.attrs["inline"] = blocks
        elif blocks:
            r.attrs["inline"] = [(c.value(b, "name"), policy.parse(c.value(b, "policy"))) for b in blocks]
            for i, b in enumerate(blocks):
                if "policy" in b.attrs:
                    r.spans[("inline", i)] = Span.at(pos_of(b.attrs["policy"]))
    r.attrs["conditional"] = conditional
    graph.add(r)


def _launch(c: _Ctx, body: Body, task_definition: str, nets: List[Body], vpc_block: str = "") -> None:
    """Launch type, task definition, capacity providers and awsvpc settings from HCL blocks."""
    r, attr = c.r, c.attr
    attr("launch_type", "launch_type", body)
    attr(task_definition, "task_definition", body)
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
            r.attrs["subnets"] = _flatten_refs(subnets)
        groups = attr("security_groups", "security_groups", n)
        if isinstance(groups, list):
            r.attrs["security_groups"] = _flatten_refs(groups)
        attr("assign_public_ip", "assign_public_ip", n)
    else:
        r.attrs.update(subnets=None, security_groups=None, assign_public_ip=None)
    r.attrs["region"] = c.module.region()


def _one(c: _Ctx, b: Body, name: str) -> List[Any]:
    v = c.value(b, name)
    return [] if v is None else [v]


def _rules(c: _Ctx, direction: str) -> None:
    blocks = c.blocks(c.body, direction)
    if isinstance(blocks, Unknown):
        c.r.attrs[direction] = blocks
        return
    out = []
    for i, b in enumerate(blocks):
        out.append({"protocol": c.value(b, "protocol"), "from": c.value(b, "from_port"),
                    "to": c.value(b, "to_port"), "cidr4": c.value(b, "cidr_blocks") or [],
                    "cidr6": c.value(b, "ipv6_cidr_blocks") or [], "prefix_lists": c.value(b, "prefix_list_ids") or [],
                    "groups": c.value(b, "security_groups") or [], "self": c.value(b, "self") is True})
        for name in ("protocol", "from_port"):
            if name in b.attrs:
                c.r.spans[(direction, i)] = Span.at(pos_of(b.attrs[name]))
                break
    c.r.attrs[direction] = out if blocks else None


def _b_security_group(c: _Ctx) -> None:
    default = c.r.rtype == "aws_default_security_group"
    _rules(c, "ingress")
    _rules(c, "egress")
    # Terraform removes the allow-all egress rule EC2 creates; an adopted default group loses all its rules
    c.r.attrs["egress_default"] = "none"
    c.r.attrs["default"] = default


def _b_security_group_rule(c: _Ctx) -> None:
    r, b = c.r, c.body
    if r.rtype == "aws_security_group_rule":
        direction = c.value(b, "type")
        r.attrs["direction"] = direction if direction in ("ingress", "egress") else Unknown("rule type")
        peer = c.value(b, "source_security_group_id")
        r.attrs["rule"] = {"protocol": c.value(b, "protocol"), "from": c.value(b, "from_port"),
                           "to": c.value(b, "to_port"), "cidr4": c.value(b, "cidr_blocks") or [],
                           "cidr6": c.value(b, "ipv6_cidr_blocks") or [],
                           "prefix_lists": c.value(b, "prefix_list_ids") or [],
                           "groups": [] if peer is None else [peer], "self": c.value(b, "self") is True}
    else:
        r.attrs["direction"] = "egress" if r.rtype.endswith("egress_rule") else "ingress"
        r.attrs["rule"] = {"protocol": c.value(b, "ip_protocol"), "from": c.value(b, "from_port"),
                           "to": c.value(b, "to_port"), "cidr4": _one(c, b, "cidr_ipv4"),
                           "cidr6": _one(c, b, "cidr_ipv6"), "prefix_lists": _one(c, b, "prefix_list_id"),
                           "groups": _one(c, b, "referenced_security_group_id"), "self": False}
    c.attr("security_group_id", "group")


def _acl_entries(c: _Ctx) -> Any:
    out = []
    for direction in ("egress", "ingress"):
        blocks = c.blocks(c.body, direction)
        if isinstance(blocks, Unknown):
            return blocks
        for b in blocks:
            out.append({"egress": direction == "egress", "number": c.value(b, "rule_no"),
                        "protocol": c.value(b, "protocol"), "action": c.value(b, "action"),
                        "cidr4": c.value(b, "cidr_block"), "cidr6": c.value(b, "ipv6_cidr_block"),
                        "from": c.value(b, "from_port"), "to": c.value(b, "to_port")})
    return out


def _b_network_acl(c: _Ctx) -> None:
    default = c.r.rtype == "aws_default_network_acl"
    if default:
        v = c.attr("default_network_acl_id", "vpc")
        c.r.attrs["vpc"] = Ref(v.target, v.rtype, None) if isinstance(v, Ref) else v
    else:
        c.attr("vpc_id", "vpc")
    subnets = c.attr("subnet_ids", "subnets")
    if isinstance(subnets, list):
        c.r.attrs["subnets"] = _flatten_refs(subnets)
    elif subnets is None:
        c.r.attrs["subnets"] = []
    c.r.attrs["entries"] = _acl_entries(c)
    c.r.attrs["default"] = default


def _b_network_acl_rule(c: _Ctx) -> None:
    b = c.body
    c.attr("network_acl_id", "acl")
    c.attr("rule_number", "rule_number")
    c.r.attrs["entry"] = {"egress": c.value(b, "egress") or False, "number": c.value(b, "rule_number"),
                          "protocol": c.value(b, "protocol"), "action": c.value(b, "rule_action"),
                          "cidr4": c.value(b, "cidr_block"), "cidr6": c.value(b, "ipv6_cidr_block"),
                          "from": c.value(b, "from_port"), "to": c.value(b, "to_port")}


def _b_table_only(c: _Ctx) -> None:
    """A kind whose attributes all come from the mapping table."""


def _nested(b: Body, *names: str) -> List[Body]:
    found = [b]
    for n in names:
        found = [x for f in found for x in f.block_list(n)]
    return found


def _b_event_target(c: _Ctx) -> Any:
    targets = _nested(c.body, "ecs_target")
    if not targets:
        return []
    t = targets[0]
    _launch(c, t, "task_definition_arn", t.block_list("network_configuration"))
    return None


def _b_schedule(c: _Ctx) -> Any:
    params = _nested(c.body, "target", "ecs_parameters")
    if not params:
        return []
    _launch(c, params[0], "task_definition_arn", params[0].block_list("network_configuration"))
    v = c.r.attrs.get("assign_public_ip")
    if isinstance(v, bool):  # the provider sends ENABLED / DISABLED
        c.r.attrs["assign_public_ip"] = "ENABLED" if v else "DISABLED"
    return None


def _b_pipe(c: _Ctx) -> Any:
    params = _nested(c.body, "target_parameters", "ecs_task_parameters")
    if not params:
        return []
    _launch(c, params[0], "task_definition_arn", params[0].block_list("network_configuration"),
            vpc_block="aws_vpc_configuration")
    return None


def _b_state_machine(c: _Ctx) -> Any:
    from pullcheck.formats import statemachine

    t = c.body.attrs.get("definition")
    if t is None:
        return []
    v = c.ev.eval(t)
    shifted = False
    if isinstance(v, JsonEncoded):
        v = v.value
        shifted = True
    definition = statemachine.definition_value(v)
    if isinstance(v, (str, Template)) and not isinstance(definition, Unknown):
        definition = shift(definition, pos_of(t)[0] - (0 if is_heredoc(t) else 1))
        shifted = True
    out = []
    for name, params, pos in statemachine.run_task_states(definition):
        sub = Resource(key=f"{c.r.key}/{name}", kind="ecs.run_task", rtype=c.r.rtype, name=f"{c.r.name}.{name}",
                       file=c.r.file, span=Span.at(pos if shifted else pos_of(t)))
        common.normalise_launch(params if isinstance(params, dict) else MDict(), True, sub.spans, sub.attrs)
        if isinstance(params, Unknown):
            sub.attrs["launch_type"] = params
        if not shifted:
            sub.spans = {k: Span.at(pos_of(t)) for k in sub.spans}
        sub.attrs["region"] = c.module.region()
        out.append(sub)
    return out


def _json_attr(c: _Ctx, name: str) -> Any:
    t = c.body.attrs.get(name)
    return None if t is None else _json_value(c.ev, t, name)


def _json_value(ev: Evaluator, t: Any, name: str) -> Any:
    """An attribute holding JSON: jsonencode(...), or a string or heredoc, whose unknown interpolations
    leave the rest of the document readable (only the values built from them are unknown). Decoding it is
    spent from the root module's budget, for each instance of the resource."""
    v = ev.eval(t)
    if isinstance(v, JsonEncoded):
        return v.value
    if isinstance(v, (str, Template)):
        budget = ev.m.budget
        try:
            parsed = json_with_holes(v, budget)
            if not is_literal_text(t):  # read from a file or built elsewhere: found at the attribute
                return pinned(parsed, pos_of(t))
            # heredoc JSON starts on the line after the attribute; a quoted string on its line
            return shift(parsed, pos_of(t)[0] - (0 if is_heredoc(t) else 1))
        except ParseError:
            return Unknown(f"{name} is not valid JSON")
        except Unknowable as e:
            return budget.spent() if budget.over() else Unknown(f"{name} {e}")
    return v if isinstance(v, Unknown) else Unknown(f"{name} cannot be evaluated")


def _b_batch_job(c: _Ctx) -> None:
    c.attr("platform_capabilities", "platform_capabilities")
    c.r.attrs.update(common.normalise_batch_job(c.r.attrs["platform_capabilities"], _json_attr(c, "container_properties"),
                                                _json_attr(c, "ecs_properties"), False, c.r.spans))


def _b_compute_environment(c: _Ctx) -> None:
    crs = c.body.block_list("compute_resources")
    if not crs:
        c.r.attrs.update(fargate=False, subnets=None, security_groups=None)
        return
    ctype = c.value(crs[0], "type")
    c.r.attrs["fargate"] = ctype.upper() in ("FARGATE", "FARGATE_SPOT") if isinstance(ctype, str) else None
    for name, out in (("subnets", "subnets"), ("security_group_ids", "security_groups")):
        v = c.attr(name, out, crs[0])
        if isinstance(v, list):
            c.r.attrs[out] = _flatten_refs(v)


def _b_policy(c: _Ctx) -> None:
    doc = c.attr("policy", "document")
    c.r.attrs["document"] = policy.parse(doc)
    c.attr("name", "policy_name")
    if c.r.rtype == "aws_iam_role_policy":
        c.r.attrs["roles"] = [c.value(c.body, "role")]
        c.r.attrs["managed"] = False
    else:
        c.r.attrs["roles"] = []
        c.r.attrs["managed"] = True


def _b_attachment(c: _Ctx) -> None:
    if c.r.rtype == "aws_iam_role_policy_attachment":
        c.r.attrs["roles"] = [c.value(c.body, "role")]
    else:
        roles = c.value(c.body, "roles")
        c.r.attrs["roles"] = roles if isinstance(roles, (list, Unknown)) else []
    c.attr("policy_arn", "policy_arn")


def _b_policy_document(c: _Ctx) -> None:
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


def _b_query(c: _Ctx) -> None:
    """A data source that selects resources: its filters, tags and IDs as (name, [values]) criteria."""
    b = c.body
    criteria: List[Any] = []
    for f in b.block_list("filter"):
        name, values = c.value(f, "name"), c.value(f, "values")
        if not isinstance(name, str):
            c.r.attrs["criteria"] = Unknown("a filter name cannot be known")
            return
        criteria.append((name, values if isinstance(values, list) else Unknown("filter values")))
    tags = c.value(b, "tags")
    if isinstance(tags, dict):
        criteria.extend((f"tag:{k}", [v]) for k, v in tags.items())
    elif tags is not None:
        c.r.attrs["criteria"] = Unknown("tags cannot be known")
        return
    for attr, name in (("vpc_id", "vpc-id"), ("cidr_block", "cidr-block")):
        v = c.value(b, attr)
        if v is not None:
            criteria.append((name, [v]))
    if any(k in b.attrs for k in ("id", "default", "state", "availability_zone", "availability_zone_id")):
        criteria = []  # selectors this does not model: leave the answer unknown
    c.r.attrs["criteria"] = criteria


def _b_repository_policy(c: _Ctx) -> None:
    c.attr("repository", "repository")
    doc = c.attr("policy", "document")
    c.r.attrs["document"] = policy.parse(doc)




_BUILDERS = {
    "aws_security_group": _b_security_group, "aws_default_security_group": _b_security_group,
    "aws_security_group_rule": _b_security_group_rule, "aws_vpc_security_group_egress_rule": _b_security_group_rule,
    "aws_vpc_security_group_ingress_rule": _b_security_group_rule,
    "aws_network_acl": _b_network_acl, "aws_default_network_acl": _b_network_acl,
    "aws_network_acl_rule": _b_network_acl_rule, "aws_network_acl_association": _b_table_only,
    "aws_vpc_dhcp_options": _b_table_only, "aws_vpc_dhcp_options_association": _b_table_only,
    "aws_ecr_pull_through_cache_rule": _b_table_only,
    "aws_cloudwatch_event_target": _b_event_target, "aws_scheduler_schedule": _b_schedule,
    "aws_pipes_pipe": _b_pipe, "aws_sfn_state_machine": _b_state_machine,
    "aws_batch_job_definition": _b_batch_job, "aws_batch_compute_environment": _b_compute_environment,
    "aws_iam_role_policy": _b_policy, "aws_iam_policy": _b_policy,
    "aws_iam_role_policy_attachment": _b_attachment, "aws_iam_policy_attachment": _b_attachment,
    "data.aws_iam_policy_document": _b_policy_document, "aws_ecr_repository_policy": _b_repository_policy,
    "aws_ecr_registry_policy": lambda c: None, "aws_secretsmanager_secret": _b_table_only,
    "data.aws_subnets": _b_query, "data.aws_subnet": _b_query, "data.aws_vpc": _b_query,
}


def _flatten_refs(v: List[Any]) -> Any:
    """Terraform 0.11 wrote ``["${aws_subnet.x.*.id}"]``: a list inside a list means the inner list."""
    out = MList()
    out.pos = getattr(v, "pos", (1, 1))
    out.ipos = []
    ipos = getattr(v, "ipos", [])
    for i, item in enumerate(v):
        p = ipos[i] if i < len(ipos) else out.pos
        if isinstance(item, list):
            for x in item:
                out.append(x)
                out.ipos.append(p)
        else:
            out.append(item)
            out.ipos.append(p)
    return out


