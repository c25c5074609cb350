"""Every rule's bad_* and good_* fixtures (a file, or a folder that is one Terraform module): the exact set of (line, rule ID) pairs, and a snapshot of every
finding's range and message (`pytest --snapshot-update tests/test_fixtures.py` rewrites it after a deliberate
change). The snapshot holds an entry for each fixture there is and no other: an entry whose fixture is gone
fails the run, and the update leaves it out."""
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT, lint_paths

# PULLCHECK_TEST_SNAPSHOT: another file in its place, for the test of the update itself
SNAPSHOT = os.environ.get("PULLCHECK_TEST_SNAPSHOT") or os.path.join(ROOT, "tests", "snapshots", "fixtures.json")
UPDATE = "pytest --snapshot-update tests/test_fixtures.py"

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


def fixture_files(path):
    """The files of a fixture: itself, or those of its folder (relative paths, sorted)."""
    if not os.path.isdir(path):
        return [path]
    return sorted(os.path.join(d, n) for d, _, names in os.walk(path) for n in names if not n.endswith(".expect"))


def expected(path):
    """(line, rule ID) of a file fixture; (file in the folder, line, rule ID) of a folder fixture."""
    if os.path.isdir(path):
        return {(os.path.relpath(f, path), n, rid) for f in fixture_files(path) for n, rid in expected(f)}
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


def fixture_names():
    """The snapshot's keys the fixtures give: RULE/FILE."""
    return {os.path.relpath(case.values[1], FIXTURES) for case in _cases()}


def rewritten(recorded, seen, names):
    """The whole snapshot --snapshot-update writes: for each fixture there is, what this run found, or what
    was recorded where the fixture did not run (a -k run); entries of fixtures that are gone are left out."""
    return {k: seen[k] if k in seen else recorded[k] for k in sorted(names) if k in seen or k in recorded}


@pytest.fixture(scope="module")
def snapshot(request):
    """The recorded findings per fixture; the whole file is written again at the end when --snapshot-update
    is given."""
    if request.config.getoption("--snapshot-update") and hasattr(request.config, "workerinput"):
        pytest.fail(f"rewrite the snapshot in one process: {UPDATE} (no -n)")
    try:
        with open(SNAPSHOT, encoding="utf-8") as f:
            recorded = json.load(f)
    except FileNotFoundError:
        recorded = {}
    seen = {}
    yield recorded, seen
    if request.config.getoption("--snapshot-update"):
        os.makedirs(os.path.dirname(SNAPSHOT), exist_ok=True)
        with open(SNAPSHOT, "w", encoding="utf-8") as f:
            json.dump(rewritten(recorded, seen, fixture_names()), f, indent=1, sort_keys=True)
            f.write("\n")


@pytest.mark.parametrize("rule_id,path", list(_cases()))
def test_fixture(rule_id, path, rules, tmp_path, snapshot, request):
    # each Terraform fixture is a folder, one module: two in one folder would be one module declaring twice
    assert not path.endswith((".tf", ".tf.json")), f"{path}: put a Terraform fixture in a folder of its own"
    # a suppression is judged against the findings of the rules it names: those rules run too
    findings = [f for f in lint_paths([path], rules, select=None if rule_id.startswith("SUP") else rule_id)
                if f.rule_id == rule_id]
    # in a folder fixture, each finding is said with the file it is in
    where = (lambda f: (os.path.relpath(f.file, path),)) if os.path.isdir(path) else (lambda f: ())
    found = {where(f) + (f.line, f.rule_id) for f in findings}
    rel = os.path.relpath(path, FIXTURES)
    shown = sorted(":".join(where(f) + (f"{f.line}:{f.col}-{f.end_line}:{f.end_col} {f.rule_id} {f.severity}: "
                                        f"{f.message.replace(os.path.dirname(FIXTURES) + os.sep, '')}",))
                   for f in findings)
    recorded, seen = snapshot
    seen[rel] = shown
    if not request.config.getoption("--snapshot-update"):
        assert rel in recorded, f"no snapshot for {rel}: run {UPDATE}"
        assert shown == recorded[rel], f"findings differ from {os.path.relpath(SNAPSHOT, ROOT)}"
    want = {p for p in expected(path) if p[-1] == rule_id}
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


def test_every_snapshot_entry_has_its_fixture(snapshot, request):
    if request.config.getoption("--snapshot-update"):
        pytest.skip("--snapshot-update leaves the entries of fixtures that are gone out of the file it writes")
    recorded, _ = snapshot
    stale = sorted(set(recorded) - fixture_names())
    assert not stale, f"stale snapshot entries, their fixtures are gone: {', '.join(stale)}; run {UPDATE}"


def test_a_stale_entry_fails_the_run_and_the_update_leaves_it_out(tmp_path):
    """A copy of the snapshot with an entry of a fixture that is gone, and one fixture's entry changed: the
    run fails naming the stale entry; an update of one rule's fixtures (-k) writes the file whole, without
    the stale entry, that rule's entries as found and every other entry as it was."""
    with open(SNAPSHOT, encoding="utf-8") as f:
        recorded = json.load(f)
    changed = min(k for k in recorded if k.startswith("NET001/"))
    copy = {**recorded, "NET001/bad_gone.yaml": ["1:1-1:2 NET001 error: gone"], changed: ["not what is found"]}
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(copy), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["PULLCHECK_TEST_SNAPSHOT"] = str(path)

    def pytest_run(*args):
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                               os.path.join(ROOT, "tests", "test_fixtures.py"), *args], capture_output=True,
                              text=True, cwd=ROOT, timeout=300, env=env)

    r = pytest_run("-k", "every_snapshot_entry")
    said = [line for line in r.stdout.splitlines() if "stale snapshot entries, their fixtures are gone: " in line
            and "NET001/bad_gone.yaml" in line]
    assert r.returncode == 1 and said, r.stdout[-3000:]
    r = pytest_run("--snapshot-update", "-k", "NET001")
    assert r.returncode == 0, r.stdout[-3000:]
    names = fixture_names()
    assert json.loads(path.read_text(encoding="utf-8")) == {k: v for k, v in recorded.items() if k in names}
