"""templatestring(): a template taken from a string value, rendered with the object given as its only
variables (as templatefile() renders a file's text).

Terraform takes the template only from a direct reference to a string declared elsewhere (``local.t``,
``var.t``, ``data.http.x.response_body``): for a literal string it reports "templatestring is only for
rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal
template", and for any other expression (a function call, a conditional) "invalid template expression: must
be a direct reference to a single string from elsewhere". Which expression the argument was is the call's
syntax, which only the evaluator sees: it hands the argument over through template_argument() (with
is_reference() of the argument's node), and a template that did not come through it is unknown, never
rendered on a guess."""
from __future__ import annotations

from typing import Any, Callable, List

from pullcheck.formats.terraform.budget import Budget, Opaque
from pullcheck.formats.terraform.convert import text_known, text_of
from pullcheck.graph.values import Missing, Ref, Template, Unknown

NOT_A_REFERENCE = ("templatestring(): invalid template expression: must be a direct reference to a single "
                   "string from elsewhere, containing valid Terraform template syntax")


class TemplateText(str):
    """A template's text read through a direct reference, and how deep the evaluation reading it was
    (``depth``: a template's expressions go on from there)."""

    depth = 0


# expressions Terraform refuses as the template: a literal or template string (hclsyntax's TemplateExpr), and
# those that are no traversal at all; other kinds (parentheses) are left unknown
_REFUSED = {"tpl", "lit", "num", "call", "cond", "bin", "un", "for", "tuple", "object", "splat"}


def is_reference(node: Any) -> Any:
    """Whether an expression node (hcl_nodes.Node) is a direct reference, a traversal: a name, then
    attributes and indexes by literal keys (``local.t``, ``var.m["k"]``, ``local.l[0]``). None when that is
    not sure."""
    while node.kind in ("attr", "index"):
        key = node.b if node.kind == "index" else None
        if key is not None and not (key.kind == "num" or key.kind == "tpl" and all(isinstance(p, str) for p in key.a)):
            return None  # an index by an expression: no traversal in hclsyntax, but not followed here
        node = node.a
    if node.kind == "var":
        return True
    return False if node.kind in _REFUSED else None


def template_argument(value: Any, reference: Any, depth: int = 0) -> Any:
    """templatestring()'s first argument as the evaluator passes it to functions.call(): given ``value``, what
    the argument evaluated to, and whether its expression was a direct reference (``reference``, from
    is_reference(); None: not sure), the text marked as such, Terraform's error for any other expression, or
    an unknown."""
    if reference is None:
        return Unknown("templatestring() of a template that may not be a direct reference")
    if not reference:
        return Missing(NOT_A_REFERENCE)
    if isinstance(value, str) and not isinstance(value, Template) and text_known(value):
        out = TemplateText(str.__str__(value))
        out.depth = depth
        return out
    return value


def templatestring(args: List[Any], unknown: Callable[[], Unknown], meter: Budget) -> Any:
    """The template rendered by the root module (meter.files) with ``vars`` as its only variables, each
    reference to another name unknown (Terraform's error: unknown is what pullcheck can say of it); a
    template not handed over by the evaluator is unknown."""
    if len(args) != 2:
        return unknown()
    template, variables = args
    if not isinstance(template, TemplateText):
        if isinstance(template, Unknown):
            return template
        return Unknown("templatestring() of a template the evaluator did not hand over as a direct reference")
    if isinstance(variables, (Unknown, Ref, Template, Opaque)) or meter.files is None:
        return unknown()
    if not isinstance(variables, dict):
        return Missing("templatestring(): invalid vars value: must be a map")
    return _as_text(meter.files.render(str(template), variables, template.depth))


def _as_text(result: Any) -> Any:
    """The rendered value as templatestring() gives it: always a string (a template of one interpolation gives
    that value, which a number or bool is converted from); a null, list or map is Terraform's error."""
    if isinstance(result, (Unknown, Ref, Template, Opaque, Missing)) or isinstance(result, str):
        return result
    text = text_of(result)
    return Missing("templatestring(): invalid template result: string required") if text is None else text
