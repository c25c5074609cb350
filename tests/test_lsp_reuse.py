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

from pullcheck.engine import discover, lint
from pullcheck.parsers import marked
from pullcheck.terraform import modules


def _targets():
    roots = [FIXTURES, os.path.join(SHARED, "corpus")]
    files, tf_dirs, _ = discover([r for r in roots if os.path.isdir(r)])
    yaml = [f for f in files if f.endswith((".yaml", ".yml")) and "Resources:" in open(f, errors="replace").read()]
    return sorted(tf_dirs) + sorted(yaml)


@pytest.fixture
def kept():
    """The language server's caches, kept across the lints of one test."""
    modules.PARSED, modules.BUILT, marked.PIECES = {}, {}, {}
    yield
    modules.PARSED, modules.BUILT, marked.PIECES = None, None, None


def _findings(path, rules, cached, caches):
    saved = (modules.PARSED, modules.BUILT, marked.PIECES)
    modules.PARSED, modules.BUILT, marked.PIECES = caches if cached else (None, None, None)
    try:
        found = lint([path], rules)
    finally:
        modules.PARSED, modules.BUILT, marked.PIECES = saved
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
    caches = (modules.PARSED, modules.BUILT, marked.PIECES)
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
    built = dict(modules.BUILT)
    text = (tmp_path / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text.replace('family = "b"', 'family = "bb"'))
    lint([str(tmp_path)], rules)
    key_a = next(k for k in built if k[1] == "aws_ecs_task_definition.a")
    key_b = next(k for k in built if k[1] == "aws_ecs_task_definition.b")
    assert modules.BUILT[key_a] is built[key_a]  # its block and what it reads are the same: kept
    assert modules.BUILT[key_b] is not built[key_b]  # its block changed: built again
    (tmp_path / "main.tf").write_text(text.replace('"nginx:1"', '"nginx:3"'))
    found = lint([str(tmp_path)], rules)
    assert modules.BUILT[key_a] is not built[key_a]  # the local it reads changed: built again
    assert found == _findings_fresh(str(tmp_path), rules)


def _findings_fresh(path, rules):
    saved = (modules.PARSED, modules.BUILT, marked.PIECES)
    modules.PARSED, modules.BUILT, marked.PIECES = None, None, None
    try:
        return lint([path], rules)
    finally:
        modules.PARSED, modules.BUILT, marked.PIECES = saved
