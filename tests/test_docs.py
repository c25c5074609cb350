"""The rule pages and the README rule table are generated; they must match the rules and fixtures."""
import os

from conftest import ROOT, run_cli
from pullcheck.tools.docs import generated


def test_generated_docs_are_current():
    """From the rules' code (not from the index a run reads them from): pages, README table and
    rules/index.json, whose records (kinds, severity, ...) a run trusts without importing the rule."""
    from pullcheck.engine.registry import load_rules

    builtin = {k: v for k, v in load_rules(lazy=False).items()
               if v.source.startswith(("pullcheck.rules.", "pullcheck.core"))}
    stale = []
    for rel, text in generated(builtin, ROOT).items():
        path = os.path.join(ROOT, rel)
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
            stale.append(rel)
    pages = {n for n in os.listdir(os.path.join(ROOT, "docs", "rules"))}
    extra = pages - {f"{rid}.md" for rid in builtin}
    assert not stale and not extra, f"run `python -m pullcheck.tools.docs`: stale {stale}, extra {sorted(extra)}"


def test_rule_command_prints_the_page():
    r = run_cli("rule", "NET004")
    assert r.returncode == 0
    assert r.stdout == open(os.path.join(ROOT, "docs", "rules", "NET004.md"), encoding="utf-8").read()
    assert run_cli("rule", "public-subnet-without-public-ip").stdout.startswith("# NET001 ")


def test_rule_index_matches_the_entry_points(rules):
    """rules/index.json (generated) names the same entry point as pyproject.toml for every built-in rule."""
    import json
    import re

    index = json.load(open(os.path.join(ROOT, "rules", "index.json"), encoding="utf-8"))
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    declared = dict(re.findall(r'^([A-Z]+[0-9]{3}) = "([\w.:]+)"$', text, re.M))
    assert {k: v["entry"] for k, v in index.items()} == declared
    for rid, entry in index.items():
        assert entry["kinds"] == list(rules[rid].kinds) and entry["kinds"], rid


def test_the_readme_pins_the_tag_the_release_process_creates():
    """The README's pre-commit `rev` and Action `@` name `v` and the version in pyproject.toml, the tag
    RELEASING.md creates on the release commit; tests/test_precommit.py runs that configuration."""
    import re

    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        tag = "v" + tomllib.load(f)["project"]["version"]
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    assert re.findall(r"^\s+rev: (\S+)", readme, re.M) == [tag]
    assert re.findall(r"uses: your-org/pullcheck@(\S+)", readme) == [tag]
    releasing = open(os.path.join(ROOT, "RELEASING.md"), encoding="utf-8").read()
    assert 'git tag -a "v$version"' in releasing and 'git push origin "v$version"' in releasing


def test_each_page_example_command_does_what_the_page_says(capsys, monkeypatch):
    """Every rule page names a command per example: ``pullcheck fixtures/<ID>/bad_...`` reports the rule,
    ``pullcheck fixtures/<ID>/good_...`` does not; each is run as written, from the checkout."""
    import re

    from pullcheck.cli import main

    monkeypatch.chdir(ROOT)
    said = re.compile(r"`pullcheck (fixtures/\S+)` (reports it|does not report it)")
    folder = os.path.join(ROOT, "docs", "rules")
    ran = 0
    for name in sorted(os.listdir(folder)):
        rid = name[:-len(".md")]
        for path, claim in said.findall(open(os.path.join(folder, name), encoding="utf-8").read()):
            main(["--no-config", path])
            out = capsys.readouterr().out
            reported = [line for line in out.splitlines() if f" {rid} " in line]
            if claim == "reports it":
                assert reported, f"{name}: pullcheck {path} does not report {rid}:\n{out}"
            else:
                assert not reported, f"{name}: pullcheck {path} reports {rid}:\n{out}"
            ran += 1
    assert ran == 2 * len(os.listdir(folder))
