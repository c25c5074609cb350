"""Terraform written to attack the run that lints it: files read from outside the scanned tree, patterns
that backtrack, ranges that never end, values that double, comparisons and walks of shared parts. Each is
read with the real evaluator or the command, in a child process with a timeout (and a memory limit) where
the input could hang or exhaust a run, and ends with unknowns that name why, within the work its budget
allows; nothing outside the tree reaches any output. No test times a run: a timeout only stops a hang."""
import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import counted_command, run_counted, take_counts, within
from pullcheck.formats.terraform.budget import MAX_BUILT, MAX_STEPS, STEPS_PER_SEARCH, decoding
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.syntax import read
from pullcheck.graph.values import Missing, Template, Unknown

SECRET = "zq7secrettoken"  # in files outside the scanned tree: never in any output
INNER = "inw4tokenfine"  # in a file inside it: read as Terraform reads it

CHILD = textwrap.dedent("""
    import json, sys
    from pullcheck.formats.terraform.evaluate import Module
    from pullcheck.formats.terraform.syntax import read
    from pullcheck.graph.values import Unknown
    module_text, exprs = json.loads(sys.stdin.read())
    out, steps = [], []
    for e in exprs:
        m = Module(".")
        m.add_body(read(module_text, "main.tf"))
        v = m.evaluator({}).eval(read("x = " + e + "\\n", "main.tf").attrs["x"])
        out.append({"unknown": v.origin} if isinstance(v, Unknown) else {"value": v})
        steps.append(m.budget.steps)
    print(json.dumps([out, steps], default=repr))
""")


def _in_child(exprs, module_text="", timeout=30, memory=None, cwd=None):
    """Each expression evaluated in a module of its own (in ``cwd``, the folder its files are read from), in a
    child process stopped if it hangs past ``timeout`` seconds (and, with ``memory``, limited to that many
    bytes of address space): the results, and the steps each module's budget was charged."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    r = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps([module_text, exprs]), capture_output=True,
                       text=True, timeout=timeout, preexec_fn=limit if memory else None, cwd=cwd)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    got, steps = json.loads(r.stdout)
    return got, steps


def _eval(expr, module_text=""):
    return _spending(expr, module_text)[0]


def _spending(expr, module_text=""):
    """The value of ``expr`` in a module of its own, and the budget the module spent."""
    m = Module(".")
    m.add_body(read(module_text, "main.tf"))
    return m.evaluator({}).eval(read(f"x = {expr}\n", "main.tf").attrs["x"]), m.budget


def _cli(*args, timeout=60, memory=None):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit if memory else None)


# --------------------------------------------------------------------------- files outside the tree


def _tree_with_links_out(tmp_path):
    """repo/ is scanned; secret/ beside it holds what must not be read, named by a relative path, an absolute
    path, a symbolic link, a templatefile(), a data "template_file", a linked tfvars and a linked .tf."""
    secret, repo = tmp_path / "secret", tmp_path / "repo"
    secret.mkdir()
    repo.mkdir()
    (secret / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (secret / "vars.tfvars").write_text(f'tag = "{SECRET}"\n', encoding="utf-8")
    (secret / "linked.tf").write_text(
        'resource "aws_ecs_task_definition" "linked" {\n  family = "linked"\n'
        f'  container_definitions = jsonencode([{{ name = "{SECRET}", image = "Bad/{SECRET}:1" }}])\n}}\n',
        encoding="utf-8")
    (repo / "inner.txt").write_text(INNER + "\n", encoding="utf-8")
    (repo / "link.txt").symlink_to("../secret/secret.txt")
    (repo / "terraform.tfvars").symlink_to("../secret/vars.tfvars")
    (repo / "linked.tf").symlink_to("../secret/linked.tf")
    absolute = str(secret / "secret.txt")
    (repo / "main.tf").write_text(textwrap.dedent(f"""
        variable "tag" {{
          default = "plain"
        }}
        data "template_file" "t" {{
          template = file("../secret/secret.txt")
        }}
        resource "aws_ecs_task_definition" "app" {{
          family = "app"
          container_definitions = jsonencode([
            {{ name = "rel", image = "Example/${{trimspace(file("../secret/secret.txt"))}}:1.0" }},
            {{ name = "abs", image = "Example/${{trimspace(file("{absolute}"))}}:1.0" }},
            {{ name = "link", image = "Example/${{trimspace(file("link.txt"))}}:1.0" }},
            {{ name = "tpl", image = "Example/${{trimspace(templatefile("../secret/secret.txt", {{}}))}}:1.0" }},
            {{ name = "data", image = "Example/${{trimspace(data.template_file.t.rendered)}}:1.0" }},
            {{ name = "var", image = "Example/${{var.tag}}:1.0" }},
            {{ name = trimspace(file("../secret/secret.txt")), image = "Example/x:1.0" }},
            {{ name = "inside", image = "Example/${{trimspace(file("inner.txt"))}}:1.0" }},
            {{ name = "dotdot", image = "Example/${{trimspace(file("../repo/inner.txt"))}}:1.0" }},
          ])
        }}
        """), encoding="utf-8")
    return repo, absolute


def test_files_outside_the_scanned_tree_are_not_read(tmp_path):
    repo, _ = _tree_with_links_out(tmp_path)
    for args in (["--format", "json"], ["--format", "sarif"], ["--format", "markdown"], ["--format", "github"],
                 ["--explain"], []):
        r = _cli(*args, str(repo))
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 1, (args, r.stderr)
        assert SECRET not in r.stdout and SECRET not in r.stderr, args
        assert INNER in r.stdout, args  # a file inside the tree, through a `..` that stays inside too
    found = json.loads(_cli("--format", "json", str(repo)).stdout)
    inside = [f for f in found if f["rule"] == "IMG003" and INNER in f["message"]]
    assert len(inside) == 2, found
    linked = {os.path.basename(f["file"]) for f in found if f["rule"] == "PARSE001"}
    assert linked == {"linked.tf", "terraform.tfvars"}
    assert all("leads out of the scanned tree" in f["message"] for f in found if f["rule"] == "PARSE001")


def test_file_gives_an_unknown_naming_the_scope(tmp_path):
    from pullcheck.sources import scope
    from pullcheck.sources.session import current

    repo, absolute = _tree_with_links_out(tmp_path)
    saved = list(current().roots)
    scope.set_roots([str(repo)])
    try:
        m = Module(str(repo))
        for path in ("../secret/secret.txt", absolute, "link.txt", "/etc/passwd"):
            got = m.read_file(path)
            assert isinstance(got, Unknown) and got.origin == f"file {path} is outside the scanned tree", got
        assert m.read_file("inner.txt") == INNER + "\n"
        assert m.read_file("../repo/inner.txt") == INNER + "\n"
        assert isinstance(m.read_file("bad\x00name"), Unknown)
    finally:
        current().roots = saved


# --------------------------------------------------------------------------- regular expressions


def test_catastrophic_patterns_match_in_linear_time():
    """Terraform's regex functions run on RE2, as Terraform's do: no backtracking whatever the pattern."""
    long = "a" * 100_000
    exprs = [f'regex("^(a+)+$", "{"a" * 30}b")', f'regex("^(a+)+$", "{long}b")',
             f'length(regexall("(a|aa)+$", "{long}"))', f'replace("{long}", "/^(a|aa)+$/", "x")',
             f'regex("^(?:a+)+b$", "{long}b")']
    got, _ = _in_child(exprs, timeout=60)  # a backtracking engine would not end: the timeout stops it
    assert [g.get("unknown", "").startswith("function regex()") for g in got[:2]] == [True, True]  # no match
    assert got[2:] == [{"value": 1}, {"value": "x"}, {"value": long + "b"}]


def test_regular_expressions_follow_go():
    """Replacement templates and empty matches as Go's regexp (Terraform's) gives them."""
    cases = [
        ('replace("a1b22", "/([0-9]+)/", "<$1>")', "a<1>b<22>"),
        ('replace("a1b22", "/([0-9]+)/", "<$${1}>")', "a<1>b<22>"),  # HCL's $${ is a literal ${
        ('replace("abc", "/(?P<x>b)/", "[$${x}]")', "a[b]c"),
        ('replace("abc", "/(?P<x>b)/", "[$x]")', "a[b]c"),
        ('replace("abc", "/(b)/", "$$-$1x-$9-$")', "a$---$c"),  # $1x is the group named 1x: none, so empty
        ('replace("abxd", "/x*/", "-")', "-a-b-d-"),  # no empty match right after a match
        ('regexall("x*", "abxd")', ["", "", "x", ""]),
        ('replace("abc", "//", "-")', "-a-b-c-"),
        ('regex("(?P<a>x)(?P<b>z)?", "xy")', {"a": "x", "b": None}),
        ('regex("^([a-z]+)-([0-9]+)$", "ab-12")', ["ab", "12"]),
    ]
    assert [(expr, _eval(expr)) for expr, _ in cases] == cases


@pytest.mark.parametrize("expr,why", [
    ('regex("(a)\\\\1", "aa")', "invalid regexp pattern: invalid escape sequence"),  # a backreference
    ('regex("a(?=b)", "ab")', "invalid regexp pattern: invalid perl operator"),  # a lookahead
    ('replace("ab", "/(?<!a)b/", "x")', "invalid regexp pattern"),  # a lookbehind
    ('regex("(?P<a>x)(y)", "xy")', "cannot mix both named and unnamed capture groups"),
    ('regex("\\\\C", "x")', "invalid escape sequence"),  # RE2 takes it, Go does not
])
def test_patterns_go_refuses_are_errors(expr, why, capfd):
    """Terraform refuses these patterns: the call is an error (which try() passes over), never a value."""
    got = _eval(expr)
    assert isinstance(got, Missing) and why in got.origin, got
    assert capfd.readouterr().err == ""  # the pattern is never echoed on standard error


def test_regex_functions_are_charged_for_every_search():
    """A search costs its Python work (a match object, its groups) besides RE2's scan: every match is charged
    steps and an item as it is found, replace() finds at most as many matches as regexall() gives, and a
    pattern that makes each search read on to the end of the text (``a*b|a``) is charged that reading."""
    long = "a" * 100_000
    got, budget = _spending(f'regexall("a", "{long}")')
    assert got == ["a"] * 100_000
    assert budget.steps >= 100_000 * STEPS_PER_SEARCH and budget.items >= 100_000, (budget.steps, budget.items)
    got, budget = _spending(f'replace("{long * 10}", "/a/", "b")')
    assert got == Unknown("function replace() finds more than 100000 matches"), got
    assert budget.steps >= 100_000 * STEPS_PER_SEARCH and budget.items >= 100_000, (budget.steps, budget.items)
    got, budget = _spending(f'regexall("a*b|a", "{long[:20_000]}")')
    assert got == Unknown(f"evaluation budget of {MAX_STEPS} steps spent"), got
    assert _eval(f'length(regexall("[ ]+", "{"ab  " * 5000}"))') == 5000  # it stops at its match: charged so


# --------------------------------------------------------------------------- ranges and sets


def test_range_ends_and_keeps_terraforms_limits():
    exprs = ["range(1e16, 1e16 + 4)", "range(-3)", "range(5, 2)", "range(0, 1, 0.25)", "range(0, 5, -1)",
             "range(0, 5, 0)", "range(2000)", "length(range(1024))", "range(1e308 * 10)"]
    got, _ = _in_child(exprs, timeout=60)
    assert [g.get("value") for g in got[:4]] == [
        [10 ** 16, 10 ** 16 + 1, 10 ** 16 + 2, 10 ** 16 + 3], [0, -1, -2], [5, 4, 3], [0, 0.25, 0.5, 0.75]]
    assert all("unknown" in g for g in got[4:7] + got[8:]), got
    assert "more than 1024 numbers" in got[6]["unknown"]
    assert got[7] == {"value": 1024}


def test_distinct_toset_and_equality_cost_the_distinct_parts():
    """toset() of 100,000 numbers, and comparisons of values that share their parts 2^30 times over: each
    comparison is charged for the 62 distinct lists, not for the 2^31 elements written out."""
    module = "locals {\n  big = flatten([for i in range(1000) : [for j in range(100) : i * 100 + j]])\n" \
        "  half = slice(local.big, 0, 50000)\n" \
        '  a0 = ["x"]\n  b0 = ["x"]\n' + "".join(
            f"  a{i} = [local.a{i - 1}, local.a{i - 1}]\n  b{i} = [local.b{i - 1}, local.b{i - 1}]\n"
            for i in range(1, 31)) + "}\n"
    ordered = ", ".join(f"length(local.a{i}) + length(local.b{i})" for i in range(31))  # shallow, in order
    exprs = ["length(toset(local.big))", "length(distinct(concat(local.half, local.half)))",
             f"[{ordered}] == [] ? false : (local.a30 == local.b30)",
             f"[{ordered}] == [] ? false : contains([local.a30], local.b30)",
             'distinct([[1], [1], ["1"], [2]])', f"[{ordered}]"]
    got, steps = _in_child(exprs, module, timeout=60)
    # distinct() makes its elements one type first, as Terraform does: [1] becomes ["1"]
    assert [g.get("value") for g in got[:5]] == [100_000, 50_000, True, True, [["1"], ["2"]]]
    ordering = steps[5]  # what building the operands in order costs, without comparing them
    assert all(0 < n - ordering < 1_000 for n in steps[2:4]), steps


# --------------------------------------------------------------------------- memory


def test_comprehensions_and_templates_are_bounded_in_memory(tmp_path):
    """Values that would fill gigabytes: a comprehension of ranges, the same three deep, a string doubled 60
    times (its holes double on once its text is past the bound). Under 1 GB of address space the run ends
    with unknowns, not a MemoryError, what it built counted within the bound of items."""
    doubled = "".join(f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"\n' for i in range(1, 61))
    (tmp_path / "main.tf").write_text(
        "locals {\n  p = [for i in range(100000) : range(100000)]\n"
        "  q = [for i in range(1024) : [for j in range(1024) : range(1024)]]\n"
        '  s0 = "xxxxxxxxxxxxxxxx"\n' + doubled + "}\n"
        'resource "aws_subnet" "order" {\n  count = length([' + ", ".join(f"local.s{i}" for i in range(61)) + "])\n}\n"
        'resource "aws_subnet" "s" {\n  count = length(local.p) + length(local.q) + length(local.s60)\n}\n',
        encoding="utf-8")
    r, counts = run_counted("--no-config", str(tmp_path), timeout=60, memory=1 << 30)
    assert r.returncode in (0, 1) and "MemoryError" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert counts is not None and within(counts["tf_items"], MAX_BUILT), counts
    assert within(counts["tf_steps"], MAX_STEPS), counts

    def in_order(n):
        return "[" + ", ".join(f"local.s{i}" for i in range(n + 1)) + "]"

    got, _ = _in_child(["local.q", in_order(17) + "[17]", f"length({in_order(60)})"],
                       (tmp_path / "main.tf").read_text(encoding="utf-8"), memory=1 << 30)
    assert got[0] == {"unknown": "evaluation bound of 2000000 items built reached"}
    assert got[1] == {"unknown": "a template of more than 1048576 characters"}  # 16 characters times 2^17
    assert got[2] == {"unknown": "evaluation bound of 2000000 items built reached"}


def test_values_sharing_their_parts_are_walked_within_the_budget(tmp_path):
    """A list holding the same list twice, 39 deep, is 2^40 elements once written out: pinning it to a
    position (JSON syntax), encoding it (jsonencode() in a template) or handing it to a resource stays within
    the evaluation budget instead of walking it whole."""
    json_doc = {"locals": {"a0": ["x"], **{f"a{i}": [f"${{local.a{i - 1}}}"] * 2 for i in range(1, 40)}},
                "resource": {"aws_subnet": {"order": {"count": "${length([%s])}" % ", ".join(
                                 f"local.a{i}" for i in range(40))}},
                             "aws_ecs_task_definition": {"t": {"family": "x",
                                                               "container_definitions": "${local.a39}"}}}}
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "main.tf.json").write_text(json.dumps(json_doc), encoding="utf-8")
    (tmp_path / "hcl").mkdir()
    (tmp_path / "hcl" / "main.tf").write_text(
        'locals {\n  a0 = ["x"]\n' + "".join(f"  a{i} = [local.a{i - 1}, local.a{i - 1}]\n" for i in range(1, 40))
        + '}\nresource "aws_subnet" "order" {\n  count = length([' + ", ".join(f"local.a{i}" for i in range(40))
        + '])\n}\nresource "aws_ecs_task_definition" "t" {\n  family = "x"\n'
        '  container_definitions = jsonencode([{ name = "a", image = "x", environment = local.a39 }])\n}\n'
        'resource "aws_ecs_task_definition" "u" {\n  family = "y"\n'
        '  container_definitions = "[{\\"name\\": \\"a\\", \\"environment\\": ${jsonencode(local.a39)}}]"\n}\n',
        encoding="utf-8")
    for folder in ("json", "hcl"):
        r, counts = run_counted("--no-config", str(tmp_path / folder), timeout=90, memory=1 << 30)
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
        assert counts is not None and within(counts["tf_steps"], MAX_STEPS), (folder, counts)
        assert within(counts["tf_items"], MAX_BUILT), (folder, counts)


def test_arithmetic_past_the_size_of_numbers_is_unknown(tmp_path):
    nines = "9" * 4000
    (tmp_path / "main.tf").write_text(
        f'locals {{\n  n = {nines}\n  m = local.n * local.n\n}}\n'
        'resource "aws_ecs_service" "s" {\n  name = "s"\n  launch_type = "FARGATE"\n'
        '  task_definition = "fam-${local.m}"\n}\n', encoding="utf-8")
    r = _cli("--explain", str(tmp_path))
    assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr
    assert "operation * gives a number of more than 14000 bits" in r.stdout
    # Terraform reads the literal rounded to 512 bits of mantissa: it writes it 1 and 4000 zeros
    assert _eval("tostring(local.n * 2 - local.n)", f"locals {{\n  n = {nines}\n}}\n") == "1" + "0" * 4000


def test_for_expressions_and_instances_past_the_bound_are_unknown():
    """A for expression, a template's %{for}, for_each and count over more than 10,000 elements are unknown
    naming the bound, never a shorter walk."""
    module = ("locals {\n  big = flatten([for i in range(20) : [for j in range(1000) : i * 1000 + j]])\n"
              '  keys = formatlist("k%d", local.big)\n}\n'
              'resource "aws_subnet" "e" {\n  for_each = toset(local.keys)\n}\n'
              'resource "aws_subnet" "c" {\n  count = length(local.big)\n}\n')
    assert _eval("length(local.big)", module) == 20_000
    for expr in ("length([for x in local.big : x])", "length({for k in local.keys : k => 1})",
                 "[for x in local.big : x if x < 5]"):
        assert _eval(expr, module) == Unknown("for expression over more than 10000 elements"), expr
    text = _eval('"%{for x in local.big}.%{endfor}"', module)
    assert isinstance(text, Template) and Unknown("template %{for} over more than 10000 elements") in text.parts
    assert _eval("length([for x in slice(local.big, 0, 10000) : x])", module) == 10_000
    m = Module(".")
    m.add_body(read(module, "main.tf"))
    assert m.resources["aws_subnet.e"].instances() == Unknown("for_each of aws_subnet.e is over 10000 instances")
    assert m.resources["aws_subnet.c"].instances() == Unknown("count of aws_subnet.c is over 10000 instances")


# --------------------------------------------------------------------------- decoding


def test_jsondecode_is_charged_by_its_text_and_counted_whole():
    """jsondecode() is charged by the text's length and marks before it decodes, and what it decoded is counted
    to its leaves (60^3 numbers, three lists deep); the same text decoded again in the root module is the same
    value, at no more cost."""
    text = json.dumps([[[0] * 60] * 60] * 60, separators=(",", ":"))
    got, budget = _spending(f'jsondecode("{text}")')
    assert len(got) == 60 and budget.items >= 60 ** 3, budget.items
    m = Module(".")
    m.add_body(read(f'locals {{\n  t = "{text}"\n  d = [for i in range(1024) : jsondecode(local.t)]\n}}\n', "main.tf"))
    got = m.local("d", 0)
    assert len(got) == 1024 and got[0] is got[-1]
    assert decoding(text)[0] <= m.budget.steps < 2 * decoding(text)[0], m.budget.steps


@pytest.mark.slow  # 10 MB of JSON decoded a thousand times: the bound of each decode is also held by
# test_templates_are_charged_when_parsed and test_comprehensions_and_templates_are_bounded_in_memory
def test_decoding_in_a_loop_is_bounded(tmp_path):
    """A 9.5 MB JSON file decoded 1024 times, and a JSON text of 0.7 MB decoded 1024 times with another number
    in each: file() gives no text over 1 MiB, and each decode is charged before it is made, so the loops end
    within the budget, in a child limited in time and memory. A task definition counted 1000 times whose
    containers are in that 0.7 MB file ends as well: JSON in an attribute is charged for each instance."""
    big = [{"name": f"c{i}", "environment": [{"name": f"k{j}", "value": "v" * 40} for j in range(20)]}
           for i in range(6700)]
    (tmp_path / "big.json").write_text(json.dumps(big), encoding="utf-8")
    mid = [{"name": "app", "image": "nginx:1.27", "environment": [{"name": f"k{j}", "value": f"{j}"}
                                                                    for j in range(18_000)]}]
    (tmp_path / "mid.json").write_text(json.dumps(mid), encoding="utf-8")
    assert os.path.getsize(tmp_path / "big.json") > 9_000_000 and os.path.getsize(tmp_path / "mid.json") > 600_000
    module = 'locals {\n  mid = file("mid.json")\n}\n'
    got, _ = _in_child(['file("big.json")', 'length([for i in range(1024) : jsondecode(file("big.json"))])',
                        'length(jsondecode(local.mid)[0].environment)',
                        '[for i in range(1024) : jsondecode("[${i},${local.mid}]")]'],
                       module, timeout=120, memory=2 << 30, cwd=str(tmp_path))
    assert got[0] == {"unknown": "file big.json holds more than 1048576 characters"}
    assert got[1] == {"value": 1024}  # of unknowns, each made at once
    assert got[2] == {"value": 18_000}
    assert got[3] == {"unknown": f"evaluation budget of {MAX_STEPS} steps spent"}
    (tmp_path / "main.tf").write_text(
        'resource "aws_ecs_task_definition" "t" {\n  count = 1000\n  family = "t${count.index}"\n'
        '  container_definitions = file("mid.json")\n}\n'
        'resource "aws_ecs_service" "s" {\n  name = "s"\n  launch_type = "FARGATE"\n'
        '  task_definition = aws_ecs_task_definition.t[999].arn\n}\n', encoding="utf-8")
    r = _cli("--explain", str(tmp_path), timeout=120, memory=2 << 30)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert "not judged" in r.stdout, r.stdout  # the budget spent on the task definitions: all is unknown after


def test_templates_are_charged_when_parsed(tmp_path):
    """Forty template files of a million % each, each a little different (a third of a second to parse, each),
    are charged as they are parsed, so their loop ends within the budget; one of them rendered again and again
    is charged once."""
    for i in range(40):
        (tmp_path / f"t{i}.tpl").write_text(f"{i}" + "%" * 1_000_000, encoding="utf-8")
    got, _ = _in_child(['[for i in range(40) : templatefile("t${i}.tpl", {})]',
                        'length([for i in range(40) : templatefile("t0.tpl", {})])'],
                       timeout=120, memory=2 << 30, cwd=str(tmp_path))
    assert got == [{"unknown": f"evaluation budget of {MAX_STEPS} steps spent"}, {"value": 40}], got


# --------------------------------------------------------------------------- signals


def _handles_sigterm(pid):
    """Whether the process has set its SIGTERM handler (/proc/<pid>/status, Linux); True where that cannot be
    read, so that the caller goes on."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            caught = next(line for line in f if line.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return True
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


def test_sigterm_while_evaluating_ends_the_run(tmp_path):
    """A run busy evaluating ends on SIGTERM at once, with one line and status 143. The evaluation first
    compares two values that share their parts 2^30 times over (compared element by element, one call that
    takes minutes and hears no signal), then spends its budget of steps: the run ends before it is spent. The
    timeout only stops a run that does not end."""
    n = 30
    (tmp_path / "main.tf").write_text(
        'locals {\n  a0 = ["x"]\n  b0 = ["x"]\n' + "".join(
            f"  a{i} = [local.a{i - 1}, local.a{i - 1}]\n  b{i} = [local.b{i - 1}, local.b{i - 1}]\n"
            for i in range(1, n + 1))
        + "  spin = [for a in range(1024) : [for b in range(1024) : [for c in range(1024) : a if c < 0]]]\n}\n"
        'resource "aws_subnet" "order" {\n  count = length(['
        + ", ".join([f"local.a{i}" for i in range(n + 1)] + [f"local.b{i}" for i in range(n + 1)]) + "])\n}\n"
        f'resource "aws_subnet" "same" {{\n  count = local.a{n} == local.b{n} ? 1 : 2\n}}\n'
        'resource "aws_subnet" "spin" {\n  count = length(local.spin)\n}\n', encoding="utf-8")
    p = subprocess.Popen(counted_command("--no-config", str(tmp_path)), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):  # until the handler is set (a loaded machine starts slowly); the bound ends a hang
            if p.poll() is not None or _handles_sigterm(p.pid):
                break
            time.sleep(0.05)
        time.sleep(1.5)  # into the evaluation
        assert p.poll() is None, "the run ended before the signal"
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    err, counts = take_counts(err)
    assert p.returncode == 143 and err == "pullcheck: terminated\n", (p.returncode, err)
    assert counts is not None and counts["tf_steps"] < MAX_STEPS, counts  # stopped before its budget was spent


# --------------------------------------------------------------------------- module folders and --root


def _repo_with_module_beside(tmp_path):
    """repo/envs/prod calls ../../modules/task, whose task definition has two bad images; the second one's
    repository is read with file() from repo/tags, outside the named path envs/prod."""
    repo = tmp_path / "repo"
    (repo / "envs" / "prod").mkdir(parents=True)
    (repo / "modules" / "task").mkdir(parents=True)
    (repo / "tags").mkdir()
    (repo / "tags" / "app.txt").write_text("tagfromfile7\n", encoding="utf-8")
    (repo / "modules" / "task" / "main.tf").write_text(
        'variable "tag" {}\nresource "aws_ecs_task_definition" "t" {\n  family = "t"\n'
        '  container_definitions = jsonencode([{ name = "app", image = "Example/App:1.0" },\n'
        '    { name = "tagged", image = "Other/${var.tag}:1" }])\n}\n',
        encoding="utf-8")
    (repo / "envs" / "prod" / "main.tf").write_text(
        'module "task" {\n  source = "../../modules/task"\n  tag    = trimspace(file("../../tags/app.txt"))\n}\n',
        encoding="utf-8")
    return repo


def _json_run(repo, *args):
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "json", *args],
                       capture_output=True, text=True, timeout=60, cwd=str(repo))
    assert "Traceback" not in r.stderr, r.stderr
    return r, json.loads(r.stdout)


def test_root_widens_what_file_may_read(tmp_path):
    """A module folder, like a file(), is read only under the named paths: --root (what the pre-commit hook
    and the Action give: the repository) adds folders to read."""
    repo = _repo_with_module_beside(tmp_path)
    r, found = _json_run(repo, "envs/prod")
    assert found == [], found  # the module outside envs/prod is unknown, its task definition not judged
    assert "tagfromfile7" not in r.stdout
    r, found = _json_run(repo, "--root", ".", "envs/prod")
    assert [f["rule"] for f in found] == ["IMG003", "IMG003"], found
    assert any("Other/tagfromfile7:1" in f["message"] for f in found), found


def test_root_widens_what_is_read_not_what_is_fixed(tmp_path):
    """--root lets the named paths read from the repository; --fix still writes only under the named paths:
    the module's finding is reported, its file left as it was."""
    repo = _repo_with_module_beside(tmp_path)
    module = repo / "modules" / "task" / "main.tf"
    before = module.read_text(encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--fix", "--root", ".", "envs/prod"],
                       capture_output=True, text=True, timeout=60, cwd=str(repo))
    assert r.returncode == 1 and "IMG003" in r.stdout, r.stdout + r.stderr
    assert "outside the paths named on the command line: not fixed" in r.stderr, r.stderr
    assert module.read_text(encoding="utf-8") == before
