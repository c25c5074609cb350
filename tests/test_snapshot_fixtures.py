"""The fixtures' network rules give the same verdicts with their VPC moved out of the template into a snapshot.

Each CloudFormation fixture of a network rule is read as pullcheck reads it; its network (VPC, subnets, route
tables and routes, gateways, endpoints, groups and their rules, network ACLs, DHCP options) is built in moto's
AWS API server through boto3's HTTP calls, taken back with the snapshot command's own code (``take``, with
``--vpc``), and taken out of the template, whose references to it become the new IDs. The service template
and the snapshot then give the NET rules' verdicts of the fixture; and so do the same network's AWS CLI outputs
(less what they do not hold: the VPC's DNS attributes). IPv6 blocks are Amazon-provided ones handed out in /64s;
where moto lacks an API (a NAT gateway's availability mode) the snapshot is completed by hand, said where."""
import argparse
import glob
import json
import os

import pytest
from conftest import FIXTURES

pytest.importorskip("moto.server")
pytest.importorskip("boto3")

import aws_server  # noqa: E402

MOVED = ("ec2.vpc", "ec2.subnet", "ec2.route_table", "ec2.route", "ec2.route_table_association",
         "ec2.internet_gateway", "ec2.gateway_attachment", "ec2.nat_gateway", "ec2.vpc_endpoint",
         "ec2.security_group", "ec2.security_group_rule", "ec2.network_acl", "ec2.network_acl_entry",
         "ec2.network_acl_association", "ec2.dhcp_options", "ec2.dhcp_options_association",
         "ec2.egress_only_internet_gateway", "ec2.vpc_peering_connection", "ec2.transit_gateway")
_PSEUDO = {"AWS::Region": aws_server.REGION, "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
           "AWS::URLSuffix": "amazonaws.com"}

# fixtures whose network cannot be built as the template writes it, or whose verdict rests on what only the
# template can say, each with why
NOT_MOVED = {
    "NET002/good_main_route_table_custom_resource.yaml": "a custom resource may route the template's own main table",
    "NET002/good_custom_resource_in_the_template.yaml": "a custom resource may route the template's own main table",
    "NET004/bad_nat_in_private_subnet.yaml": "the account's NAT gateways are judged only where a task of the "
                                             "run routes through them",
}


# templates without a VPC of their own: nothing to move
NO_VPC = ("NET017/good_network_given_or_chosen_at_run_time.yaml", "NET017/bad_schedule_pipe_and_state.yaml")


class NotMoved(Exception):
    pass


class Quiet:
    def __call__(self, what, n):
        pass

    def done(self):
        pass


def _cases():
    """Every CloudFormation fixture of a network rule, each as a snapshot file and as a folder of AWS CLI outputs.
    By default (the suite stays fast): the first bad template of each rule as a file, and of a few rules as the
    CLI outputs too; every template both ways with -m slow."""
    out, seen = [], set()
    for path in sorted(glob.glob(os.path.join(FIXTURES, "NET0*", "*.yaml"))):
        rel = os.path.relpath(path, FIXTURES)
        rule, name = rel.split("/")
        first = name.startswith("bad_") and rule not in seen and rel not in NOT_MOVED and rel not in NO_VPC
        if first:
            seen.add(rule)
        # one build serves both forms
        forms = ("file", "folder") if not first or rule in _BOTH_WAYS else ("file",)
        out.append(pytest.param(rel, forms, id=rel, marks=() if first else (pytest.mark.slow,)))
    return out


# rules whose first bad template the default run also takes as AWS CLI outputs: routes, endpoints, groups, ACLs
_BOTH_WAYS = ("NET001", "NET005", "NET010", "NET011")


@pytest.fixture(scope="module")
def server():
    srv, url = aws_server.start()
    try:
        yield aws_server.session(url)  # one session: its clients share the API models it has read
    finally:
        srv.stop()


class Builder:
    """A graph's network resources built through the EC2 API; ``ids``: graph key -> AWS ID."""

    def __init__(self, ec2, graph):
        self.ec2, self.graph = ec2, graph
        self.ids, self.vpcs, self.extra = {}, [], {}
        self.hidden = {}  # a subnet the template names by a literal ID: built, then left out of the snapshot
        self.regional = []  # NAT gateways to be made regional in the snapshot (moto has no availability mode)
        self.v6 = {}  # VPC ID -> (its IPv6 block, the /64s handed out)

    def outside_subnet(self, literal):
        """A subnet the template names by an ID of the account's: built in the first VPC, so that what sits in
        it (a NAT gateway) can be, and then taken out of the snapshot, where it stays as unknown as it was."""
        if literal not in self.hidden:
            if not self.vpcs:
                raise NotMoved(f"{literal} names a subnet outside the template, and there is no VPC to put it in")
            self.hidden[literal] = self.ec2.create_subnet(
                VpcId=self.vpcs[0], CidrBlock=f"10.0.{250 - len(self.hidden)}.0/24")["Subnet"]["SubnetId"]
        return self.hidden[literal]

    def ipv6_block(self, vpc):
        """The next /64 of the VPC's Amazon-provided IPv6 block (associated on first use), as the template's
        ``!Cidr`` over ``VPC.Ipv6CidrBlocks`` hands them out."""
        import ipaddress

        if vpc not in self.v6:
            self.ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)
            got = self.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
            self.v6[vpc] = (ipaddress.ip_network(got), [])
        block, used = self.v6[vpc]
        sub = ipaddress.ip_network((int(block.network_address) + (len(used) << 64), 64))
        used.append(sub)
        return str(sub)

    def val(self, v):
        from pullcheck.graph.values import Ref, Template, Unknown

        if isinstance(v, str) and v.startswith("subnet-") and v not in self.ids.values():
            return self.outside_subnet(v)
        if isinstance(v, str) and v.split("-", 1)[0] in ("vpc", "sg", "rtb", "nat", "igw", "acl", "vpce"):
            if v not in self.ids.values():
                raise NotMoved(f"{v} names a resource outside the template")

        if isinstance(v, Ref):
            if v.target not in self.ids:
                raise NotMoved(f"{v} is not built")
            res = self.graph.resources[v.target]
            if v.attr in ("CidrBlock",):
                return res.get("cidr_block")
            if v.attr == "DefaultSecurityGroup":
                return self.default_group(self.ids[v.target])
            return self.ids[v.target]
        if isinstance(v, Template):
            return "".join(p if isinstance(p, str) else self.val(p) for p in v.parts)
        if isinstance(v, Unknown):
            for name, value in _PSEUDO.items():
                if v.origin == f"pseudo parameter {name}":
                    return value
            raise NotMoved(v.origin)
        return v

    def default_group(self, vpc):
        groups = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                            {"Name": "group-name", "Values": ["default"]}])
        return groups["SecurityGroups"][0]["GroupId"]

    def of(self, kind):
        return [r for r in self.graph.of_kind(kind) if r.get("conditional") is not True]

    def build(self):
        for kind in ("ec2.vpc", "ec2.dhcp_options", "ec2.dhcp_options_association", "ec2.subnet",
                     "ec2.internet_gateway", "ec2.gateway_attachment", "ec2.egress_only_internet_gateway",
                     "ec2.transit_gateway", "ec2.vpc_peering_connection", "ec2.nat_gateway", "ec2.route_table",
                     "ec2.route_table_association", "ec2.security_group", "ec2.security_group_rule",
                     "ec2.vpc_endpoint", "ec2.route", "ec2.network_acl", "ec2.network_acl_entry",
                     "ec2.network_acl_association"):
            for r in self.of(kind):
                getattr(self, kind.split(".")[1])(r)

    def vpc(self, r):
        ec2 = self.ec2
        vid = self.ids[r.key] = ec2.create_vpc(CidrBlock=self.val(r.get("cidr_block")) or "10.0.0.0/16")["Vpc"]["VpcId"]
        self.vpcs.append(vid)
        for attr, field in (("enable_dns_support", "EnableDnsSupport"), ("enable_dns_hostnames", "EnableDnsHostnames")):
            v = r.get(attr)
            if v is not None:
                ec2.modify_vpc_attribute(VpcId=vid, **{field: {"Value": str(self.val(v)).lower() == "true"}})
        group = self.default_group(vid)  # EC2's default group admits its own members; moto's has no such rule
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}])

    def dhcp_options(self, r):
        servers = [self.val(s) for s in r.get("servers") or []]
        self.ids[r.key] = self.ec2.create_dhcp_options(DhcpConfigurations=[
            {"Key": "domain-name-servers", "Values": servers}])["DhcpOptions"]["DhcpOptionsId"]

    def dhcp_options_association(self, r):
        self.ec2.associate_dhcp_options(DhcpOptionsId=self.val(r.get("options")), VpcId=self.val(r.get("vpc")))
        self.ids[r.key] = "associated"

    def subnet(self, r):
        vpc, kw = self.val(r.get("vpc")), {}
        if r.get("ipv6_cidr") is not None or r.get("ipv6_native"):
            kw["Ipv6CidrBlock"] = self.ipv6_block(vpc)
        if r.get("ipv6_native") is True:
            kw["Ipv6Native"] = True
        else:
            kw["CidrBlock"] = self.val(r.get("cidr_block"))
        sid = self.ids[r.key] = self.ec2.create_subnet(VpcId=vpc, **kw)["Subnet"]["SubnetId"]
        if r.get("ipv6_cidr") is not None:
            self.ec2.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": True})

    def internet_gateway(self, r):
        self.ids[r.key] = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        if r.get("vpc") is not None:
            self.ec2.attach_internet_gateway(InternetGatewayId=self.ids[r.key], VpcId=self.val(r.get("vpc")))

    def gateway_attachment(self, r):
        if r.get("internet_gateway") is None:
            raise NotMoved("a VPN gateway attachment")
        self.ec2.attach_internet_gateway(InternetGatewayId=self.val(r.get("internet_gateway")),
                                         VpcId=self.val(r.get("vpc")))
        self.ids[r.key] = "attached"

    def egress_only_internet_gateway(self, r):
        # the graph does not keep an egress-only gateway's VpcId: the fixtures that declare one have one VPC
        vpc = self.val(r.get("vpc")) if r.get("vpc") is not None else self.vpcs[0]
        self.ids[r.key] = self.ec2.create_egress_only_internet_gateway(VpcId=vpc)[
            "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]

    def transit_gateway(self, r):
        self.ids[r.key] = self.ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]

    def vpc_peering_connection(self, r):
        peer = self.ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
        vpc = self.val(r.get("vpc")) if r.get("vpc") is not None else self.vpcs[0]
        self.ids[r.key] = self.ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)[
            "VpcPeeringConnection"]["VpcPeeringConnectionId"]

    def nat_gateway(self, r):
        regional = r.get("subnet") is None or str(self.val(r.get("availability_mode"))).lower() == "regional"
        # moto's CreateNatGateway has no AvailabilityMode: a regional gateway is built in a subnet that the
        # snapshot then leaves out, and made regional there (no subnet, its VPC, AvailabilityMode)
        kw = {"SubnetId": self.outside_subnet(f"regional:{r.key}") if regional else self.val(r.get("subnet"))}
        ct = r.get("connectivity_type")
        if ct is not None and str(self.val(ct)).lower() == "private":
            kw["ConnectivityType"] = "private"
        else:
            kw["AllocationId"] = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        self.ids[r.key] = self.ec2.create_nat_gateway(**kw)["NatGateway"]["NatGatewayId"]
        if regional:
            self.regional.append(self.ids[r.key])

    def snapshot_as_built(self, snap):
        """The snapshot with what moto cannot say said: the hidden subnets gone, regional NAT gateways."""
        hidden = set(self.hidden.values())
        snap["Subnets"] = [s for s in snap["Subnets"] if s["SubnetId"] not in hidden]
        for nat in snap["NatGateways"]:
            if nat["NatGatewayId"] in self.regional:
                nat.pop("SubnetId", None)
                nat["AvailabilityMode"] = "regional"
        return snap

    def route_table(self, r):
        if r.get("routes"):
            raise NotMoved("inline routes")
        self.ids[r.key] = self.ec2.create_route_table(VpcId=self.val(r.get("vpc")))["RouteTable"]["RouteTableId"]

    def route_table_association(self, r):
        self.ec2.associate_route_table(RouteTableId=self.val(r.get("route_table")), SubnetId=self.val(r.get("subnet")))
        self.ids[r.key] = "associated"

    def route(self, r):
        self.add_route(self.val(r.get("route_table")), r.attrs)
        self.ids[r.key] = "route"

    def add_route(self, table, rec):
        """A route (a resource's, or a record of a table's inline routes) in the table ``table``."""
        fields = {"gateway": "GatewayId", "nat": "NatGatewayId", "tgw": "TransitGatewayId",
                  "pcx": "VpcPeeringConnectionId", "vpce": "VpcEndpointId", "eigw": "EgressOnlyInternetGatewayId"}
        target, kind = rec.get("target"), rec.get("target_attr")
        text = self.val(target)
        if kind not in fields or not isinstance(text, str):
            raise NotMoved(f"a route to {kind}")
        if text.startswith("tgw-") and target == text:
            text = self.ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]  # a literal ID
        elif text.startswith("pcx-") and target == text:
            vpc = self.ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
            peer = self.ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
            text = self.ec2.create_vpc_peering_connection(VpcId=vpc["VpcId"], PeerVpcId=peer)[
                "VpcPeeringConnection"]["VpcPeeringConnectionId"]
        if rec.get("destination_prefix_list") is not None:
            raise NotMoved("a route to a prefix list")
        dest = {"DestinationCidrBlock": self.val(rec.get("destination"))} if rec.get("destination") else \
            {"DestinationIpv6CidrBlock": self.val(rec.get("destination_ipv6"))}
        if not all(isinstance(v, str) for v in dest.values()):
            raise NotMoved("a route whose destination cannot be known")
        self.ec2.create_route(RouteTableId=table, **dest, **{fields[kind]: text})

    def permission(self, rule, group=None):
        p = {"IpProtocol": str(self.val(rule.get("protocol")))}
        if p["IpProtocol"] not in ("-1", "all"):
            p["FromPort"], p["ToPort"] = int(self.val(rule.get("from"))), int(self.val(rule.get("to")))
        else:
            p["IpProtocol"] = "-1"
        p["IpRanges"] = [{"CidrIp": self.val(c)} for c in rule.get("cidr4") or []]
        p["Ipv6Ranges"] = [{"CidrIpv6": self.val(c)} for c in rule.get("cidr6") or []]
        p["UserIdGroupPairs"] = [{"GroupId": self.val(g)} for g in rule.get("groups") or []]
        if rule.get("self") is True:
            if group is None:
                raise NotMoved("a rule of its own group, whose group is not known here")
            p["UserIdGroupPairs"].append({"GroupId": group})
        if rule.get("prefix_lists"):
            raise NotMoved("a prefix list in a rule")
        return p

    def security_group(self, r):
        self.ids[r.key] = self.ec2.create_security_group(
            GroupName=r.name, Description="moved", VpcId=self.val(r.get("vpc")))["GroupId"]
        self.extra[r.key] = r

    def security_group_rule(self, r):
        fn = self.ec2.authorize_security_group_egress if r.get("direction") == "egress" else \
            self.ec2.authorize_security_group_ingress
        if r.get("group") is None:
            raise NotMoved("a rule of a group given by name")
        group = self.val(r.get("group"))
        fn(GroupId=group, IpPermissions=[self.permission(r.get("rule"), group)])
        self.ids[r.key] = "rule"

    def rules_of_groups(self):
        for key, r in self.extra.items():
            gid = self.ids[key]
            # Terraform keeps a group to its blocks: EC2's allow-all egress goes (egress_default "none")
            if r.get("egress") is not None or r.get("egress_default") == "none":
                self.ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
                if r.get("egress"):
                    self.ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[
                        self.permission(x, gid) for x in r.get("egress")])
            if r.get("ingress"):
                self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
                    self.permission(x, gid) for x in r.get("ingress")])

    def vpc_endpoint(self, r):
        if self.extra and not getattr(self, "_rules_done", False):
            self.rules_of_groups()
            self._rules_done = True
        etype = str(self.val(r.get("type")) or "Gateway")
        kw = {"VpcId": self.val(r.get("vpc")), "ServiceName": self.val(r.get("service_name")),
              "VpcEndpointType": etype}
        for attr, field in (("subnets", "SubnetIds"), ("security_groups", "SecurityGroupIds"),
                            ("route_tables", "RouteTableIds")):
            if isinstance(r.get(attr), list) and r.get(attr):
                kw[field] = [self.val(x) for x in r.get(attr)]
        if etype.lower() == "interface":
            kw["PrivateDnsEnabled"] = str(self.val(r.get("private_dns"))).lower() == "true"
        if r.get("policy") is not None:
            raise NotMoved("an endpoint policy")
        self.ids[r.key] = self.ec2.create_vpc_endpoint(**kw)["VpcEndpoint"]["VpcEndpointId"]

    def network_acl(self, r):
        if r.get("entries") or r.get("subnets"):
            raise NotMoved("inline entries")
        self.ids[r.key] = self.ec2.create_network_acl(VpcId=self.val(r.get("vpc")))["NetworkAcl"]["NetworkAclId"]

    def network_acl_entry(self, r):
        e = r.get("entry")
        kw = {"NetworkAclId": self.val(r.get("acl")), "RuleNumber": int(self.val(e["number"])),
              "Protocol": str(self.val(e["protocol"])), "RuleAction": str(self.val(e["action"])).lower(),
              "Egress": str(self.val(e["egress"])).lower() == "true", "CidrBlock": self.val(e["cidr4"])}
        if e.get("from") is not None:
            kw["PortRange"] = {"From": int(self.val(e["from"])), "To": int(self.val(e["to"]))}
        self.ec2.create_network_acl_entry(**kw)
        self.ids[r.key] = "entry"

    def network_acl_association(self, r):
        subnet, acl = self.val(r.get("subnet")), self.val(r.get("acl"))
        found = self.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
        assoc = next(a["NetworkAclAssociationId"] for n in found["NetworkAcls"] for a in n["Associations"]
                     if a["SubnetId"] == subnet)
        self.ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
        self.ids[r.key] = "associated"


def _without_network(doc, moved):
    """The template with the moved resources taken out and every reference to them made the new ID."""
    def walk(v):
        if isinstance(v, dict):
            if len(v) == 1:
                (k, arg), = v.items()
                if k == "Ref" and arg in moved:
                    return moved[arg][None]
                if k == "Fn::GetAtt":
                    name, attr = (arg.split(".", 1) if isinstance(arg, str) else arg)
                    if name in moved:
                        return moved[name].get(attr, moved[name][None])
                if k == "Fn::Sub" and isinstance(arg, str):
                    for name, ids in moved.items():
                        arg = arg.replace("${" + name + "}", ids[None])
                    return {k: arg}
            return {k: walk(x) for k, x in v.items() if k != "DependsOn" or x not in moved}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    out = walk(doc)
    out["Resources"] = {k: r for k, r in out["Resources"].items() if k not in moved}
    out.setdefault("AWSTemplateFormatVersion", "2010-09-09")
    return out


def _verdicts(path, rules, network=None):
    from pullcheck.engine.stages import lint_graph

    _, found = lint_graph([str(path)], rules, network=network)
    return sorted({f.rule_id for f in found if f.rule_id.startswith("NET")})


def _plain(v):
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _cli_outputs(snap, folder):
    """The snapshot as the AWS CLI writes the same calls, one file each (``aws ec2 describe-subnets >
    subnets.json``): the API's lists under their keys, less what the CLI's describe calls do not return (the
    VPCs' DNS attributes, which come from describe-vpc-attribute)."""
    folder.mkdir()
    for key, value in snap.items():
        if not isinstance(value, list):
            continue
        if key == "Vpcs":
            value = [{k: v for k, v in vpc.items() if not k.startswith("EnableDns")} for vpc in value]
        (folder / f"{key.lower()}.json").write_text(json.dumps({key: value}, indent=2))
    return folder


# what the CLI outputs cannot tell, so the rules that read it say nothing with a folder
_NOT_IN_CLI_OUTPUTS = ("NET007", "NET008")  # the VPC's DNS attributes


@pytest.mark.parametrize("rel,forms", _cases())
def test_the_verdicts_hold_with_the_vpc_in_a_snapshot(rel, forms, server, rules, tmp_path):
    if rel in NOT_MOVED:
        pytest.skip(NOT_MOVED[rel])
    from pullcheck.engine.stages import build_graph
    from pullcheck.formats import snapshot
    from pullcheck.integrations.snapshot import take
    from pullcheck.sources.marked import load_yaml_documents

    net = {k: r for k, r in rules.items() if k.startswith("NET")}
    src = os.path.join(FIXTURES, rel)
    graph, _ = build_graph([src])
    assert any(True for _ in graph.of_kind("ec2.vpc")) == (rel not in NO_VPC)
    if rel in NO_VPC:
        pytest.skip("no VPC in the template")
    session, url = server
    aws_server.reset(url)
    built = Builder(session.client("ec2", endpoint_url=url), graph)
    try:
        built.build()
        if built.extra and not getattr(built, "_rules_done", False):
            built.rules_of_groups()
    except NotMoved as e:
        pytest.skip(f"not built in the API: {e}")
    moved = {}
    for key, ident in built.ids.items():
        res = graph.resources[key]
        logical = key.rsplit("#", 1)[1]
        moved[logical] = {None: ident, "CidrBlock": res.get("cidr_block")}
        if res.kind == "ec2.vpc":
            moved[logical]["DefaultSecurityGroup"] = built.default_group(ident)
    with open(src, encoding="utf-8") as f:
        doc = _plain(load_yaml_documents(f.read())[0])
    (tmp_path / "service.json").write_text(json.dumps(_without_network(doc, moved), indent=1))
    args = argparse.Namespace(vpc=built.vpcs, role=[], ecr=False, endpoint_url=url)
    snap = built.snapshot_as_built(take(session, aws_server.REGION, args, Quiet()))
    expected = _verdicts(src, net)
    if "file" in forms:
        (tmp_path / "network.json").write_text(json.dumps(snap))
        assert _verdicts(tmp_path / "service.json", net, snapshot.load(str(tmp_path / "network.json"))) == expected
    if "folder" in forms:
        network = snapshot.load(str(_cli_outputs(snap, tmp_path / "network")))
        assert (network.account, network.region) == (snap["account"], snap["region"])
        assert _verdicts(tmp_path / "service.json", net, network) == [
            r for r in expected if r not in _NOT_IN_CLI_OUTPUTS]
