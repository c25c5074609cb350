"""pullcheck over the real-world corpus: no crash, no PARSE001, and the MANIFEST.tsv verdicts hold."""
import csv
import os

import pytest
from conftest import SHARED, lint_paths

CORPUS = os.path.join(SHARED, "corpus")
LABELS = {
    "no-egress-route": {"NET002", "NET005"},
    "public-ip-disabled-in-public-subnet": {"NET001"},
    "ecr-image-not-uri": {"IMG001", "IMG002", "IMG005"},
    "missing-execution-role": {"IAM001", "IAM002", "IAM003"},
}
JUDGED = set().union(*LABELS.values())
# Findings outside the verdict's labels that are right, with the reason
ACCEPTED = {
    # "Intentionally invalid cfn-lint fixture": a FARGATE service runs a bridge-mode, EC2-only task
    # definition without task-level cpu or memory, which ECS refuses before any pull
    "cloudformation/cfn-lint-fixtures/integration/cfn-gather.yaml": {"TD001"},
}


def _rows():
    if not os.path.isdir(CORPUS):
        return []
    with open(os.path.join(CORPUS, "MANIFEST.tsv"), encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _targets():
    """A file for CloudFormation and task definitions; the folder for Terraform (verdict on its ECS file)."""
    rows = _rows()
    by_dir = {}
    for r in rows:
        if r["kind"] == "terraform":
            d = os.path.dirname(r["path"])
            # the directory verdict is on the row whose justification does not call it a supporting file
            if "Supporting file" not in r["justification"] or d not in by_dir:
                if "Supporting file" not in r["justification"]:
                    by_dir[d] = r
                else:
                    by_dir.setdefault(d, r)
        else:
            yield pytest.param(r["path"], r["expected"], id=r["path"])
    for d, r in sorted(by_dir.items()):
        yield pytest.param(d, r["expected"], id=d)


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
@pytest.mark.parametrize("path,expected", list(_targets()))
def test_corpus_verdict(path, expected, rules):
    findings = lint_paths([os.path.join(CORPUS, path)], rules)
    assert not [f for f in findings if f.rule_id == "PARSE001"], findings
    got = {f.rule_id for f in findings} & JUDGED
    if expected in ("clean", "unknown"):
        assert not got, [f for f in findings if f.rule_id in JUDGED]
        # every other rule must stay quiet too, but for findings accepted above with their reason
        assert not [f for f in findings if f.rule_id not in ACCEPTED.get(path, ())], findings
    else:
        for label in expected.split(";"):
            assert got & LABELS[label.strip()], (label, findings)
        allowed = set().union(*(LABELS[lbl.strip()] for lbl in expected.split(";")))
        assert got <= allowed, findings


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
def test_corpus_findings_point_into_their_resource(rules):
    """Every finding on the corpus sits on a line inside the file, at or below the resource's start."""
    findings = lint_paths([CORPUS], rules)
    assert findings, "the corpus holds three known defects"
    for f in findings:
        assert f.rule_id != "PARSE001", f
        with open(f.file, encoding="utf-8") as fh:
            n = sum(1 for _ in fh)
        assert 1 <= f.line <= n, f


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
def test_whole_corpus_in_one_run(rules):
    files = [r["path"] for r in _rows() if r["expected"] == "missing-execution-role"]
    findings = lint_paths([CORPUS], rules)
    flagged = {os.path.relpath(f.file, CORPUS) for f in findings if f.rule_id in JUDGED}
    assert flagged == set(files)
