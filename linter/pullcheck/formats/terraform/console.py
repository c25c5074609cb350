"""``pullcheck console [DIR]``: Terraform expressions evaluated in a folder's root module as a lint run
evaluates them, one line of output per line of input, so that pullcheck's evaluation can be held to
Terraform's own (``terraform console``, tests/test_tf_oracle.py).

Each line is read as one expression by the HCL reader and evaluated by the module's evaluator, in a root
module loaded afresh (with its own budget: a line's answer does not depend on the lines before it). The
answer is the value as compact JSON, written as Terraform's ``jsonencode()`` writes it (keys sorted, ``<``,
``>`` and ``&`` escaped as Go escapes them, numbers in full without an exponent); ``(unknown: why)`` for
a value the evaluation cannot know (wholly or in part); ``(error: why)`` where the evaluation knows that
Terraform reports an error (a line that is not an expression, a folder that does not parse, an attribute or
a local that does not exist). A defect in the evaluation is ``(unknown: internal error: ...)``: a line never
raises."""
from __future__ import annotations

import sys
from typing import Any, Iterable, List, Tuple

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import JsonEncoded, Opaque, expanded_size
from pullcheck.formats.terraform.convert import number_of
from pullcheck.formats.terraform.declared import Counted, Instance, ModuleValue, Namespace
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.functions_collections import STRICT_REFERENCES
from pullcheck.formats.terraform.expressions import joined
from pullcheck.formats.terraform.hcl import parse_expression
from pullcheck.formats.terraform.modules import root_module
from pullcheck.graph.model import Graph
from pullcheck.graph.values import MAX_STRING, Missing, Ref, Template, Unknown
from pullcheck.sources.errors import ParseError

INTERNAL = "(unknown: internal error: "  # how a defect in the evaluation is answered


class Console:
    """Expressions evaluated in the root module of ``folder`` (a run's scope must let it read the folder:
    see ``evaluate``)."""

    def __init__(self, folder: str, given: Any = None) -> None:
        self.folder = folder
        self.graph = Graph()  # keeps the folders' parses from one line to the next
        self.graph.inputs.tf_given = given  # -var-file / -var, as variables.Given
        self.broken = ""  # the first parse error of the configuration: every line is an error in Terraform
        strict = STRICT_REFERENCES.set(True)
        try:
            _, errors = root_module(folder, self.graph)
        finally:
            STRICT_REFERENCES.reset(strict)
        if errors:
            path, e = errors[0]
            self.broken = f"{path}:{e.line}:{e.col}: {e.message}"

    def line(self, text: str) -> str:
        """The answer to one line; an empty line for a blank line or a comment."""
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", "//")):
            return ""
        # the console answers as terraform console does; a lint reads references further (see STRICT_REFERENCES)
        strict = STRICT_REFERENCES.set(True)
        try:
            return self._answer(text)
        except Exception as e:  # a defect, said as such; the next line is answered all the same
            return f"{INTERNAL}{_oneline(f'{type(e).__name__}: {e}')})"
        finally:
            STRICT_REFERENCES.reset(strict)

    def _answer(self, text: str) -> str:
        try:
            node = parse_expression(text)
        except ParseError as e:
            return f"(error: column {e.col}: {_oneline(e.message)})"
        if self.broken:
            return f"(error: {_oneline(self.broken)})"
        module, _ = root_module(self.folder, self.graph)
        module.stateless = True  # as terraform console reads a configuration without state
        return answer(module, module.evaluator({}).eval(node))


def evaluate(folder: str, lines: Iterable[str]) -> List[str]:
    """The answer to each line, in a run whose scope is ``folder`` (the scope before is given back)."""
    from pullcheck.sources import scope
    from pullcheck.sources.session import current

    session = current()
    before = (session.roots, session.also)
    scope.set_roots([folder])
    try:
        console = Console(folder)
        return [console.line(t) for t in lines]
    finally:
        session.roots, session.also = before


def command(argv: List[str]) -> int:
    """``pullcheck console [--var-file FILE] [--var NAME=VALUE] [DIR]``: a line of standard input in, its answer
    out, until the input ends. The variables files and values apply after DIR's own, in their order, as
    ``terraform console -var-file -var`` applies them."""
    import gc
    import os

    from pullcheck.sources import scope

    parsed = _arguments(argv)
    if isinstance(parsed, int):
        return parsed
    folder, assignments = parsed
    if not os.path.isdir(folder):
        print(f"pullcheck: error: not a folder: {_oneline(folder)}", file=sys.stderr)
        return 2
    scope.set_roots([folder])
    for kind, value in assignments:
        if kind == "file" and (not os.path.isfile(value) or not scope.readable(value)):
            print(f"pullcheck: error: --var-file {_oneline(value)}: no such file in {_oneline(folder)}",
                  file=sys.stderr)
            return 2
    gc.enable()  # a module tree per line, whose modules point at each other: freed as the lines go
    reconfigure = getattr(sys.stdin, "reconfigure", None)  # text that is not UTF-8 is still read
    if reconfigure is not None:
        reconfigure(errors="replace")
    from pullcheck.formats.terraform.variables import Given

    console = Console(folder, Given(tuple(assignments)) if assignments else None)
    for text in sys.stdin:
        print(console.line(text.rstrip("\n")), flush=True)
    return 0


_USAGE = ("usage: pullcheck console [--var-file FILE] [--var NAME=VALUE] [DIR]   (one Terraform expression per "
          "line of standard input)")


def _arguments(argv: List[str]) -> Any:
    """(folder, [("file", path) | ("var", "NAME=VALUE")] in order), or the exit code after a usage line."""
    folder, assignments, rest = "", [], list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in ("-h", "--help"):
            print(_USAGE, file=sys.stderr)
            return 0
        flag, eq, value = arg.partition("=") if arg.startswith("--var") else (arg, "", "")
        if flag in ("--var-file", "--var"):
            if not eq:
                if not rest:
                    print(f"{_USAGE}\npullcheck console: error: {flag} needs a value", file=sys.stderr)
                    return 2
                value = rest.pop(0)
            if flag == "--var" and "=" not in value:
                print(f"{_USAGE}\npullcheck console: error: --var takes NAME=VALUE", file=sys.stderr)
                return 2
            assignments.append(("file" if flag == "--var-file" else "var", value))
        elif arg.startswith("-") or folder:
            print(f"{_USAGE}\npullcheck console: error: unexpected {_oneline(arg)}", file=sys.stderr)
            return 2
        else:
            folder = arg
    return folder or ".", assignments


# -- the answer ---------------------------------------------------------------------------------------------

def answer(module: Module, value: Any) -> str:
    """A value as ``jsonencode()`` writes it, or the unknown or error it holds (an error first, as Terraform
    stops at the first one)."""
    if expanded_size(value, MAX_STRING, text=True) > MAX_STRING:
        return f"(unknown: a value of more than {MAX_STRING} characters to write)"
    out: List[str] = []
    why: List[Tuple[bool, str]] = []  # (an error, why) of each part that is not known
    _write(module, value, out, why)
    errors = [w for e, w in why if e]
    if errors:
        return f"(error: {_oneline(errors[0])})"
    if why:
        return f"(unknown: {_oneline(why[0][1])})"
    return "".join(out)


def _write(module: Module, v: Any, out: List[str], why: List[Tuple[bool, str]]) -> None:
    if isinstance(v, JsonEncoded):  # its text, as a template that holds it makes it
        v = joined([v])
    if v is None:
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, (int, float)):  # as Terraform writes its numbers (number): negative zero is "-0"
        n = number_of(v)
        if n is None or (isinstance(n, number.Number) and n.infinite()):
            why.append((True, "cannot serialize infinity as JSON"))
        out.append("0" if n is None else number.text(n))
    elif isinstance(v, str) and not isinstance(v, Template):
        out.append(json_string(v))
    elif isinstance(v, dict):
        out.append("{")
        for n, k in enumerate(sorted(v)):
            out.append(("," if n else "") + json_string(str(k)) + ":")
            _write(module, v[k], out, why)
        out.append("}")
    elif isinstance(v, list):
        out.append("[")
        for n, x in enumerate(v):
            out.append("," if n else "")
            _write(module, x, out, why)
        out.append("]")
    elif isinstance(v, ModuleValue):  # a module as a value: the object of its outputs
        _write(module, {name: v.module.output(name) for name in v.module.outputs}, out, why)
    else:
        why.append(_not_known(v))


def _not_known(v: Any) -> Tuple[bool, str]:
    """(whether Terraform reports an error, why) for a value that is not known."""
    if isinstance(v, Missing):
        return True, v.origin
    if isinstance(v, Unknown):
        return False, v.origin
    if isinstance(v, Template):
        part = next(p for p in v.parts if not isinstance(p, str))
        return _not_known(part) if isinstance(part, Unknown) else (False, f"a string that holds {_part(part)}")
    if isinstance(v, Ref):
        return False, f"attribute {v.attr} of {str(v.target).split(':', 1)[-1]}" if v.attr else str(v)
    if isinstance(v, (Instance, Counted)):
        res = v.res
        return False, f"resource {res.module.prefix}{res.address}{getattr(v, 'suffix', '')}"
    if isinstance(v, Namespace):
        return False, f"{v.kind} {v.name}".strip() + " is a name, not a value"
    if isinstance(v, Opaque):
        return False, f"a {type(v).__name__} is not a value"
    return False, f"a value of type {type(v).__name__}"


def _part(p: Any) -> str:
    if isinstance(p, Ref):
        return _not_known(p)[1]
    return type(p).__name__


# Go's encoding/json (which Terraform's jsonencode() uses): short escapes for these, \u00XX for the other
# control characters, and <, >, &, U+2028 and U+2029 escaped so that JSON can sit in HTML and JavaScript
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPED = {**_SHORT, **{c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"},
            **{chr(i): f"\\u{i:04x}" for i in range(0x20) if chr(i) not in _SHORT}}


def json_string(s: str) -> str:
    """A string as Go's encoding/json writes it (a lone surrogate, which UTF-8 cannot hold, as U+FFFD)."""
    return '"' + "".join(_ESCAPED.get(c) or ("\ufffd" if "\ud800" <= c <= "\udfff" else c) for c in s) + '"'


def _oneline(text: str) -> str:
    """A reason on one line, without control characters (it may quote the scanned files)."""
    return "".join(c if c >= " " and c != "\x7f" else " " if c in "\n\t" else f"\\x{ord(c):02x}" for c in text)
