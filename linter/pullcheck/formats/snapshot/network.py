"""The account's network from a snapshot, as graph resources of the canonical kinds the facts read (``ec2.vpc``,
``ec2.subnet``, ``ec2.route_table``...), named by their AWS IDs and placed in the snapshot's file.

References between them are graph references (a subnet's VPC is a ``Ref`` to the VPC's resource), so the facts
follow them exactly as they follow a template's; an ID the snapshot does not hold stays text (a route to
``tgw-...`` is classified by its prefix, a subnet of another VPC is unknown).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts import policy
from pullcheck.formats.snapshot.items import Item
from pullcheck.formats.snapshot.reader import Snapshot
from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.graph.values import Ref, Unknown

# snapshot list -> (the field that holds an item's ID, its canonical kind, its type as the API names it)
IDS = {
    "Vpcs": ("VpcId", "ec2.vpc", "ec2:Vpc"), "Subnets": ("SubnetId", "ec2.subnet", "ec2:Subnet"),
    "RouteTables": ("RouteTableId", "ec2.route_table", "ec2:RouteTable"),
    "VpcEndpoints": ("VpcEndpointId", "ec2.vpc_endpoint", "ec2:VpcEndpoint"),
    "SecurityGroups": ("GroupId", "ec2.security_group", "ec2:SecurityGroup"),
    "NetworkAcls": ("NetworkAclId", "ec2.network_acl", "ec2:NetworkAcl"),
    "NatGateways": ("NatGatewayId", "ec2.nat_gateway", "ec2:NatGateway"),
    "InternetGateways": ("InternetGatewayId", "ec2.internet_gateway", "ec2:InternetGateway"),
    "EgressOnlyInternetGateways": ("EgressOnlyInternetGatewayId", "ec2.egress_only_internet_gateway",
                                   "ec2:EgressOnlyInternetGateway"),
    "DhcpOptions": ("DhcpOptionsId", "ec2.dhcp_options", "ec2:DhcpOptions"),
}
ROUTE_TARGETS = (("GatewayId", "gateway"), ("NatGatewayId", "nat"), ("TransitGatewayId", "tgw"),
                 ("VpcPeeringConnectionId", "pcx"), ("EgressOnlyInternetGatewayId", "eigw"),
                 ("InstanceId", "instance"), ("NetworkInterfaceId", "eni"), ("CarrierGatewayId", "cagw"),
                 ("LocalGatewayId", "lgw"), ("CoreNetworkArn", "core"))
# states in which a resource no longer carries traffic: left out, as if gone
_GONE = {"deleted", "deleting", "failed", "rejected", "expired"}


class Builder:
    """Adds one snapshot's resources to a graph."""

    def __init__(self, snap: Snapshot, graph: Graph, name: str) -> None:
        self.snap, self.graph, self.name = snap, graph, name
        self.refs: Dict[str, Ref] = {}  # AWS ID -> the reference to its resource
        self.prefix_lists: Dict[str, Tuple[str, Optional[List[str]]]] = {}  # ID -> (name, CIDRs or None)
        self.s3_endpoints: Dict[str, Ref] = {}  # VPC ID -> its S3 gateway endpoint, as a prefix list's owner

    def items(self, key: str) -> List[Item]:
        return [Item(item, file, pos, key, i) for i, (item, file, pos) in enumerate(self.snap.items(key))]

    def key(self, file: str, ident: str) -> str:
        return f"{file}#{ident}"

    def ref(self, ident: Optional[str]) -> Any:
        """The reference to the resource an ID names, or the ID itself when the snapshot does not hold it."""
        return self.refs.get(ident, ident) if ident else None

    def add(self, it: Item, kind: str, rtype: str, ident: str) -> Resource:
        res = Resource(key=self.key(it.file, ident), kind=kind, rtype=rtype, name=ident, file=it.file,
                       span=Span.at(it.pos))
        res.attrs.update(id=ident, snapshot=self.name, tags=it.tags())
        self.graph.add(res)
        return res

    def attr(self, res: Resource, it: Item, attr: str, field: str, value: Any) -> Any:
        res.attrs[attr] = value
        pos = it.span(field)
        if pos is not None:
            res.spans[(attr,)] = pos
        return value

    # -- the IDs first, so that references can be made in any order

    def index(self) -> None:
        for key, (id_field, kind, rtype) in IDS.items():
            for it in self.items(key):
                ident = it.text(id_field, required=True)
                state = it.item.get("State")
                if isinstance(state, str) and state.lower() in _GONE:
                    continue
                assert ident is not None
                self.refs[ident] = Ref(self.key(it.file, ident), rtype, None)
        for it in self.items("RouteTables"):
            ident, vpc = it.text("RouteTableId", required=True), it.text("VpcId")
            if vpc in self.refs and any(a.flag("Main") for a in it.objects("Associations")):
                # the main table is named through its VPC, as the facts name a VPC's main table
                self.refs[ident or ""] = Ref(self.refs[vpc].target, "ec2:Vpc", "main_route_table_id")
        for it in self.items("PrefixLists"):
            ident = it.text("PrefixListId", required=True) or ""
            entries = it.objects("Entries") if "Entries" in it.item else None
            cidrs = [e.text("Cidr") or "" for e in entries] if entries is not None else \
                (it.texts("Cidrs") if "Cidrs" in it.item else None)
            self.prefix_lists[ident] = (it.text("PrefixListName") or "", cidrs)

    def build(self) -> None:
        self.index()
        for build in (self.vpcs, self.dhcp_options, self.subnets, self.gateways, self.nat_gateways,
                      self.endpoints, self.route_tables, self.security_groups, self.network_acls):
            build()

    def vpcs(self) -> None:
        why = ("describe-vpcs does not hold the VPC's DNS attributes" if self.snap.folder
               else "the snapshot does not hold the VPC's DNS attributes")
        for it in self.items("Vpcs"):
            ident = it.text("VpcId", required=True) or ""
            res = self.add(it, "ec2.vpc", "ec2:Vpc", ident)
            self.attr(res, it, "cidr_block", "CidrBlock", it.text("CidrBlock"))
            for attr, field in (("enable_dns_support", "EnableDnsSupport"),
                                ("enable_dns_hostnames", "EnableDnsHostnames")):
                v = it.flag(field)
                self.attr(res, it, attr, field, Unknown(why) if v is None else v)
            options = it.text("DhcpOptionsId")
            if options and options != "default":
                assoc = Resource(key=f"{res.key}/dhcp", kind="ec2.dhcp_options_association", rtype="ec2:Vpc",
                                 name=f"{ident} DHCP options", file=it.file, span=res.span)
                found = self.refs.get(options)
                assoc.attrs.update(vpc=Ref(res.key, "ec2:Vpc", None), snapshot=self.name,
                                   options=found if found else Unknown(f"DHCP options {options} are not in the snapshot"))
                self.graph.add(assoc)

    def dhcp_options(self) -> None:
        for it in self.items("DhcpOptions"):
            ident = it.text("DhcpOptionsId", required=True) or ""
            res = self.add(it, "ec2.dhcp_options", "ec2:DhcpOptions", ident)
            servers: List[str] = []
            for conf in it.objects("DhcpConfigurations"):
                if conf.text("Key") == "domain-name-servers":
                    servers = [v.text("Value") or "" for v in conf.objects("Values")]
            res.attrs["servers"] = servers

    def subnets(self) -> None:
        for it in self.items("Subnets"):
            res = self.add(it, "ec2.subnet", "ec2:Subnet", it.text("SubnetId", required=True) or "")
            self.attr(res, it, "vpc", "VpcId", self.ref(it.text("VpcId")))
            self.attr(res, it, "cidr_block", "CidrBlock", it.text("CidrBlock"))
            self.attr(res, it, "ipv6_native", "Ipv6Native", bool(it.flag("Ipv6Native")))
            v6 = [a.text("Ipv6CidrBlock") for a in it.objects("Ipv6CidrBlockAssociationSet")
                  if _state(a, "Ipv6CidrBlockState") in ("associated", "associating", None)]
            self.attr(res, it, "ipv6_cidr", "Ipv6CidrBlockAssociationSet", v6[0] if v6 else None)
            self.attr(res, it, "map_public_ip", "MapPublicIpOnLaunch", it.flag("MapPublicIpOnLaunch"))

    def gateways(self) -> None:
        for key, kind, rtype in (("InternetGateways", "ec2.internet_gateway", "ec2:InternetGateway"),
                                 ("EgressOnlyInternetGateways", "ec2.egress_only_internet_gateway",
                                  "ec2:EgressOnlyInternetGateway")):
            for it in self.items(key):
                res = self.add(it, kind, rtype, it.text(IDS[key][0], required=True) or "")
                vpcs = [a.text("VpcId") for a in it.objects("Attachments")
                        if (a.text("State") or "available") in ("available", "attached")]
                res.attrs["vpc"] = self.ref(vpcs[0]) if vpcs else None

    def nat_gateways(self) -> None:
        for it in self.items("NatGateways"):
            if (it.text("State") or "").lower() in _GONE:
                continue
            res = self.add(it, "ec2.nat_gateway", "ec2:NatGateway", it.text("NatGatewayId", required=True) or "")
            self.attr(res, it, "subnet", "SubnetId", self.ref(it.text("SubnetId")))
            self.attr(res, it, "vpc", "VpcId", self.ref(it.text("VpcId")))
            self.attr(res, it, "connectivity_type", "ConnectivityType", it.text("ConnectivityType") or "public")
            self.attr(res, it, "availability_mode", "AvailabilityMode", it.text("AvailabilityMode"))

    def endpoints(self) -> None:
        for it in self.items("VpcEndpoints"):
            if (it.text("State") or "").lower() in _GONE:
                continue
            res = self.add(it, "ec2.vpc_endpoint", "ec2:VpcEndpoint", it.text("VpcEndpointId", required=True) or "")
            vpc = it.text("VpcId")
            self.attr(res, it, "vpc", "VpcId", self.ref(vpc))
            service = self.attr(res, it, "service_name", "ServiceName", it.text("ServiceName"))
            etype = self.attr(res, it, "type", "VpcEndpointType", it.text("VpcEndpointType") or "Gateway")
            self.attr(res, it, "route_tables", "RouteTableIds", [self.ref(t) for t in it.texts("RouteTableIds")])
            self.attr(res, it, "subnets", "SubnetIds", [self.ref(s) for s in it.texts("SubnetIds")])
            self.attr(res, it, "security_groups", "Groups", [self.ref(g.text("GroupId")) for g in it.objects("Groups")])
            self.attr(res, it, "private_dns", "PrivateDnsEnabled", bool(it.flag("PrivateDnsEnabled")))
            doc = it.document("PolicyDocument")
            self.attr(res, it, "policy", "PolicyDocument", None if doc is None else policy.parse(doc))
            if (service or "").endswith(".s3") and etype.lower() == "gateway" and vpc:
                self.s3_endpoints.setdefault(vpc, Ref(res.key, "ec2:VpcEndpoint", "prefix_list_id"))

    def route_tables(self) -> None:
        for it in self.items("RouteTables"):
            ident = it.text("RouteTableId", required=True) or ""
            res = self.add(it, "ec2.route_table", "ec2:RouteTable", ident)
            self.attr(res, it, "vpc", "VpcId", self.ref(it.text("VpcId")))
            res.attrs["main"] = any(a.flag("Main") for a in it.objects("Associations"))
            routes: List[Dict[str, Any]] = []
            res.attrs["routes"] = routes
            for r in it.objects("Routes"):
                rec = self.route(r)
                if rec is not None:
                    res.spans[("routes", len(routes), "target")] = r.pos
                    routes.append(rec)
            for a in it.objects("Associations"):
                subnet = a.text("SubnetId")
                if not subnet or a.flag("Main"):
                    continue  # a gateway's edge association, or the VPC's main one
                assoc = Resource(key=self.key(it.file, a.text("RouteTableAssociationId") or f"{ident}/{subnet}"),
                                 kind="ec2.route_table_association", rtype="ec2:RouteTableAssociation",
                                 name=f"{ident} for {subnet}", file=it.file, span=Span.at(a.pos))
                assoc.attrs.update(route_table=self.ref(ident), subnet=self.ref(subnet), main_for_vpc=None,
                                   snapshot=self.name)
                self.graph.add(assoc)

    def route(self, r: Item) -> Optional[Dict[str, Any]]:
        """A route as the facts read it; None for one that carries nothing (a black hole: its target is gone)
        or that a gateway endpoint adds for its prefix list."""
        if (r.text("State") or "").lower() == "blackhole":
            return None
        rec: Dict[str, Any] = {"destination": r.text("DestinationCidrBlock"),
                               "destination_ipv6": r.text("DestinationIpv6CidrBlock"),
                               "destination_prefix_list": None, "target": None, "target_attr": None}
        for field, attr in ROUTE_TARGETS:
            target = r.text(field)
            if target:
                rec["target"], rec["target_attr"] = self.ref(target), attr
                break
        pl = r.text("DestinationPrefixListId")
        if pl and rec["destination"] is None:
            if isinstance(rec["target"], str) and rec["target"].startswith("vpce-") or isinstance(
                    rec["target"], Ref) and rec["target"].rtype == "ec2:VpcEndpoint":
                return None  # an S3 or DynamoDB gateway endpoint's own route
            cidrs = self.prefix_lists.get(pl, ("", None))[1]
            if cidrs is None:
                rec["destination_prefix_list"] = pl  # entries unknown: it may hold the default route
            elif "0.0.0.0/0" in cidrs:
                rec["destination"] = "0.0.0.0/0"
            else:
                return None
        return rec

    def security_groups(self) -> None:
        for it in self.items("SecurityGroups"):
            res = self.add(it, "ec2.security_group", "ec2:SecurityGroup", it.text("GroupId", required=True) or "")
            vpc = it.text("VpcId")
            self.attr(res, it, "vpc", "VpcId", self.ref(vpc))
            self.attr(res, it, "group_name", "GroupName", it.text("GroupName"))
            self.attr(res, it, "ingress", "IpPermissions", [self.permission(p, vpc) for p in it.objects("IpPermissions")])
            self.attr(res, it, "egress", "IpPermissionsEgress",
                      [self.permission(p, vpc) for p in it.objects("IpPermissionsEgress")])
            # the rules are listed as they are: EC2's allow-all egress rule is there if the group still has it
            res.attrs.update(egress_default="none", default=it.text("GroupName") == "default")

    def permission(self, p: Item, vpc: Optional[str]) -> Dict[str, Any]:
        cidr4: List[Any] = [r.text("CidrIp") for r in p.objects("IpRanges")]
        cidr6: List[Any] = [r.text("CidrIpv6") for r in p.objects("Ipv6Ranges")]
        lists: List[Any] = []
        for r in p.objects("PrefixListIds"):
            pl = r.text("PrefixListId") or ""
            name, cidrs = self.prefix_lists.get(pl, ("", None))
            if name.endswith(".s3") and vpc in self.s3_endpoints:
                lists.append(self.s3_endpoints[vpc])  # S3's own list: what the gateway endpoint serves
            elif cidrs is not None and not name.startswith("com.amazonaws."):
                cidr4 += [c for c in cidrs if ":" not in c]
                cidr6 += [c for c in cidrs if ":" in c]
            else:
                cidr4.append(Unknown(f"prefix list {pl}, whose entries the snapshot does not hold"))
        return {"protocol": p.text("IpProtocol"), "from": p.number("FromPort"), "to": p.number("ToPort"),
                "cidr4": cidr4, "cidr6": cidr6, "prefix_lists": lists, "self": False,
                "groups": [self.ref(g.text("GroupId")) for g in p.objects("UserIdGroupPairs")]}

    def network_acls(self) -> None:
        for it in self.items("NetworkAcls"):
            res = self.add(it, "ec2.network_acl", "ec2:NetworkAcl", it.text("NetworkAclId", required=True) or "")
            self.attr(res, it, "vpc", "VpcId", self.ref(it.text("VpcId")))
            res.attrs["default"] = bool(it.flag("IsDefault"))
            res.attrs["subnets"] = [self.ref(a.text("SubnetId")) for a in it.objects("Associations")
                                    if a.text("SubnetId")]
            entries = []
            for e in it.objects("Entries"):
                number = e.number("RuleNumber")
                if number is not None and number > 32766:
                    continue  # the last rule, which denies what no other rule allows: the facts' own default
                got = e.item.get("PortRange")
                ports: Dict[str, Any] = got if isinstance(got, dict) else {}
                entries.append({"egress": bool(e.flag("Egress")), "number": number, "protocol": e.text("Protocol"),
                                "action": e.text("RuleAction"), "cidr4": e.text("CidrBlock"),
                                "cidr6": e.text("Ipv6CidrBlock"), "from": ports.get("From"), "to": ports.get("To")})
            self.attr(res, it, "entries", "Entries", entries)


def _state(it: Item, field: str) -> Optional[str]:
    v = it.item.get(field)
    return v.get("State") if isinstance(v, dict) else None
