"""The Terraform fixtures' network rules give the same verdicts with their network moved into the account.

Each Terraform fixture of a network rule is read as pullcheck reads it (a module of its own); its network
resources (VPC, subnets, route tables, their routes and associations, gateways, endpoints, groups and their
rules, network ACLs) are built in moto's AWS API server through boto3's HTTP calls, each tagged with its
Terraform address, and taken back with the snapshot command's code. Their blocks leave the ``.tf``, and what
the rest of it reads of them reads the account instead, as a service repository does: subnets through
``data "aws_subnet"`` (by tag) and ``data "aws_subnets"`` (by tag and ``vpc-id``), route tables through
``data "aws_route_table"`` (by ``subnet_id`` where the table has one subnet, else by tags), endpoints through
``data "aws_vpc_endpoint"`` (by ``vpc_id`` and ``service_name``), everything else through variables holding
the IDs. The module and the snapshot then give the NET rules' verdicts of the fixture."""
import argparse
import glob
import ipaddress
import json
import os
import re
import shutil

import pytest
from conftest import FIXTURES

pytest.importorskip("moto.server")
pytest.importorskip("boto3")

import aws_server  # noqa: E402
from test_snapshot_fixtures import MOVED, Builder, NotMoved, Quiet  # noqa: E402

TAG = "moved"  # the tag that names a built resource's Terraform address
GROUP_TAG = "moved-from"  # ... and its resource block's, for every instance of a counted one


def _cases():
    """The first bad fixture of each rule (its first good one when no bad one can move) by default, so the
    suite stays fast; every one with -m slow."""
    # fixtures of one file: a folder whose module is its main.tf alone
    paths = [os.path.relpath(os.path.dirname(p), FIXTURES)
             for p in sorted(glob.glob(os.path.join(FIXTURES, "NET0*", "*", "main.tf")))
             if glob.glob(os.path.join(os.path.dirname(p), "*.tf")) == [p]]
    chosen = {}
    for rel in sorted((p for p in paths if p not in NOT_MOVED), key=lambda p: not p.split("/")[1].startswith("bad_")):
        chosen.setdefault(rel.split("/")[0], rel)
    fast = set(chosen.values())
    return [pytest.param(rel, id=rel, marks=() if rel in fast else (pytest.mark.slow,)) for rel in paths]


# fixtures whose verdict rests on what only the module can say, each with why
NOT_MOVED = {
    "NET002/good_unmanaged_main_route_table": "the module leaves its VPC's main table unmanaged (its routes "
                                                 "unknown); the account's main table is known",
    "NET004/bad_nat_in_subnet_without_igw_route": "the account's NAT gateways are judged only where a task of "
                                                     "the run routes through them",
    "NET013/good_region_unknown": "the module's Region is unknown (data.aws_region, no provider); the account's "
                                     "endpoints name theirs",
}


class TfBuilder(Builder):
    """The base builder, reading Terraform's values: references name attributes (``id``, ``cidr_block``,
    ``default_security_group_id``...), the default table, ACL and group are adopted, not created, and a
    table's routes and an ACL's rules may be inline."""

    def __init__(self, ec2, graph):
        super().__init__(ec2, graph)
        self.cidrs = {}  # VPC ID -> the /24s handed out to subnets without a CIDR

    def val(self, v):
        from pullcheck.graph.values import Ref, Template, Unknown

        if isinstance(v, Ref):
            if ":data.aws_region." in v.target and v.attr in ("name", "id", "region"):
                return aws_server.REGION  # the provider's Region: the server's
            if v.target not in self.ids:
                raise NotMoved(f"{v.target} is not built")
            ident = self.ids[v.target]
            if v.attr in (None, "id"):
                return ident
            if v.attr == "cidr_block":
                return self.ec2.describe_vpcs(VpcIds=[ident])["Vpcs"][0]["CidrBlock"] if ident.startswith(
                    "vpc-") else self.ec2.describe_subnets(SubnetIds=[ident])["Subnets"][0]["CidrBlock"]
            if v.attr == "default_security_group_id":
                return self.default_group(ident)
            if v.attr in ("main_route_table_id", "default_route_table_id"):
                return self.main_table(ident)
            if v.attr == "default_network_acl_id":
                return self.default_acl(ident)
            if v.attr == "prefix_list_id" and ident.startswith("vpce-"):
                service = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[ident])["VpcEndpoints"][0]["ServiceName"]
                return self.ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [
                    service]}])["PrefixLists"][0]["PrefixListId"]
            raise NotMoved(f"a reference to {v.attr}")
        if isinstance(v, Template):
            return "".join(p if isinstance(p, str) else self.val(p) for p in v.parts)
        if isinstance(v, Unknown) and "variable region" in v.origin:
            return aws_server.REGION  # a Region variable without a value: the server's
        return super().val(v)

    def build(self):
        self._rules_done = True  # a group's rules may name an endpoint's prefix list: written once all is built
        super().build()
        if self.extra:
            self.rules_of_groups()

    def main_table(self, vpc):
        return self.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {
            "Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]

    def default_acl(self, vpc):
        return self.ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {
            "Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]

    def permission(self, rule, group=None):
        lists = [self.val(x) for x in rule.get("prefix_lists") or []]
        p = super().permission({**rule, "prefix_lists": []}, group)
        if lists:
            p["PrefixListIds"] = [{"PrefixListId": x} for x in lists]
        return p

    def subnet(self, r):
        from pullcheck.graph.values import Unknown

        if isinstance(r.get("cidr_block"), Unknown) and "cidrsubnet" in r.get("cidr_block").origin:
            r = _with(r, cidr_block=None)  # a range carved out of the VPC's: one is handed out below
        if r.get("cidr_block") is None and not r.get("ipv6_native"):
            vpc = self.val(r.get("vpc"))
            block = ipaddress.ip_network(self.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlock"])
            used = self.cidrs.setdefault(vpc, [])
            cidr = str(list(block.subnets(new_prefix=24))[200 + len(used)])  # clear of the fixtures' own
            used.append(cidr)
            r = _with(r, cidr_block=cidr)
        super().subnet(r)

    def route_table(self, r):
        vpc = self.val(r.get("vpc"))
        table = self.main_table(vpc) if r.get("main") else self.ec2.create_route_table(VpcId=vpc)[
            "RouteTable"]["RouteTableId"]
        self.ids[r.key] = table
        for rec in r.get("routes") or []:
            self.add_route(table, rec)

    def route_table_association(self, r):
        if r.get("main_for_vpc") is None:
            return super().route_table_association(r)
        vpc = self.val(r.get("main_for_vpc"))
        main = self.ec2.describe_route_tables(RouteTableIds=[self.main_table(vpc)])["RouteTables"][0]
        assoc = next(a["RouteTableAssociationId"] for a in main["Associations"] if a.get("Main"))
        self.ec2.replace_route_table_association(AssociationId=assoc, RouteTableId=self.val(r.get("route_table")))
        self.ids[r.key] = "associated"

    def security_group(self, r):
        if not r.get("default"):
            return super().security_group(r)
        gid = self.ids[r.key] = self.default_group(self.val(r.get("vpc")))
        # Terraform's default group keeps only the rules its blocks write
        self.ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": gid}]}])
        self.extra[r.key] = r

    def network_acl(self, r):
        entries = r.get("entries")
        if not isinstance(entries, list):
            raise NotMoved("ACL rules that cannot be known")
        vpc = self.val(r.get("vpc"))
        acl = self.default_acl(vpc) if r.get("default") else self.ec2.create_network_acl(VpcId=vpc)[
            "NetworkAcl"]["NetworkAclId"]
        self.ids[r.key] = acl
        if r.get("default"):  # Terraform's default ACL keeps only the rules its blocks write
            for egress in (True, False):
                self.ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=egress)
        for e in entries:
            self.network_acl_entry(_Plain(f"{r.key}/{e['number']}/{e['egress']}", entry=e, acl=acl))
        for subnet in r.get("subnets") or []:
            self.network_acl_association(_Plain(f"{r.key}/{subnet}", subnet=subnet, acl=acl))

    def network_acl_entry(self, r):
        e = dict(r.get("entry"))
        e["protocol"] = {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}.get(str(self.val(e["protocol"])),
                                                                             e["protocol"])
        e["egress"] = "true" if self.val(e.get("egress")) in (True, "true") else "false"
        if e.get("cidr4") is None:
            raise NotMoved("an IPv6 ACL rule")
        if e.get("from") is not None and str(e["protocol"]) == "-1":
            e["from"] = None
        super().network_acl_entry(_with(r, entry=e))


class _Plain:
    """A record that reads like a resource: what the base builder's methods take."""

    def __init__(self, key, **attrs):
        self.key, self.attrs, self.name = key, attrs, key

    def get(self, name, default=None):
        return self.attrs.get(name, default)


def _with(r, **changed):
    out = _Plain(r.key, **{**r.attrs, **changed})
    out.name = r.name
    return out


# -- the module without its network

_REF = re.compile(r"\b(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(\[\*\]|\.\*|\[(\d+)\])?\.([a-z_]+)\b")


def _blocks(text):
    """(start, end, type, name) of each top-level ``resource`` block."""
    out = []
    for m in re.finditer(r'^resource\s+"([^"]+)"\s+"([^"]+)"\s*\{', text, re.M):
        depth, i, quoted = 0, m.end() - 1, False
        while True:
            c = text[i]
            if c == '"' and text[i - 1] != "\\":
                quoted = not quoted
            elif not quoted and c == "{":
                depth += 1
            elif not quoted and c == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        out.append((m.start(), i + 1, m.group(1), m.group(2)))
    return out


class Reader:
    """What the module's remaining blocks read of the moved resources, written as reads of the account."""

    def __init__(self, graph, built, ec2):
        self.graph, self.built, self.ec2 = graph, built, ec2
        self.blocks = []  # the data sources and variables the module needs
        self.names = set()

    def address(self, key):
        return key.split(":", 1)[1] if ":" in key else key

    def instances(self, base):
        return [r for r in self.graph.resources.values() if r.kind in MOVED and
                re.sub(r"\[[^\]]*\]$", "", self.address(r.key)) == base]

    def tag(self):
        for key, ident in self.built.ids.items():
            if isinstance(ident, str) and "-" in ident and not ident.startswith(("associated", "route", "rule")):
                addr = self.address(key)
                self.ec2.create_tags(Resources=[ident], Tags=[{"Key": TAG, "Value": addr}, {
                    "Key": GROUP_TAG, "Value": re.sub(r"\[[^\]]*\]$", "", addr)}])

    def name(self, base, suffix=""):
        n = re.sub(r"\W", "_", base.split(".", 1)[1] + suffix)
        while n in self.names:
            n += "_"
        self.names.add(n)
        return n

    def rewrite(self, match):
        rtype, name, index, number, attr = match.groups()
        base = f"{rtype}.{name}"
        found = self.instances(base)
        if not found:
            return match.group(0)
        if attr != "id":
            raise NotMoved(f"{base}.{attr} read outside the network")
        ids = [self.built.ids[r.key] for r in found]
        if index in ("[*]", ".*"):
            if rtype == "aws_subnet":
                vpc = self.ec2.describe_subnets(SubnetIds=ids[:1])["Subnets"][0]["VpcId"]
                n = self.name(base)
                self.blocks.append(f'data "aws_subnets" "{n}" {{\n  filter {{\n    name   = "tag:{GROUP_TAG}"\n'
                                   f'    values = ["{base}"]\n  }}\n  filter {{\n    name   = "vpc-id"\n'
                                   f'    values = ["{vpc}"]\n  }}\n}}\n')
                return f"data.aws_subnets.{n}.ids"
            n = self.name(base, "_ids")
            self.blocks.append(f'variable "{n}" {{\n  type    = list(string)\n  default = {json.dumps(ids)}\n}}\n')
            return f"var.{n}"
        addr = base + (f"[{number}]" if number is not None else "")
        r = next((r for r in found if self.address(r.key) == addr), None)
        if r is None:
            raise NotMoved(f"{addr} is not one instance")
        return self.single(r, addr, self.built.ids[r.key])

    def single(self, r, addr, ident):
        n = self.name(addr)
        if r.kind == "ec2.subnet":
            self.blocks.append(f'data "aws_subnet" "{n}" {{\n  filter {{\n    name   = "tag:{TAG}"\n'
                               f'    values = ["{addr}"]\n  }}\n}}\n')
            return f"data.aws_subnet.{n}.id"
        if r.kind == "ec2.route_table":
            table = self.ec2.describe_route_tables(RouteTableIds=[ident])["RouteTables"][0]
            subnets = [a["SubnetId"] for a in table["Associations"] if a.get("SubnetId")]
            how = f'  subnet_id = "{subnets[0]}"\n' if len(subnets) == 1 else f'  tags = {{ {TAG} = "{addr}" }}\n'
            self.blocks.append(f'data "aws_route_table" "{n}" {{\n{how}}}\n')
            return f"data.aws_route_table.{n}.id"
        if r.kind == "ec2.vpc_endpoint":
            e = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[ident])["VpcEndpoints"][0]
            self.blocks.append(f'data "aws_vpc_endpoint" "{n}" {{\n  vpc_id       = "{e["VpcId"]}"\n'
                               f'  service_name = "{e["ServiceName"]}"\n}}\n')
            return f"data.aws_vpc_endpoint.{n}.id"
        self.blocks.append(f'variable "{n}" {{\n  type    = string\n  default = "{ident}"\n}}\n')
        return f"var.{n}"

    def module(self, text):
        moved = {re.sub(r"\[[^\]]*\]$", "", self.address(k)) for k in self.built.ids}
        kept, at = [], 0
        for start, end, rtype, name in _blocks(text):
            if f"{rtype}.{name}" in moved:
                kept.append(text[at:start])
                at = end
        kept.append(text[at:])
        rest = _REF.sub(self.rewrite, "".join(kept))
        return rest + "\n" + "\n".join(self.blocks)


def _verdicts(path, rules, network=None):
    from pullcheck.engine.stages import lint_graph

    _, found = lint_graph([str(path)], rules, network=network)
    return sorted({f.rule_id for f in found if f.rule_id.startswith("NET")})


@pytest.fixture(scope="module")
def server():
    srv, url = aws_server.start()
    try:
        yield aws_server.session(url)
    finally:
        srv.stop()


@pytest.mark.parametrize("rel", _cases())
def test_the_verdicts_hold_with_the_network_in_a_snapshot(rel, server, rules, tmp_path):
    if rel in NOT_MOVED:
        pytest.skip(NOT_MOVED[rel])
    from pullcheck.engine.stages import build_graph
    from pullcheck.formats import snapshot
    from pullcheck.integrations.snapshot import take

    net = {k: r for k, r in rules.items() if k.startswith("NET")}
    original = tmp_path / "original"
    original.mkdir()
    shutil.copy(os.path.join(FIXTURES, rel, "main.tf"), original / "main.tf")
    graph, _ = build_graph([str(original / "main.tf")])
    session, url = server
    aws_server.reset(url)
    ec2 = session.client("ec2", endpoint_url=url)
    built = TfBuilder(ec2, graph)
    try:
        built.build()
        reader = Reader(graph, built, ec2)
        reader.tag()
        service = reader.module((original / "main.tf").read_text())
    except NotMoved as e:
        pytest.skip(f"not built in the API: {e}")
    if not built.vpcs:
        pytest.skip("no VPC in the module")  # nothing to move, and the snapshot would be the whole server's
    moved = tmp_path / "service"
    moved.mkdir()
    (moved / "main.tf").write_text(service)
    args = argparse.Namespace(vpc=built.vpcs, role=[], ecr=False, endpoint_url=url)
    snap = built.snapshot_as_built(take(session, aws_server.REGION, args, Quiet()))
    (tmp_path / "network.json").write_text(json.dumps(snap))
    network = snapshot.load(str(tmp_path / "network.json"))
    assert _verdicts(moved / "main.tf", net, network) == _verdicts(original / "main.tf", net), service
