"""IAM policy documents: normalised statements and a small evaluator.

Only what the pull needs is modelled: Allow / Deny, Action / NotAction with wildcards, Resource /
NotResource, principals for resource and endpoint policies, and conditions (which are never assumed to
hold). Every answer is True, False, or None when something unseen could change it.
"""
from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.graph.jsontext import json_value
from pullcheck.graph.values import Ref, Template, Unknown, text_of

HOLE = "\x00"
SYMBOL = "\x01"  # brackets a named unknown: the same name stands for the same value on both sides


@dataclass
class Statement:
    effect: Any  # "Allow" | "Deny" | Unknown
    actions: Any = None  # list of patterns (str or Unknown), or None
    not_actions: Any = None
    resources: Any = None
    not_resources: Any = None
    principals: Any = None  # None (identity policy), "*", {type: [ids]}, or Unknown
    conditions: List[Tuple[str, str, Any]] = field(default_factory=list)
    index: int = 0  # position in the document, for locating it


@dataclass
class Document:
    statements: List[Statement]
    known: bool = True
    why: str = ""


def _as_list(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, Unknown):
        return v
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def _keys(d: Dict[str, Any], *names: str) -> Any:
    for n in names:
        if n in d:
            return d[n]
    return None


def parse(v: Any) -> Any:
    """A policy document from a mapping, JSON text (with or without unknown parts) or jsonencode; else an
    Unknown. A Ref to a Terraform ``aws_iam_policy_document`` data source is returned as it is."""
    if isinstance(v, Ref):
        return v
    if isinstance(v, Unknown) or v is None:
        return v if v is not None else Unknown("no policy")
    value = getattr(v, "value", None)
    if value is not None:  # jsonencode(...)
        v = value
    if isinstance(v, (str, Template)):
        v = json_value(v)
        if isinstance(v, Unknown):
            return Unknown("policy text is not JSON once its values are known")
    if not isinstance(v, dict):
        return Unknown("policy is not a document")
    raw = v.get("Statement")
    if raw is None:
        return Document([])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return Unknown("policy statements cannot be read")
    out = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict):
            return Unknown("a policy statement cannot be read")
        st = Statement(effect=s.get("Effect"), actions=_as_list(s.get("Action")),
                       not_actions=_as_list(s.get("NotAction")), resources=_as_list(s.get("Resource")),
                       not_resources=_as_list(s.get("NotResource")), index=i)
        p = s.get("Principal")
        if p is not None:
            st.principals = "*" if p == "*" else (
                {k: _as_list(x) for k, x in p.items()} if isinstance(p, dict) else Unknown("principal"))
        cond = s.get("Condition")
        if isinstance(cond, dict):
            for op, body in cond.items():
                if isinstance(body, dict):
                    for key, vals in body.items():
                        st.conditions.append((str(op), str(key), vals))
                else:
                    st.conditions.append((str(op), "?", body))
        elif cond is not None:
            st.conditions.append(("?", "?", cond))
        out.append(st)
    return Document(out)


def from_statements(blocks: List[Dict[str, Any]]) -> Document:
    """A document from Terraform ``aws_iam_policy_document`` statement blocks (already evaluated)."""
    out = []
    for i, b in enumerate(blocks):
        st = Statement(effect=b.get("effect") or "Allow", actions=_as_list(b.get("actions")),
                       not_actions=_as_list(b.get("not_actions")), resources=_as_list(b.get("resources")),
                       not_resources=_as_list(b.get("not_resources")), index=i)
        principals = b.get("principals")
        if principals:
            st.principals = {}
            for p in principals:
                t = p.get("type")
                ids = _as_list(p.get("identifiers")) or []
                if t == "*" or (t == "AWS" and ids == ["*"]):
                    st.principals = "*"
                    break
                st.principals.setdefault(t if isinstance(t, str) else "?", []).extend(
                    ids if isinstance(ids, list) else [ids])
        for c in b.get("conditions") or []:
            st.conditions.append((str(c.get("test")), str(c.get("variable")), c.get("values")))
        out.append(st)
    return Document(out)


# --------------------------------------------------------------------------- matching

@lru_cache(maxsize=4096)
def _glob(pattern: str, case: bool) -> Any:
    rx = fnmatch.translate(pattern)
    return re.compile(rx, 0 if case else re.IGNORECASE)


def _match_one(pattern: Any, value: str, case: bool) -> Optional[bool]:
    p = text_of(pattern)
    if p is None:
        return None
    if SYMBOL in p or SYMBOL in value:
        return _match_symbols(p, value, case)
    if HOLE in value:
        return _match_hole(p, value, case)
    return _glob(p, case).match(value) is not None


def _match_hole(p: str, value: str, case: bool) -> Optional[bool]:
    """Match a value with parts only the deployment knows (holes)."""
    if p == "*":
        return True
    if value.endswith(HOLE) and value.count(HOLE) == 1 and p.endswith("*") and "?" not in p and \
            _glob(p, case).match(value[:-1]) is not None:
        return True  # a final wildcard takes whatever the deployment puts at the end
    # decide only when the known start already differs
    known = value.split(HOLE, 1)[0]
    lit = re.split(r"[*?]", p, 1)[0]
    if not case:
        known, lit = known.lower(), lit.lower()
    return None if known.startswith(lit) or lit.startswith(known) else False


_NAMED = re.compile(f"{SYMBOL}[^{SYMBOL}]*{SYMBOL}")


def _match_symbols(p: str, value: str, case: bool) -> Optional[bool]:
    """Match where either side holds a named unknown (``facts.symbols``): the same name is the same value, so
    the two sides match as written; otherwise a name may be any text, as a hole is."""
    # each name as one character no pattern writes, so that a wildcard takes a name whole or not at all
    names: Dict[str, str] = {}
    one = lambda m: names.setdefault(m.group(0), chr(0xE000 + len(names) % 0x1800))  # noqa: E731
    p1, v1 = _NAMED.sub(one, p), _NAMED.sub(one, value)
    if HOLE not in v1 and "?" not in p1 and _glob(p1, case).match(v1) is not None:
        return True
    if HOLE in v1 and _match_hole(p1, v1, case):
        return True
    # otherwise a name may be any text: a wildcard in the pattern, a hole in the value
    loose_p, loose_v = _NAMED.sub("*", p), _NAMED.sub(HOLE, value)
    if HOLE in loose_v:
        if p == "*":
            return True
        verdict = _match_hole(loose_p, loose_v, case)
        return None if verdict else verdict  # matched through a name's wildcard: it only may
    # a literal value: the pattern could match it only as far as its names could
    return None if _glob(loose_p, case).match(loose_v) is not None else False


def _match_list(patterns: Any, value: str, case: bool) -> Optional[bool]:
    if isinstance(patterns, Unknown):
        return None
    seen_none = False
    for p in patterns or []:
        m = _match_one(p, value, case)
        if m:
            return True
        if m is None:
            seen_none = True
    return None if seen_none else False


def applies(st: Statement, action: str, resource: str) -> Optional[bool]:
    """Whether the statement covers the action on the resource (conditions aside)."""
    if st.actions is not None:
        a = _match_list(st.actions, action, False)
    elif st.not_actions is not None:
        m = _match_list(st.not_actions, action, False)
        a = None if m is None else not m
    else:
        a = False
    if a is False:
        return False
    if st.resources is not None:
        r = _match_list(st.resources, resource, True)
    elif st.not_resources is not None:
        m = _match_list(st.not_resources, resource, True)
        r = None if m is None else not m
    else:
        r = True  # resource policies (repositories, endpoints) may leave it out
    if r is False:
        return False
    return None if None in (a, r) else True


def principal_matches(st: Statement, who: Optional[List[str]]) -> Optional[bool]:
    """For resource policies: does the statement name the caller? ``who`` is the caller's ARN and account
    id when known (None: unknown caller)."""
    p = st.principals
    if p is None or p == "*":
        return True
    if isinstance(p, Unknown):
        return None
    ids = p.get("AWS") if isinstance(p, dict) else None
    if ids is None:
        return False
    if isinstance(ids, Unknown):
        return None
    texts = [text_of(i) for i in ids]
    if "*" in texts:
        return True
    if who is None or None in texts:
        return None
    for t in texts:
        for w in who:
            if t == w or (w.isdigit() and t in (f"arn:aws:iam::{w}:root", w)):
                return True
    return False


@dataclass
class Decision:
    allowed: Optional[bool]
    conditional: List[Statement] = field(default_factory=list)  # Allow statements that need a condition
    deny: Optional[Statement] = None


def decide(statements: List[Tuple[Statement, Any]], complete: bool, action: str, resource: str,
           who: Optional[List[str]] = None, resource_policy: bool = False) -> Decision:
    """IAM's rule for one request: an explicit Deny wins, else an unconditional Allow, else implicit deny.

    ``complete`` says whether every policy that applies is in ``statements``; when not, "no Allow
    seen" is None rather than False.
    """
    allow_sure = False
    maybe = False
    deny_maybe = False
    conditional: List[Statement] = []
    for st, _ in statements:
        eff = text_of(st.effect)
        a = applies(st, action, resource)
        if a is False:
            continue
        pm = principal_matches(st, who) if resource_policy else True
        if pm is False:
            continue
        sure = a is True and pm is True
        if eff == "Deny":
            if sure and not st.conditions:
                return Decision(False, deny=st)
            deny_maybe = True
        elif eff == "Allow":
            if st.conditions:
                if sure:
                    conditional.append(st)
                maybe = True
            elif sure:
                allow_sure = True
            else:
                maybe = True
        else:
            maybe = True
    if allow_sure:
        return Decision(None if deny_maybe else True, conditional)
    if maybe or deny_maybe or not complete:
        return Decision(None, conditional)
    return Decision(False, conditional)


def dumps(v: Any) -> str:
    try:
        return json.dumps(v)
    except (TypeError, ValueError):
        return str(v)
