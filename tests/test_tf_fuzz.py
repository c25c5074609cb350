"""Random Terraform expressions (tests/tf_fuzz.py) answered by Terraform and by pullcheck's console: a slow
check, run with ``pytest -m slow`` where terraform 1.11 or later is on PATH. Every expression the grammar
gives, less those that hold what pullcheck does not model (tf_fuzz.UNMODELLED), must be answered as
Terraform answers it or be unknown to pullcheck; the unknowns are counted and said."""
import io
import shutil

import pytest

import tf_fuzz
import tf_oracle
from test_tf_oracle import _terraform_at_least

SEEDS = range(1000, 1008)  # fixed: a run gives the same expressions each time
COUNT = 500  # expressions a seed


@pytest.mark.slow
def test_random_expressions_are_answered_as_terraform_answers_them():
    version = tf_oracle.terraform_version() if shutil.which("terraform") else None
    if not _terraform_at_least(version):
        pytest.skip(f"needs terraform 1.11 or later on PATH (found: {version or 'none'})")
    said = io.StringIO()
    totals, per_class, found, asked = tf_fuzz.run(SEEDS, COUNT, out=said, modelled=True)
    print(f"random expressions: {json_counts(totals)} in {asked} terraform consoles")
    for cls in sorted(per_class):
        print(f"  {cls}: {json_counts(per_class[cls])}")
    assert sum(totals.get(k, 0) for k in ("match", "unknown", "sensitive")) == len(SEEDS) * COUNT - \
        totals.get("differs", 0) - totals.get("crash", 0)
    assert not found, "answers that differ from Terraform's:\n" + said.getvalue()


def json_counts(counts):
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def test_the_grammar_is_the_same_for_a_seed():
    """The same seed gives the same expressions (what a failure names can be run again), and every class
    gives expressions that read as Terraform expressions."""
    from pullcheck.formats.terraform.hcl import parse_expression

    one, _ = tf_fuzz.Grammar(7).batch(200)
    two, _ = tf_fuzz.Grammar(7).batch(200)
    assert one == two and len({e for _, e in one}) > 150
    assert {c for c, _ in one} == set(tf_fuzz.CLASSES)
    for _, e in one:
        parse_expression(e)
    kept, left = tf_fuzz.Grammar(7).batch(200, modelled=True)
    assert left > 0 and not any(t in e for _, e in kept for t in tf_fuzz.UNMODELLED)
