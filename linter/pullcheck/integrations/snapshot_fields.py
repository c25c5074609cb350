"""What a snapshot keeps of each API answer: IDs, CIDRs, routes, attributes, tags, rules and policy documents, and
nothing else (no descriptions, addresses, instance data or credentials). Each list's fields are named here, so
the README's table and the snapshot say the same thing; a field the API adds later is left out until it is
listed.

A spec maps a field to ``True`` (kept as it is: a scalar, or a list of scalars) or to the spec of the objects
it holds (an object, or a list of them)."""
from __future__ import annotations

from typing import Any, Dict

Spec = Dict[str, Any]

TAGS: Spec = {"Key": True, "Value": True}
_CIDR_ASSOC: Spec = {"CidrBlock": True, "Ipv6CidrBlock": True, "CidrBlockState": {"State": True},
                     "Ipv6CidrBlockState": {"State": True}}
_PERMISSION: Spec = {"IpProtocol": True, "FromPort": True, "ToPort": True, "IpRanges": {"CidrIp": True},
                     "Ipv6Ranges": {"CidrIpv6": True}, "PrefixListIds": {"PrefixListId": True},
                     "UserIdGroupPairs": {"GroupId": True, "UserId": True, "VpcId": True}}
_ROUTE: Spec = {k: True for k in (
    "DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId", "GatewayId", "NatGatewayId",
    "TransitGatewayId", "VpcPeeringConnectionId", "EgressOnlyInternetGatewayId", "InstanceId",
    "NetworkInterfaceId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn", "State", "Origin")}
_ATTACHMENT: Spec = {"VpcId": True, "State": True}

FIELDS: Dict[str, Spec] = {
    "Vpcs": {"VpcId": True, "OwnerId": True, "CidrBlock": True, "CidrBlockAssociationSet": _CIDR_ASSOC,
             "Ipv6CidrBlockAssociationSet": _CIDR_ASSOC, "DhcpOptionsId": True, "IsDefault": True, "State": True,
             "EnableDnsSupport": True, "EnableDnsHostnames": True, "Tags": TAGS},
    "Subnets": {"SubnetId": True, "VpcId": True, "OwnerId": True, "CidrBlock": True, "AvailabilityZone": True,
                "Ipv6CidrBlockAssociationSet": _CIDR_ASSOC, "Ipv6Native": True, "MapPublicIpOnLaunch": True,
                "AssignIpv6AddressOnCreation": True, "State": True, "Tags": TAGS},
    "RouteTables": {"RouteTableId": True, "VpcId": True, "Routes": _ROUTE, "Tags": TAGS,
                    "Associations": {"Main": True, "SubnetId": True, "GatewayId": True,
                                     "RouteTableAssociationId": True, "AssociationState": {"State": True}}},
    "VpcEndpoints": {"VpcEndpointId": True, "VpcEndpointType": True, "VpcId": True, "ServiceName": True,
                     "State": True, "PolicyDocument": True, "RouteTableIds": True, "SubnetIds": True,
                     "Groups": {"GroupId": True}, "PrivateDnsEnabled": True, "Tags": TAGS},
    "SecurityGroups": {"GroupId": True, "GroupName": True, "VpcId": True, "IpPermissions": _PERMISSION,
                       "IpPermissionsEgress": _PERMISSION, "Tags": TAGS},
    "NetworkAcls": {"NetworkAclId": True, "VpcId": True, "IsDefault": True, "Tags": TAGS,
                    "Associations": {"NetworkAclAssociationId": True, "SubnetId": True},
                    "Entries": {"RuleNumber": True, "Protocol": True, "RuleAction": True, "Egress": True,
                                "CidrBlock": True, "Ipv6CidrBlock": True, "PortRange": {"From": True, "To": True},
                                "IcmpTypeCode": {"Code": True, "Type": True}}},
    "NatGateways": {"NatGatewayId": True, "SubnetId": True, "VpcId": True, "ConnectivityType": True,
                    "AvailabilityMode": True, "State": True, "Tags": TAGS},
    "InternetGateways": {"InternetGatewayId": True, "Attachments": _ATTACHMENT, "Tags": TAGS},
    "EgressOnlyInternetGateways": {"EgressOnlyInternetGatewayId": True, "Attachments": _ATTACHMENT, "Tags": TAGS},
    "PrefixLists": {"PrefixListId": True, "PrefixListName": True, "AddressFamily": True, "OwnerId": True,
                    "Entries": {"Cidr": True}},
    "DhcpOptions": {"DhcpOptionsId": True, "DhcpConfigurations": {"Key": True, "Values": {"Value": True}}},
    "Exports": {"ExportingStackId": True, "Name": True, "Value": True},
    "Roles": {"RoleName": True, "Arn": True, "AssumeRolePolicyDocument": True, "Tags": TAGS,
              "RolePolicyList": {"PolicyName": True, "PolicyDocument": True},
              "AttachedManagedPolicies": {"PolicyName": True, "PolicyArn": True}},
    "Policies": {"PolicyName": True, "Arn": True, "Document": True},
    "repositories": {"repositoryName": True, "repositoryUri": True, "registryId": True, "policyText": True},
    "pullThroughCacheRules": {"ecrRepositoryPrefix": True, "upstreamRegistryUrl": True},
}


def kept(value: Any, spec: Spec) -> Any:
    """``value`` (an object or a list of them) with only the fields its spec names."""
    if isinstance(value, list):
        return [kept(v, spec) for v in value]
    if not isinstance(value, dict):
        return None
    out = {}
    for name, sub in spec.items():
        if name not in value or value[name] is None:
            continue
        v = value[name]
        out[name] = v if sub is True else kept(v, sub)
    return out
