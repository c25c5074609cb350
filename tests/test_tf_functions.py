"""Terraform's built-in functions as real modules use them, evaluated from HCL text."""
import pytest

from pullcheck.graph.values import Ref, Unknown
from tf_eval import evaluate as _eval


@pytest.mark.parametrize("expr,want", [
    ('max(1, "3", 2)', 3), ("min(4, 2)", 2),
    ('format("%s-%d", "web", 3)', "web-3"), ('format("%q", "a")', '"a"'),
    ('formatlist("%s.internal", ["a", "b"])', ["a.internal", "b.internal"]),
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrsubnets("10.0.0.0/16", 4, 4, 8)', ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/24"]),
    ('replace("a-b-c", "-", "_")', "a_b_c"), ('replace("a1b22", "/[0-9]+/", "x")', "axbx"),
    ('regex("^([a-z]+)-([0-9]+)$", "ab-12")', ["ab", "12"]), ('regexall("[0-9]", "a1b2")', ["1", "2"]),
    ('split(",", "a,b")', ["a", "b"]), ('join("-", ["a", "b"])', "a-b"),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}), ('keys({a = 1})', ["a"]), ('values({a = 1})', [1]),
    ('tomap({a = "x"})', {"a": "x"}), ('toset(["a", "a", "b"])', ["a", "b"]), ('tolist(["a"])', ["a"]),
    ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]), ("range(3)", [0, 1, 2]),
    ('coalescelist([], ["x"])', ["x"]), ('distinct([1, 1, 2])', [1, 2]), ('contains(["a"], "a")', True),
    ("one([])", None), ('one(["x"])', "x"), ("sum([1, 2])", 3),
    ('try({}.missing, "fallback")', "fallback"), ('can("x")', True),
    ('upper("a")', "A"), ('lower("A")', "a"), ('trimspace(" a ")', "a"), ('trimprefix("abc", "a")', "bc"),
    ('trimsuffix("abc", "c")', "ab"), ('trim("?!a?!", "!?")', "a"),
    ('length("2") + 1', 2), ('"2" + 1', 3), ('"true" ? "y" : "n"', "y"),
])
def test_function(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr", [
    "max(var.a, 2)", 'format("%s", var.a)', "provider::aws::arn_parse(var.a)", "can(var.a)",
    'cidrsubnet("10.0.0.0/16", 30, 1)', 'regex("x", "abc")', 'regex("(", "abc")',
    'try(local.missing, "fallback")',  # an undeclared local is Terraform's error before evaluation
])
def test_unknown_inputs_and_errors_stay_unknown(expr):
    assert isinstance(_eval(expr), Unknown)


def test_structural_functions_keep_references():
    got = _eval("toset([aws_subnet.a.id, aws_subnet.b.id])",
                'resource "aws_subnet" "a" {}\nresource "aws_subnet" "b" {}')
    assert all(isinstance(x, Ref) for x in got) and len(got) == 2


def test_a_cycle_is_an_unknown_naming_it():
    got = _eval("local.a", 'locals {\n  a = local.b\n  b = "${local.a}-x"\n}')
    assert got.parts == (Unknown("cycle: local.a -> local.b -> local.a"), "-x")
    v = _eval("var.v", 'variable "v" { default = var.v }')
    assert isinstance(v, Unknown) and v.origin == "cycle: var.v -> var.v"


def test_every_function_evaluated_is_one_terraform_has_with_its_arguments_counted():
    from pullcheck.formats.terraform.functions import _FUNCTIONS, ARITY

    assert set(ARITY) == set(_FUNCTIONS) | {"file", "templatefile"}  # those two the evaluator reads itself


@pytest.mark.parametrize("expr", [
    "nosuch(1)", "upper(nosuch(1))", "upper()", 'upper("a", "b")', "length()", "slice([1], 0)",
    'lookup({}, "a", 1, 2)', 'join(",", [[1]])', 'join(",", ["a"], "b")', 'file("a", "b")',
    '"a ${[1]}"', '"a ${null}"', 'templatestring("$${x}", {})',
])
def test_terraform_s_errors_are_errors_that_try_passes_over(expr):
    from pullcheck.graph.values import Missing, Undeclared

    got = _eval(expr, 'locals {\n  t = "$${x}"\n}\n')
    assert isinstance(got, Missing) and not isinstance(got, Undeclared), got
    assert _eval(f'try({expr}, "d")') == "d" and _eval(f"can({expr})") is False


@pytest.mark.parametrize("expr", ["first", '"a${first}b"', 'replace("ab", "/(a)(b)/", "[${first}]")', "var", "local"])
def test_a_name_alone_is_an_invalid_reference_that_try_does_not_pass_over(expr):
    from pullcheck.graph.values import Undeclared

    assert isinstance(_eval(expr), Undeclared) and isinstance(_eval(f"try({expr}, 1)"), Undeclared)
