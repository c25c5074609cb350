"""CloudFormation's intrinsic functions, one small function each, looked up by name in ``FUNCTIONS``.

Each takes the resolver of the template it is written in, its argument as written and the depth of the
expression, and gives a value, a reference, a template of text and references, or an ``Unknown`` saying
why the value cannot be known.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Dict, List

from pullcheck.graph.values import Ref, Template, Unknown, make_template

if TYPE_CHECKING:
    from pullcheck.formats.cloudformation.resolver import Resolver

# ``Ref: AWS::NoValue``: the item or key it is the value of is left out
NOVALUE = object()

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def _ref(r: "Resolver", arg: Any, depth: int) -> Any:
    return r.ref(arg)


def _get_att(r: "Resolver", arg: Any, depth: int) -> Any:
    if isinstance(arg, str):
        arg = arg.split(".", 1)
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0] in r.resources):
        return Unknown("Fn::GetAtt of a resource the template does not declare")
    attr = arg[1] if isinstance(arg[1], str) else None
    if attr is None:
        return Unknown("Fn::GetAtt with a computed attribute")
    if attr.startswith("Outputs.") and arg[0] in r.children:
        return r.children[arg[0]].output(attr[len("Outputs."):], depth)
    if attr.startswith("Outputs.") and arg[0] in r.unread:
        return r.unread[arg[0]]
    return Ref(r.key(arg[0]), r.rtype(arg[0]), attr)


def _import_value(r: "Resolver", arg: Any, depth: int) -> Any:
    if r.exports is not None:
        r.exports.imported = True
    name = r.resolve(arg, depth + 1)
    if isinstance(name, str) and r.exports is not None:
        return r.exports.value(name, depth)
    if r.exports is not None:
        return r.exports.by_shape(name, r, depth)
    return Unknown(f"Fn::ImportValue {name if isinstance(name, str) else '(computed name)'}")


def _sub(r: "Resolver", arg: Any, depth: int) -> Any:
    variables: Dict[str, Any] = {}
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        text, variables = arg[0], arg[1]
    else:
        text = arg
    if not isinstance(text, str):
        return Unknown("Fn::Sub with a computed template")
    parts: List[Any] = []
    last = 0
    for m in _SUB_VAR.finditer(text):
        parts.append(text[last:m.start()])
        last = m.end()
        name = m.group(1).strip()
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
            continue
        if name in variables:
            val = r.resolve(variables[name], depth + 1)
        elif "." in name and name.split(".", 1)[0] in r.resources:
            res, attr = name.split(".", 1)
            val = Ref(r.key(res), r.rtype(res), attr)
        else:
            val = r.ref(name)
        if isinstance(val, Template):
            parts.extend(val.parts)
        elif isinstance(val, (list, dict)) or val is NOVALUE:
            parts.append(Unknown(f"${{{name}}} in Fn::Sub"))
        else:
            parts.append(val)
    parts.append(text[last:])
    return r.joined(parts, "Fn::Sub")


def _join(r: "Resolver", arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown("malformed Fn::Join")
    delim = r.resolve(arg[0], depth + 1)
    items = r.resolve(arg[1], depth + 1)
    if not isinstance(delim, str) or not isinstance(items, list):
        return _behind(delim, items, "Fn::Join")
    parts: List[Any] = []
    for i, it in enumerate(items):
        if i:
            parts.append(delim)
        parts.extend(it.parts if isinstance(it, Template) else [it])
    if any(isinstance(p, (list, dict)) for p in parts):
        return Unknown("Fn::Join over values that cannot be known")
    return r.joined(parts, "Fn::Join")


def _if(r: "Resolver", arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3):
        return Unknown("malformed Fn::If")
    c = r.condition(arg[0])
    if c is None:
        return Unknown(f"Fn::If on condition {arg[0]}, which depends on unknown parameters")
    return r.resolve(arg[1] if c else arg[2], depth + 1)


def _select(r: "Resolver", arg: Any, depth: int) -> Any:
    if isinstance(arg, list) and len(arg) == 2:
        idx = r.resolve(arg[0], depth + 1)
        items = r.resolve(arg[1], depth + 1)
        try:
            idx = int(idx) if not isinstance(idx, bool) else None
        except (TypeError, ValueError, OverflowError):  # an infinite or NaN index too
            idx = None
        if idx is None:
            return Unknown("Fn::Select with an unknown index")
        if isinstance(items, list) and 0 <= idx < len(items):
            return items[idx]
        return _behind(items, None, "Fn::Select")
    return Unknown("Fn::Select over values that cannot be known")


def _split(r: "Resolver", arg: Any, depth: int) -> Any:
    if isinstance(arg, list) and len(arg) == 2:
        d, s = r.resolve(arg[0], depth + 1), r.resolve(arg[1], depth + 1)
        if isinstance(d, str) and isinstance(s, (str, Template)) and d:
            return r.split(s, d, "Fn::Split")
        if d == ":" and isinstance(s, Ref) and s.attr == "Arn" and s.rtype == "AWS::ECR::Repository":
            return _repository_arn_fields(s)
        return _behind(d, s, "Fn::Split")
    return Unknown("Fn::Split over values that cannot be known")


def _behind(a: Any, b: Any, name: str) -> Unknown:
    """The unknown of a function over an argument that cannot be known: that argument's own reason (a
    parameter, an import), so that what it waits on is said; else the function's."""
    for x in (a, b):
        if isinstance(x, Unknown):
            return Unknown(x.origin)
    return Unknown(f"{name} over values that cannot be known")


def _repository_arn_fields(arn: Ref) -> List[Any]:
    """The fields of the ARN of a repository the template creates (what CDK splits to write its image URI):
    it is created in the stack's partition, Region and account, and named by its name (its Ref)."""
    stack = [Unknown(f"pseudo parameter AWS::{name}") for name in ("Partition", "Region", "AccountId")]
    return ["arn", stack[0], "ecr", stack[1], stack[2],
            make_template(["repository/", Ref(arn.target, arn.rtype, None)])]


def _find_in_map(r: "Resolver", arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) >= 3):
        return Unknown("malformed Fn::FindInMap")
    keys = [r.resolve(a, depth + 1) for a in arg[:3]]
    node: Any = r.mappings
    for k in keys:
        if isinstance(k, bool):
            k = str(k).lower()
        if not isinstance(k, (str, int)) or not isinstance(node, dict) or str(k) not in node:
            return Unknown("Fn::FindInMap with keys that cannot be known")
        node = node[str(k)]
    return r.resolve(node, depth + 1)


# the functions evaluated; any other ``Fn::`` is unknown
FUNCTIONS: Dict[str, Callable[["Resolver", Any, int], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::ImportValue": _import_value,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::If": _if,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
}


def split_template(t: Template, delim: str) -> List[Any]:
    """``Fn::Split`` over a value with references in it: ``Join(",", [Ref A, Ref B])`` gives [A, B]."""
    items: List[List[Any]] = [[]]
    for p in t.parts:
        if isinstance(p, str):
            pieces = p.split(delim)
            items[-1].append(pieces[0])
            for piece in pieces[1:]:
                items.append([piece])
        else:
            items[-1].append(p)
    out = []
    for parts in items:
        parts = [p for p in parts if p != ""]
        out.append(parts[0] if len(parts) == 1 else make_template(parts) if parts else "")
    return out
