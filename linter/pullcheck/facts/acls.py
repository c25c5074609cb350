"""Network ACLs as the pull meets them: which ACL governs a subnet (its association, else the VPC's
default), and whether its entries, in rule-number order, let TCP through to and from the internet."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from pullcheck.facts.reach import Unresolved
from pullcheck.facts.security import cidr, port_number, protocol
from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref, Unknown, text_of


@dataclass
class _ACLIndex:
    by_subnet: Dict[str, List[Resource]] = field(default_factory=dict)
    default_by_vpc: Dict[str, Resource] = field(default_factory=dict)
    entries: Dict[str, List[Resource]] = field(default_factory=dict)
    # what the graph cannot place, each reaching only what it can be part of (pullcheck.facts.reach):
    loose_acls: Dict[str, str] = field(default_factory=dict)  # subnet -> why its association is unknown
    loose_in_vpc: Dict[str, str] = field(default_factory=dict)  # VPC -> why an ACL of it may take any subnet
    loose_subnets: Unresolved = field(default_factory=Unresolved)  # the same, for an ACL whose VPC is unknown
    loose_entries: Unresolved = field(default_factory=Unresolved)  # entries whose ACL is unknown

    @property
    def unresolved(self) -> str:
        return next(iter(self.loose_acls.values()), "") or next(iter(self.loose_in_vpc.values()), "") or \
            str(self.loose_subnets) or str(self.loose_entries)

    def any_subnet(self, acl: Optional[Resource], holder: Resource, value: Any, why: str) -> None:
        """An ACL (None: not known) that may govern a subnet the graph cannot name: one of its VPC's."""
        vpc = acl.get("vpc") if acl is not None else None
        if isinstance(vpc, Ref):
            self.loose_in_vpc.setdefault(vpc.target, why)
        else:
            self.loose_subnets.add(holder, value, why)


def acl_index(graph: Graph) -> _ACLIndex:
    return graph.facts.index(_build_acl_index)


def _build_acl_index(graph: Graph) -> _ACLIndex:
    idx = _ACLIndex()
    for acl in graph.of_kind("ec2.network_acl"):
        vpc = acl.get("vpc")
        if acl.get("default") and isinstance(vpc, Ref):
            idx.default_by_vpc[vpc.target] = acl
        subnets = acl.get("subnets")
        if isinstance(subnets, list):
            for s in subnets:
                if isinstance(s, Ref):
                    idx.by_subnet.setdefault(s.target, []).append(acl)
                else:
                    idx.any_subnet(acl, acl, s, f"network ACL {acl.name} lists a subnet that cannot be resolved")
        elif subnets is not None:
            idx.any_subnet(acl, acl, subnets, f"the subnets of network ACL {acl.name} cannot be resolved")
    for a in graph.of_kind("ec2.network_acl_association"):
        s, chosen = a.get("subnet"), graph.deref(a.get("acl"), "ec2.network_acl")
        if isinstance(s, Ref) and chosen is not None and not a.get("conditional"):
            idx.by_subnet.setdefault(s.target, []).append(chosen)
        elif isinstance(s, Ref):
            idx.loose_acls.setdefault(s.target, f"association {a.name} cannot be resolved")
        else:
            idx.any_subnet(chosen, a, s, f"association {a.name} cannot be resolved")
    for e in graph.of_kind("ec2.network_acl_entry"):
        acl = e.get("acl")
        if isinstance(acl, Ref) and not e.get("conditional"):
            idx.entries.setdefault(acl.target, []).append(e)
        else:
            idx.loose_entries.add(e, acl, f"entry {e.name} cannot be tied to a network ACL")
    return idx


def subnet_acl(graph: Graph, subnet: Resource) -> Tuple[Optional[Resource], str]:
    """(the network ACL that governs the subnet or None for an unmanaged default, reason if unknown)."""
    idx = acl_index(graph)
    vpc = subnet.get("vpc")
    vpc_key = vpc.target if isinstance(vpc, Ref) else None
    unplaced = next(iter(idx.loose_in_vpc.values()), "") if vpc_key is None else ""  # any VPC's ACL may take it
    why = idx.loose_acls.get(subnet.key) or idx.loose_in_vpc.get(vpc_key or "") or unplaced or \
        idx.loose_subnets.about(graph, subnet)
    if why:
        return None, why
    acls = idx.by_subnet.get(subnet.key, [])
    if len(acls) > 1:
        return None, "the subnet is associated with several network ACLs"
    acl = acls[0] if acls else idx.default_by_vpc.get(vpc_key) if vpc_key else None
    # an entry whose ACL is unknown may be one of this ACL's (or of the VPC's unmanaged default ACL)
    why = idx.loose_entries.about(graph, acl if acl is not None else graph.resources.get(vpc_key or ""))
    if why:
        return None, why
    return acl, ""


@dataclass
class AclVerdict:
    allowed: Optional[bool]
    entry: Optional[Resource] = None  # the entry (standalone) that decides, if any
    number: Any = None
    why: str = ""


def _entries(graph: Graph, acl: Resource) -> Optional[List[Tuple[Dict[str, Any], Optional[Resource]]]]:
    inline = acl.get("entries")
    if isinstance(inline, Unknown) or acl.get("conditional"):
        return None
    out: List[Tuple[Dict[str, Any], Optional[Resource]]] = [(e, None) for e in inline or []]
    out.extend((e.get("entry"), e) for e in acl_index(graph).entries.get(acl.key, []))
    return out


def acl_allows(graph: Graph, acl: Resource, egress: bool, lo: int, hi: int) -> AclVerdict:
    """Whether some TCP port in [lo, hi] to or from an internet address passes the ACL, first match wins.

    Only a definite verdict is False: every port of the range is denied before any entry could allow it.
    """
    entries = _entries(graph, acl)
    if entries is None:
        return AclVerdict(None, why=f"the entries of {acl.name} cannot be evaluated")
    mine = _in_order(entries, egress)
    if isinstance(mine, AclVerdict):
        return mine
    return _first_match(mine, lo, hi)


def _in_order(entries: List[Tuple[Dict[str, Any], Optional[Resource]]], egress: bool
              ) -> Union[List[Tuple[int, Dict[str, Any], Optional[Resource]]], AclVerdict]:
    """(rule number, entry, its resource) of the entries of one direction, by rule number; or an unknown
    verdict when the direction or the number of any entry cannot be known."""
    mine = []
    for e, res in entries:
        eg = e.get("egress")
        if isinstance(eg, str):
            eg = eg.lower() == "true"
        if not isinstance(eg, bool):
            return AclVerdict(None, why="an entry's direction cannot be known")
        if eg != egress:
            continue
        n = port_number(e.get("number"), 1, 32766)
        if n is None:
            return AclVerdict(None, why="an entry's rule number cannot be known")
        mine.append((n, e, res))
    mine.sort(key=lambda x: x[0])
    return mine


def _first_match(mine: List[Tuple[int, Dict[str, Any], Optional[Resource]]], lo: int, hi: int) -> AclVerdict:
    """The verdict of entries in order on the ports [lo, hi] to or from an internet address: allowed by the
    first entry for every address that matches a port still open, denied once entries for every address
    have denied all of them."""
    open_ranges = [(lo, hi)]
    last: Tuple[Any, Any] = (None, None)
    for n, e, res in mine:
        action = text_of(e.get("action"))
        p = protocol(e.get("protocol"))
        if action is None or p is None:
            return AclVerdict(None, why=f"entry {n} cannot be evaluated")
        if p == "other":
            continue
        if e.get("cidr4") is None:
            continue  # an IPv6 entry
        net = cidr(e.get("cidr4"))
        if net is None:
            return AclVerdict(None, why=f"entry {n} has a range that cannot be known")
        if p == "all":
            a, b = lo, hi
        else:
            start, end = port_number(e.get("from"), 0), port_number(e.get("to"), 0)
            if start is None or end is None or start > end:
                return AclVerdict(None, why=f"entry {n} has ports that cannot be known")
            a, b = start, end
        hit = [(max(x, a), min(y, b)) for x, y in open_ranges if max(x, a) <= min(y, b)]
        if not hit or (net.prefixlen and net.is_private):
            continue  # other ports, or a private range that never holds an internet address
        if action.lower() == "allow":
            return AclVerdict(True if net.prefixlen == 0 else None, res, n)
        if net.prefixlen != 0:
            continue  # denies some addresses only; others fall through
        last = (res, n)
        open_ranges = _without(open_ranges, a, b)
        if not open_ranges:
            return AclVerdict(False, last[0], last[1])
    return AclVerdict(False, last[0], last[1] if last[1] is not None else "*")


def _without(ranges: List[Tuple[int, int]], a: int, b: int) -> List[Tuple[int, int]]:
    """The port ranges ``ranges`` less the ports [a, b]."""
    rest = []
    for x, y in ranges:
        if b < x or a > y:
            rest.append((x, y))
            continue
        if x < a:
            rest.append((x, a - 1))
        if b < y:
            rest.append((b + 1, y))
    return rest
