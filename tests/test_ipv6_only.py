"""A task in an IPv6-only subnet has no IPv4 address: the IPv4 rules (routes to 0.0.0.0/0, IPv4 egress,
NAT, IPv4 endpoints) do not judge it, NET016 does."""
import os

from conftest import FIXTURES, lint_paths


def test_every_rule_is_quiet_on_a_good_ipv6_only_task(rules):
    found = lint_paths([os.path.join(FIXTURES, "NET016", "good_ipv6_only_egress_only_route.yaml")], rules)
    assert [f.rule_id for f in found] == []


def test_net016_still_judges_the_ipv6_only_task(rules):
    found = lint_paths([os.path.join(FIXTURES, "NET016", "bad_ipv6_only_without_route.yaml")], rules)
    assert {f.rule_id for f in found} == {"NET016"}
