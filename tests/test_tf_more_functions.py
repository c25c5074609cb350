"""Terraform's pow(), log(), signum(), parseint(), matchkeys(), transpose(), formatdate(), timeadd(), timecmp(),
templatestring() and replace() with named groups, as Terraform 1.11 computes them. Each expected value was
read from ``terraform console`` (the same cases, and more, are in tests/data/tf_oracle/functions_time)."""
import pytest

from pullcheck.formats.terraform import functions_time, go_math
from pullcheck.formats.terraform.budget import Budget
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.functions import call
from pullcheck.formats.terraform.functions_template import template_argument
from pullcheck.formats.terraform.syntax import read
from pullcheck.graph.values import Missing, Unknown
from tf_eval import encoded as _text
from tf_eval import evaluate as _eval


@pytest.mark.parametrize("expr,want", [
    ("pow(2, 10)", "1024"), ("pow(2, 0.5)", "1.4142135623730951"), ("pow(2, -1)", "0.5"), ("pow(0, 0)", "1"),
    ("pow(-2, 3)", "-8"), ('pow("3", 2)', "9"), ("pow(1.1, 100)", "13780.612339822364"),
    ("pow(3, -3)", "0.037037037037037035"), ("pow(-0.5, 7)", "-0.0078125"),
    # Go's Pow multiplies by repeated squaring: not the C library's correctly rounded 1e300
    ("pow(10, 300)", "10000000000000006" + "0" * 284),
    ("log(16, 2)", "4"), ("log(1, 10)", "0"), ("log(10, 0.5)", "-3.3219280948873626"),
    ("log(1000, 10)", "2.9999999999999996"), ("log(7, 3)", "1.7712437491614224"),
    ("log(123456, 2.5)", "12.794672791556234"),
    ("signum(-13)", "-1"), ("signum(0)", "0"), ("signum(344)", "1"), ('signum("7")', "1"),
    ('parseint("100", 10)', "100"), ('parseint("FF", 16)', "255"), ('parseint("-10", 16)', "-16"),
    ('parseint("1011111011101111", 2)', "48879"), ('parseint("aA", 36)', "370"), ('parseint("+12", 10)', "12"),
    ('parseint("10", 62)', "62"), ('parseint("zZ", 62)', "2231"), ('parseint("7", "8")', "7"),
    ('parseint("123456789012345678901234567890", 10)', "123456789012345678901234567890"),
])
def test_numbers(expr, want):
    assert _text(expr) == want


@pytest.mark.parametrize("expr", [
    "pow(-8, 1/3)", "pow(10, 400)", "pow(2, 1024)", "pow(0, -1)",  # NaN, or an infinity jsonencode() refuses
    "log(0, 10)", "log(-1, 10)", "log(8, 1)", "signum(-0.5)", "signum(1e30)",
    'parseint("12", 2)', 'parseint("0x10", 16)', 'parseint("0x10", 0)', 'parseint("10", 1)', 'parseint("", 10)',
    'parseint(" 1", 10)', 'parseint("1_000", 10)', "parseint(12, 10)", 'parseint("10", 2.5)',
])
def test_number_errors(expr):
    assert isinstance(_eval(f"jsonencode({expr})"), Missing)


def test_go_math_is_gos_not_the_c_librarys():
    assert go_math.power(10.0, 300.0) == 1.0000000000000006e300  # math.pow gives 1e300
    assert go_math.divide(1.0, 0.0) == float("inf") and go_math.divide(0.0, 0.0) != go_math.divide(0.0, 0.0)
    assert go_math.log(1.0) == 0.0 and go_math.log(0.0) == float("-inf")
    # a fraction goes through Go's Exp, with fused multiply-adds: its last bit is not the C library's
    assert go_math.power(10.0, 0.25) == 1.778279410038923 != 10.0 ** 0.25
    assert go_math.exp(1.0) == 2.718281828459045 and go_math.exp(-1000.0) == 0.0
    assert go_math.exp(710.0) == float("inf") and go_math.exp(float("-inf")) == 0.0


def test_pow_of_a_fraction_is_gos():
    assert _eval("pow(10, 0.25)") == 1.778279410038923 and _eval("pow(8, -1.5)") == 0.04419417382415922


@pytest.mark.parametrize("expr,want", [
    ('matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])', '["i-abc","i-def"]'),
    ('matchkeys(["a", "b", "c"], ["x", "y", "x"], ["x", "z"])', '["a","c"]'),
    ('matchkeys([], [], ["x"])', "[]"), ("matchkeys([1, 2, 3], [1, 2, 3], [2])", "[2]"),
    ('matchkeys(["a", "b", "c"], [1, 2, 3], ["2", "3"])', '["b","c"]'),  # keys and search unified to strings
    ('matchkeys(["a", "b"], ["x", "y"], [])', "[]"),
    ('transpose({ "a" = ["1", "2"], "b" = ["2", "3"] })', '{"1":["a"],"2":["a","b"],"3":["b"]}'),
    ("transpose({})", "{}"), ('transpose({ "a" = [] })', "{}"),
    ('transpose({ "b" = ["1"], "a" = ["1"] })', '{"1":["a","b"]}'),
    ('transpose({ "a" = [1, true] })', '{"1":["a"],"true":["a"]}'),
    ('transpose({ "a" = ["x", "x"] })', '{"x":["a","a"]}'),
])
def test_collections(expr, want):
    assert _text(expr) == want


@pytest.mark.parametrize("expr", ['matchkeys(["a", "b"], ["x"], ["x"])', 'transpose({a = ["x", null]})',
                                  'transpose({a = "x"})'])
def test_collection_errors(expr):
    assert isinstance(_eval(expr), Missing)


def test_matchkeys_is_charged_for_each_element():
    from pullcheck.formats.terraform import budget

    meter = Budget()
    keys = [str(i) for i in range(4000)]
    call("matchkeys", [keys, list(keys), ["1"]], meter)
    assert meter.steps >= 8000 and budget.ELEMENTWISE["matchkeys"] == 1


T = "2018-01-02T13:02:03Z"


@pytest.mark.parametrize("expr,want", [
    ('formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")', "02 Jan 2018 23:12 UTC"),
    ('formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")', "Tuesday, 02-Jan-18 23:12:01 UTC"),
    ('formatdate("EEE, DD MMM YYYY hh:mm:ss Z", "2018-01-02T23:12:01-08:00")', "Tue, 02 Jan 2018 23:12:01 -08:00"),
    ('formatdate("HH:mmaa", "2018-01-02T23:12:01Z")', "11:12pm"),
    ('formatdate("h:mm AA", "2018-01-02T00:12:01Z")', "0:12 AM"),
    (f'formatdate("H h hh HH", "{T}")', "1 13 13 01"),
    (f'formatdate("YY YYYY M MM MMM MMMM D DD", "{T}")', "18 2018 1 01 Jan January 2 02"),
    (f'formatdate("m mm s ss", "{T}")', "2 02 3 03"), (f'formatdate("ZZZZ ZZZZZ ZZZ Z", "{T}")', "+0000 +00:00 UTC Z"),
    (f"""formatdate("'quoted' YYYY ''", "{T}")""", "quoted 2018 '"), (f'formatdate("", "{T}")', ""),
    ('formatdate("hh:mm:ss", "2018-01-02T13:02:03.123456789Z")', "13:02:03"),
    ('formatdate("YYYY", "0001-01-01T00:00:00Z")', "0001"),
    ('formatdate("YYYY EEE", "0000-01-01T00:00:00Z")', "0000 Sat"),
    ('formatdate("hh:mm ZZZZZ", "2018-01-02T13:02:03+23:59")', "13:02 +23:59"),
    ('timeadd("2017-11-22T00:00:00Z", "1h30m")', "2017-11-22T01:30:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "-1h")', "2017-11-21T23:00:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "1.5h")', "2017-11-22T01:30:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "1h0.5m")', "2017-11-22T01:00:30Z"),
    ('timeadd("2017-11-22T00:00:00Z", ".5h")', "2017-11-22T00:30:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "1µs")', "2017-11-22T00:00:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "0")', "2017-11-22T00:00:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "+2h")', "2017-11-22T02:00:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "8760h")', "2018-11-22T00:00:00Z"),
    ('timeadd("2017-11-22T00:00:00.5Z", "1s")', "2017-11-22T00:00:01Z"),
    ('timeadd("2024-02-29T23:30:00Z", "30m")', "2024-03-01T00:00:00Z"),
    ('timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")', -1),
    ('timecmp("2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z")', 0),
    ('timecmp("2017-11-22T00:00:00.1Z", "2017-11-22T00:00:00Z")', 1),
])
def test_times(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr", [
    f'formatdate("\'unterminated", "{T}")', f'formatdate("YYY", "{T}")', f'formatdate("Q", "{T}")',
    f'formatdate("a-b_c/d.e,f: 1", "{T}")',  # every letter starts a verb
    'formatdate("YYYY", "2018-01-02")', 'formatdate("YYYY", "2018-01-02T13:02:03")',
    'formatdate("YYYY", "2018-02-30T13:02:03Z")', 'formatdate("YYYY", "2016-12-31T23:59:60Z")',
    'formatdate("YYYY", "2018-01-02t13:02:03z")', 'formatdate("YYYY", "2018-01-02T1:02:03Z")',
    'formatdate("YYYY", "2018-01-02T13:02:03,5Z")', 'formatdate("YYYY", "2018-01-02T13:02:03+24:00")',
    'timeadd("2017-11-22T00:00:00Z", "")', 'timeadd("2017-11-22T00:00:00Z", "1d")',
    'timeadd("2017-11-22T00:00:00Z", "1")', 'timeadd("2017-11-22T00:00:00Z", "3000000h")',
    'timeadd("2017-11-22T00:00:00Z", "1h-5m")', 'timecmp("2017-11-22", "2017-11-22T00:00:00Z")',
])
def test_time_errors(expr):
    assert isinstance(_eval(expr), Missing)


@pytest.mark.parametrize("expr,want", [
    # Go takes a time with an offset into the machine's zone when that zone has the offset; the machine's zone
    # is taken as UTC: a zero offset is named UTC, any other is a fixed zone without a name
    ('formatdate("ZZZ", "2018-01-02T13:02:03+05:30")', "+0530"),
    ('formatdate("ZZZ", "2018-01-02T13:02:03-00:00")', "UTC"),
    ('formatdate("ZZZ Z", "2018-01-02T13:02:03-03:00")', "-0300 -03:00"),
    ('timeadd("2017-11-22T00:00:00+05:30", "1h")', "2017-11-22T01:00:00+05:30"),
    ('timeadd("2017-11-22T00:00:00+00:00", "1h")', "2017-11-22T01:00:00Z"),
    ('timeadd("2017-11-22T23:30:00-01:00", "90m")', "2017-11-23T01:00:00-01:00"),
])
def test_a_time_with_an_offset_as_terraform_gives_it_on_a_machine_in_utc(expr, want):
    assert _eval(expr) == want


def test_durations_as_go_reads_them():
    d = functions_time.parse_duration
    assert d("1h30m") == 5_400_000_000_000 and d("-1.5h") == -5_400_000_000_000 and d("0") == 0
    assert d("1.0000000001s") == 1_000_000_000 and d("9223372036854775807ns") == (1 << 63) - 1
    assert d("-9223372036854775808ns") == -(1 << 63)
    for bad in ("9223372036854775808ns", "", "-", ".s", "1", "1x", "1h-5m"):
        with pytest.raises(Fails):
            d(bad)


LOCALS = 'locals {\n  t = "Hello, $${name}!"\n  one = "$${n}"\n  bad = "$${"\n}\n'


def _templatestring(text, variables, reference=True):
    m = Module(".")
    return call("templatestring", [template_argument(text, reference), variables], m.budget)


def test_templatestring_renders_a_template_it_is_handed_as_a_reference():
    assert _templatestring("Hello, ${name}!", {"name": "x"}) == "Hello, x!"
    assert _templatestring("%{ for x in xs }${x},%{ endfor }", {"xs": ["a", 1]}) == "a,1,"
    assert _templatestring("${n}", {"n": 2}) == "2"  # always a string
    for variables in (None, ["x"]):
        assert isinstance(_templatestring("${n}", variables), Missing)  # vars must be a map
    assert isinstance(_templatestring("${n}", {"n": [1]}), Missing)  # invalid template result
    assert isinstance(_templatestring("${local.x}", {}), Unknown)  # Terraform: vars has no "local" (an error)


def test_templatestring_refuses_what_is_not_a_direct_reference():
    # templatestring("Hello, $${name}!", {name = "x"}) is Terraform's error: "templatestring is only for
    # rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal
    # template"; upper(local.t) is "must be a direct reference to a single string from elsewhere"
    assert isinstance(_templatestring("Hello, ${name}!", {"name": "x"}, reference=False), Missing)


def test_templatestring_in_the_evaluator_takes_only_a_reference():
    """The evaluator hands templatestring() whether its template was a reference: a literal template is
    Terraform's error, a reference is rendered (both answers are terraform console 1.11's)."""
    literal = _eval('templatestring("Hello, $${name}!", { name = "x" })', LOCALS)
    assert isinstance(literal, Missing), literal
    assert _eval('templatestring(local.t, { name = "x" })', LOCALS) == "Hello, x!"


@pytest.mark.parametrize("expr,want", [
    ('replace("ab", "/(?P<first>a)(b)/", "[$${first}]")', "[a]"),
    ('replace("ab", "/(?P<first>a)(b)/", "[$first]")', "[a]"),
    ('replace("ab", "/(?P<first>a)(b)/", "[$2$1]")', "[ba]"), ('replace("ab", "/(?P<first>a)(b)/", "[$${2}]")', "[b]"),
    ('replace("ab", "/(?P<first>a)(b)/", "[$${first}x]")', "[ax]"),
    ('replace("ab", "/(?P<first>a)(b)/", "[$firstx]")', "[]"),  # the group named firstx: none
    ('replace("aXbX", "/(?P<l>[a-z])X/", "$l-")', "a-b-"), ('replace("ab", "/(?<first>a)(b)/", "[$first]")', "[a]"),
])
def test_replace_with_named_groups(expr, want):
    assert _eval(expr) == want


def test_replace_with_an_interpolated_name_is_not_a_value():
    # "[${first}]" interpolates the bare name first, which Terraform reports as "Invalid reference" before
    # replace() runs; pullcheck never gives it a value
    got = _eval('replace("ab", "/(?P<first>a)(b)/", "[${first}]")')
    assert isinstance(got, (Unknown, Missing))


@pytest.mark.parametrize("expr,want", [
    ("local.t", True), ("var.m.k", True), ('var.m["k"]', True), ("local.l[0]", True), ("local.l.0", True),
    ('"Hello, $${name}!"', False), ('"x"', False), ("<<EOT\nx\nEOT\n", False), ("upper(local.t)", False),
    ("true ? local.t : local.u", False), ("1", False), ("[local.t]", False), ("local.l[*].t", False),
    ("local.l[var.i]", None), ('var.m["${var.k}"]', None), ("(local.t)", None),
])
def test_which_templates_are_direct_references(expr, want):
    from pullcheck.formats.terraform.functions_template import is_reference

    assert is_reference(read(f"x = {expr}\n", "main.tf").attrs["x"]) is want


def test_a_template_handed_over_uncertainly_is_unknown():
    assert isinstance(_templatestring("x", {}, reference=None), Unknown)


def test_long_formats_and_durations_are_charged_and_bounded():
    """Go's bufio.Scanner stops at a 64 KB token, cutting Terraform's output short: such a format is unknown.
    The formats and durations below it are charged a step a token or part."""
    meter = Budget()
    assert isinstance(call("formatdate", ["\u20ac" * 30000, T], meter), Unknown)  # 90 000 bytes
    meter = Budget()
    assert call("formatdate", ["YYYY-" * 10000, T], meter) == "2018-" * 10000 and meter.steps >= 20000
    meter = Budget()
    assert call("timeadd", [T, "1s" * 20000], meter) == "2018-01-02T18:35:23Z" and meter.steps >= 20000
