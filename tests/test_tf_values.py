"""Terraform's values as Terraform 1.11 computes them: its numbers (binary floating point of 512 bits, written
as the shortest decimal), its types and conversions, its equality and order, and the JSON it writes. Each
expected value was read from ``terraform console``."""
import os

import pytest

from conftest import ROOT
from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import JsonEncoded
from pullcheck.formats.terraform.convert import TfList, TfMap, TfSet
from pullcheck.graph.values import Missing, Unknown
from tf_eval import encoded as _text
from tf_eval import evaluate as _eval


# --------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("expr,want", [
    ("0.1 + 0.2", "0.3"), ("0.1 + 0.7", "0.8"), ("3 * 0.1", "0.3"), ("1e3", "1000"), ("6 / 3", "2"),
    ("10 / 4", "2.5"), ("-7 % 3", "-1"), ("7 % -3", "1"), ("-7.5 % 2", "-1.5"), ("1.5 % 1", "0.5"),
    ("5 % 0", "5"), ("1e-7", "0.0000001"), ("1e21", "1000000000000000000000"), ("2 * 0.5", "1"),
    ("-(0.1)", "-0.1"), ("-0", "-0"), ("0 * -1", "-0"), ("1 / 3", "0." + "3" * 154 + "5"),
    ("3 / 7", "0." + "428571" * 25 + "42856"),
    ("123456789012345678901234567890 * 10", "1234567890123456789012345678900"),
    ("1.5e300 * 1.5e300", "225" + "0" * 151 + "2" + "0" * 446),
    ("1" * 200, "1" * 155 + "0" * 45),
    ("1e400", "1" + "0" * 400), ("abs(-0)", "0"),
    # a length is a Go integer of 64 bits: a quotient of two is computed at that precision
    ("length([1, 2]) / length([1, 1, 1])", "0.6666666666666666667"), ("length([1, 2]) / 3", "0." + "6" * 153 + "7"),
    ("(length([1, 2]) + length([1])) / length([1, 1, 1, 1, 1, 1, 1])", "0.42857142857142857144"),
    ("range(3)[1] / range(4)[3]", "0.33333333333333333334"),
])
def test_numbers_are_written_as_terraform_writes_them(expr, want):
    assert _text(expr) == want


def test_templates_and_tostring_write_numbers_as_terraform_does():
    assert _eval('"${1.0}"') == 1  # one interpolation alone is its value, of its own type
    assert _eval('"v${1.0}"') == "v1" and _eval('"${1e3}-${0.5}"') == "1000-0.5"
    assert _eval("tostring(0.1 + 0.2)") == "0.3"
    assert _eval('tostring(80) == "80"') is True
    assert _eval('"port-${80}"') == "port-80"


def test_a_product_of_thousands_of_digits_is_rounded_not_a_crash():
    repunit = "1" * 1100
    got = _eval(f"tostring({repunit} * {repunit})")
    assert got == "123456790" * 17 + "125" + "0" * 2043  # 156 digits kept, as 512 bits of mantissa hold
    assert isinstance(_eval(f"{'9' * 4000} * {'9' * 4000}"), Unknown)  # past the bits followed: unknown


def test_division_by_zero_is_an_infinity_and_zero_by_zero_an_error():
    assert _eval("1 / 0 > 1000") is True and _eval("-1 / 0 < -1000") is True
    assert _eval('"v${1 / 0}"') == "v+Inf"
    assert isinstance(_eval("0 / 0"), Missing)
    assert isinstance(_eval("jsonencode(1 / 0)"), Missing)  # JSON cannot hold an infinity


@pytest.mark.parametrize("expr,want", [
    ('tonumber("1e3")', 1000), ('tonumber("1E+3")', 1000), ('tonumber("+5")', 5), ('tonumber("5.")', 5),
    ('tonumber("1p4")', 16), ('"2" + 1', 3), ('1 < "2"', True), ('"10" < 9', False), ('max(1, "3", 2)', 3),
    ('floor(-1.5)', -2), ('ceil(-0.5)', 0), ('ceil(1.0000000000000000000001)', 2), ('floor(-0.0000000001)', -1),
    ('sum([1, "2"])', 3), ('1 == 1.0', True), ('0.1 + 0.2 == 0.3', True), ('1.5 == 1.50', True),
])
def test_numbers_convert_and_compare_as_terraform_does(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr", [
    'tonumber(" 1")', 'tonumber("0x10")', 'tonumber("1_000")', "tonumber(true)", '" 2" + 1', "true + 1",
    "null + 1", "-true", 'max("a", 1)', "min()", "sum([])", 'sum(["a"])',
])
def test_what_is_not_a_number_is_an_error(expr):
    got = _eval(expr)
    assert isinstance(got, Missing), got


def test_number_text_is_gos_shortest_at_the_precision():
    third = number.divide(1, 3)
    assert isinstance(third, number.Number) and third.prec == number.PRECISION
    assert str(third) == number.text(third) and len(str(third)) == 157
    assert number.text(number.from_float(2 ** 0.5)) == "1.4142135623730951"  # a float64 at 53 bits
    assert number.text(number.parse("0.1")) == "0.1" and float(number.parse("0.1")) == 0.1
    assert number.equal(number.add(number.parse("0.1"), number.parse("0.2")), number.parse("0.3"))
    assert number.parse("1_0") is None and number.parse(" 1") is None and number.parse("") is None
    assert number.text_g(number.parse("1234567890123"), 10) == "1.23456789e+12"


def test_range_adds_the_step_as_terraform_does():
    assert _text("range(1, 0.5, -0.1)") == "[1,0.9,0.7" + "9" * 153 + "4,0.6" + "9" * 153 + ",0.5" + "9" * 153 + "]"
    assert _eval("range(3, 1)") == [3, 2] and _eval("range(-3)") == [0, -1, -2]
    assert _eval("range(0, 1, 0.25)") == [0, 0.25, 0.5, 0.75]
    assert isinstance(_eval("range(10, 1, 3)"), Missing)
    assert "more than 1024" in _eval("range(2000)").origin


# --------------------------------------------------------------------------- types and conversions

@pytest.mark.parametrize("expr,want", [
    ('tolist([1, "a"])', ["1", "a"]), ('tolist([true, "a", 1])', ["true", "a", "1"]),
    ('tolist([[1], ["a"]])', [["1"], ["a"]]), ('tolist([{a = 1}, {a = "x"}])', [{"a": "1"}, {"a": "x"}]),
    ('tolist([{a = 1}, {b = "x"}])', [{"a": "1"}, {"b": "x"}]), ('tolist([null, 1, "a"])', [None, "1", "a"]),
    ('tomap({a = 1, b = "x"})', {"a": "1", "b": "x"}), ('toset([2, "10", 1])', ["1", "10", "2"]),
    ('true ? 1 : "a"', "1"), ('false ? 1 : "a"', "a"), ("true ? null : 5", None),
    ('coalesce(1, "a")', "1"), ('coalesce("", 1)', "1"), ('coalesce(null, "", 2)', "2"),
    ('compact(["a", "", 1, null, true])', ["a", "1", "true"]), ('distinct([1, "1", 2])', ["1", "2"]),
    ("sort([10, 9, 1])", ["1", "10", "9"]), ('sort(["b", 1, true])', ["1", "b", "true"]),
    ('concat(tolist([1]), tolist(["a"]))', ["1", "a"]), ('concat([1], ["a"])', [1, "a"]),
    ("tostring(true)", "true"), ("tostring(1.50)", "1.5"), ("tostring(null)", None), ('tobool("1")', True),
    ('"1" ? "y" : "n"', "y"), ('"0" ? "y" : "n"', "n"), ('!"false"', True), ('-"5"', -5),
])
def test_values_convert_to_the_type_they_unify_to(expr, want):
    assert _eval(expr) == want


def test_conversions_make_lists_sets_and_maps():
    assert type(_eval('tolist(["a"])')) is TfList and type(_eval('toset(["a"])')) is TfSet
    assert type(_eval("tomap({a = 1})")) is TfMap
    assert type(_eval('true ? [] : ["a"]')) is not TfList  # the chosen branch keeps its positions


@pytest.mark.parametrize("expr", [
    "tolist([1, true])", "tolist([{a = 1}, {b = true}])", "tomap({a = 1, b = true})", "false ? 1 : true",
    "coalesce(1, true)", 'coalesce("", null)',
    'tostring([1])', 'tobool("True")', "tobool(1)", '"yes" ? 1 : 2', 'sort(["b", null])',
    'lookup(tomap({a = 1}), "b", "x")',
])
def test_values_without_a_common_type_are_an_error(expr):
    got = _eval(expr)
    assert isinstance(got, Unknown) and not isinstance(got, (list, dict)), got


def test_a_conditional_between_collections_of_no_common_type_keeps_the_chosen_one():
    """Terraform refuses it, but a variable's value is held without the kind its type gives it (a map(object)
    as an object, which may not unify with {} where Terraform's map does): kept rather than lost."""
    assert _eval('true ? {a = {x = "s"}, b = {y = ["l"]}} : {}') == {"a": {"x": "s"}, "b": {"y": ["l"]}}
    assert isinstance(_eval("true ? 1 : true"), Missing)  # primitives have their type: refused


@pytest.mark.parametrize("expr,want", [
    ("1 == true", False), ('"1" == 1', False), ('true == "true"', False), ("null == false", False),
    ("null == null", True), ('tolist(["a"]) == ["a"]', False), ('toset(["a"]) == ["a"]', False),
    ('tomap({a = "x"}) == {a = "x"}', False), ("tolist([]) == []", False), ("[1, 2] == [1, 2.0]", True),
    ('[1] == ["1"]', False), ("{a = 1} == {a = 1}", True), ("toset([1, 2]) == toset([2, 1])", True),
    ('contains(["1"], 1)', False), ('contains([1, "a"], "1")', False), ('1 != "1"', True),
])
def test_equality_is_of_values_of_the_same_type(expr, want):
    assert _eval(expr) is want


# --------------------------------------------------------------------------- order

@pytest.mark.parametrize("expr,want", [
    ("keys({b = 1, a = 2})", ["a", "b"]), ("values({b = 1, a = 2})", [2, 1]),
    ('values({b = 2, a = 1, c = "x"})', [1, 2, "x"]), ('tolist(toset(["zeta", "alpha"]))[0]', "alpha"),
    ("toset([10, 9, 1])", [1, 9, 10]), ('toset(["b", null, "a"])', ["a", "b", None]),
    ("toset([true, false, true])", [False, True]), ("toset([{a = 2}, {a = 10}])", [{"a": 10}, {"a": 2}]),
    ('[for k, v in toset(["b", "a"]) : [k, v]]', [["a", "a"], ["b", "b"]]),
    ('[for k, v in {b = 1, a = 2} : k]', ["a", "b"]), ("reverse(toset([2, 1]))", [2, 1]),
    ('merge({b = 1}, {a = 2}, {b = 3})', {"a": 2, "b": 3}), ('zipmap(["b", "a", "b"], [1, 2, 3])', {"a": 2, "b": 3}),
])
def test_maps_and_sets_are_read_in_terraforms_order(expr, want):
    assert _eval(expr) == want


def test_flatten_is_recursive_and_legacy_splats_index_each_element():
    assert _eval('flatten([[[]], [[1, [2]]], "a", {a = 1}])') == [1, 2, "a", {"a": 1}]
    assert _eval("flatten([null, [1]])") == [None, 1]
    # counted before it is built: past the bound of one result, unknown
    assert "more than 100000 items" in _eval("flatten([for i in range(400) : [range(400)]])").origin
    assert _eval("[[1, 2], [3, 4]].*.0") == [1, 3]
    assert _eval("[{a = [1]}, {a = [2]}].*.a.0") == [1, 2]
    assert _eval("[{a = [1]}, {a = [2]}].*.a[0]") == [1]  # an index in brackets ends a legacy splat
    assert _eval('"a"[*]') == ["a"] and _eval("null[*]") == []


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("expr,says", [
    ("slice([1, 2, 3], 1, 5)", "end index"), ("slice([1, 2, 3], -1, 2)", "start index"),
    ("slice([1, 2, 3], 2, 1)", "start index"), ("element([1, 2, 3], -1)", "negative"),
    ("element([1, 2, 3], 1.5)", "whole number"), ("element([], 0)", "empty"),
    ('element(toset(["a"]), 0)', "not a list"), ("[1, 2][-1]", "negative"), ("[1, 2][1.5]", "fractional"),
    ("[1, 2][2]", "out of range"), ("toset([1, 2])[0]", "set"), ('"abc"[0]', "no index"),
    ('{for x in ["a", "a"] : x => x}', "two items"), ('index(["a"], "b")', "not found"),
    ("one([1, 2])", "at most one"), ('lookup({a = 1}, "b")', "no key"), ("length(null)", "null"),
])
def test_what_terraform_refuses_is_an_unknown_naming_the_error(expr, says):
    got = _eval(expr)
    assert isinstance(got, Missing) and says in got.origin, got


def test_indexes_convert_and_try_passes_over_errors():
    assert _eval('[1, 2]["1"]') == 2 and _eval('{"1" = 2}[1]') == 2 and _eval("[1, 2][1.0]") == 2
    assert _eval('try([1, 2][5], "fallback")') == "fallback"
    module = 'locals {\n  nothing = null\n  l = [1, 2]\n}\n'
    assert isinstance(_eval("local.nothing.a", module), Missing) and isinstance(_eval("local.l.x", module), Missing)
    assert _eval('try(local.nothing.a, "d")', module) == "d"
    assert _eval("try([for x in local.l : x.name], [])", module) == []  # an error inside a value is its error
    assert _eval('try(jsondecode("{"), {})') == {} and isinstance(_eval('jsondecode("[1, 2")'), Missing)
    assert isinstance(_eval("try(local.l[5], local.l[6])", module), Missing)
    assert _eval('{for x in ["a", "a"] : x => x...}') == {"a": ["a", "a"]}
    assert _eval("element([1, 2, 3], 4)") == 2


# --------------------------------------------------------------------------- JSON

@pytest.mark.parametrize("expr,want", [
    ('{a = "<b>&", c = [1, true, null]}', '{"a":"\\u003cb\\u003e\\u0026","c":[1,true,null]}'),
    ('{b = 1, a = {d = 0.5, c = "\\n"}}', '{"a":{"c":"\\n","d":0.5},"b":1}'),
    ('"\\u2028\\u0001é"', '"\\u2028\\u0001é"'), ("[0.1, 1e3, -0.5, 100]", "[0.1,1000,-0.5,100]"),
    ("toset([2, 1])", "[1,2]"),
])
def test_jsonencode_writes_what_terraform_writes(expr, want):
    assert _text(expr) == want


def test_jsonencode_is_text_functions_and_templates_read():
    assert _eval("length(jsonencode({a = 1}))") == 7
    assert _eval('"x${jsonencode({a = [1, "<"]})}"') == 'x{"a":[1,"\\u003c"]}'
    assert _eval('jsondecode(jsonencode({a = 0.1}))') == {"a": 0.1}
    held = _eval("jsonencode({a = var.x})", 'variable "x" {}')
    assert isinstance(held, JsonEncoded) and held.holes and isinstance(held.value["a"], Unknown)
    assert isinstance(_eval("length(jsonencode({a = var.x}))", 'variable "x" {}'), Unknown)
    assert _eval('"x${jsonencode({a = var.x})}"', 'variable "x" {}').parts[1] == Unknown("jsonencode() of unknowns")


def test_jsondecode_reads_numbers_as_terraform_does():
    assert _text('jsondecode("{\\"b\\": 1.50, \\"a\\": [1e3, 0.1]}")') == '{"a":[1000,0.1],"b":1.5}'
    assert _eval('tostring(jsondecode("1e400"))') == "1" + "0" * 400
    assert _eval('jsondecode("0.1") + 0.2') == _eval("0.3")


# --------------------------------------------------------------------------- the oracle's case groups

def test_the_case_groups_for_the_oracle_evaluate_without_a_crash():
    base = os.path.join(ROOT, "tests", "data", "tf_oracle")
    for group in ("numbers_more", "conversion_more", "ordering_more"):
        with open(os.path.join(base, group, "main.tf"), encoding="utf-8") as f:
            module = f.read()
        with open(os.path.join(base, group, "expressions.txt"), encoding="utf-8") as f:
            exprs = [line.strip() for line in f if line.strip() and not line.startswith("#")]
        assert len(exprs) > 40, group
        for expr in exprs:
            _eval(expr, module)  # a value or an unknown; never an exception


def test_null_is_told_from_a_value_known_at_the_top_whatever_it_holds():
    """A map or list whose members are unknown (another resource's ids) is not null, as Terraform says
    before they are known; a value unknown as a whole stays unknown."""
    module = 'resource "aws_subnet" "a" {}\nlocals {\n  m = { api = { subnets = [aws_subnet.a.id] } }\n}\n'
    assert _eval("local.m != null", module) is True
    assert _eval("local.m == null", module) is False
    assert _eval("[aws_subnet.a.id] == null", module) is False
    assert _eval("null == null") is True
    assert isinstance(_eval("aws_subnet.a.id == null", module), Unknown)
