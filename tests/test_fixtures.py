"""Every rule's bad_* and good_* fixtures: the exact set of (line, rule ID) pairs, and a snapshot of every
finding's range and message (`pytest --snapshot-update` rewrites it after a deliberate change)."""
import json
import os
import re

import pytest
from conftest import FIXTURES, ROOT, isolate_tf, lint_paths

SNAPSHOT = os.path.join(ROOT, "tests", "snapshots", "fixtures.json")

EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def _cases():
    for rid in sorted(os.listdir(FIXTURES)):
        d = os.path.join(FIXTURES, rid)
        if not os.path.isdir(d) or not re.fullmatch(r"[A-Z]+[0-9]{3}", rid):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".expect"):
                continue
            yield pytest.param(rid, os.path.join(d, name), id=f"{rid}/{name}")


def expected(path):
    pairs = set()
    sidecar = path + ".expect"
    if os.path.exists(sidecar):
        for line in open(sidecar, encoding="utf-8"):
            if line.strip():
                n, rid = line.split()
                pairs.add((int(n), rid))
    if not path.endswith(".json"):
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            m = EXPECT.search(line)
            if m:
                for rid in m.group(1).split(","):
                    pairs.add((n, rid.strip()))
    return pairs


@pytest.fixture(scope="module")
def snapshot(request):
    """The recorded findings per fixture; written back at the end when --snapshot-update is given."""
    if request.config.getoption("--snapshot-update") and hasattr(request.config, "workerinput"):
        pytest.fail("rewrite the snapshot in one process: pytest --snapshot-update tests/test_fixtures.py (no -n)")
    try:
        with open(SNAPSHOT, encoding="utf-8") as f:
            recorded = json.load(f)
    except FileNotFoundError:
        recorded = {}
    seen = {}
    yield recorded, seen
    if request.config.getoption("--snapshot-update"):
        os.makedirs(os.path.dirname(SNAPSHOT), exist_ok=True)
        merged = {**recorded, **seen}
        with open(SNAPSHOT, "w", encoding="utf-8") as f:
            json.dump(dict(sorted(merged.items())), f, indent=1, sort_keys=True)
            f.write("\n")


@pytest.mark.parametrize("rule_id,path", list(_cases()))
def test_fixture(rule_id, path, rules, tmp_path, snapshot, request):
    target = isolate_tf(path, tmp_path) if path.endswith(".tf") else path
    # a suppression is judged against the findings of the rules it names: those rules run too
    findings = [f for f in lint_paths([target], rules, select=None if rule_id.startswith("SUP") else rule_id)
                if f.rule_id == rule_id]
    found = {(f.line, f.rule_id) for f in findings}
    rel = os.path.relpath(path, FIXTURES)
    shown = sorted(f"{f.line}:{f.col}-{f.end_line}:{f.end_col} {f.rule_id} {f.severity}: "
                   f"{f.message.replace(os.path.dirname(FIXTURES) + os.sep, '')}" for f in findings)
    recorded, seen = snapshot
    seen[rel] = shown
    if not request.config.getoption("--snapshot-update"):
        assert rel in recorded, f"no snapshot for {rel}: run pytest --snapshot-update"
        assert shown == recorded[rel], "findings differ from tests/snapshots/fixtures.json"
    want = {p for p in expected(path) if p[1] == rule_id}
    name = os.path.basename(path)
    if name.startswith("bad_"):
        assert want, f"{name} marks no expected finding"
    else:
        assert name.startswith("good_"), name
        assert not expected(path)
    assert found == want


def test_every_rule_has_bad_and_good_fixtures(rules):
    for rid in rules:
        names = os.listdir(os.path.join(FIXTURES, rid)) if os.path.isdir(os.path.join(FIXTURES, rid)) else []
        assert any(n.startswith("bad_") for n in names), rid
        assert any(n.startswith("good_") for n in names), rid
