"""Step Functions definitions: the ``ecs:runTask`` states and their parameters.

A definition arrives as a mapping (CloudFormation ``Definition``, Terraform ``jsonencode``) or as JSON
text that may contain values only the deployment knows (``Fn::Sub`` references, Terraform interpolation,
``DefinitionSubstitutions``). Such text is read by ``pullcheck.graph.jsontext``, which keeps those
values, so a subnet written as ``${PrivateSubnet}`` is still a reference to that subnet.
"""
from __future__ import annotations

from typing import Any, Iterator, Tuple

from pullcheck.graph.jsontext import json_value as definition_value

__all__ = ["MAX_STATES", "definition_value", "run_task_states"]
from pullcheck.graph.values import Template, Unknown

MAX_STATES = 10_000


def run_task_states(definition: Any) -> Iterator[Tuple[str, Any, Tuple[int, int]]]:
    """(state name, Parameters / Arguments, position) of every ecs:runTask state, branches included; the
    parameters are an Unknown when only the execution tells them (a JSONata expression, or none written:
    then the state's input is the request)."""
    stack = [definition]
    seen = 0
    while stack and seen < MAX_STATES:
        d = stack.pop()
        states = d.get("States") if isinstance(d, dict) else None
        if not isinstance(states, dict):
            continue
        kpos = getattr(states, "kpos", {})
        for name, st in states.items():
            seen += 1
            if not isinstance(st, dict):
                continue
            for b in st.get("Branches") or []:
                stack.append(b)
            for key in ("Iterator", "ItemProcessor"):
                if isinstance(st.get(key), dict):
                    stack.append(st[key])
            resource = st.get("Resource")
            text = resource.text() if isinstance(resource, Template) else resource
            if st.get("Type") == "Task" and isinstance(text, str) and ":states:::ecs:runTask" in text:
                params = st.get("Parameters", st.get("Arguments"))
                if isinstance(params, str):
                    params = Unknown("task parameters are a run-time expression")
                elif params is None:  # the state's input (JSONPath) is RunTask's request: known at run time
                    params = Unknown("task parameters are the state's input")
                yield str(name), params, kpos.get(name, getattr(states, "pos", (1, 1)))
