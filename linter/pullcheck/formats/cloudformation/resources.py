"""The resources of a template into the graph: each of a known kind evaluated and read into its kind's
attributes, or, in the language server, its earlier evaluation added again while nothing it reads changed."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, List, Optional

from pullcheck.graph import suppressions as suppress
from pullcheck.facts import policy
from pullcheck.formats.cloudformation.definitions import LOCAL_FILE
from pullcheck.formats.cloudformation.kinds import BUILDERS, generic, prop
from pullcheck.formats.cloudformation.resolver import MAX_STEPS, MAX_TEXT, Resolver
from pullcheck.formats.cloudformation.stacks import NESTED
from pullcheck.graph import mapping
from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.sources import marked
from pullcheck.sources.marked import MDict

KINDS = {
    "AWS::ECS::Service": "ecs.service",
    "AWS::ECS::TaskSet": "ecs.task_set",
    "AWS::ECS::TaskDefinition": "ecs.task_definition",
    "AWS::EC2::VPC": "ec2.vpc",
    "AWS::EC2::Subnet": "ec2.subnet",
    "AWS::EC2::RouteTable": "ec2.route_table",
    "AWS::EC2::Route": "ec2.route",
    "AWS::EC2::SubnetRouteTableAssociation": "ec2.route_table_association",
    "AWS::EC2::InternetGateway": "ec2.internet_gateway",
    "AWS::EC2::VPCGatewayAttachment": "ec2.gateway_attachment",
    "AWS::EC2::NatGateway": "ec2.nat_gateway",
    "AWS::EC2::VPCEndpoint": "ec2.vpc_endpoint",
    "AWS::EC2::SecurityGroup": "ec2.security_group",
    "AWS::EC2::EgressOnlyInternetGateway": "ec2.egress_only_internet_gateway",
    "AWS::EC2::TransitGateway": "ec2.transit_gateway",
    "AWS::EC2::VPCPeeringConnection": "ec2.vpc_peering_connection",
    "AWS::IAM::Role": "iam.role",
    "AWS::ECR::Repository": "ecr.repository",
    "AWS::ECS::Cluster": "ecs.cluster",
    "AWS::ECS::ClusterCapacityProviderAssociations": "ecs.cluster_capacity_providers",
    "AWS::ECS::CapacityProvider": "ecs.capacity_provider",
    "AWS::EC2::SecurityGroupIngress": "ec2.security_group_rule",
    "AWS::EC2::SecurityGroupEgress": "ec2.security_group_rule",
    "AWS::EC2::NetworkAcl": "ec2.network_acl",
    "AWS::EC2::NetworkAclEntry": "ec2.network_acl_entry",
    "AWS::EC2::SubnetNetworkAclAssociation": "ec2.network_acl_association",
    "AWS::EC2::DHCPOptions": "ec2.dhcp_options",
    "AWS::EC2::VPCDHCPOptionsAssociation": "ec2.dhcp_options_association",
    "AWS::ECR::PullThroughCacheRule": "ecr.pull_through_cache_rule",
    "AWS::Events::Rule": "launch.events_rule",
    "AWS::Scheduler::Schedule": "launch.schedule",
    "AWS::Pipes::Pipe": "launch.pipe",
    "AWS::StepFunctions::StateMachine": "launch.state_machine",
    "AWS::Serverless::StateMachine": "launch.state_machine",
    "AWS::Batch::JobDefinition": "ecs.task_definition",
    "AWS::Batch::ComputeEnvironment": "batch.compute_environment",
    "AWS::IAM::Policy": "iam.policy",
    "AWS::IAM::ManagedPolicy": "iam.policy",
    "AWS::IAM::RolePolicy": "iam.policy",
    "AWS::ECR::RegistryPolicy": "ecr.registry_policy",
    "AWS::SecretsManager::Secret": "secretsmanager.secret",
}


def add_resources(r: Resolver, graph: Graph, built: Any) -> None:
    """The resources of a known kind of ``r``'s template, evaluated in that stack, into the graph. ``built``:
    what the language server keeps of each resource's evaluation (None in a run of the command), while its
    mapping is the same parse and what it can read is the same: parameters, mappings, outputs, the transform,
    and the names and types of the template's resources. Templates with conditions, parameters with allowed
    values (both evaluated once per template and shared by its resources), nested stacks or stack
    parameters are evaluated whole every time."""
    adding = _Adding(r, graph, built)
    for logical, body in r.resources.items():
        if isinstance(body, dict):
            adding.add(logical, body)


class _Adding:
    """The resources of one template into the graph, with what the language server keeps of them."""

    def __init__(self, r: Resolver, graph: Graph, built: Any) -> None:
        self.r, self.graph, self.built = r, graph, built
        self.context = _reuse_context(r, built)
        # parameters and mappings by content and place (a list default's items carry their places into the
        # resources that read it), transform, file, names and types
        self.unchanged = marked.Unchanged(self.context or [])

    def add(self, logical: str, body: dict) -> None:
        """One resource, unless its kind is not known or its condition is false."""
        r = self.r
        rtype = body.get("Type")
        kind = KINDS.get(rtype) if isinstance(rtype, str) else None
        if isinstance(rtype, str) and (rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource"):
            self._custom(logical, body, rtype)
            return
        if kind is None:
            return
        cond = body.get("Condition")
        present: Optional[bool] = True
        if cond is not None:
            present = r.condition(cond)
            if present is False:
                return
        pos = r.resources.kpos.get(logical, (1, 1)) if isinstance(r.resources, MDict) else (1, 1)
        name = self._name(logical, body, pos)
        if self.context is not None and self._kept(logical, body, present, pos):
            return
        steps, text, imported = r.budget[0], r.text[0], r.exports is not None and r.exports.imported
        added = self._evaluated(logical, body, kind, name, present, pos)
        for one in added:
            self.graph.add(one)
        if self.context is not None and not (r.exports is not None and r.exports.imported and not imported):
            if len(self.built) > 50_000:
                self.built.clear()
            self.built[(r.file, logical)] = (body, self.context, (present, pos), added, r.budget[0] - steps,
                                             r.text[0] - text)

    def _custom(self, logical: str, body: dict, rtype: str) -> None:
        """A custom resource runs code of its own, which may change what it is given (a VPC, a subnet, a
        route table: a main route table's routes too). Kept beside the graph with its properties but the
        ServiceToken (where its code runs, not what it acts on), for the facts to say what it reaches."""
        r = self.r
        cond = body.get("Condition")
        if cond is not None and r.condition(cond) is False:
            return
        pos = r.resources.kpos.get(logical, (1, 1)) if isinstance(r.resources, MDict) else (1, 1)
        props = body.get("Properties")
        given = r.resolve({k: v for k, v in props.items() if k != "ServiceToken"}) if isinstance(props, dict) else {}
        res = Resource(key=r.key(logical), kind="cloudformation.custom_resource", rtype=rtype, name=logical,
                       file=r.file, span=Span.at(pos))
        res.attrs["given"] = given
        self.graph.inputs.custom_resources.append(res)

    def _name(self, logical: str, body: dict, pos: Any) -> str:
        """The resource's name in findings; its ``pullcheck`` metadata noted for suppressions."""
        meta = body.get("Metadata")
        name = logical
        if isinstance(meta, dict) and isinstance(meta.get("aws:cdk:path"), str):
            name = meta["aws:cdk:path"]  # a CDK app's users know the construct path, not the logical ID
        if isinstance(meta, dict) and "pullcheck" in meta:
            suppress.note_metadata(self.graph, self.r.file, name, meta["pullcheck"], pos)
        return name

    def _kept(self, logical: str, body: dict, present: Optional[bool], pos: Any) -> bool:
        """Whether the resource's kept evaluation is added again: the same parse of its mapping, evaluated
        where it was then (moved down by the lines between), and the same that every resource reads."""
        r, file = self.r, self.r.file
        kept = self.built.get((file, logical))
        lines = pos[0] - kept[2][1][0] if kept is not None and kept[0] is body and kept[2][0] == present \
            else None
        if lines is None or marked.moved_pos(kept[2][1], lines) != pos or not self.unchanged(kept[1]):
            return False
        added = kept[3] if not lines else [_moved(one, lines) for one in kept[3]]
        for one in added:
            self.graph.add(one)
        r.budget[0] += kept[4]
        r.text[0] += kept[5]
        if lines:
            self.built[(file, logical)] = (body, kept[1], (present, pos), added, kept[4], kept[5])
        return True

    def _evaluated(self, logical: str, parsed: dict, kind: str, name: str, present: Optional[bool],
                   pos: Any) -> List[Resource]:
        """The resource with its properties evaluated, and the launch sites inside it (targets, states)."""
        r = self.r
        body = marked.placed(parsed)  # read at other lines: evaluated where it is now
        res = Resource(key=r.key(logical), kind=kind, rtype=parsed.get("Type"), name=name, file=r.file,
                       span=Span.at(pos))
        res.attrs["conditional"] = present is None
        raw_props = body.get("Properties")
        props = r.resolve(raw_props) if isinstance(raw_props, dict) else MDict()
        if not isinstance(props, dict):
            props = MDict()
        if not hasattr(props, "kpos"):
            props = MDict(props)
            props.kpos = {}
        for attr, name_in_template, parse in mapping.table(kind, "cfn"):
            v = prop(res, props, attr, name_in_template)
            if parse == "policy":
                res.attrs[attr] = policy.parse(v) if v is not None else None
        if kind == "secretsmanager.secret":  # its ARN is in the stack's partition, Region and account
            res.attrs["place"] = [r.ref(name) for name in ("AWS::Partition", "AWS::Region", "AWS::AccountId")]
        extra = BUILDERS.get(kind, generic)(res, props)
        return [res] if extra is None else list(extra)


def _reuse_context(r: Resolver, built: Any) -> Optional[List[Any]]:
    """What every resource of the template can read besides its own mapping, or None when a resource's
    evaluation cannot be told apart from the others'."""
    doc = r.doc
    if built is None or r.stack or r.given or r.children or (r.exports is not None and r.exports.assignment):
        return None
    if r.conditions or any(isinstance(p, dict) and "AllowedValues" in p for p in r.params.values()):
        return None
    types = tuple((k, b.get("Type") if isinstance(b, dict) else None) for k, b in r.resources.items())
    if any(t in NESTED for _, t in types):
        return None
    if any(_reads_a_file(b) for b in (r.resources or {}).values()):
        return None  # a state machine's definition file: read again, as its text may have changed
    if r.budget[0] > MAX_STEPS // 2 or r.text[0] > MAX_TEXT // 2:
        return None
    # not the outputs: a stack cannot import its own exports, and a resource that imports is not kept
    return [doc.get("Parameters"), doc.get("Mappings"), doc.get("Transform"), r.file, types]


def _reads_a_file(body: Any) -> bool:
    """A state machine whose definition is a file of its own (SAM's DefinitionUri, DefinitionS3Location)."""
    rtype = body.get("Type") if isinstance(body, dict) else None
    props = body.get("Properties") if isinstance(body, dict) else None
    return rtype in LOCAL_FILE and isinstance(props, dict) and LOCAL_FILE[rtype] in props


def _moved(res: Resource, lines: int) -> Resource:
    """A resource evaluated before, its positions in this file ``lines`` further down."""
    def span(x: Any) -> Any:
        if isinstance(x, Span):
            if x.file and x.file != res.file:
                return x
            return replace(x, line=x.line + lines, end_line=x.end_line + lines if x.end_line else 0)
        return marked.moved_pos(x, lines)

    return Resource(key=res.key, kind=res.kind, rtype=res.rtype, name=res.name, file=res.file,
                    span=span(res.span), attrs=marked.moved_value(res.attrs, lines),
                    spans={k: span(v) for k, v in res.spans.items()})

