"""Random Terraform expressions, answered by Terraform and by ``pullcheck console``, and the answers compared.

    python tests/tf_fuzz.py [--seeds N] [--first S] [--count K] [--class NAME ...] [--show]

Each seed gives ``--count`` expressions from a grammar over the classes below (types and their conversion,
collections, numbers, text, format verbs, regular expressions, errors with try() and can(), for expressions,
splats, conditionals, sensitivity, variables, unknowns, templates, encodings, network functions), most of them
well typed and some not. The same seed always gives the same expressions. They are evaluated in one root
module (``FIXTURE``: tests/data/tf_oracle/fuzz_found/main.tf, copied to a temporary folder) by ``terraform console`` and by pullcheck's console, in
process. Terraform is asked many expressions at once, as the elements of one tuple, each as
``try(jsonencode(EXPR), MARK)``: a piped console answers only its last line and stops at the first error, so
a batch that fails as a whole (an error try() cannot catch, such as a reference to what is not declared) is
split in halves until the expression that fails is alone, and that one is asked by itself.

What is printed: each expression whose answers differ (a value not Terraform's, a value where Terraform
reports an error or the other way round, a defect of the evaluation), with its class; and the counts.
An unknown where Terraform answers is said too, and counted apart. Exit code 1 when anything differs.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tf_oracle  # noqa: E402

MARK = "\u0001terraform-error\u0001"  # what try() gives where the expression is an error
BATCH = 200

# the root module the expressions are evaluated in, also that of the oracle group of what was found
FOUND = os.path.join(tf_oracle.CASES, "fuzz_found")
with open(os.path.join(FOUND, "main.tf"), encoding="utf-8") as _f:
    FIXTURE = _f.read()

# -- the grammar -------------------------------------------------------------------------------------------

STRINGS = ['"a"', '"B"', '""', '"hello world"', '"é"', '"e\\u0301"', '"ß"', '"İstanbul"', '"ǅ"', '"ﬁx"',
           '"Σίσυφος"', '"🇫🇷🇩🇪"', '"👍🏽x"', '"a\\tb"', '" pad "', '"10"', '"-2.50"', '"1e3"', '"0x1F"',
           '"true"', '"null"', '"a,b,,c"', '"x\\ny\\n"', '"%"', '"$${x}"', '"ab<>&"', '"\\u00e9t\\u00e9"',
           '"カタカナ"', '"\\u2028"', '"0.1"', '" 12 "', '"1_000"', '"+5"', '"Inf"', '"NaN"']
NUMBERS = ["0", "1", "-1", "2", "3", "7", "10", "-7", "0.5", "1.5", "-2.5", "0.1", "1e3", "2.75", "100",
           "1e-7", "123456789012345678", "18446744073709551617", "-0", "0.30000000000000004", "1.0",
           "255", "65535", "4294967296", "3.14159", "1e21", "999999999999999999999", "-0.001"]
LISTS = ["local.nums", "local.strs", "local.mixed", "local.emptyl", "var.l", "var.nonnull", "local.objs",
         "local.unkl", "local.senl", '["a", "b", "a"]', "[1, 2, 3]", '[1, "1", true]', "[[1, 2], [3]]",
         '["x", null, ""]', "[]", "[null]", '[{a = 1}, {a = "b"}]', '[{a = 1}, {b = 2}]']
MAPS = ["var.m", "local.omap", "local.tmap", "local.emptym", "local.unkm", "var.secmap", "var.anyv",
        '{a = 1, b = "x"}', '{z = 1, a = 2, "B" = 3}', '{a = [1], b = ["x"]}', "{}", '{a = null}',
        '{"10" = 1, "9" = 2, "a" = 3}']
SETS = ["var.st", 'toset(["b", "a", "c", "a"])', "toset([3, 1, 2, 10])", "toset([])", 'toset([1, "1", "a"])',
        'toset(["10", "9", "a", "B"])', "toset([true, false])"]
SCALARS = ["var.n", "var.s", "var.nn", "local.nul", "local.big", "local.frac", "local.neg", "local.text",
           "local.sens", "var.sec", "local.unk", "var.o.name", "var.o.port", "true", "false", "null"]
PATTERNS = ['"/[a-z]/"', '"/(.)/"', '"/^/"']
REPLACEMENTS = ['"-"', '"$1$1"', '""']
SEPARATORS = ['","', '""', '"a"']
TRANSPOSABLE = ["local.tmap", '{a = ["x"], b = []}', '{a = ["x", "y"], b = ["x"], c = ["z"]}']
JSON_TEXTS = ["local.json", '"{}"', '"{\\"b\\":1,\\"a\\":[]}"', '"[1,2]"', '"1e400"', '"[1.50, -0, 1E2]"']
YAML_TEXTS = ["local.yaml", '"a: [1, 2]"', '"- 1\\n- x"', '"{a: 0x10, b: 1_000, c: .5}"', '"a: !!str 1"', '"a: 1e3"']
NUMBER_TEXTS = ['"1.0"', '"1e2"', '"-0"', '"123456789012345678901"']
KEYS = ['a', '"b"', '(local.text)', '1']
CLASSES = ["numbers", "strings", "format", "regex", "collections", "ordering", "conversion", "conditional",
           "for", "splat", "errors", "sensitivity", "variables", "unknowns", "templates", "encoding", "cidr"]


# what pullcheck does not model, and the expressions that hold it are left out of a run that asks for the
# modelled ones only (the slow test): the types of values beyond what they hold
UNMODELLED = {
    "var.nn": "a null of a declared type (string): pullcheck's null has none",
    "var.o.subs": "an optional attribute left null has its declared type (number)",
    "var.o.tags": "an empty map's declared element type (string)",
    "toset([])": "an empty set's element type, as the functions that take it give it",
    "range(0)": "an empty list of numbers",
    "range(-1)": "an empty list of numbers",
    "[]": "an empty list's element type, which a function that makes it gives it (sort([]), chunklist([], 1))",
    "local.emptyl": "an empty tuple's elements in the functions' results, likewise",
    "matchkeys(": "the element type of what matchkeys() leaves empty",
    "regexall(": "a list of no matches has the type of the matches it would hold",
    "transpose(": "an empty map's element type",
    "!1": "the type of an operation that fails, which the branch a conditional did not take still gives",
    "[*].missing": "the type of a splat that fails, likewise",
    " : tostring(v) => v}": "the type of a for expression that fails on a repeated key, likewise",
    "local.unk ==": "the type of an unknown that a comparison gives (bool)",
    "try(local.unk": "try() of a value that holds unknowns: wholly unknown to Terraform; pullcheck keeps what is known",
    "setintersection(": "the element type of a set the intersection leaves empty",
    "setsubtract(": "the element type of a set the subtraction leaves empty",
}


class Grammar:
    """Random expressions from one seed. ``depth`` bounds the nesting; each method gives an expression text."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, items):
        return self.r.choice(items)

    def chance(self, p):
        return self.r.random() < p

    # values of a kind
    def num(self, d=2):
        if d <= 0 or self.chance(0.35):
            return self.pick(NUMBERS + ["var.n", "local.frac", "local.neg", "local.big"])
        a, b = self.num(d - 1), self.num(d - 1)
        return self.pick([
            f"({a} + {b})", f"({a} - {b})", f"({a} * {b})", f"({a} / {b})", f"({a} % {b})", f"-({a})",
            f"max({a}, {b})", f"min({a}, {b})", f"abs({a})", f"ceil({a})", f"floor({a})", f"signum({a})",
            f"pow({a}, {self.pick(['0', '1', '2', '0.5', '-1', '3'])})", f"log({a}, {self.pick(['2', '10'])})",
            f"length({self.lst(d - 1)})", f"sum({self.pick(['local.nums', '[1, 2.5]', '[0.1, 0.2]', '[]'])})",
            f"tonumber({self.pick(STRINGS)})", f"parseint({self.pick(STRINGS)}, {self.pick(['2', '10', '16', '36'])})",
            f"length({self.str_(d - 1)})", f"index({self.lst(d - 1)}, {self.scalar(d - 1)})",
            f"({self.bool_(d - 1)} ? {a} : {b})"])

    def str_(self, d=2):
        if d <= 0 or self.chance(0.3):
            return self.pick(STRINGS + ["var.s", "local.text", "var.o.name"])
        a, b = self.str_(d - 1), self.str_(d - 1)
        return self.pick([
            f"upper({a})", f"lower({a})", f"title({a})", f"strrev({a})", f"trimspace({a})", f"chomp({a})",
            f"substr({a}, {self.pick(['0', '1', '-1', '2', '-3'])}, {self.pick(['1', '2', '-1', '0', '100'])})",
            f'replace({a}, {self.pick(STRINGS + PATTERNS)}, {self.pick(REPLACEMENTS)})',
            f"trim({a}, {b})", f"trimprefix({a}, {b})", f"trimsuffix({a}, {b})", f"join({b}, {self.lst(d - 1)})",
            f"tostring({self.scalar(d - 1)})", f"\"${{{a}}}-${{{self.num(d - 1)}}}\"", f"coalesce({a}, {b})",
            f"element({self.lst(d - 1)}, {self.pick(['0', '1', '5', '-1'])})", f"indent(2, {a})",
            f"format({self.fmt()})", f"jsonencode({self.any_(d - 1)})", f"base64encode({a})",
            f"urlencode({a})", f"lookup({self.map_(d - 1)}, {a}, {b})", f"({self.bool_(d - 1)} ? {a} : {b})"])

    def bool_(self, d=2):
        if d <= 0 or self.chance(0.3):
            return self.pick(["true", "false", '"true"', "var.nn == null", "local.unk == null"])
        a, b = self.any_(d - 1), self.any_(d - 1)
        return self.pick([
            f"({a} == {b})", f"({a} != {b})", f"({self.num(d - 1)} < {self.num(d - 1)})",
            f"({self.num(d - 1)} >= {self.num(d - 1)})", f"!{self.bool_(d - 1)}",
            f"({self.bool_(d - 1)} && {self.bool_(d - 1)})", f"({self.bool_(d - 1)} || {self.bool_(d - 1)})",
            f"contains({self.lst(d - 1)}, {self.scalar(d - 1)})", f"can({a})", f"startswith({self.str_(d - 1)}, {self.str_(0)})",
            f"endswith({self.str_(d - 1)}, {self.str_(0)})", f"alltrue({self.lst(d - 1)})", f"anytrue({self.lst(d - 1)})",
            f"issensitive({a})", f"strcontains({self.str_(d - 1)}, {self.str_(0)})"])

    def scalar(self, d=1):
        k = self.r.random()
        if k < 0.3:
            return self.num(d)
        if k < 0.6:
            return self.str_(d)
        if k < 0.75:
            return self.bool_(d)
        return self.pick(SCALARS)

    def lst(self, d=2):
        if d <= 0 or self.chance(0.3):
            return self.pick(LISTS + SETS[:3])
        a, b = self.lst(d - 1), self.lst(d - 1)
        x = self.scalar(d - 1)
        return self.pick([
            f"[{x}, {self.scalar(d - 1)}]", f"concat({a}, {b})", f"reverse({a})", f"sort({a})", f"distinct({a})",
            f"compact({a})", f"flatten([{a}, {b}])", f"slice({a}, {self.pick(['0', '1'])}, {self.pick(['1', '2', '3'])})",
            f"chunklist({a}, {self.pick(['1', '2', '0', '3'])})", f"setproduct({a}, {b})", f"tolist({self.set_(d - 1)})",
            f"range({self.pick(['3', '0', '1, 4', '5, 1, -2', '0, 1, 0.25', '-1'])})", f"keys({self.map_(d - 1)})",
            f"values({self.map_(d - 1)})", f"split({self.pick(SEPARATORS)}, {self.str_(d - 1)})",
            f"regexall({self.regex()}, {self.str_(d - 1)})", f"formatlist({self.fmt_list()})",
            f"[for v in {a} : {self.pick(['v', 'tostring(v)', 'upper(v)', 'v * 2', '[v]', '{ k = v }'])}]",
            f"[for i, v in {a} : i if {self.pick(['i > 0', 'v != null', 'true', 'v == 1'])}]",
            f"{self.pick(['local.objs', 'var.o.subs', 'local.omap', 'local.mixed', 'null', 'var.o', '1'])}[*]{self.pick(['', '.name', '.id', '.w', '.v', '.port'])}",
            f"({self.bool_(d - 1)} ? {a} : {b})", f"matchkeys({a}, {b}, {self.lst(0)})", f"coalescelist({a}, {b})",
            f"sort(keys(transpose({self.pick(TRANSPOSABLE)})))"])

    def set_(self, d=2):
        if d <= 0 or self.chance(0.4):
            return self.pick(SETS)
        a, b = self.set_(d - 1), self.set_(d - 1)
        return self.pick([f"setunion({a}, {b})", f"setintersection({a}, {b})", f"setsubtract({a}, {b})",
                          f"toset({self.lst(d - 1)})", f"setproduct({a}, {b})",
                          f"toset([for v in {a} : v])", f"setunion({a}, {self.lst(d - 1)})"])

    def map_(self, d=2):
        if d <= 0 or self.chance(0.35):
            return self.pick(MAPS)
        a, b = self.map_(d - 1), self.map_(d - 1)
        return self.pick([
            f"merge({a}, {b})", f"tomap({a})", f"zipmap({self.lst(d - 1)}, {self.lst(d - 1)})",
            f"transpose({self.pick(['local.tmap', a])})", f"{{for k, v in {a} : k => {self.pick(['v', 'k', '[v]', 'upper(k)'])}}}",
            f"{{for v in {self.lst(d - 1)} : tostring(v) => v...}}", f"{{for v in {self.lst(d - 1)} : tostring(v) => v}}",
            f"{{ {self.pick(KEYS)} = {self.scalar(d - 1)}, c = {self.any_(d - 1)} }}",
            f"jsondecode({self.pick(JSON_TEXTS)})",
            f"yamldecode({self.pick(YAML_TEXTS)})",
            f"({self.bool_(d - 1)} ? {a} : {b})", "{for o in local.objs : o.name => o.port}",
            "var.o", "var.o.tags", f"lookup({a}, {self.str_(0)}, {b})"])

    def any_(self, d=2):
        k = self.r.random()
        if k < 0.35:
            return self.scalar(d)
        if k < 0.65:
            return self.lst(d)
        if k < 0.8:
            return self.set_(d)
        return self.map_(d)

    def fmt(self):
        verbs = ["%s", "%d", "%5d", "%-5d|", "%05d", "%.2f", "%8.3f", "%e", "%g", "%x", "%X", "%o", "%b", "%t",
                 "%q", "%v", "%#v", "%%", "%10s|", "%-10s|", "%.1s", "%+d", "%.0f", "%[2]s %[1]s", "%*d", "%c", "%U"]
        verb = self.pick(verbs)
        args = ", ".join(self.scalar(1) for _ in range(self.pick([0, 1, 1, 2])))
        return f'"<{verb}>"' + (f", {args}" if args else "")

    def fmt_list(self):
        return f'"{self.pick(["%s-%s", "%d", "%s", "%v=%v", "x"])}", {self.lst(1)}' + \
            self.pick(["", f", {self.lst(0)}", f", {self.str_(0)}"])

    def regex(self):
        return self.pick(['"[a-z]+"', '"(\\\\w)(\\\\d)?"', '"(?P<x>[A-Z])"', '"(?i)É"', '"^$"', '"\\\\pL"', '"a{2,}"',
                          '"(a|b)*"', '"["', '"(?=x)"', '"\\\\b"', '"[[:alpha:]]"', '"."', '"(?s).+"'])

    # each class: a top expression of that class
    def expression(self, cls):
        g = getattr(self, "c_" + cls)
        e = g()
        if self.chance(0.08):  # an ill-typed slot: a value of the wrong kind where one is expected
            e = e.replace(self.pick(["local.nums", "local.strs", "var.l", '"a"', "1", "var.m"]),
                          self.pick(['"x"', "[1]", "{a = 1}", "null", "true", "local.objs"]), 1)
        if self.chance(0.1):
            e = self.pick([f"try({e}, \"fallback\")", f"can({e})", f"try({e}, null)", f"length({e})",
                           f"tostring({e})", f"tolist({e})", f"tomap({e})", f"toset({e})", f"issensitive({e})",
                           f"[{e}]", f"{{x = {e}}}", f"({e})[0]", f"one({e})", f"{e} == {e}"])
        return e

    def c_numbers(self):
        return self.pick([self.num(3), f"tostring({self.num(2)})", f"format(\"%v\", {self.num(2)})",
                          f"jsonencode({self.num(2)})", f"floor({self.num(2)} / {self.num(1)})"])

    def c_strings(self):
        return self.pick([self.str_(3), f"length({self.str_(2)})", f"substr({self.str_(2)}, 0, 2)",
                          f"upper({self.str_(2)})", f"lower({self.str_(2)})", f"title({self.str_(2)})",
                          f"strrev({self.str_(2)})", f"{self.str_(2)} == {self.str_(2)}",
                          f"sort([{self.str_(1)}, {self.str_(1)}, {self.str_(1)}])"])

    def c_format(self):
        return self.pick([f"format({self.fmt()})", f"formatlist({self.fmt_list()})", f"format({self.fmt()})"])

    def c_regex(self):
        s = self.str_(1)
        return self.pick([f"regex({self.regex()}, {s})", f"regexall({self.regex()}, {s})",
                          f"can(regex({self.regex()}, {s}))", f"replace({s}, \"/{self.pick(['[a-z]', '(.)', 'é|e', '^', '$', 'x*'])}/\", \"<$1>\")"])

    def c_collections(self):
        return self.pick([self.lst(3), self.map_(3), self.set_(3), f"length({self.any_(2)})",
                          f"zipmap({self.lst(1)}, {self.lst(1)})", f"transpose({self.map_(1)})",
                          f"chunklist({self.lst(2)}, 2)", f"setproduct({self.lst(1)}, {self.set_(1)})",
                          f"lookup({self.map_(2)}, {self.str_(0)})", f"element({self.lst(2)}, 3)",
                          f"contains({self.set_(1)}, {self.scalar(0)})", f"one({self.lst(1)})",
                          f"sum({self.lst(1)})", f"index({self.lst(1)}, {self.scalar(0)})"])

    def c_ordering(self):
        return self.pick([f"tolist({self.set_(2)})", f"keys({self.map_(2)})", f"values({self.map_(2)})",
                          f"[for k, v in {self.map_(2)} : k]", f"[for v in {self.set_(2)} : v]",
                          f"sort({self.lst(2)})", f"distinct({self.lst(2)})", f"{self.set_(2)}",
                          f"setproduct({self.set_(1)}, {self.set_(1)})", f"jsonencode({self.set_(2)})"])

    def c_conversion(self):
        v = self.any_(2)
        return self.pick([f"tostring({v})", f"tonumber({v})", f"tobool({v})", f"tolist({v})", f"toset({v})",
                          f"tomap({v})", f"[{self.scalar(1)}, {self.scalar(1)}]", f"[{v}, {self.any_(1)}]",
                          f"tomap({{a = {self.scalar(1)}, b = {self.scalar(1)}}})",
                          f"tolist([{self.scalar(1)}, {self.any_(1)}])", f"toset([{self.scalar(1)}, {self.scalar(1)}])",
                          f"concat({self.lst(1)}, [{self.scalar(0)}])", f"merge({self.map_(1)}, {{x = {self.scalar(0)}}})"])

    def c_conditional(self):
        c = self.bool_(1)
        return self.pick([f"{c} ? {self.any_(1)} : {self.any_(1)}", f"{c} ? {self.scalar(1)} : {self.scalar(1)}",
                          f"{c} ? {self.lst(1)} : {self.lst(1)}", f"{c} ? {self.map_(1)} : {self.map_(1)}",
                          f"{c} ? null : {self.any_(1)}", f"[{c} ? {self.scalar(0)} : {self.scalar(0)}]",
                          f"{c} ? {self.set_(1)} : {self.lst(1)}", f"{c} ? {{a = 1}} : {{b = \"x\"}}"])

    def c_for(self):
        src = self.pick([self.lst(1), self.map_(1), self.set_(1)])
        body = self.pick(["v", "k", "tostring(v)", "[k, v]", "{ x = v }", "v == null ? 0 : 1", "upper(tostring(v))"])
        cond = self.pick(["", " if v != null", " if k != 0", " if can(tonumber(v))", " if tostring(v) > \"a\""])
        return self.pick([f"[for k, v in {src} : {body}{cond}]", f"{{for k, v in {src} : tostring(k) => {body}{cond}}}",
                          f"{{for k, v in {src} : tostring(v) => k...{cond}}}", f"[for v in {src} : {body.replace('k', 'v')}]",
                          f"{{for k, v in {src} : upper(tostring(v)) => k}}"])

    def c_splat(self):
        base = self.pick(["local.objs", "var.o.subs", "var.o", "local.omap", "null", "local.nul", "local.mixed",
                          "[{a = [1, 2]}, {a = [3]}]", "local.unkl", "var.nn", '"str"', "tolist(local.objs)",
                          "toset(local.objs)", "local.objs[0]"])
        return self.pick([f"{base}[*]", f"{base}[*].name", f"{base}.*.port", f"{base}[*].a[0]", f"length({base}[*])",
                          f"{base}[*].id", f"{base}[*].w", f"{base}[*][0]", f"{base}.*"])

    def c_errors(self):
        bad = self.pick(["1 + \"a\"", "local.objs[5]", "var.m.zz", "tonumber(\"x\")", "[1][\"a\"]", "{a = 1}.b",
                         "element([], 0)", "local.nul.x", "lookup({}, \"k\")", "regex(\"z\", \"a\")", "file(\"/nope\")",
                         "null + 1", "!1", "-\"a\"", "upper(1, 2)", "local.mixed[1].x", "tobool(\"yes\")",
                         "range(1, 5, 0)", "slice([1], 0, 3)", "cidrhost(\"10.0.0.0/30\", 9)", "one([1, 2])",
                         "local.objs[*].missing", "sum([])", "index([1], 2)", "zipmap([\"a\"], [])", "keys(1)"])
        return self.pick([bad, f"try({bad}, {self.any_(1)})", f"can({bad})", f"try({bad}, {bad}, \"last\")",
                          f"[for x in [1] : try({bad}, x)]", f"{self.bool_(1)} ? {bad} : 1", f"true ? 1 : {bad}",
                          f"try({self.any_(1)}, {bad})", f"can({self.any_(2)})", f"false && {bad}"])

    def c_sensitivity(self):
        v = self.pick(["local.sens", "var.sec", "local.senl", "var.secmap", "sensitive(1)", "sensitive([1, 2])",
                       "nonsensitive(var.sec)", "sensitive({a = 1})", "var.secmap.k"])
        inner = self.pick([v, f"[{v}]", f"{{a = {v}}}", f"length({v})", f"tostring({v})", f"\"x${{{v}}}\"",
                           f"[for x in {v} : x]", f"{v}[0]", f"{v} == {v}", f"try({v}, 1)", f"keys({v})",
                           f"merge({v}, {{}})", f"jsonencode({v})", f"true ? {v} : 1", f"false ? {v} : 1",
                           f"concat([{v}], [1])", "[for x in [1] : try(local.omap.zz, x)][0]", f"lookup({v}, \"k\", 1)",
                           "local.senl[1]", f"tolist(toset([{v}]))", f"nonsensitive({v})", f"can({v})",
                           f"{{for k, x in {v} : k => x}}", f"values({v})", f"coalesce({v}, \"d\")"])
        return self.pick([f"issensitive({inner})", f"issensitive({inner})", f"length({inner})",
                          f"nonsensitive({inner})", f"can({inner})", f"issensitive(try({inner}, 0))"])

    def c_variables(self):
        return self.pick(["var.o", "var.o.subs", "var.o.subs[0].w", "var.o.tags", "var.n", "var.s", "var.l",
                          "var.st", "var.m", "var.nn", "var.nonnull", "var.anyv", "var.anyv.a", "var.anyv.b.c",
                          f"var.o.{self.pick(['port', 'name', 'subs[1]', 'zz'])}", f"var.m[{self.str_(0)}]",
                          f"var.l[{self.pick(['0', '3', '4', '-1'])}]", "tolist(var.st)[0]", f"var.anyv[{self.str_(0)}]",
                          f"merge(var.m, {{c = {self.scalar(0)}}})", "var.nn == null", "coalesce(var.nn, \"d\")"])

    def c_unknowns(self):
        u = self.pick(["local.unk", "local.unkl", "local.unkm", "terraform_data.u.output", "terraform_data.u.id"])
        return self.pick([f"length({u})", f"length([{u}, 1])", f"{u} == null", f"[for x in {u} : 1]", f"keys({u})",
                          f"length(keys({u}))", f"can({u})", f"try({u}, 1)", f"length(concat({u}, [1]))",
                          f"length(tolist(toset({u})))", f"{u}[*]", f"tostring({u})", f"true ? 1 : {u}",
                          f"issensitive({u})", f"length({{a = {u}}})", "length(slice(local.unkl, 0, 1))",
                          "[for x in local.unkl : 1]", "length(local.unkm)", "local.unkm.b", "local.unkl[1]",
                          f"coalesce({u}, \"x\")", f"{u} != null"])

    def c_templates(self):
        x = self.pick(["local.strs", "local.nums", "var.l", "[]", "local.omap", "var.m", "var.st"])
        s = self.str_(1)
        return self.pick([
            f'"%{{for v in {x}}}${{v}},%{{endfor}}"', f'"%{{for k, v in {x}}}${{k}}=%{{endfor}}"',
            f'"%{{if {self.bool_(1)}}}yes%{{else}}no%{{endif}}"', '"a %{~ if true ~} b %{~ endif ~} c"',
            f'"x ${{~ {s} ~}} y"', f'"${{{s}}}"', f'"${{{self.num(1)}}}"', f'"${{{self.bool_(1)}}}"',
            f'"%{{for v in {x} ~}} ${{v}} %{{~ endfor}}"', '"$${lit} %%{lit}"', f'"${{{self.any_(1)}}}"',
            f'"%{{if {self.any_(0)}}}t%{{endif}}"'])

    def c_encoding(self):
        v = self.any_(2)
        return self.pick([f"jsonencode({v})", f"jsondecode(jsonencode({v}))", f"jsondecode({self.str_(1)})",
                          f"yamldecode({self.str_(1)})", f"yamlencode({v})", "csvdecode(local.csv)",
                          f"csvdecode({self.str_(1)})", f"base64decode(base64encode({self.str_(1)}))",
                          f"textencodebase64({self.str_(1)}, \"UTF-16LE\")", f"urlencode({self.str_(1)})",
                          "jsondecode(local.json)", "yamldecode(local.yaml)", f"tostring(jsondecode({self.pick(NUMBER_TEXTS)}))"])

    def c_cidr(self):
        c = self.pick(["local.cidr", "local.cidr6", '"10.1.2.0/24"', '"192.168.0.0/30"', '"10.0.0.1/8"',
                       '"::/0"', '"0.0.0.0/0"', '"10.0.0.0/33"', '"2001:db8::/32"', '"1.2.3.4/32"'])
        n = self.pick(["0", "1", "2", "-1", "255", "256", "3", "8", "16", "-3"])
        return self.pick([f"cidrhost({c}, {n})", f"cidrnetmask({c})", f"cidrsubnet({c}, {self.pick(['1', '4', '8', '0', '24'])}, {n})",
                          f"cidrsubnets({c}, {self.pick(['1', '4, 4', '2, 1, 8', '8, 4', '0'])})"])

    def batch(self, count, classes=None, modelled=False):
        """``count`` (class, expression) pairs; ``modelled``: none that holds what UNMODELLED names (another
        is drawn in its place), and the number left out."""
        out, left = [], 0
        while len(out) < count:
            cls = self.pick(classes or CLASSES)
            e = self.expression(cls)
            if modelled and any(token in e for token in UNMODELLED):
                left += 1
                continue
            out.append((cls, e))
        return out, left


# -- Terraform's answers -----------------------------------------------------------------------------------

def _tuple_items(text):
    """The elements of a tuple as terraform console prints it: each a quoted string, ``(known after apply)``
    or ``(sensitive value)``."""
    lines = text.strip().splitlines()
    if not lines or lines[0] != "[" or lines[-1] != "]":
        return None
    out = []
    for line in lines[1:-1]:
        item = line.strip().rstrip(",")
        out.append(item)
    return out


def _item_answer(item):
    if item == "(known after apply)":
        return {"unknown": True}
    if item == "(sensitive value)":
        return {"sensitive": True}
    text = tf_oracle.go_unquote(item)
    if text == MARK:
        return {"error": "(caught by try)"}
    return {"json": text}


class Terraform:
    """A prepared folder in which ``terraform console`` answers."""

    def __init__(self, folder, tmp):
        self.folder, self.tmp, self.asked = folder, tmp, 0
        self.env = tf_oracle._environment(os.path.join(tmp, "data"))
        r = subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=folder,
                           env=self.env, capture_output=True, text=True, timeout=tf_oracle.TIMEOUT)
        if r.returncode != 0:
            raise RuntimeError(f"terraform init failed:\n{r.stdout}{r.stderr}")

    def _run(self, line):
        self.asked += 1
        state = os.path.join(self.tmp, "state.tfstate")
        return subprocess.run(["terraform", "console", "-no-color", f"-state={state}"], input=line + "\n",
                              capture_output=True, text=True, cwd=self.folder, env=self.env, timeout=tf_oracle.TIMEOUT)

    def answers(self, exprs):
        """Terraform's answer to each expression (as tf_oracle records them, or {"sensitive": true})."""
        if not exprs:
            return []
        if len(exprs) == 1:
            r = self._run(f"jsonencode({exprs[0]})")
            if r.returncode == 0 and r.stdout.strip() == "(sensitive value)":
                return [{"sensitive": True}]
            return [tf_oracle.parse_console(r.returncode, r.stdout, r.stderr)]
        mark = json.dumps(MARK)
        r = self._run("[" + ", ".join(f"try(jsonencode({e}), {mark})" for e in exprs) + "]")
        items = _tuple_items(r.stdout) if r.returncode == 0 else None
        if items is not None and len(items) == len(exprs):
            return [_item_answer(i) for i in items]
        half = len(exprs) // 2
        return self.answers(exprs[:half]) + self.answers(exprs[half:])


# -- comparing ---------------------------------------------------------------------------------------------

def compare(answer, got):
    """"match", "unknown" (pullcheck does not know what Terraform answers), "sensitive" (Terraform hides the
    value: not compared), "differs" or "crash"."""
    from pullcheck.formats.terraform.console import INTERNAL

    if got.startswith(INTERNAL):
        return "crash"
    if answer.get("sensitive"):
        return "sensitive"
    if got.startswith("(unknown: "):
        return "match" if answer.get("unknown") else "unknown"
    if got.startswith("(error: "):
        return "match" if "error" in answer else "differs"
    return "match" if answer.get("json") == got else "differs"


def run(seeds, count, classes=None, show=None, out=sys.stdout, modelled=False):
    """Every seed's expressions through both; the counts ({kind: n}, {class: {kind: n}}), the lines that
    differ (class, kind, expression, terraform, pullcheck) and how many consoles ran. ``modelled``: only
    expressions without what UNMODELLED names (how many were left out is counted as "left out")."""
    from pullcheck.formats.terraform.console import evaluate

    totals, per_class, found = {}, {}, []
    with tempfile.TemporaryDirectory(prefix="tf-fuzz-") as tmp:
        folder = os.path.join(tmp, "root")
        os.makedirs(folder)
        with open(os.path.join(folder, "main.tf"), "w", encoding="utf-8") as f:
            f.write(FIXTURE)
        tf = Terraform(folder, tmp)
        for seed in seeds:
            cases, left = Grammar(seed).batch(count, classes, modelled)
            totals["left out"] = totals.get("left out", 0) + left
            exprs = [e for _, e in cases]
            theirs = []
            for i in range(0, len(exprs), BATCH):
                theirs += tf.answers(exprs[i:i + BATCH])
            ours = evaluate(folder, exprs)
            for (cls, e), a, g in zip(cases, theirs, ours):
                kind = compare(a, g)
                totals[kind] = totals.get(kind, 0) + 1
                per_class.setdefault(cls, {})[kind] = per_class.setdefault(cls, {}).get(kind, 0) + 1
                if kind in ("differs", "crash") or (show and kind in show):
                    said = a.get("json") or ("error: " + a["error"] if "error" in a else "unknown")
                    found.append((cls, kind, e, said, g))
                    print(f"{kind}\t{cls}\t{e}\n\tterraform: {said}\n\tpullcheck: {g}", file=out, flush=True)
    return totals, per_class, found, tf.asked


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--class", dest="classes", action="append", choices=CLASSES)
    p.add_argument("--show", action="append", choices=["unknown", "sensitive", "match"],
                   help="print these answers too")
    p.add_argument("--modelled", action="store_true", help="leave out what pullcheck does not model (UNMODELLED)")
    a = p.parse_args(argv)
    if tf_oracle.terraform_version() is None:
        print("terraform is not on PATH", file=sys.stderr)
        return 2
    totals, per_class, found, asked = run(range(a.first, a.first + a.seeds), a.count, a.classes, a.show,
                                          modelled=a.modelled)
    print(f"expressions: {sum(v for k, v in totals.items() if k != 'left out')}, terraform consoles: {asked}, {json.dumps(totals, sort_keys=True)}")
    for cls in sorted(per_class):
        print(f"  {cls}: {json.dumps(per_class[cls], sort_keys=True)}")
    return 1 if totals.get("differs") or totals.get("crash") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
