"""Step Functions state machines: each ``ecs:runTask`` state of a definition as a launch site.

A definition is written in place (a string or heredoc, whose JSON lines are the .tf file's), encoded by
``jsonencode()`` (positions of the object written in the .tf file), or read from elsewhere (``file()``,
``templatefile()``, a reference): then what is found in it points at the definition attribute, since the
lines of the text are not the .tf file's.

A ``templatefile()`` variable that holds a ``jsonencode()`` of values only the deployment knows (a list of
subnet references) is rendered as that JSON with each unknown value in place, so the definition is still
read as JSON, and a reference in it stays a reference.
"""
from __future__ import annotations

import json
from typing import Any, List, Optional

from pullcheck.formats import common
from pullcheck.formats.terraform.budget import JsonEncoded
from pullcheck.formats.terraform.build_context import BuildContext
from pullcheck.formats.terraform.hcl_nodes import Node
from pullcheck.formats.terraform.syntax import is_heredoc, is_literal_text, pos_of, shift
from pullcheck.graph.model import Resource, Span
from pullcheck.graph.values import Template, Unknown, make_template
from pullcheck.sources.marked import MDict

MAX_JSON_PARTS = 10_000  # parts of one jsonencode() result spliced into a template


def state_machine(c: BuildContext) -> Any:
    """The launch sites of an ``aws_sfn_state_machine``: one per ecs:runTask state of its definition."""
    from pullcheck.formats import statemachine

    t = c.body.attrs.get("definition")
    if t is None:
        return []
    v = _spliced(c, t)
    if v is None:
        v = c.ev.eval(t)
    placed = False  # whether the definition's positions are the .tf file's
    if isinstance(v, JsonEncoded):
        v = v.value
        placed = True
    definition = statemachine.definition_value(v)
    if isinstance(definition, Unknown):
        return _unread(c, t, v, definition)
    if isinstance(v, (str, Template)) and is_literal_text(t):
        definition = shift(definition, pos_of(t)[0] - (0 if is_heredoc(t) else 1))
        placed = True
    out = []
    for name, params, pos in statemachine.run_task_states(definition):
        sub = Resource(key=f"{c.r.key}/{name}", kind="ecs.run_task", rtype=c.r.rtype, name=f"{c.r.name}.{name}",
                       file=c.body.file_of("definition"), span=Span.at(pos if placed else pos_of(t)))
        common.normalise_launch(params if isinstance(params, dict) else MDict(), True, sub.spans, sub.attrs)
        if isinstance(params, Unknown):
            sub.attrs["launch_type"] = params
        if not placed:
            sub.spans = {k: Span.at(pos_of(t)) for k in sub.spans}
        sub.attrs["region"] = c.module.region()
        out.append(sub)
    return out


def _unread(c: BuildContext, t: Any, v: Any, definition: Unknown) -> List[Resource]:
    """A definition that cannot be read whose text starts ECS tasks (``ecs:runTask``): one launch site for
    them, which may stand for any number of states, waiting on what the definition waits on."""
    text = v.text() if isinstance(v, Template) else v
    node = t.a if isinstance(t, Node) and t.kind == "paren" else t
    if not isinstance(text, str) and isinstance(node, Node) and node.kind == "call" and node.b \
            and node.a in ("templatefile", "file"):
        text = c.module.read_file(c.ev.eval(node.b[0]))  # the template as written, before its values
    if not isinstance(text, str) or "ecs:runTask" not in text:
        return []
    sub = Resource(key=f"{c.r.key}/(definition)", kind="ecs.run_task", rtype=c.r.rtype,
                   name=f"{c.r.name}.(its ecs:runTask states)", file=c.body.file_of("definition"), span=Span.at(pos_of(t)))
    sub.attrs.update(conditional=True, instances=Unknown(f"the definition of {c.r.name} ({definition.origin})"))
    return [sub]


def _spliced(c: BuildContext, t: Any) -> Any:
    """A ``templatefile(path, vars)`` definition rendered with each variable that holds a jsonencode() of
    unknowns given as its JSON text around them; None for any other definition (evaluated as written)."""
    node = t
    while isinstance(node, Node) and node.kind == "paren":
        node = node.a
    if not (isinstance(node, Node) and node.kind == "call" and node.a == "templatefile" and len(node.b) == 2
            and not node.c):
        return None
    variables = c.ev.eval(node.b[1])
    if not isinstance(variables, dict) or not any(isinstance(x, JsonEncoded) and x.holes
                                                  for x in variables.values()):
        return None
    given = {k: json_text(x.value) if isinstance(x, JsonEncoded) and x.holes else x for k, x in variables.items()}
    return c.module.render(c.module.read_file(c.ev.eval(node.b[0])), given, c.ev.depth)


def json_text(v: Any) -> Any:
    """``v`` written as JSON, each value that is not known (a reference, an unknown, a string built from
    them) inside a JSON string as a part of the template returned: read as JSON text with its values
    (pullcheck.graph.jsontext), it gives ``v`` back. An Unknown past MAX_JSON_PARTS parts."""
    parts: List[Any] = []
    stack: List[Any] = [v]
    while stack:
        if len(parts) > MAX_JSON_PARTS:
            return Unknown(f"a jsonencode() of more than {MAX_JSON_PARTS} values in a template")
        x = stack.pop()
        if isinstance(x, _Text):
            parts.append(x.text)
        elif isinstance(x, dict):
            items: List[Any] = [_Text("{")]
            for i, (k, y) in enumerate(x.items()):
                items += [_Text(("," if i else "") + json.dumps(str(k)) + ":"), y]
            stack.extend(reversed(items + [_Text("}")]))
        elif isinstance(x, list):
            items = [_Text("[")]
            for i, y in enumerate(x):
                items += ([_Text(",")] if i else []) + [y]
            stack.extend(reversed(items + [_Text("]")]))
        else:
            parts.extend(_scalar(x))
    return make_template(parts)


class _Text:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _scalar(x: Any) -> List[Any]:
    if x is None or isinstance(x, bool):
        return [json.dumps(x)]
    if isinstance(x, str) and not isinstance(x, Template):
        return [json.dumps(str.__str__(x))]
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        text: Optional[str] = None
        try:
            text = json.dumps(x)
        except (TypeError, ValueError):
            pass
        return [text] if text is not None else ['"', Unknown("a number jsonencode() writes"), '"']
    if isinstance(x, Template):
        return ['"'] + [json.dumps(p)[1:-1] if isinstance(p, str) else p for p in x.parts] + ['"']
    return ['"', x, '"']  # a reference or an unknown: a JSON string the deployment writes
