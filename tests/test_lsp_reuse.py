"""What the language server keeps between changes (each .tf block's and template resource's parse, each
Terraform resource's build while nothing it can read has changed) must never change a finding: every
Terraform folder and template of fixtures and corpus is linted through a series of edits (a string typed
into, a number changed, a count changed, a block removed, a line added above, the text put back), once
with what the server keeps and once afresh; the findings, their places, messages and fixes are the same
at every step."""
import os
import random
import re
import shutil

import pytest
from conftest import FIXTURES, SHARED

from pullcheck.engine.stages import discover, lint
from pullcheck.sources.session import current


def _targets():
    roots = [FIXTURES, os.path.join(SHARED, "corpus")]
    files, tf_dirs, _ = discover([r for r in roots if os.path.isdir(r)])
    yaml = [f for f in files if f.endswith((".yaml", ".yml")) and "Resources:" in open(f, errors="replace").read()]
    return sorted(tf_dirs) + sorted(yaml)


@pytest.fixture
def kept():
    """The language server's caches, kept across the lints of one test."""
    current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built = {}, {}, {}, {}
    yield
    current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built = None, None, None, None


def _findings(path, rules, cached, caches):
    saved = (current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built)
    current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built = caches if cached else (None,) * 4
    try:
        found = lint([path], rules)
    finally:
        current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built = saved
    return [(f, f.origin, f.fix.as_dict() if f.fix else None) for f in found]


_STRING = re.compile(r'"[A-Za-z0-9_./:-]+"')
_NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")
_TOP_BLOCK = re.compile(r"^(resource|data|locals|variable|output|module)\b.*\{[ \t]*$", re.M)
_TOP_YAML = re.compile(r"^  [A-Za-z0-9]+:[ \t]*$", re.M)


def _edit(text, rng, step):
    lines = text.split("\n")
    if step == 0:  # a character typed into a string
        found = [(i, m) for i, line in enumerate(lines) for m in _STRING.finditer(line)]
        if found:
            i, m = rng.choice(found)
            lines[i] = lines[i][:m.end() - 1] + "x" + lines[i][m.end() - 1:]
        return "\n".join(lines)
    if step == 1:  # a number changed (a count, a port, a CIDR's part)
        found = [(i, m) for i, line in enumerate(lines) for m in _NUMBER.finditer(line)]
        if found:
            i, m = rng.choice(found)
            lines[i] = lines[i][:m.start()] + str(int(m.group()) + 1) + lines[i][m.end():]
        return "\n".join(lines)
    if step == 2:  # a line added above everything
        return "\n" + text
    if step == 3:  # a block (or a template's resource) taken away
        starts = [m.start() for m in (_TOP_BLOCK if "Resources:" not in text else _TOP_YAML).finditer(text)]
        if starts:
            a = rng.choice(starts)
            nxt = [s for s in starts if s > a]
            end = text.find("\n}\n", a) + 3 if "Resources:" not in text else (nxt[0] if nxt else len(text))
            if end > a:
                return text[:a] + text[end:]
        return text
    return text


@pytest.mark.parametrize("target", _targets(), ids=lambda p: os.path.relpath(p, os.path.dirname(FIXTURES)))
def test_kept_parses_and_builds_change_no_finding(target, tmp_path, rules, kept):
    caches = (current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built)
    if os.path.isdir(target):
        work = tmp_path / "m"
        shutil.copytree(target, work, ignore=shutil.ignore_patterns(".*"))
        files = sorted(str(p) for p in work.iterdir() if p.suffix in (".tf", ".tfvars"))
        path = str(work)
    else:
        work = tmp_path / os.path.basename(target)
        shutil.copy(target, work)
        files, path = [str(work)], str(work)
    if not files:
        pytest.skip("no .tf file of its own")
    originals = {f: open(f, encoding="utf-8", errors="replace").read() for f in files}
    rng = random.Random(target)
    assert _findings(path, rules, True, caches) == _findings(path, rules, False, caches)
    for step in range(5):
        f = rng.choice(files)
        text = originals[f] if step == 4 else _edit(open(f, encoding="utf-8", errors="replace").read(), rng, step)
        with open(f, "w", encoding="utf-8") as out:
            out.write(text)
        assert _findings(path, rules, True, caches) == _findings(path, rules, False, caches), (step, f)


def test_a_resource_is_built_again_only_when_what_it_reads_changes(tmp_path, rules, kept):
    (tmp_path / "main.tf").write_text(
        'locals {\n  image = "nginx:1"\n}\n'
        'resource "aws_ecs_task_definition" "a" {\n  family = "a"\n'
        '  container_definitions = jsonencode([{ name = "a", image = local.image }])\n}\n'
        'resource "aws_ecs_task_definition" "b" {\n  family = "b"\n'
        '  container_definitions = jsonencode([{ name = "b", image = "nginx:2" }])\n}\n')
    lint([str(tmp_path)], rules)
    built = dict(current().tf_built)
    text = (tmp_path / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text.replace('family = "b"', 'family = "bb"'))
    lint([str(tmp_path)], rules)
    key_a = next(k for k in built if k[1] == "aws_ecs_task_definition.a")
    key_b = next(k for k in built if k[1] == "aws_ecs_task_definition.b")
    assert current().tf_built[key_a] is built[key_a]  # its block and what it reads are the same: kept
    assert current().tf_built[key_b] is not built[key_b]  # its block changed: built again
    (tmp_path / "main.tf").write_text(text.replace('"nginx:1"', '"nginx:3"'))
    found = lint([str(tmp_path)], rules)
    assert current().tf_built[key_a] is not built[key_a]  # the local it reads changed: built again
    assert found == _findings_fresh(str(tmp_path), rules)


def _findings_fresh(path, rules):
    saved = (current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built)
    current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built = (None,) * 4
    try:
        return lint([path], rules)
    finally:
        current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built = saved


def test_a_template_resource_is_evaluated_again_only_when_what_it_reads_changes(tmp_path, rules, kept):
    text = ("Parameters:\n  Image:\n    Type: String\n    Default: nginx:1\nResources:\n"
            "  A:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: a\n"
            "      ContainerDefinitions:\n        - Name: a\n          Image: !Ref Image\n"
            "  B:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: b\n"
            "      ContainerDefinitions:\n        - Name: b\n          Image: nginx:2\n")
    path = tmp_path / "t.yaml"
    path.write_text(text)
    lint([str(path)], rules)
    built = dict(current().cfn_built)
    assert len(built) == 2
    key_a = next(k for k in built if k[1] == "A")
    key_b = next(k for k in built if k[1] == "B")
    path.write_text(text.replace("Family: b", "Family: bb"))
    lint([str(path)], rules)
    assert current().cfn_built[key_a] is built[key_a]
    assert current().cfn_built[key_b] is not built[key_b]
    path.write_text(text.replace("Default: nginx:1", "Default: nginx:3"))
    found = lint([str(path)], rules)
    assert current().cfn_built[key_a] is not built[key_a]  # the parameter it reads changed
    assert found == _findings_fresh(str(path), rules)
    path.write_text(text.replace("Default: nginx:1", "Default: nginx:1\n    AllowedValues: [nginx:1, x]"))
    before = len(current().cfn_built)
    lint([str(path)], rules)
    assert len(current().cfn_built) == before  # allowed values: evaluated whole, nothing kept


def test_the_reuse_is_taken_on_the_fixtures(rules, kept):
    """The comparisons above mean something only if kept builds are used: linted twice, most resources of
    the fixtures' folders and templates keep the build of the first lint."""
    kept_before = kept_after = 0
    for target in _targets():
        for kept_now in (current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built):
            kept_now.clear()
        lint([target], rules)
        first = {**current().tf_built, **current().cfn_built}
        lint([target], rules)
        now = {**current().tf_built, **current().cfn_built}
        kept_before += len(first)
        kept_after += sum(1 for k, v in first.items() if now.get(k) is v)
    assert kept_before > 200 and kept_after >= 0.9 * kept_before, (kept_after, kept_before)


_NOISE = [" ", ":", "-", "\n", "#", "{", "}", '"', "1", "x", "\n  ", "= ", "count = 2\n", "${var.x}", "!Ref A"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(int(os.environ.get("PULLCHECK_FUZZ_EXAMPLES", "2000")) // 10))
def test_random_edits_change_no_finding(seed, tmp_path, rules, kept):
    """Characters typed and deleted at random (most edits leave a text that does not parse, as in an
    editor), ten folders or templates per seed, four edits each: what is kept never changes a finding."""
    rng = random.Random(seed)
    caches = (current().tf_parsed, current().tf_built, current().yaml_pieces, current().cfn_built)
    for n in range(10):
        target = rng.choice(_targets())
        work = tmp_path / f"t{n}"
        if os.path.isdir(target):
            shutil.copytree(target, work, ignore=shutil.ignore_patterns(".*"))
            files = sorted(str(p) for p in work.iterdir() if p.suffix in (".tf", ".tfvars"))
            path = str(work)
        else:
            work.mkdir()
            shutil.copy(target, work)
            files = [str(work / os.path.basename(target))]
            path = files[0]
        for _ in range(4):
            if not files:
                break
            f = rng.choice(files)
            with open(f, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(text) + 1)
                text = text[:i] + rng.choice(_NOISE) + text[i:] if rng.random() < 0.6 else \
                    text[:i] + text[i + rng.randint(1, 4):]
            with open(f, "w", encoding="utf-8") as fh:
                fh.write(text)
            assert _findings(path, rules, True, caches) == _findings(path, rules, False, caches), (target, f)
