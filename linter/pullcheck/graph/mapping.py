"""One declarative mapping from each format's names to the canonical attributes of the graph.

Each canonical kind lists its attributes once, with a column per format: the CloudFormation property, the
Terraform argument, and the ECS API key (task-definition JSON and CreateService input) where the API has
one. A dotted path names a nested property or block (``NetworkConfiguration.AwsvpcConfiguration.X`` /
``network_configuration.x``). A plan uses Terraform's names; a ``plan`` column is needed only where a plan
differs, and no attribute does today.

The readers build the plain attributes (``built=True``: one property, one value, normalised by ``parse``)
from this table; attributes that take more than a rename (routes, rules, container definitions, launch
settings) are built by the readers' own code, and are listed here for their spelling: ``spell`` writes an
attribute as the user writes it in their format, and the rules' messages use it, so a Terraform user is
told ``assign_public_ip = true`` and a CloudFormation user ``AssignPublicIp: ENABLED``.

Adding an attribute is a row; adding a format is a column here and its reader.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

FORMATS = ("cfn", "tf", "api")


@dataclass(frozen=True)
class Attr:
    name: str
    cfn: Optional[str] = None
    tf: Optional[str] = None
    api: Optional[str] = None
    plan: Optional[str] = None
    built: bool = True  # built from the table by the readers (else by their own code)
    parse: Optional[str] = None  # "policy": an IAM policy document, parsed
    tf_values: Dict[str, str] = field(default_factory=dict)  # a value Terraform writes otherwise (ENABLED -> true)

    def column(self, fmt: str) -> Optional[str]:
        if fmt == "plan":
            return self.plan or self.tf
        return getattr(self, fmt)


def _a(name: str, cfn: Optional[str], tf: Optional[str], **kw: Any) -> Attr:
    return Attr(name, cfn, tf, **kw)


def _own(name: str, cfn: Optional[str], tf: Optional[str], api: Optional[str] = None, **kw: Any) -> Attr:
    """An attribute the readers build with their own code; listed for how each format spells it."""
    return Attr(name, cfn, tf, api, built=False, **kw)


_AWSVPC_CFN = "NetworkConfiguration.AwsvpcConfiguration."
_AWSVPC_API = "networkConfiguration.awsvpcConfiguration."
_LAUNCH = (
    _own("launch_type", "LaunchType", "launch_type", "launchType"),
    _own("task_definition", "TaskDefinition", "task_definition", "taskDefinition"),
    _own("platform_version", "PlatformVersion", "platform_version", "platformVersion"),
    _own("cluster", "Cluster", "cluster", "cluster"),
    _own("capacity_providers", "CapacityProviderStrategy", "capacity_provider_strategy", "capacityProviderStrategy"),
    _own("subnets", _AWSVPC_CFN + "Subnets", "network_configuration.subnets", _AWSVPC_API + "subnets"),
    _own("security_groups", _AWSVPC_CFN + "SecurityGroups", "network_configuration.security_groups",
         _AWSVPC_API + "securityGroups"),
    _own("assign_public_ip", _AWSVPC_CFN + "AssignPublicIp", "network_configuration.assign_public_ip",
         _AWSVPC_API + "assignPublicIp", tf_values={"ENABLED": "true", "DISABLED": "false"}),
    # the Region a launch runs in: Terraform's provider; a CloudFormation stack's Region is not in the file
    _own("region", None, "provider.region"),
)

ATTRIBUTES: Dict[str, Tuple[Attr, ...]] = {
    "ecs.service": _LAUNCH,
    "ecs.task_set": _LAUNCH,
    "ecs.run_task": _LAUNCH,  # EventBridge, Scheduler, Pipes, Step Functions and Batch launches
    "ecs.task_definition": (
        _own("execution_role", "ExecutionRoleArn", "execution_role_arn", "executionRoleArn"),
        _own("task_role", "TaskRoleArn", "task_role_arn", "taskRoleArn"),
        _own("requires_compatibilities", "RequiresCompatibilities", "requires_compatibilities",
             "requiresCompatibilities"),
        _own("network_mode", "NetworkMode", "network_mode", "networkMode"),
        _own("cpu", "Cpu", "cpu", "cpu"),
        _own("memory", "Memory", "memory", "memory"),
        _own("family", "Family", "family", "family"),
        _own("containers", "ContainerDefinitions", "container_definitions", "containerDefinitions"),
    ),
    "ecs.cluster": (
        _a("cluster_name", "ClusterName", "name"),
        # the capacity provider strategy a service that sets neither launch type nor strategy gets
        _own("default_strategy", "DefaultCapacityProviderStrategy", "default_capacity_provider_strategy"),
    ),
    "ecs.cluster_capacity_providers": (
        _a("cluster", "Cluster", "cluster_name"),
        _own("default_strategy", "DefaultCapacityProviderStrategy", "default_capacity_provider_strategy"),
    ),
    # a capacity provider the files declare: an Auto Scaling group's or managed instances', never Fargate's
    # (FARGATE and FARGATE_SPOT are AWS's own and cannot be declared)
    "ecs.capacity_provider": (
        _a("provider_name", "Name", "name"),
    ),
    "data.ecs_cluster": (  # Terraform's lookup of a cluster by name
        _a("cluster_name", None, "cluster_name"),
    ),
    "ec2.vpc": (
        _a("tags", "Tags", "tags"),
        _a("cidr_block", "CidrBlock", "cidr_block"),
        _a("enable_dns_support", "EnableDnsSupport", "enable_dns_support"),
        _a("enable_dns_hostnames", "EnableDnsHostnames", "enable_dns_hostnames"),
    ),
    "ec2.subnet": (
        _a("tags", "Tags", "tags"),
        _a("vpc", "VpcId", "vpc_id"),
        _a("cidr_block", "CidrBlock", "cidr_block"),
        _a("ipv6_native", "Ipv6Native", "ipv6_native"),
        # CloudFormation also takes Ipv6CidrBlocks (a list): read by the reader when Ipv6CidrBlock is absent
        _a("ipv6_cidr", "Ipv6CidrBlock", "ipv6_cidr_block"),
    ),
    "ec2.route_table": (
        _own("vpc", "VpcId", "vpc_id"),
        _own("routes", None, "route"),
    ),
    "ec2.route": (
        _a("route_table", "RouteTableId", "route_table_id"),
        _a("destination", "DestinationCidrBlock", "destination_cidr_block"),
        _a("destination_ipv6", "DestinationIpv6CidrBlock", "destination_ipv6_cidr_block"),
        _a("destination_prefix_list", "DestinationPrefixListId", "destination_prefix_list_id"),
    ),
    "ec2.route_table_association": (
        _a("route_table", "RouteTableId", "route_table_id"),
        _own("subnet", "SubnetId", "subnet_id"),
    ),
    "ec2.gateway_attachment": (
        _a("vpc", "VpcId", "vpc_id"),
        _a("internet_gateway", "InternetGatewayId", "internet_gateway_id"),
    ),
    "ec2.internet_gateway": (
        _a("vpc", None, "vpc_id"),  # CloudFormation attaches with AWS::EC2::VPCGatewayAttachment
    ),
    "ec2.nat_gateway": (
        _a("subnet", "SubnetId", "subnet_id"),
        _a("connectivity_type", "ConnectivityType", "connectivity_type"),
        _a("availability_mode", "AvailabilityMode", "availability_mode"),
        _a("vpc", "VpcId", "vpc_id"),
    ),
    "ec2.vpc_endpoint": (
        _a("vpc", "VpcId", "vpc_id"),
        _a("service_name", "ServiceName", "service_name"),
        _own("type", "VpcEndpointType", "vpc_endpoint_type"),  # Gateway when absent
        _a("route_tables", "RouteTableIds", "route_table_ids"),
        _a("subnets", "SubnetIds", "subnet_ids"),
        _a("security_groups", "SecurityGroupIds", "security_group_ids"),
        _a("private_dns", "PrivateDnsEnabled", "private_dns_enabled"),
        _a("policy", "PolicyDocument", "policy", parse="policy"),
    ),
    "ec2.security_group": (
        _a("vpc", "VpcId", "vpc_id"),
        _a("group_name", "GroupName", "name"),
        _own("ingress", "SecurityGroupIngress", "ingress"),
        _own("egress", "SecurityGroupEgress", "egress"),
    ),
    "ec2.network_acl_association": (
        _a("subnet", "SubnetId", "subnet_id"),
        _a("acl", "NetworkAclId", "network_acl_id"),
    ),
    "ec2.dhcp_options": (
        _a("servers", "DomainNameServers", "domain_name_servers"),
    ),
    "ec2.dhcp_options_association": (
        _a("vpc", "VpcId", "vpc_id"),
        _a("options", "DhcpOptionsId", "dhcp_options_id"),
    ),
    "ecr.pull_through_cache_rule": (
        _a("prefix", "EcrRepositoryPrefix", "ecr_repository_prefix"),
        _a("upstream", "UpstreamRegistryUrl", "upstream_registry_url"),
    ),
    "ecr.repository": (
        _a("repository_name", "RepositoryName", "name"),
        _own("policy", "RepositoryPolicyText", None),  # Terraform: aws_ecr_repository_policy
    ),
    "ecr.public_repository": (  # its URI is public.ecr.aws/<the registry's alias>/<name>
        _a("repository_name", None, "repository_name"),
    ),
    "iam.role": (
        _a("role_name", "RoleName", "name"),
        _a("trust", "AssumeRolePolicyDocument", "assume_role_policy", parse="policy"),
        _a("managed_arns", "ManagedPolicyArns", "managed_policy_arns"),
        _own("inline", "Policies", "inline_policy"),
    ),
    "data.task_definition": (  # Terraform's lookup of a family's latest revision
        _a("task_definition", None, "task_definition"),
    ),
    "data.iam_policy": (  # Terraform's lookup of a policy by name or ARN
        _a("policy_name", None, "name"),
        _a("arn", None, "arn"),
        _a("path_prefix", None, "path_prefix"),
    ),
    "secretsmanager.secret": (
        _a("kms_key", "KmsKeyId", "kms_key_id"),
        _a("secret_name", "Name", "name"),
    ),
}


def table(kind: str, fmt: str) -> Tuple[Tuple[str, str, Optional[str]], ...]:
    """(canonical name, the format's name, parse) of the attributes the readers build from the table."""
    cached = _TABLES.get((kind, fmt))
    if cached is None:
        cached = tuple((a.name, a.column(fmt), a.parse) for a in ATTRIBUTES.get(kind, ())  # type: ignore[misc]
                       if a.built and a.column(fmt) and "." not in a.column(fmt))  # type: ignore[operator]
        _TABLES[(kind, fmt)] = cached
    return cached


_TABLES: Dict[Tuple[str, str], Tuple[Tuple[str, str, Optional[str]], ...]] = {}


def format_of(rtype: str, file: str = "") -> str:
    """The format a resource was written in: "cfn", "tf" or "api"."""
    if rtype.startswith("AWS::"):
        return "cfn"
    if rtype.startswith(("aws_", "data.", "module.")) or file.endswith((".tf", ".tf.json", ".tfvars")):
        return "tf"
    return "api"


def attribute(kind: str, name: str) -> Optional[Attr]:
    for a in ATTRIBUTES.get(kind, ()):
        if a.name == name:
            return a
    return None


# Launch sites whose settings are written in another syntax than their resource's: a Step Functions
# definition is JSON with RunTask's PascalCase names; a Terraform Batch job definition is API JSON; a
# Terraform pipe writes ENABLED / DISABLED as strings.
_SYNTAX = {"AWS::StepFunctions::StateMachine": "sfn", "aws_sfn_state_machine": "sfn",
           "aws_batch_compute_environment": "api", "AWS::Batch::ComputeEnvironment": "cfn"}


def spell(res: Any, name: str, value: Any = None) -> str:
    """An attribute of ``res`` as its author writes it, with ``value`` when given: ``AssignPublicIp:
    ENABLED`` in CloudFormation, ``assign_public_ip = true`` in Terraform, ``"assignPublicIp": "ENABLED"``
    in ECS API JSON. The last part of a nested path is what is shown (the block or property it sits in is
    where the finding points)."""
    rtype = getattr(res, "rtype", "")
    fmt = _SYNTAX.get(rtype) or format_of(rtype, getattr(res, "file", ""))
    attr = attribute(res.kind, name)
    column = "cfn" if fmt == "sfn" else fmt
    path = attr.column(column) if attr is not None else None
    if path is None:  # not expressible in this format: fall back on another column
        path = next((attr.column(f) for f in FORMATS if attr is not None and attr.column(f)), name)
    key = path.rsplit(".", 1)[-1]
    if value is None:
        return key
    if fmt == "tf":
        shown = attr.tf_values.get(str(value), None) if attr is not None and rtype != "aws_pipes_pipe" else None
        if shown is None:
            shown = json.dumps(value) if not isinstance(value, str) or not _is_literal(value) else value
        return f"{key} = {shown}"
    if fmt in ("api", "sfn"):
        return f"{json.dumps(key)}: {json.dumps(value)}"
    return f"{key}: {_yaml_scalar(value)}"


def _is_literal(v: str) -> bool:
    return v in ("true", "false") or v.replace(".", "", 1).isdigit()


def _yaml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
