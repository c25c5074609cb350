"""Bad input: one PARSE001 line per file, exit 1, other files still linted, no traceback; input past a bound
(aliases, nesting, size) is refused naming the bound."""
import os

from conftest import FIXTURES, run_cli
from pullcheck.sources.errors import MAX_BYTES, MAX_NODES

BAD_TD = os.path.join(FIXTURES, "IAM002", "bad_awslogs_no_role.json")


def _run(tmp_path, name, content, mode="w"):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    r = run_cli(str(p), BAD_TD)
    assert "Traceback" not in r.stderr + r.stdout
    assert r.returncode == 1, r.stdout + r.stderr  # PARSE001 is an error finding like any other
    parse = [line for line in r.stdout.splitlines() if " PARSE001 " in line]
    assert len(parse) == 1, r.stdout
    assert "IAM002" in r.stdout, "the other file must still be linted"
    return parse[0]


def test_invalid_yaml_has_position(tmp_path):
    line = _run(tmp_path, "t.yaml", "Resources:\n  A: [1, 2\n  B: x\n")
    assert ":3:" in line or ":2:" in line


def test_invalid_json_has_position(tmp_path):
    line = _run(tmp_path, "t.json", '{\n  "containerDefinitions": [\n    {"image": }\n  ]\n}\n')
    assert line.split(":")[1:3] == ["3", "15"]


def test_yaml_alias_bomb_is_bounded(tmp_path):
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        levels.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    text = "AWSTemplateFormatVersion: '2010-09-09'\n" + "\n".join(levels) + "\nResources: {}\n"
    line = _run(tmp_path, "bomb.yaml", text)
    assert f"expands to more than {MAX_NODES} values" in line and "aliases" in line  # refused at the bound


def test_deep_nesting_json_and_yaml(tmp_path):
    line = _run(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert "nesting" in line
    line = _run(tmp_path, "deep.yaml", "a: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "nesting" in line
    line = _run(tmp_path, "deep2.yaml", "a: " + "- " * 60_000 + "x\n")
    assert "nesting" in line
    line = _run(tmp_path, "deep3.yaml", "a: " + "[" * 1_000 + "]" * 1_000 + "\n")
    assert "nesting" in line


def test_binary_and_non_utf8(tmp_path):
    line = _run(tmp_path, "blob.json", b"\x00\x01\x02\xff" * 100)
    assert "binary" in line
    line = _run(tmp_path, "latin.yaml", "Resources:\n  A: caf\xe9\n".encode("latin-1"))
    assert "UTF-8" in line and ":2:" in line


def test_very_large_file(tmp_path):
    line = _run(tmp_path, "big.json", b" " * (21 * 1024 * 1024))
    assert f"larger than {MAX_BYTES // (1024 * 1024)} MB" in line  # refused before it is read


def test_bad_terraform_file_has_position(tmp_path):
    folder = tmp_path / "mod"
    folder.mkdir()
    (folder / "main.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block = \n}\n', encoding="utf-8")
    r = run_cli(str(folder), BAD_TD)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    parse = [line for line in r.stdout.splitlines() if "PARSE001" in line]
    assert len(parse) == 1 and "main.tf:2:16:" in parse[0]


def test_unrelated_yaml_and_json_are_skipped_quietly(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n---\nother: 1\n", encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}', encoding="utf-8")
    r = run_cli(str(tmp_path))
    assert r.returncode == 0 and r.stdout == ""
