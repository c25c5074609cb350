"""The corpus verdicts "in set": each file linted with its companions, deployed as its project says.

A file whose verdict alone is "unknown" (subnets imported from another stack, passed by a parent) gets a
verdict once pullcheck sees the stacks it depends on. The stacks files in corpus_stacks/ say how each
project deploys its templates (stack names and parameters, from the projects' own documentation).
"""
import csv
import os

import pytest
from conftest import SHARED, lint_paths
from pullcheck.engine import stacks as stacksmod
from test_corpus import ACCEPTED, JUDGED, LABELS

CORPUS = os.path.join(SHARED, "corpus")
HERE = os.path.dirname(os.path.abspath(__file__))
STACKS = {name: stacksmod.load(os.path.join(HERE, "corpus_stacks", name))
          for name in sorted(os.listdir(os.path.join(HERE, "corpus_stacks")))} if os.path.isdir(CORPUS) else {}


def _rows():
    if not os.path.isdir(CORPUS):
        return []
    with open(os.path.join(CORPUS, "MANIFEST.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r for r in rows if r["expected_in_set"] and r["companions"]]


def _stacks_for(paths):
    wanted = {os.path.abspath(p) for p in paths}
    out = []
    for specs in STACKS.values():
        if any(s.template in wanted for s in specs):
            out.extend(specs)
    return out


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["path"])
def test_in_set_verdict(row, rules):
    paths = [os.path.join(CORPUS, row["path"])] + [os.path.join(CORPUS, c) for c in row["companions"].split(",")]
    if row["kind"] == "terraform":  # a Terraform file is linted with its folder, and so are its companions
        paths = [os.path.dirname(p) for p in paths]
    findings = lint_paths(sorted(set(paths)), rules, stacks=_stacks_for(paths))
    verdict = row["expected_in_set"].split("(")[0].split(";")[0].strip()
    assert verdict == "clean"  # every in-set verdict of the corpus is clean today
    assert not [f for f in findings if f.rule_id == "PARSE001"], findings
    assert not [f for f in findings if f.rule_id in JUDGED], findings
    accepted = set().union(*(ACCEPTED.get(os.path.relpath(p, CORPUS), set()) for p in paths))
    assert not [f for f in findings if f.rule_id not in accepted], findings


def _launch_subnets(findings_graph_paths, rules, stacks):
    from pullcheck.facts import network as net
    from pullcheck.engine.stages import build_graph

    graph, _ = build_graph(findings_graph_paths, stacks=stacks)
    return {launch.name: [s.name for _, s in (net.launch_subnets(graph, launch) or [])]
            for launch in net.fargate_launches(graph)}


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
def test_sets_are_resolved_not_just_quiet(rules):
    """In set, the services' subnets are the real subnets of the networking stacks, not unknowns."""
    w = STACKS["widdix.toml"]
    # the run names the stacks' templates: a stacks entry reads only inside the run's paths
    subnets = _launch_subnets(sorted({s.template for s in w}), rules, w)
    assert subnets["Service"] == ["SubnetAPublic", "SubnetBPublic"]
    c = STACKS["copilot.toml"]
    subnets = _launch_subnets(sorted({s.template for s in c}), rules, c)
    assert subnets["Service"] == ["PublicSubnet1", "PublicSubnet2"]
    # the job's subnets come through DefinitionSubstitutions: Join('","', Split(',', ImportValue ...))
    assert subnets["StateMachine.Run Fargate Task"] == ["PublicSubnet1", "PublicSubnet2"]
    parent = os.path.join(CORPUS, "cloudformation", "aws-samples-container-patterns",
                          "ecs-cluster-isolated-vpc-no-nat-gateway", "parent.yml")
    assert _launch_subnets([parent], rules, [])["Service"] == ["PrivateSubnetOne", "PrivateSubnetTwo"]


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
def test_private_subnets_without_nat_stacks_have_no_egress(rules):
    """widdix's own warning: SubnetsReach=Private without the vpc-nat-* stacks leaves no way out."""
    specs = [s for s in STACKS["widdix.toml"] if not s.name.startswith("nat-")]
    for s in specs:
        if s.name in ("service", "dedicated"):
            s.parameters = dict(s.parameters, SubnetsReach="Private")
    findings = lint_paths(sorted({s.template for s in specs}), rules, select="NET", stacks=specs)
    assert {(os.path.basename(f.file), f.rule_id) for f in findings} == {
        ("service-cluster-alb.yaml", "NET002"), ("service-dedicated-alb.yaml", "NET002")}, findings
    assert all(set(LABELS["no-egress-route"]) & {f.rule_id} for f in findings)
