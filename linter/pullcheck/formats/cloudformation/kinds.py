"""What each canonical kind reads from a CloudFormation resource's evaluated properties, besides the columns
of the attribute table (``graph.mapping``): one builder per kind in ``BUILDERS``."""
from __future__ import annotations

from typing import Any, Dict, List

from pullcheck.facts import policy
from pullcheck.formats import common
from pullcheck.graph.model import Resource, Span
from pullcheck.graph.values import Unknown, text_of
from pullcheck.sources.marked import MDict, MList

ROUTE_TARGETS = {
    "GatewayId": "gateway", "NatGatewayId": "nat", "InstanceId": "instance", "TransitGatewayId": "tgw",
    "VpcPeeringConnectionId": "pcx", "EgressOnlyInternetGatewayId": "eigw", "NetworkInterfaceId": "eni",
    "VpcEndpointId": "vpce", "CarrierGatewayId": "cagw", "LocalGatewayId": "lgw", "CoreNetworkArn": "core",
}


def prop(res: Resource, props: MDict, attr: str, name: str) -> Any:
    """The property ``name`` as the attribute ``attr``, with its place and its items'."""
    v, pos = common.field(props, name, True)
    common.put(res.spans, (attr,), pos)
    if isinstance(v, MList):
        for i, p in enumerate(v.ipos):
            common.put(res.spans, (attr, i), p)
    res.attrs[attr] = v
    return v


def generic(res: Resource, props: MDict) -> None:
    """A kind whose attributes are all in the table."""
    return None


def _whole(v: Any) -> Any:
    """An integer property (a port, a protocol or rule number) as written; a float there (``443.0``,
    ``.inf``, JSON's ``1e400``) is not an integer, and what CloudFormation would make of it is not known."""
    return Unknown(f"{v!r} where an integer is required") if isinstance(v, float) else v


def _rule_record(props: Any, direction: str) -> Dict[str, Any]:
    """One security group rule (inline or standalone) in the shape shared with Terraform."""
    peer = "Source" if direction == "ingress" else "Destination"
    def get(name: str) -> Any:
        return props.get(name) if isinstance(props, dict) else None
    def one(v: Any) -> List[Any]:
        return [] if v is None else [v]
    return {"protocol": _whole(get("IpProtocol")), "from": _whole(get("FromPort")), "to": _whole(get("ToPort")),
            "cidr4": one(get("CidrIp")), "cidr6": one(get("CidrIpv6")),
            "prefix_lists": one(get(f"{peer}PrefixListId")),
            "groups": one(get(f"{peer}SecurityGroupId")), "self": False}


def _rule_list(res: Resource, props: MDict, attr: str, name: str, direction: str) -> None:
    v = prop(res, props, attr, name)
    if v is None or isinstance(v, Unknown):
        return
    if not isinstance(v, list):
        res.attrs[attr] = Unknown(f"{name} cannot be read")
        return
    res.attrs[attr] = [_rule_record(x, direction) if isinstance(x, dict) else Unknown("rule") for x in v]


def _security_group(res: Resource, props: MDict) -> None:
    _rule_list(res, props, "ingress", "securityGroupIngress", "ingress")
    _rule_list(res, props, "egress", "securityGroupEgress", "egress")
    # CloudFormation keeps EC2's allow-all egress rule unless inline egress rules replace it
    res.attrs["egress_default"] = "all"
    res.attrs["default"] = False


def _security_group_rule(res: Resource, props: MDict) -> None:
    direction = "egress" if res.rtype.endswith("Egress") else "ingress"
    res.attrs["direction"] = direction
    prop(res, props, "group", "groupId")
    if res.attrs["group"] is None and props.get("GroupName") is not None:
        res.attrs["group"] = Unknown("a group given by name")
    res.attrs["rule"] = _rule_record(props, direction)


def _network_acl(res: Resource, props: MDict) -> None:
    prop(res, props, "vpc", "vpcId")
    res.attrs.update(default=False, entries=[], subnets=[])


def _network_acl_entry(res: Resource, props: MDict) -> None:
    prop(res, props, "acl", "networkAclId")
    ports = props.get("PortRange") if isinstance(props.get("PortRange"), dict) else {}
    prop(res, props, "rule_number", "ruleNumber")
    res.attrs["entry"] = {"egress": props.get("Egress", False), "number": _whole(props.get("RuleNumber")),
                          "protocol": _whole(props.get("Protocol")), "action": props.get("RuleAction"),
                          "cidr4": props.get("CidrBlock"), "cidr6": props.get("Ipv6CidrBlock"),
                          "from": _whole(ports.get("From")), "to": _whole(ports.get("To"))}


def _run_task(parent: Resource, suffix: str, params: Any, pos: Any, task_definition: str) -> Resource:
    """A launch site inside another resource (a rule target, a schedule, a pipe, a state)."""
    pos = pos or (parent.span.line, parent.span.col)
    sub = Resource(key=f"{parent.key}/{suffix}", kind="ecs.run_task", rtype=parent.rtype,
                   name=f"{parent.name}.{suffix}", file=parent.file, span=Span.at(pos))
    common.normalise_launch(params if isinstance(params, dict) else MDict(), True, sub.spans, sub.attrs,
                            task_definition)
    if isinstance(params, Unknown):  # nothing of the launch is known, its network configuration included
        sub.attrs["launch_type"] = sub.attrs["has_network_configuration"] = params
    sub.attrs["conditional"] = parent.attrs.get("conditional", False)
    return sub


def _events_rule(res: Resource, props: MDict) -> List[Resource]:
    out = []
    targets = props.get("Targets")
    for i, t in enumerate(targets if isinstance(targets, list) else []):
        if not isinstance(t, dict) or "EcsParameters" not in t:
            continue
        tid = t.get("Id")
        suffix = f"Targets[{tid}]" if isinstance(tid, str) else f"Targets[{i}]"
        pos = targets.ipos[i] if isinstance(targets, MList) and i < len(targets.ipos) else None
        out.append(_run_task(res, suffix, t["EcsParameters"], pos, "taskDefinitionArn"))
    return out


def _schedule(res: Resource, props: MDict) -> List[Resource]:
    target = props.get("Target")
    params = target.get("EcsParameters") if isinstance(target, dict) else None
    if params is None:
        return []
    return [_run_task(res, "Target", params, props.kpos.get("Target"), "taskDefinitionArn")]


def _pipe(res: Resource, props: MDict) -> List[Resource]:
    target = props.get("TargetParameters")
    params = target.get("EcsTaskParameters") if isinstance(target, dict) else None
    if params is None:
        return []
    return [_run_task(res, "Target", params, props.kpos.get("TargetParameters"), "taskDefinitionArn")]


def _state_machine(res: Resource, props: MDict) -> List[Resource]:
    """The ``ecs:runTask`` states of a state machine (Step Functions or SAM), wherever its definition is
    written (``pullcheck.formats.cloudformation.definitions``)."""
    from pullcheck.formats import statemachine
    from pullcheck.formats.cloudformation.definitions import definition_of

    found = definition_of(res.rtype, res.file, props)
    if found is None:
        return []
    out = []
    kpos = props.kpos.get(found.key)
    for name, params, pos in statemachine.run_task_states(found.value):
        sub = _run_task(res, name, params, pos if found.placed else kpos, "taskDefinition")
        if not found.placed and kpos:  # positions inside a JSON string are not file positions
            sub.spans = {k: Span.at(kpos) for k in sub.spans}
        if found.file:  # the state is written in the definition file: findings point there
            sub.file = found.file
        out.append(sub)
    return out


def _batch_job(res: Resource, props: MDict) -> None:
    res.attrs.update(common.normalise_batch_job(props.get("PlatformCapabilities"), props.get("ContainerProperties"),
                                                props.get("EcsProperties"), True, res.spans))


def _compute_environment(res: Resource, props: MDict) -> None:
    cr = props.get("ComputeResources")
    ctype, _ = common.field(cr, "type", True)
    res.attrs["fargate"] = ctype.upper() in ("FARGATE", "FARGATE_SPOT") if isinstance(ctype, str) else \
        (False if cr is None else None)
    for attr, name in (("subnets", "subnets"), ("security_groups", "securityGroupIds")):
        v, pos = common.field(cr, name, True)
        res.attrs[attr] = v
        common.put(res.spans, (attr,), pos)
        if isinstance(v, MList):
            for i, p in enumerate(v.ipos):
                common.put(res.spans, (attr, i), p)


def _cluster(res: Resource, props: MDict) -> None:
    v = prop(res, props, "default_strategy", "defaultCapacityProviderStrategy")
    res.attrs["default_strategy"] = common.capacity_providers(v, True)


def _launch(res: Resource, props: MDict) -> None:
    common.normalise_launch(props, True, res.spans, res.attrs)


def _task_definition(res: Resource, props: MDict) -> None:
    if res.rtype == "AWS::Batch::JobDefinition":
        return _batch_job(res, props)
    res.attrs.update(common.normalise_task_definition(props, True, res.spans))


def _subnet(res: Resource, props: MDict) -> None:
    if res.attrs["ipv6_cidr"] is None:
        prop(res, props, "ipv6_cidr", "ipv6CidrBlocks")


def _route_table(res: Resource, props: MDict) -> None:
    prop(res, props, "vpc", "vpcId")
    res.attrs["routes"] = []
    res.attrs["main"] = False


def _route(res: Resource, props: MDict) -> None:
    res.attrs["target"] = None
    res.attrs["target_attr"] = None
    for name, tk in ROUTE_TARGETS.items():
        if name in props:
            res.attrs["target"] = props[name]
            res.attrs["target_attr"] = tk
            common.put(res.spans, ("target",), props.kpos.get(name))
            break


def _association(res: Resource, props: MDict) -> None:
    prop(res, props, "subnet", "subnetId")
    res.attrs["main_for_vpc"] = None


def _endpoint(res: Resource, props: MDict) -> None:
    prop(res, props, "type", "vpcEndpointType")
    if res.attrs["type"] is None:
        res.attrs["type"] = "Gateway"


def _repository(res: Resource, props: MDict) -> None:
    if prop(res, props, "policy", "repositoryPolicyText") is not None:
        res.attrs["policy"] = policy.parse(res.attrs["policy"])


def _role(res: Resource, props: MDict) -> None:
    inline = prop(res, props, "inline", "policies")
    if isinstance(inline, list):
        res.attrs["inline"] = [(text_of(p.get("PolicyName")) if isinstance(p, dict) else None,
                                policy.parse(p.get("PolicyDocument")) if isinstance(p, dict) else Unknown("policy"))
                               for p in inline]
    elif inline is not None:
        res.attrs["inline"] = Unknown("inline policies cannot be read")


def _policy(res: Resource, props: MDict) -> None:
    doc = prop(res, props, "document", "policyDocument")
    res.attrs["document"] = policy.parse(doc)
    res.attrs["managed"] = res.rtype == "AWS::IAM::ManagedPolicy"
    if res.rtype == "AWS::IAM::RolePolicy":
        role = prop(res, props, "roles", "roleName")
        res.attrs["roles"] = [role]
    else:
        prop(res, props, "roles", "roles")
        if res.attrs["roles"] is None:
            res.attrs["roles"] = []
    prop(res, props, "policy_name", "policyName")


BUILDERS = {
    "ecs.service": _launch,
    "ecs.task_set": _launch,
    "ecs.task_definition": _task_definition,
    "ecs.cluster": _cluster,
    "ecs.cluster_capacity_providers": _cluster,
    "ec2.subnet": _subnet,
    "ec2.route_table": _route_table,
    "ec2.route": _route,
    "ec2.route_table_association": _association,
    "ec2.vpc_endpoint": _endpoint,
    "ecr.repository": _repository,
    "iam.role": _role,
    "iam.policy": _policy,
    "ec2.security_group": _security_group,
    "ec2.security_group_rule": _security_group_rule,
    "ec2.network_acl": _network_acl,
    "ec2.network_acl_entry": _network_acl_entry,
    "launch.events_rule": _events_rule,
    "launch.schedule": _schedule,
    "launch.pipe": _pipe,
    "launch.state_machine": _state_machine,
    "batch.compute_environment": _compute_environment,
}
