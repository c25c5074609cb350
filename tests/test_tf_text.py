"""Terraform's text functions as Terraform 1.11 gives them (each value below is terraform console's): format()
with Go's verbs, regular expressions with Go's RE2, strings in NFC counted in grapheme clusters, and the
functions over paths, hashes, networks, sets and YAML."""
import pytest

from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.functions import call
from pullcheck.formats.terraform.syntax import read
from pullcheck.formats.terraform.unicode_text import cluster_count, clusters, go_lower, go_title, go_upper
from pullcheck.graph.values import Missing, Unknown


def _eval(expr, module_text="", folder="."):
    m = Module(folder)
    m.add_body(read(module_text + "\n", "main.tf"))
    body = read(f"x = {expr}\n", "main.tf")
    return m.evaluator({}).eval(body.attrs["x"])


def _error(expr, why=""):
    got = _eval(expr)
    assert isinstance(got, Missing), got  # an error in Terraform: try() passes over it, can() is false
    assert why in got.origin, got.origin


@pytest.mark.parametrize("expr,want", [
    ('format("%5s|%-5s|", "a", "b")', "    a|b    |"),
    ('format("%05s|%-05s|", "ab", "ab")', "000ab|ab000|"),  # go-cty pads strings with zeros too
    ('format("%.2s|%.0s|%5.1s|", "abcdef", "abc", "xyz")', "ab|abc|    x|"),  # .0 does not cut
    ('format("%03d|%3d|%-3d|%+d|% d|%05d", 7, 7, 7, 3, 5, -42)', "007|  7|7  |+3| 5|-0042"),
    ('format("%.3d|%8.3d|%08.3d|%.0d|", 7, 5, 5, 0)', "007|     005|     005||"),
    ('format("%x %X %o %b %#x %#o %#b %x", 255, 255, 8, 5, 255, 8, 5, -255)', "ff FF 10 101 0xff 010 0b101 -ff"),
    ('format("%d", 12345678901234567890)', "12345678901234567890"),
    ('format("%d|%d", "12", "1e2")', "12|100"),
    ('format("%.2f|%f|%8.3f|%-8.2f|%+.1f", 3.14159, 1, 3.14159, 2.5, 2.25)',
     "3.14|1.000000|   3.142|2.50    |+2.2"),
    ('format("%.2f|%.0f|%.0f|%.1f", 2.675, 2.5, 3.5, 0.05)', "2.67|2|4|0.1"),  # 512-bit binary, half to even
    ('format("%08.3f|%-08.3f|% .2f", -3.14159, 3.14159, 3.14159)', "-003.142|0003.142| 3.14"),
    ('format("%e|%E|%.2e|%+.2e|%.0e|%.0e", 1234.5678, 0.000123, 1234.5678, 3.14159, 15, 25)',
     "1.234568e+03|1.230000E-04|1.23e+03|+3.14e+00|2e+01|2e+01"),
    ('format("%g|%g|%g|%.3g|%G|%g", 1234.5678, 1000000, 0.00001, 1234.5678, 1e-10, 0)',
     "1234.5678|1e+06|1e-05|1.23e+03|1E-10|0"),
    ('format("%v|%v|%v|%v|%v", 42, 1.5, 1000000, 123456789, 1e-7)', "42|1.5|1e+06|1.23456789e+08|1e-07"),
    ('format("%s|%s|%s", 1e21, 0.1, true)', "1000000000000000000000|0.1|true"),
    ('format("%f", 1e20)', "100000000000000000000.000000"),
    ('format("%%|100%%|%d%%", 50)', "%|100%|50%"),
    ('format("%t|%t|%t|%5t|", true, "false", "1", true)', "true|false|true|true|"),
    ('format("%q", "a\\"b")', '"a\\"b"'),
    ('format("%q", "é\\n\\t")', '"é\\n\\t"'),  # Go quotes as JSON: non-ASCII as it is
    ('format("%q", "<a&b>")', '"\\u003ca\\u0026b\\u003e"'),  # HTML characters escaped, as Go's JSON does
    ('format("%q|%10q|", 5, "a")', '"5"|       "a"|'),
    ('format("%v|%#v|%6v|", "text", "text", 42)', 'text|"text"|    42|'),
    ('format("%v", ["a", 1])', '["a",1]'),
    ('format("%v", { b = 1, a = "x" })', '{"a":"x","b":1}'),
    ('format("%s=%v", "k", [1, [2, 3], { a = null }])', 'k=[1,[2,3],{"a":null}]'),
    ('format("%#v", 42)', "42"),
    ('format("%[2]s-%[1]s|%[1]s %[1]s", "a", "b")', "b-a|a a"),
    ('format("%[2]s %s", "a", "b", "c")', "b c"),
    ('format("%3s|%.1s|%5s|", "e\\u0301", "e\\u0301x", "日本")', "  é|é|   日本|"),  # grapheme clusters
    ('formatlist("%s:%d", ["web", "api"], [80, 443])', ["web:80", "api:443"]),
    ('formatlist("%s-%s", "x", ["a", "b"])', ["x-a", "x-b"]),
    ('formatlist("%s", [])', []),
    ('formatlist("%05.1f", [1, 2.25])', ["001.0", "002.2"]),
    ('formatlist("%v", [[1], { a = 1 }])', ["[1]", '{"a":1}']),
    ('formatlist("[%3s]", ["a", "bb", "cccc"])', ["[  a]", "[ bb]", "[cccc]"]),
])
def test_format_as_go_cty(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr,why", [
    ('format("%d", 3.7)', 'unsupported value for "%d" at 0: an integer is required'),
    ('format("%x", 3.5)', "an integer is required"),
    ('format("%d", "x")', "a number is required"),
    ('format("%d", " 12")', "a number is required"),
    ('format("%d", true)', "number required"),
    ('format("%t", 1)', "bool required"),
    ('format("%t", "yes")', "a bool is required"),
    ('format("%s", ["a"])', "string required"),
    ('format("%s")', 'not enough arguments for "%s" at 0: need index 1 but have 0 total'),
    ('format("%[3]s", "a")', "need index 3 but have 1 total"),
    ('format("a", "b")', "too many arguments; no verbs in format string"),
    ('format("%s", "a", "b")', "too many arguments; only 1 used by format string"),
    ('format("%z", 1)', "unsupported format verb 'z' in \"%z\" at offset 0"),
    ('format("%c", 65)', "unsupported format verb 'c'"),
    ('format("%", 1)', "invalid format string starting at offset 1"),
    ('format("abc%")', "invalid format string starting at offset 4"),
    ('format("%5%")', "unrecognized format character '%' at offset 2"),
    ('format("%[0]s", "a")', "unrecognized format character '0' at offset 2"),
    ('formatlist("%s-%s", ["a"], ["b", "c"])', "argument 3 has length 2, which is inconsistent with argument 2"),
    ('formatlist("%d", [1.5])', "error on format iteration 0: "),
    ('formatlist("%s-%s", ["a"], "x", "y")', "too many arguments; only 2 used"),
])
def test_format_errors_are_errors(expr, why):
    _error(expr, why)


def test_format_of_unknowns_stays_unknown():
    assert isinstance(_eval('format("%s", var.a)'), Unknown)
    assert isinstance(_eval('format("%v", [1, var.a])'), Unknown)
    assert isinstance(_eval('format("%v", null)'), Unknown)  # a bare null: its type decides, Terraform waits
    got = _eval('formatlist("%s", ["a", var.b])')
    assert got[0] == "a" and isinstance(got[1], Unknown)


def test_format_widths_and_precisions_are_bounded():
    got = _eval('format("%999999999d", 1)')
    assert isinstance(got, Unknown) and "over" in got.origin
    assert isinstance(_eval('format("%.99999999f", 1)'), Unknown)


# -- regular expressions -------------------------------------------------------------------------------------

IMAGE = 'locals {\n  image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1.2.3"\n}\n'


@pytest.mark.parametrize("expr,want", [
    ('regex("[a-z]+", "123abc456")', "abc"),
    ('regex("^(\\\\d+)\\\\.dkr\\\\.ecr\\\\.([a-z0-9-]+)\\\\.amazonaws\\\\.com/(.*)$", local.image)',
     ["123456789012", "eu-west-1", "team/app:v1.2.3"]),
    ('regex("^(?P<account>\\\\d+)\\\\.dkr\\\\.ecr\\\\.(?P<region>[a-z0-9-]+)", local.image)',
     {"account": "123456789012", "region": "eu-west-1"}),
    ('regex("(x)?(y)", "y")', [None, "y"]),
    ('regex("(?<name>\\\\w+)", "hello world")', {"name": "hello"}),
    ('regex("\\\\w+", "héllo")', "h"),  # \\w is ASCII in Go
    ('regex("\\\\d+", "١٢٣ 42")', "42"),
    ('regex("\\\\s+", "a\\u00a0 b")', " "),
    ('regex("\\\\bé", "xé é")', "é"),
    ('regex("(?m)^abc$", "x\\nabc\\ny")', "abc"),
    ('regex("[[:alpha:]]+|\\\\pL", "ab12")', "ab"),
    ('regex("\\\\p{Greek}+", "abc αβγ")', "αβγ"),
    ('regex("(a|ab)(c|bcd)(d*)", "abcd")', ["a", "bcd", ""]),  # leftmost-first, as Go
    ('regex("^.$", "e\\u0301")', "é"),  # NFC: one character
    ('regex("(?U)(a+)(a*)", "aaa")', ["a", ""]),
    ('regexall("[0-9]+", "a1b22c333")', ["1", "22", "333"]),
    ('regexall("(?P<k>\\\\w+)=(?P<v>\\\\w*)", "a=1 b= c=3")',
     [{"k": "a", "v": "1"}, {"k": "b", "v": ""}, {"k": "c", "v": "3"}]),
    ('regexall("x*", "axxbx")', ["", "xx", "x"]),  # no empty match right after a match
    ('regexall("a*|b", "ab")', ["a", ""]),
    ('regexall("$", "a\\n")', [""]),  # $ is the end of the text, not before a final newline
    ('regexall("(?m)$", "a\\nb\\n")', ["", "", ""]),
    ('regexall(".", "e\\u0301a")', ["é", "a"]),
    ('replace("hello world", "/(\\\\w+) (\\\\w+)/", "$2 $1")', "world hello"),
    ('replace("ab", "/(a)(b)/", "$1a")', ""),  # the group named "1a", which does not exist
    ('replace("ab", "/(a)(b)/", "$${1}a")', "aa"),
    ('replace("ab", "/(?P<first>a)(b)/", "[$first]")', "[a]"),
    ('replace("ab", "/(a)/", "$$1|x$")', "$1|x$b"),
    ('replace("abxd", "/x*/", "-")', "-a-b-d-"),
    ('replace("baaac", "/a*/", "-")', "-b-c-"),
    ('replace("x\\ny\\n", "/$/", "!")', "x\ny\n!"),
    ('replace("x\\ny\\n", "/(?m)$/", "!")', "x!\ny!\n!"),
    ('replace("abc", "", "-")', "-a-b-c-"),
    ('replace("e\\u0301", "/e/", "x")', "é"),  # the text is NFC: no e in it
])
def test_regular_expressions_as_go(expr, want):
    assert _eval(expr, IMAGE) == want


@pytest.mark.parametrize("expr,why", [
    ('regex("nomatch", "abc")', "pattern did not match any part of the given string"),
    ('regex("^abc$", "abc\\n")', "did not match"),
    ('regex("a.b", "a\\nb")', "did not match"),
    ('regex("(", "abc")', "invalid regexp pattern"),
    ('regex("\\\\C", "x")', "invalid escape sequence"),
    ('regex("a{1001}", "a")', "invalid regexp pattern"),
    ('replace("a", "/(/", "x")', "invalid regexp pattern"),
])
def test_regular_expression_errors_are_errors(expr, why):
    _error(expr, why)


def test_can_and_try_see_errors_at_once():
    hostile = 'can(regex("^(a*)*b$", "' + "a" * 5000 + 'c"))'
    assert _eval(hostile) is False  # RE2: linear in the text, and the failed match an error can() sees
    assert _eval('can(regex("^(a+)+$", "' + "a" * 60 + '!"))') is False
    assert _eval('can(regex("a", "a"))') is True
    assert _eval('try(regex("v([0-9]+)", "latest"), "none")') == "none"
    assert _eval('try(format("%d", 1.5), "x")') == "x"
    assert isinstance(_eval('can(regex("a", var.s))'), Unknown)


# -- Unicode ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr,want", [
    ('"e\\u0301" == "\\u00e9"', True),  # literals are NFC
    ('length("e\\u0301")', 1), ('length("👨‍👩‍👧")', 1), ('length("🇫🇷🇩🇪")', 2), ('length("🇫🇷🇩")', 2),
    ('length("\\r\\n")', 1), ('length("\\n\\r")', 2), ('length("a\\u0308\\u0301b")', 2),
    ('length("\\u1100\\u1161\\u11a8")', 1), ('length("\\u0915\\u094d\\u0937")', 2), ('length("\\u0600\\u0661")', 1),
    ('length("👍🏽")', 1), ('length("a\\u200d😀")', 2), ('length("😀\\u200d😀")', 1), ('length("\\u0e01\\u0e33")', 1),
    ('length("x\\ufffd\\u0301")', 3), ('length("\\u200da")', 2), ('length("日本語")', 3), ('length(["a"])', 1),
    ('substr("héllo wörld", 1, 3)', "éll"), ('substr("👨‍👩‍👧x", 0, 1)', "👨‍👩‍👧"),
    ('substr("abc", -2, 5)', "bc"), ('substr("abc", 1, -1)', "bc"), ('substr("abc", 1, -2)', "bc"),
    ('substr("abc", 5, 1)', ""), ('substr("abc", 3, 1)', ""), ('substr("abc", -5, 1)', "a"),
    ('substr("abc", -1, 0)', "c"), ('substr("abc", 1, 0)', ""), ('substr("abc", "1", "1")', "b"),
    ('strrev("e\\u0301x")', "xé"), ('strrev("🇫🇷🇩🇪")', "🇩🇪🇫🇷"), ('strrev("👍🏽a")', "a👍🏽"),
    ('upper("straße")', "STRAßE"), ('upper("ǆ")', "Ǆ"), ('upper("ﬀ")', "ﬀ"), ('upper("ᾳ")', "ᾼ"),
    ('lower("İ")', "i"), ('lower("ΣΑΣ ΟΔΟΣ")', "σασ οδοσ"), ('lower("ẞ")', "ß"),
    ('title("hELLO wORLD")', "HELLO WORLD"), ('title("hello_world-foo bar")', "Hello_world-Foo Bar"),
    ('title("ǆemal")', "ǅemal"), ('title("ßa")', "ßa"), ('title("o\'neil")', "O'Neil"), ('title("a1b c")', "A1b C"),
    ('title("x\\u00a0y")', "X\u00a0Y"),
    ('trimspace("\\u00a0 a \\u2003")', "a"), ('trimspace("\\u001c a \\u001f")', "\u001c a \u001f"),
    ('trimspace("\\u200ba\\u200b")', "\u200ba\u200b"), ('trimspace("\\u3000a\\u2028\\u2029\\u0085")', "a"),
    ('trim("?!héllo!?", "!?")', "héllo"), ('trim("xxaxx", "")', "xxaxx"), ('trim("ééaéé", "é")', "a"),
    ('trimprefix("e\\u0301x", "\\u00e9")', "x"), ('trimsuffix("abc", "")', "abc"),
    ('chomp("a\\r\\n\\r\\n\\n")', "a"), ('chomp("a\\n\\r")', "a"), ('chomp("a\\n ")', "a\n "),
    ('indent(2, "a\\nb\\n")', "a\n  b\n  "), ('indent("2", "a\\r\\nb")', "a\r\n  b"),
    ('split(",", "")', [""]), ('split("", "héllo")', ["h", "é", "l", "l", "o"]), ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('join("-", ["a", "b"], ["c"])', "a-b-c"), ('join("-", [])', ""), ('join("-", [1, true])', "1-true"),
    ('strcontains("hello", "ell")', True), ('strcontains("e\\u0301", "e")', False),
    ('startswith("e\\u0301", "e")', False), ('endswith("hello", "lo")', True),
])
def test_unicode_text(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr,why", [
    ('substr("abc", 1.5, 1)', "whole number"), ('indent(-1, "a\\nb")', "negative Repeat count"),
    ('indent(1.5, "a")', "whole number"), ('join("-")', "at least one list is required"),
    ('join("-", ["a", null])', "null"), ('upper(["a"])', "string is required"), ('reverse("abc")', ""),
])
def test_text_errors_are_errors(expr, why):
    got = _eval(expr)
    assert isinstance(got, Unknown) and why in got.origin, got


def test_grapheme_clusters_follow_go_textseg():
    assert clusters("e\u0301\U0001F468\u200d\U0001F469\r\nx\ufffd\u0301") == [
        "e\u0301", "\U0001F468\u200d\U0001F469", "\r\n", "x", "\ufffd", "\u0301"]
    assert clusters("\u1100\uac00\u11a8") == ["\u1100\uac00", "\u11a8"]  # go-textseg: L LV | T
    assert clusters("\U0001F1EB\U0001F1F7\U0001F1E9") == ["\U0001F1EB\U0001F1F7", "\U0001F1E9"]
    assert clusters("\u0600\u0661\u0600\n") == ["\u0600\u0661", "\u0600", "\n"]  # a prepend before a control
    assert cluster_count("a\r\nb") == 3 and cluster_count("") == 0


def test_case_mappings_are_go_simple_ones():
    assert go_upper("ßǰŉﬀᾀ") == "ßǰŉﬀᾈ" and go_lower("İΣ") == "iσ" and go_title("ǳ x") == "ǲ X"


def test_text_functions_charge_what_they_read():
    from pullcheck.formats.terraform.budget import Budget

    meter = Budget()
    assert call("length", ["é" * 40_000], meter) == 40_000
    assert meter.steps >= 10_000  # cluster by cluster: a step per few characters
    ascii_meter = Budget()
    assert call("length", ["a" * 40_000], ascii_meter) == 40_000 and ascii_meter.steps < 100
