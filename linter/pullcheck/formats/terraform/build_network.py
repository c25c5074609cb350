"""Builders of Terraform's network resources: route tables and routes, their associations, endpoints, security
groups and their rules, network ACLs and their rules, and the data sources that select subnets and VPCs."""
from __future__ import annotations

from typing import Any, Dict, List

from pullcheck.formats.terraform.build_context import BuildContext, flatten_refs, listed
from pullcheck.formats.terraform.syntax import Known, pos_of
from pullcheck.graph.model import Span
from pullcheck.graph.values import Ref, Unknown

ROUTE_TARGETS = {"gateway_id": "gateway", "nat_gateway_id": "nat", "transit_gateway_id": "tgw",
                 "vpc_peering_connection_id": "pcx", "network_interface_id": "eni", "vpc_endpoint_id": "vpce",
                 "egress_only_gateway_id": "eigw", "carrier_gateway_id": "cagw", "local_gateway_id": "lgw",
                 "core_network_arn": "core", "instance_id": "instance"}


def route_table(c: BuildContext) -> None:
    r, attr = c.r, c.attr
    if r.rtype == "aws_default_route_table":
        v = attr("default_route_table_id", "vpc")
        if isinstance(v, Ref):
            r.attrs["vpc"] = Ref(v.target, v.rtype, None)
        r.attrs["main"] = True
    else:
        attr("vpc_id", "vpc")
        r.attrs["main"] = False
    r.attrs["routes"] = _routes(c)


def _routes(c: BuildContext) -> List[Any]:
    """A route table's route blocks; one whose destination cannot be known stands for those that a route
    attribute or a dynamic block may add."""
    r, body, ev = c.r, c.body, c.ev
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
                r.spans[("routes", i, "target")] = Span.at(pos_of(rb.attrs[name]), c.elsewhere(rb, name))
                break
        routes.append(rec)
    if ("route" in body.attrs and not isinstance(body.attrs["route"], Known)) or any(
            n == "dynamic" and labels == ["route"] for n, labels, _, _ in body.blocks):
        routes.append({"destination": Unknown("route attribute"), "target": None, "target_attr": None})
    return routes


def route(c: BuildContext) -> None:
    r = c.r
    r.attrs["target"] = None
    r.attrs["target_attr"] = None
    for name, tk in ROUTE_TARGETS.items():
        if name in c.body.attrs:
            c.attr(name, "target")
            r.attrs["target_attr"] = tk
            break


def route_table_association(c: BuildContext) -> Any:
    """A subnet's (or, the main one, a VPC's) route table; a gateway's association is not built."""
    r, attr = c.r, c.attr
    if r.rtype == "aws_main_route_table_association":
        attr("vpc_id", "main_for_vpc")
        r.attrs["subnet"] = None
    else:
        attr("subnet_id", "subnet")
        r.attrs["main_for_vpc"] = None
        if r.attrs["subnet"] is None:
            return []  # a gateway association
    return None


def vpc_endpoint(c: BuildContext) -> None:
    if c.attr("vpc_endpoint_type", "type") is None:
        c.r.attrs["type"] = "Gateway"


def endpoint_route_table_association(c: BuildContext) -> None:
    c.attr("vpc_endpoint_id", "vpc_endpoint")
    c.attr("route_table_id", "route_table")


def _rules(c: BuildContext, direction: str) -> None:
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
                c.r.spans[(direction, i)] = Span.at(pos_of(b.attrs[name]), c.elsewhere(b, name))
                break
    c.r.attrs[direction] = out if blocks else None


def security_group(c: BuildContext) -> None:
    default = c.r.rtype == "aws_default_security_group"
    _rules(c, "ingress")
    _rules(c, "egress")
    # Terraform removes the allow-all egress rule EC2 creates; an adopted default group loses all its rules
    c.r.attrs["egress_default"] = "none"
    c.r.attrs["default"] = default


def security_group_rule(c: BuildContext) -> None:
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
                           "to": c.value(b, "to_port"), "cidr4": listed(c, b, "cidr_ipv4"),
                           "cidr6": listed(c, b, "cidr_ipv6"), "prefix_lists": listed(c, b, "prefix_list_id"),
                           "groups": listed(c, b, "referenced_security_group_id"), "self": False}
    c.attr("security_group_id", "group")


def _acl_entries(c: BuildContext) -> Any:
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


def network_acl(c: BuildContext) -> None:
    default = c.r.rtype == "aws_default_network_acl"
    if default:
        v = c.attr("default_network_acl_id", "vpc")
        c.r.attrs["vpc"] = Ref(v.target, v.rtype, None) if isinstance(v, Ref) else v
    else:
        c.attr("vpc_id", "vpc")
    subnets = c.attr("subnet_ids", "subnets")
    if isinstance(subnets, list):
        c.r.attrs["subnets"] = flatten_refs(subnets)
    elif subnets is None:
        c.r.attrs["subnets"] = []
    c.r.attrs["entries"] = _acl_entries(c)
    c.r.attrs["default"] = default


def network_acl_rule(c: BuildContext) -> None:
    b = c.body
    c.attr("network_acl_id", "acl")
    c.attr("rule_number", "rule_number")
    c.r.attrs["entry"] = {"egress": c.value(b, "egress") or False, "number": c.value(b, "rule_number"),
                          "protocol": c.value(b, "protocol"), "action": c.value(b, "rule_action"),
                          "cidr4": c.value(b, "cidr_block"), "cidr6": c.value(b, "ipv6_cidr_block"),
                          "from": c.value(b, "from_port"), "to": c.value(b, "to_port")}


def query(c: BuildContext) -> None:
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
    for attr, name in (("vpc_id", "vpc-id"), ("cidr_block", "cidr-block"), ("id", "id"), ("route_table_id", "id"),
                       ("name", "group-name"), ("service_name", "service-name"),
                       ("subnet_id", "association.subnet-id")):
        v = c.value(b, attr)
        if v is not None:
            criteria.append((name, [v]))
    if any(k in b.attrs for k in ("default", "state", "availability_zone", "availability_zone_id",
                                  "gateway_id", "service", "ids")):
        criteria = []  # selectors this does not model: leave the answer unknown
    c.r.attrs["criteria"] = criteria
