"""Every rule's bad_* and good_* fixtures: the exact set of (line, rule ID) pairs."""
import os
import re

import pytest

from conftest import FIXTURES, isolate_tf, lint_paths

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


@pytest.mark.parametrize("rule_id,path", list(_cases()))
def test_fixture(rule_id, path, rules, tmp_path):
    target = isolate_tf(path, tmp_path) if path.endswith(".tf") else path
    found = {(f.line, f.rule_id) for f in lint_paths([target], rules, select=rule_id)}
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
