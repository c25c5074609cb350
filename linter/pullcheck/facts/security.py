"""Security groups and network ACLs, evaluated for the one flow a pull needs: TCP 443 out, replies back.

Answers are three-valued: True (allowed), False (the graph proves it is blocked), None (it depends on
something the scanned files do not show: a rule from another stack, a prefix list, a computed value).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Collection, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from pullcheck.facts.reach import Unresolved
from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref, Unknown, text_of

HTTPS = 443
EPHEMERAL = (1024, 65535)
ALLOW_ALL = {"protocol": "-1", "from": None, "to": None, "cidr4": ["0.0.0.0/0"], "cidr6": ["::/0"],
             "prefix_lists": [], "groups": [], "self": False, "implicit": True}


def _and(*vals: Optional[bool]) -> Optional[bool]:
    return False if False in vals else (None if None in vals else True)


def _any(vals: Iterable[Optional[bool]]) -> Optional[bool]:
    seen_none = False
    for v in vals:
        if v is True:
            return True
        if v is None:
            seen_none = True
    return None if seen_none else False


_WHOLE = re.compile(r"-?[0-9]{1,10}")


def port_number(v: Any, lo: int = -1, hi: int = 65535) -> Optional[int]:
    """A whole number in [lo, hi]: an integer, its decimal text, or a whole float (Terraform's arithmetic
    gives them). Else None: an infinity, NaN, a fraction, a boolean or a number out of range is no port,
    protocol or rule number, and what EC2 would make of it is not known."""
    if isinstance(v, bool):
        return None
    if isinstance(v, float):
        if not v.is_integer():  # NaN and the infinities too
            return None
        v = int(v)
    elif isinstance(v, str):
        t = v.strip()
        if not _WHOLE.fullmatch(t):
            return None
        v = int(t)
    elif not isinstance(v, int):
        return None
    return v if lo <= v <= hi else None


_PROTOCOLS = {"-1": "all", "all": "all", "tcp": "tcp", "udp": "other", "icmp": "other", "icmpv6": "other"}


def protocol(v: Any) -> Optional[str]:
    """all | tcp | other, or None when unknown: a name EC2 knows (any case) or a number from 0 to 255
    (-1 for all); anything else is not a protocol EC2 would accept."""
    if isinstance(v, str) and v.strip().lower() in _PROTOCOLS:
        return _PROTOCOLS[v.strip().lower()]
    n = port_number(v, -1, 255)
    if n is None:
        return None
    return "all" if n == -1 else "tcp" if n == 6 else "other"


def ports_cover(rule: Dict[str, Any], lo: int, hi: int) -> Optional[bool]:
    """Whether the rule's TCP port range includes [lo, hi] (True), misses it (False), or is unknown."""
    p = protocol(rule.get("protocol"))
    if p is None:
        return None
    if p == "other":
        return False
    if p == "all":
        return True
    f, t = rule.get("from"), rule.get("to")
    if f is None and t is None:
        return True
    a, b = port_number(f), port_number(t)
    if a is None or b is None:
        return None
    if a == -1 and b == -1:
        return True
    if a == -1 or b == -1 or a > b:
        return None  # a range EC2 does not take for TCP
    return a <= lo and hi <= b


_CIDR = re.compile(r"[0-9A-Fa-f.:]+/[0-9]{1,3}")


def cidr(v: Any) -> Any:
    """A range written in CIDR notation, else None: a number, or an address without its prefix length, is
    not a range EC2 takes."""
    if not isinstance(v, str) or len(v) > 64:  # the longest, IPv6 written out whole, is 43 characters
        return None
    return _network(v.strip())


@lru_cache(maxsize=4096)
def _network(text: str) -> Any:
    if not _CIDR.fullmatch(text):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


# --------------------------------------------------------------------------- destinations and sources

@dataclass
class Peer:
    """Who is at the other end: the internet, S3 through a gateway endpoint, or ENIs inside the VPC."""

    internet: bool = False
    s3: bool = False
    cidrs: List[Any] = field(default_factory=list)  # ip_network values known to hold the peer
    vpc_cidr: Any = None  # the VPC's range, when the peer's own range is not known
    groups: List[str] = field(default_factory=list)  # keys of security groups the peer carries
    s3_prefix_lists: Collection[str] = field(default_factory=list)  # keys of S3 gateway endpoints
    _index: Any = field(default=None, repr=False, compare=False)

    def holds(self, n: Any) -> Optional[bool]:
        """Whether one of the peer's IPv4 ranges lies inside ``n`` (True), overlaps it (None), or neither."""
        if len(self.cidrs) <= 8:
            v4 = [p for p in self.cidrs if p.version == 4]
            if any(p.subnet_of(n) for p in v4):
                return True
            return None if any(p.overlaps(n) for p in v4) else False
        if self._index is None:  # endpoints in every subnet of a large VPC: asked once per task and rule
            self._index = _RangeIndex([p for p in self.cidrs if p.version == 4])
        return self._index.holds(n)

    def describe(self) -> str:
        if self.internet:
            return "0.0.0.0/0"
        if self.s3:
            return "the S3 prefix list or 0.0.0.0/0"
        return "the endpoints' security group or subnets"


class _RangeIndex:
    """IPv4 ranges, asked which of them lie inside or overlap a range in a constant number of look-ups."""

    def __init__(self, ranges: List[Any]) -> None:
        # inside[m]: the first m bits of every range at least m bits long; ranges: (length, its bits)
        self.inside: List[Set[int]] = [set() for _ in range(33)]
        self.ranges: Set[Tuple[int, int]] = set()
        for p in ranges:
            bits, length = int(p.network_address), p.prefixlen
            self.ranges.add((length, bits >> (32 - length)))
            for m in range(length + 1):
                self.inside[m].add(bits >> (32 - m))

    def holds(self, n: Any) -> Optional[bool]:
        bits, length = int(n.network_address), n.prefixlen
        if bits >> (32 - length) in self.inside[length]:
            return True
        # a range that holds n overlaps it
        return None if any((m, bits >> (32 - m)) in self.ranges for m in range(length + 1)) else False


def items(v: Any) -> List[Any]:
    """A rule's list of ranges, groups or prefix lists; something else is one value that cannot be known."""
    if isinstance(v, list):
        return v
    return [] if v is None else [Unknown("a value that is not a list")]


def cidr_covers(cidrs: Sequence[Any], peer: Peer) -> Optional[bool]:
    """Whether one of the rule's IPv4 ranges holds the peer."""
    result: List[Optional[bool]] = []
    for c in items(cidrs):
        n = cidr(c)
        if n is None:
            result.append(None)
            continue
        if n.version != 4:
            continue
        if n.prefixlen == 0:
            return True
        if peer.internet or peer.s3:
            # a private range never reaches the registry; a public one might hold its addresses
            result.append(False if n.is_private else None)
            continue
        if peer.cidrs:
            held = peer.holds(n)
            if held:
                return True
            result.append(held)
        elif peer.vpc_cidr is not None:
            result.append(True if peer.vpc_cidr.subnet_of(n) else (None if peer.vpc_cidr.overlaps(n) else False))
        else:
            result.append(None)
    return _any(result)


def rule_admits(rule: Dict[str, Any], peer: Peer, own_group: Optional[str], lo: int = HTTPS,
                hi: int = HTTPS) -> Optional[bool]:
    """Whether one security group rule allows TCP [lo, hi] with the peer."""
    ports = ports_cover(rule, lo, hi)
    if ports is False:
        return False
    who: List[Optional[bool]] = [cidr_covers(rule.get("cidr4"), peer)]
    for g in items(rule.get("groups")):
        if isinstance(g, Ref) and g.attr in _DEFAULT_GROUP_ATTRS:  # a VPC's default group, named by its VPC
            who.append(_default_key(g.target) in peer.groups)
        elif isinstance(g, Ref):
            who.append(g.target in peer.groups)
        else:
            t = text_of(g)
            who.append(None if t is None or peer.groups else False)
    if rule.get("self") and own_group is not None:
        who.append(own_group in peer.groups)
    for pl in items(rule.get("prefix_lists")):
        if isinstance(pl, Ref) and pl.attr == "prefix_list_id" and pl.target in peer.s3_prefix_lists:
            who.append(True)
        elif peer.s3 or peer.internet:
            who.append(None)  # a managed prefix list we cannot read might hold the addresses
        else:
            who.append(False)
    return _and(ports, _any(who))


# --------------------------------------------------------------------------- security groups

@dataclass
class _SGIndex:
    rules: Dict[Tuple[str, str], List[Resource]] = field(default_factory=dict)
    # standalone rules whose group (or direction) cannot be resolved, by direction: each may belong to any
    # group its value can stand for (pullcheck.facts.reach)
    loose: Dict[str, Unresolved] = field(default_factory=lambda: {"ingress": Unresolved(), "egress": Unresolved()})

    @property
    def unresolved(self) -> str:
        return str(self.loose["ingress"]) or str(self.loose["egress"])


def sg_index(graph: Graph) -> _SGIndex:
    return graph.facts.index(_build_sg_index)


def _build_sg_index(graph: Graph) -> _SGIndex:
    idx = _SGIndex()
    for r in graph.of_kind("ec2.security_group_rule"):
        g, d = r.get("group"), r.get("direction")
        if isinstance(g, Ref) and d in ("ingress", "egress"):
            idx.rules.setdefault((g.target, d), []).append(r)
            continue
        for direction in (d,) if d in ("ingress", "egress") else ("ingress", "egress"):
            idx.loose[direction].add(r, g, f"rule {r.name} belongs to a group or direction that cannot be resolved")
    return idx


@dataclass
class Group:
    """A security group as the evaluator sees it: a resource, or a VPC default group nobody manages."""

    key: str
    name: str
    resource: Optional[Resource] = None
    rules: Optional[Dict[str, Optional[List[Dict[str, Any]]]]] = None
    why: str = ""


def _managed_default_groups(graph: Graph) -> Dict[str, Resource]:
    """VPC key -> its aws_default_security_group, indexed once instead of scanned per launch site."""
    out: Dict[str, Resource] = {}
    for sg in graph.of_kind("ec2.security_group"):
        v = sg.get("vpc")
        if sg.get("default") and isinstance(v, Ref):
            out.setdefault(v.target, sg)
    return out


_DEFAULT_GROUP_ATTRS = ("DefaultSecurityGroup", "default_security_group_id")


def _default_key(vpc_key: str) -> str:
    return f"default-sg:{vpc_key}"


def peer_keys(groups: Sequence[Group]) -> List[str]:
    """The keys a peer carrying ``groups`` is known by in rules: each group's own, and for a VPC's default
    group (managed or not) the name rules give it through its VPC (``!GetAtt VPC.DefaultSecurityGroup``,
    ``aws_vpc.x.default_security_group_id``)."""
    out = []
    for g in groups:
        out.append(g.key)
        vpc = g.resource.get("vpc") if g.resource is not None and g.resource.get("default") else None
        if isinstance(vpc, Ref):
            out.append(_default_key(vpc.target))
    return out


def default_group(graph: Graph, vpc: Any) -> Optional[Group]:
    """The VPC's default security group: the managed one, or EC2's defaults when nobody manages it."""
    if not isinstance(vpc, Ref):
        return None
    managed = graph.facts.index(_managed_default_groups).get(vpc.target)
    if managed is not None:
        return group(graph, managed)
    key = _default_key(vpc.target)
    self_rule = {"protocol": "-1", "from": None, "to": None, "cidr4": [], "cidr6": [], "prefix_lists": [],
                 "groups": [], "self": True, "implicit": True}
    return Group(key, "the VPC's default security group (not managed here)", None,
                 {"ingress": [self_rule], "egress": [ALLOW_ALL]})


def group(graph: Graph, sg: Resource) -> Group:
    cache = graph.facts.table(group)
    if sg.key in cache:
        return cache[sg.key]
    idx = sg_index(graph)
    rules: Dict[str, Optional[List[Dict[str, Any]]]] = {}
    why = ""
    for direction in ("ingress", "egress"):
        inline = sg.get(direction)
        standalone = idx.rules.get((sg.key, direction), [])
        if sg.get("conditional") or any(r.get("conditional") for r in standalone):
            rules[direction], why = None, "the group or one of its rules depends on a condition"
            continue
        loose = idx.loose[direction].about(graph, sg)
        if loose:
            rules[direction], why = None, loose
            continue
        if isinstance(inline, Unknown) or (isinstance(inline, list) and any(isinstance(x, Unknown) for x in inline)):
            rules[direction], why = None, f"the {direction} rules of {sg.name} cannot be evaluated"
            continue
        found = list(inline or []) + [r.get("rule") for r in standalone]
        if direction == "egress" and inline is None and sg.get("egress_default") == "all":
            if standalone:
                # CloudFormation: whether EC2's allow-all rule survives standalone egress rules is not documented
                rules[direction], why = None, f"{sg.name} has only standalone egress rules"
                continue
            found = [ALLOW_ALL]
        rules[direction] = [_with_ranges(graph, r) for r in found]
    g = Group(sg.key, sg.name, sg, rules, why)
    cache[sg.key] = g
    return g


_RANGE_ATTRS = ("CidrBlock", "cidr_block")


def _with_ranges(graph: Graph, rule: Any) -> Any:
    """The rule with each range written as a reference to a VPC's or subnet's own range (``!GetAtt
    VPC.CidrBlock``, ``aws_vpc.x.cidr_block``) replaced by that range, where the run gives it."""
    ranges = rule.get("cidr4") if isinstance(rule, dict) else None
    if not isinstance(ranges, list) or not any(isinstance(v, Ref) for v in ranges):
        return rule
    out = []
    for v in ranges:
        res = graph.resources.get(v.target) if isinstance(v, Ref) and v.attr in _RANGE_ATTRS else None
        known = text_of(res.get("cidr_block")) if res is not None and res.kind in ("ec2.vpc", "ec2.subnet") else None
        out.append(known if known is not None and cidr(known) is not None else v)
    return dict(rule, cidr4=out)


def task_groups(graph: Graph, launch: Resource, vpc: Any) -> Optional[List[Group]]:
    """The launch site's groups (the VPC default when none are given); None when any is unknown."""
    sgs = launch.get("security_groups")
    if sgs is None or sgs == []:
        d = default_group(graph, vpc)
        return [d] if d is not None else None
    if not isinstance(sgs, list):
        return None
    return _groups(graph, sgs)


def _groups(graph: Graph, refs: List[Any]) -> Optional[List[Group]]:
    out = []
    for s in refs:
        res = graph.deref(s, "ec2.security_group")
        if res is None:
            vpc = graph.deref(s, "ec2.vpc")
            if vpc is not None and s.attr in ("DefaultSecurityGroup", "default_security_group_id"):
                d = default_group(graph, Ref(vpc.key, vpc.rtype, None))
                if d is not None:
                    out.append(d)
                    continue
            return None
        out.append(group(graph, res))
    return out


def groups_allow(groups: Sequence[Group], direction: str, peer: Peer) -> Optional[bool]:
    """Whether any of the groups allows TCP 443 with the peer in that direction."""
    out: List[Optional[bool]] = []
    for g in groups:
        rules = g.rules.get(direction) if g.rules else None
        if rules is None:
            out.append(None)
            continue
        out.append(_any(rule_admits(r, peer, g.key) for r in rules))
    return _any(out)


def endpoint_groups(graph: Graph, ep: Resource) -> Optional[List[Group]]:
    """An interface endpoint's groups (the VPC default when none are given); None when any is unknown."""
    sgs = ep.get("security_groups")
    if sgs is None or sgs == []:
        d = default_group(graph, ep.get("vpc"))
        return [d] if d is not None else None
    if not isinstance(sgs, list):
        return None
    return _groups(graph, sgs)


def task_peer(graph: Graph, launch: Resource, subnet: Resource) -> Tuple[Optional[List[Group]], Optional[Peer]]:
    """The task as an endpoint sees it: its groups and its subnet's range; (None, None) if groups are unknown."""
    groups = task_groups(graph, launch, subnet.get("vpc"))
    if groups is None:
        return None, None
    vpc = graph.deref(subnet.get("vpc"), "ec2.vpc")
    cidrs = [n for n in [cidr(subnet.get("cidr_block"))] if n is not None]
    return groups, Peer(cidrs=cidrs, vpc_cidr=cidr(vpc.get("cidr_block")) if vpc else None,
                        groups=peer_keys(groups))
