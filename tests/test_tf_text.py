"""Terraform's text functions as Terraform 1.11 gives them (each value below is terraform console's): format()
with Go's verbs, regular expressions with Go's RE2, strings in NFC counted in grapheme clusters, and the
functions over paths, hashes, networks, sets and YAML."""
import pytest

from pullcheck.sources.session import current

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


# -- networks -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr,want", [
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"), ('cidrhost("10.12.112.0/20", 268)', "10.12.113.12"),
    ('cidrhost("10.12.112.0/20", -1)', "10.12.127.255"), ('cidrhost("10.0.0.0/8", "5")', "10.0.0.5"),
    ('cidrhost("fd00:fd12:3456:7890::/56", 34)', "fd00:fd12:3456:7800::22"),
    ('cidrhost("2001:db8::/32", 65536)', "2001:db8::1:0"), ('cidrhost("0010.0.0.0/08", 1)', "10.0.0.1"),
    ('cidrhost("::ffff:10.0.0.0/104", 5)', "0:5::ffff:a00:0"),  # go-cidr's quirk, as Terraform gives it
    ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"), ('cidrnetmask("10.0.0.1/16")', "255.255.0.0"),
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"), ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
    ('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"),
    ('cidrsubnet("010.0.0.0/16", 8, 2)', "10.0.2.0/24"), ('cidrsubnet("10.0.0.0/16", -1, 0)', "10.0.0.0/15"),
    ('cidrsubnet("10.0.0.0/16", 8, -1)', "0.0.1.0/24"), ('cidrsubnet("::ffff:10.0.0.0/104", 8, 5)', "10.5.0.0/16"),
    ('cidrsubnets("10.0.0.0/16", 4, 4, 8, 4)', ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/24", "10.0.48.0/20"]),
    ('cidrsubnets("10.0.0.0/8", 8, 2)', ["10.0.0.0/16", "10.64.0.0/10"]),
    ('cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)',
     ["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72", "fd00:fd12:3456:7800:200::/72",
      "fd00:fd12:3456:7800:300::/88"]),
    ('cidrsubnets("10.0.0.0/16")', []),
])
def test_networks(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr,why", [
    ('cidrhost("10.12.112.0/20", 4096)', "prefix of 20 does not accommodate a host numbered 4096"),
    ('cidrhost("10.0.0.0/8", -16777218)', "does not accommodate a host numbered -2"),
    ('cidrhost("10.0.0.0/8", 1.5)', "value must be a whole number"),
    ('cidrhost(" 10.0.0.0/8", 1)', "invalid CIDR address:  10.0.0.0/8"), ('cidrhost("10.0.0.0", 1)', "invalid CIDR"),
    ('cidrnetmask("fd00::/56")', "IPv6 addresses cannot have a netmask"),
    ('cidrsubnet("10.0.0.0/16", 30, 1)', "insufficient address space to extend prefix of 16 by 30"),
    ('cidrsubnet("10.0.0.0/16", 8, 256)', "prefix extension of 8 does not accommodate a subnet numbered 256"),
    ('cidrsubnet("10.0.0.0/8", 8, 1e20)', "numbered 100000000000000000000"),
    ('cidrsubnets("10.0.0.0/30", 1, 1, 1)', "not enough remaining address space for a subnet with a prefix of 31 "
                                            "bits after 10.0.0.2/31"),
    ('cidrsubnets("0.0.0.0/0", 8)', "after 255.0.0.0/8"),
    ('cidrsubnets("10.0.0.0/8", 0)', "must extend prefix by at least one bit"),
    ('cidrsubnets("10.0.0.0/8", 33)', "may not extend prefix by more than 32 bits"),
    ('cidrsubnets("10.0.0.0/8", 25)', "would extend prefix to 33 bits, which is too long for an IPv4 address"),
])
def test_network_errors_are_errors(expr, why):
    _error(expr, why)


# -- hashes, encodings, sets, YAML, CSV -------------------------------------------------------------------------

@pytest.mark.parametrize("expr,want", [
    ('md5("hello world")', "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ('sha1("hello world")', "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    ('sha256("hello world")', "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    ('base64sha256("hello world")', "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
    ('base64sha512("")', "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="),
    ('sha1("e\\u0301")', "bf15be717ac1b080b4f1c456692825891ff5073d"),  # the NFC text's bytes
    ('base64encode("héllo")', "aMOpbGxv"), ('base64decode("aMOpbGxv")', "héllo"), ('base64decode("YQ==\\n")', "a"),
    ('textencodebase64("héllo", "UTF-16LE")', "aADpAGwAbABvAA=="), ('textencodebase64("a€", "UTF-16")', "/v8AYSCs"),
    ('textencodebase64("a€", "windows-1252")', "YYA="), ('textdecodebase64("6Q==", "ISO-8859-1")', "é"),
    ('textdecodebase64("YQA=", "UTF-16")', "愀"), ('textdecodebase64("/v8AYQ==", "UTF-16")', "a"),
    ('urlencode("a b&c=d/é~")', "a+b%26c%3Dd%2F%C3%A9~"), ('urlencode("Hello World!*\'()")', "Hello+World%21%2A%27%28%29"),
    ('uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ('uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x")', "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a"),
    ('setunion(["a", "b"], ["b", "c"], ["d"])', ["a", "b", "c", "d"]),
    ('setunion(["b", "B", "a", "é", "Z"])', ["B", "Z", "a", "b", "é"]),
    ('setunion([1, 10, 2], [3])', [1, 2, 3, 10]), ('setunion(["b"], [1])', ["1", "b"]),
    ('setunion([true, false, true])', [False, True]), ('setunion(["a", null])', ["a", None]),
    ('setintersection(["a", "b", "c"], ["b", "c", "d"], ["c"])', ["c"]), ('setintersection([1, 2], ["1"])', ["1"]),
    ('setsubtract(["a", "b", "c"], ["a", "c"])', ["b"]), ('setunion([[1]], [[1]])', [[1]]),
    ('alltrue([true, "true"])', True), ('alltrue([])', True), ('alltrue([null])', False),
    ('anytrue([false, "true"])', True), ('anytrue([null, true])', True), ('anytrue([])', False),
    ('yamldecode("a: 1\\nb: [x, y]\\n")', {"a": 1, "b": ["x", True]}),  # YAML 1.1: y is true
    ('yamldecode("- 0x10\\n- 0o17\\n- 010\\n- -0x10\\n- 1_000\\n- .5\\n- 1e3")', [16, 15, 10, "-0x10", "1_000", 0.5, 1000]),
    ('yamldecode("- 2024-1-2\\n- 2001-12-14t21:59:43.10-05:00\\n- 2024-02-30")',
     ["2024-01-02T00:00:00Z", "2001-12-14T21:59:43-05:00", "2024-02-30"]),
    ('yamldecode("a: &x {b: 1}\\nc: *x\\n<<: *x\\nb: 2")', {"a": {"b": 1}, "c": {"b": 1}, "b": 2}),
    ('yamldecode("{1: a, true: b, a: 1, a: 2}")', {"1": "a", "true": "b", "a": 2}),
    ('yamldecode("- |-\\n  yes\\n- |-\\n  0x10\\n- !!int 0x1_0\\n- !!bool 1")', ["true", "16", 16, 1]),
    ('yamldecode("~")', None), ('yamldecode("!!binary aGk=")', "aGk="),
    ('yamlencode({ a = 1, b = ["x", true, null], c = { d = "e" } })',
     '"a": 1\n"b":\n- "x"\n- true\n- null\n"c":\n  "d": "e"\n'),
    ('yamlencode("multi\\nline\\n")', "|\n  multi\n  line\n"), ('yamlencode(1.5)', "1.5\n...\n"),
    ('yamlencode("")', '""\n'), ('yamlencode("\\n")', "|2+\n\n"), ('yamlencode("emoji 😀")', '"emoji \\U0001F600"\n'),
    ('yamlencode("a very long string that goes on and on and on past the eighty column limit of the emitter yes")',
     '"a very long string that goes on and on and on past the eighty column limit of the\n  emitter yes"\n'),
    ('csvdecode("a,b\\n\\n1,2\\r\\n3,\\"x\\"\\"y\\"\\n")', [{"a": "1", "b": "2"}, {"a": "3", "b": 'x"y'}]),
    ('csvdecode("a, b\\n1, 2")', [{"a": "1", " b": " 2"}]), ('csvdecode("a\\n")', []),
])
def test_encodings_sets_and_documents(expr, want):
    assert _eval(expr) == want


@pytest.mark.parametrize("expr,why", [
    ('base64decode("aGVsbG8")', "failed to decode base64 data"), ('base64decode("/w==")', "not valid UTF-8"),
    ('textencodebase64("ħ", "ISO-8859-1")', "cannot be represented in ISO_8859-1:1987"),
    ('textdecodebase64("gQ==", "windows-1252")', "not defined for windows-1252"),
    ('uuidv5("nope", "x")', "doesn't support namespace nope"),
    ('setunion([true], [1])', "compatible element types"), ('setunion("a")', "set of any single type required"),
    ('alltrue(["x"])', "bool required"), ('anytrue([1])', "bool required"),
    ('yamldecode("")', "missing start of document"), ('yamldecode("- a\\n---\\n")', "extra content"),
    ('yamldecode("a: b: c")', "mapping values are not allowed"), ('yamldecode("!Ref x")', 'unsupported tag "!Ref"'),
    ('yamldecode("{null: a}")', "mapping key cannot be null"), ('yamldecode("? [a]\\n: b")', "only strings"),
    ('yamldecode("<<: [{a: 1}]")', "cannot merge tuple into mapping"), ('yamldecode("a: *x")', "undefined anchor"),
    ('yamldecode(".nan")', "NaN is not supported"), ('yamldecode("0x10000000000000000")', "cannot parse"),
    ('csvdecode("")', "missing header line"), ('csvdecode("a,a\\n1,2")', "duplicate column name"),
    ('csvdecode("a,b\\n1,2,3")', "wrong number of fields"), ('csvdecode("a\\nx\\"y\\n")', 'bare "'),
])
def test_encoding_errors_are_errors(expr, why):
    _error(expr, why)


def test_what_the_deploy_decides_is_unknown():
    for expr, why in [("timestamp()", "time of the deploy"), ("uuid()", "new at each deploy"),
                      ('bcrypt("x")', "salt"), ('pathexpand("~/x")', "home folder"),
                      ('abspath("a")', "working folder"), ('issensitive([for x in ["a"] : x][0])', "sensitive"),
                      ('textencodebase64("a", "Shift_JIS")', "does not model")]:
        got = _eval(expr)
        assert isinstance(got, Unknown) and not isinstance(got, Missing) and why in got.origin, (expr, got)
    assert _eval('sensitive("x")') == "x" and _eval('nonsensitive(sensitive(1))') == 1
    assert _eval('ephemeralasnull("x")') == "x"


def test_yaml_is_bounded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join(["*" + chr(97 + i)] * 10) + "]\\n" for i in range(9))
    got = _eval(f'yamldecode("{bomb}")')
    assert isinstance(got, Unknown) and "aliases counted each time" in got.origin
    got = _eval('yamldecode("' + "[" * 3000 + "]" * 3000 + '")')
    assert isinstance(got, Unknown) and not isinstance(got, Missing) and "deeper" in got.origin


# -- paths and files ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr,want", [
    ('basename("/a/b/c.txt")', "c.txt"), ('basename("a/b/")', "b"), ('basename("")', "."), ('basename("/")', "/"),
    ('dirname("/a/b/c.txt")', "/a/b"), ('dirname("a/b/")', "a/b"), ('dirname("")', "."), ('dirname("/")', "/"),
    ('dirname("c.txt")', "."), ('dirname("a//b/../c")', "a"),
    ('pathexpand("a/b")', "a/b"), ('abspath("/a/../b/./c/")', "/b/c"),
])
def test_paths_as_go(expr, want):
    assert _eval(expr) == want


def test_file_functions_read_the_scanned_tree_only(tmp_path):
    from pullcheck.sources import scope

    root = tmp_path / "root"
    (root / "conf" / "sub").mkdir(parents=True)
    (root / "conf" / "a.json").write_bytes(b"\xef\xbb\xbf{}\n")  # a byte-order mark: hashed as it is
    (root / "conf" / "sub" / "b.json").write_text("[]", encoding="utf-8")
    (root / "conf" / "c.txt").write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("s", encoding="utf-8")
    (root / "other").mkdir()
    (root / "other" / "link.json").symlink_to(tmp_path / "secret.txt")
    before = (current().roots, current().also)
    scope.set_roots([str(root)])
    try:
        def ev(expr):
            return _eval(expr, folder=str(root))

        assert ev('fileexists("conf/a.json")') is True and ev('fileexists("conf/none.json")') is False
        assert isinstance(ev('fileexists("conf")'), Missing)  # a folder: an error in Terraform
        assert ev('filemd5("conf/a.json")') == "8d449b7f09018cddffd060f9083b2dda"
        assert ev('filebase64("conf/a.json")') == "77u/e30K"
        assert ev('fileset("conf", "**/*.json")') == ["a.json", "sub/b.json"]
        assert ev('fileset("conf", "{a,c}.*")') == ["a.json", "c.txt"]
        assert ev('fileset("conf", "[!a]*")') == ["c.txt"]
        assert ev('fileset("none", "*")') == []
        for expr in ('filemd5("../secret.txt")', 'fileexists("../secret.txt")', 'filesha256("other/link.json")',
                     'fileset("..", "*")', 'fileset("other", "*.json")'):
            got = ev(expr)
            assert isinstance(got, Unknown) and not isinstance(got, Missing), (expr, got)
    finally:
        current().roots, current().also = before


def test_fileset_walks_a_bounded_tree(tmp_path, monkeypatch):
    from pullcheck.formats.terraform import functions_files
    from pullcheck.sources import scope

    for i in range(30):
        (tmp_path / f"f{i}.txt").write_text("x", encoding="utf-8")
    monkeypatch.setattr(functions_files, "MAX_ITEMS", 20)
    before = (current().roots, current().also)
    scope.set_roots([str(tmp_path)])
    try:
        got = _eval('fileset(".", "*.txt")', folder=str(tmp_path))
        assert isinstance(got, Unknown) and "walks more than 20 files" in got.origin
    finally:
        current().roots, current().also = before


def test_new_families_charge_what_they_do():
    from pullcheck.formats.terraform.budget import Budget
    from pullcheck.formats.terraform.functions_yaml import STEPS_PER_EVENT_WRITTEN

    value = [{"a": i, "b": "x"} for i in range(500)]
    meter = Budget()
    text = call("yamlencode", [value], meter)
    assert text.startswith('- "a": 0\n') and meter.steps >= 500 * 6 * STEPS_PER_EVENT_WRITTEN
    meter = Budget()
    assert call("yamldecode", [text], meter) == value and meter.steps >= 500 * 6
    meter = Budget()
    assert len(call("setunion", [[str(i) for i in range(5000)], ["x"]], meter)) == 5001 and meter.steps >= 5001
    meter = Budget()
    assert call("format", ["%.3f" * 100] + [1.5] * 100, meter) == "1.500" * 100 and meter.steps >= 100 * 16
