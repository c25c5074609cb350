"""Terraform expressions evaluated by the real reader and evaluator, as the value tests read them."""
from pullcheck.formats.terraform.budget import JsonEncoded
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.syntax import read


def evaluate(expr, module_text=""):
    """The value of ``expr`` in a module of its own (``module_text`` its other blocks)."""
    m = Module(".")
    m.add_body(read(module_text + f"\nx = {expr}\n", "main.tf"))
    body = read(f"x = {expr}\n", "main.tf")
    return m.evaluator({}).eval(body.attrs["x"])


def encoded(expr, module_text=""):
    """What Terraform writes for the value: jsonencode()'s text."""
    got = evaluate(f"jsonencode({expr})", module_text)
    assert isinstance(got, JsonEncoded) and not got.holes, got
    return str(got)
