"""JSON text that holds values only a deployment knows: a Step Functions definition or an IAM policy written
as text with ``Fn::Sub`` references, Terraform interpolation or ``DefinitionSubstitutions`` in it.

The values are carried through the JSON parse as placeholders and put back afterwards, so a subnet written as
``${PrivateSubnet}`` inside the text is still a reference to that subnet once the text is read.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from pullcheck.graph.values import Template, Unknown, make_template
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MDict, MList, load_json

_PLACEHOLDER = re.compile("\ue000([0-9]+)\ue001")
_SUBST = re.compile(r"\$\{([^}]+)\}")


def json_value(v: Any, substitutions: Optional[Dict[str, Any]] = None) -> Any:
    """The text (or mapping) as a mapping with its positions, or an Unknown.

    ``DefinitionSubstitutions`` replace ``${Name}`` in the text before it is read as JSON, as Step
    Functions does: a substitution may hold several JSON values (``a","b`` inside ``["${Subnets}"]``).
    """
    subs = substitutions or {}
    if isinstance(v, dict):
        return _substitute(v, [], subs)
    if isinstance(v, (str, Template)):
        values: List[Any] = []
        text: List[str] = []

        def hole(value: Any) -> None:
            text.append(f"\ue000{len(values)}\ue001")
            values.append(value)

        for p in (v.parts if isinstance(v, Template) else [v]):
            if not isinstance(p, str):
                hole(p)
                continue
            last = 0
            for m in (_SUBST.finditer(p) if subs else ()):
                name = m.group(1).strip()
                if name not in subs:
                    continue
                text.append(p[last:m.start()])
                last = m.end()
                sv = subs[name]
                for q in (sv.parts if isinstance(sv, Template) else [sv]):
                    if isinstance(q, str):
                        text.append(q)
                    elif isinstance(q, (int, float)) and not isinstance(q, bool):
                        text.append(str(q))
                    else:
                        hole(q if not isinstance(q, (list, dict)) else Unknown("a list in a substitution"))
            text.append(p[last:])
        return _parse("".join(text), values, {})
    return v if isinstance(v, Unknown) else Unknown("state machine definition cannot be read")


def _parse(text: str, values: List[Any], subs: Dict[str, Any]) -> Any:
    try:
        doc = load_json(text)
    except ParseError:
        return Unknown("state machine definition is not JSON once its values are known")
    return _substitute(doc, values, subs)


def _substitute(v: Any, values: List[Any], subs: Dict[str, Any]) -> Any:
    if isinstance(v, str):
        parts: List[Any] = []
        last = 0
        pattern = _PLACEHOLDER if values else None
        for m in (pattern.finditer(v) if pattern else ()):
            parts.append(v[last:m.start()])
            parts.append(values[int(m.group(1))])
            last = m.end()
        parts.append(v[last:])
        out: List[Any] = []
        for p in parts:
            if isinstance(p, str) and subs and "${" in p:
                last = 0
                for m in _SUBST.finditer(p):
                    out.append(p[last:m.start()])
                    out.append(subs.get(m.group(1).strip(), Unknown(f"definition substitution {m.group(1)}")))
                    last = m.end()
                out.append(p[last:])
            else:
                out.append(p)
        out = [p for p in out if p != ""]
        if len(out) == 1:
            return out[0]
        if not out:
            return ""
        return make_template(out) if all(not isinstance(p, (list, dict)) for p in out) else \
            Unknown("definition substitution of a list inside a string")
    if isinstance(v, dict):
        d = MDict()
        d.pos = getattr(v, "pos", (1, 1))
        d.kpos = {}
        kpos = getattr(v, "kpos", {})
        for k, x in v.items():
            key = k
            val = _substitute(x, values, subs)
            if isinstance(k, str) and k.endswith(".$"):
                # a JSONPath or intrinsic: the value is chosen at run time
                key, val = k[:-2], Unknown(f"{k} is chosen at run time")
            d[key] = val
            d.kpos[key] = kpos.get(k, d.pos)
        return d
    if isinstance(v, list):
        lst = MList(_substitute(x, values, subs) for x in v)
        lst.pos = getattr(v, "pos", (1, 1))
        lst.ipos = list(getattr(v, "ipos", [lst.pos] * len(v)))
        return lst
    return v
