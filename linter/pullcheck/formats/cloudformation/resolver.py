"""The evaluation of one template (one stack made of it): parameters, conditions and values with their
intrinsic functions, within the run's bounds; and the exports every stack of the run declares."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.formats.cloudformation.intrinsics import FUNCTIONS, NOVALUE, split_template
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Ref, Template, Unknown, make_template, text_size
from pullcheck.sources.marked import MDict, MList

MAX_STEPS = 2_000_000  # intrinsic evaluations per run (per parameter combination): past it, values are unknown
MAX_TEXT = 64 << 20  # characters Fn::Sub, Fn::Join and Fn::Split build from one template, in all its stacks


@dataclass(frozen=True)
class Unset(Unknown):
    """A parameter with no value in the template and none given (``name``), or the name of a stack made of a
    template linted on its own (``name`` is ``AWS::StackName``): unknown here, but stacks deployed as one set
    are given the same environment name, which is what matches an import to an export built from it."""

    name: str = ""


STACK_NAME = "AWS::StackName"
Shape = Tuple[Any, ...]


def name_shape(v: Any) -> Optional[Shape]:
    """How an export or import name is built when parameters nobody gave are in it: its text parts, and
    ("param", name) in place of each such parameter, ("stack",) in place of the stack's own name. None for a
    name that is not built that way (plain text is matched as text; any other unknown part matches nothing),
    and for a name made of parameters alone (with no text of its own, it would match too much)."""
    parts = v.parts if isinstance(v, Template) else ()
    if not any(isinstance(p, str) for p in parts):
        return None
    out: List[Any] = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, Unset):
            out.append(("stack",) if p.name == STACK_NAME else ("param", p.name))
        else:
            return None
    return tuple(out)


def fits(export: Shape, wanted: Shape) -> bool:
    """An export name built as ``export`` answers an import built as ``wanted``: the same text in the same
    places, the same parameter where the export has a parameter, and any parameter of the importing stack
    where the export has its own stack name (the parameter that names the stack to import from)."""
    if len(export) != len(wanted):
        return False
    for e, w in zip(export, wanted):
        if isinstance(e, str) or isinstance(w, str):
            if e != w:
                return False
        elif e == ("stack",):
            if w[0] != "param":
                return False
        elif e != w:
            return False
    return True


def written(shape: Shape) -> str:
    """A name's shape as a template writes it: ``${ProjectName}:VPC``."""
    return "".join(p if isinstance(p, str) else "${" + (STACK_NAME if p == ("stack",) else p[1]) + "}"
                   for p in shape)


class Exports:
    """``Outputs.*.Export.Name`` of every stack in the run, for ``Fn::ImportValue``."""

    def __init__(self, assignment: Optional[Dict[Any, Any]] = None, account: Optional[Dict[str, Any]] = None) -> None:
        self.by_name: Dict[str, Tuple["Resolver", Any]] = {}
        self.account = account or {}  # the exports of the account's snapshot: name -> value
        self.ambiguous: set = set()
        self._busy: set = set()
        # parameters with AllowedValues and undecided conditions met while resolving, and the values
        # they take in the world being built
        self.choices: Dict[Any, List[Any]] = {}
        self.assignment: Dict[Any, Any] = assignment or {}
        self.budget = [0]
        self.imported = False  # a template of the run evaluated Fn::ImportValue
        self.text: Dict[str, List[int]] = {}  # text built so far, per template file (see MAX_TEXT)
        # exports whose names are built from parameters nobody gave: (shape, resolver, value)
        self.shaped: List[Tuple[Shape, "Resolver", Any]] = []
        self.assumed: List[str] = []  # the matches made on the shapes of names, in words

    def add_shaped(self, shape: Shape, resolver: "Resolver", value: Any) -> None:
        self.shaped.append((shape, resolver, value))

    def by_shape(self, built: Any, importer: "Resolver", depth: int) -> Any:
        """The value of the one export of another stack whose name is built as the import's name ``built`` is
        (see ``name_shape`` and ``fits``), on the assumption that the stacks are deployed with the same values
        of those parameters; unknown when no export or several are built that way, or the name is not built
        from parameters nobody gave."""
        shape = name_shape(built)
        if shape is None:
            return Unknown("Fn::ImportValue (computed name)")
        found = [e for e in self.shaped if e[1] is not importer and fits(e[0], shape)]
        name = written(shape)
        if len(found) != 1:
            how = "no export" if not found else f"{len(found)} exports"
            return Unknown(f"Fn::ImportValue {name} ({how} of the run built the same way)")
        export, resolver, value = found[0]
        busy = "\x00" + name + "\x00" + resolver.key("")
        if busy in self._busy:
            return Unknown(f"Fn::ImportValue {name}")
        note = _assumption(shape, export, importer, resolver)
        if note not in self.assumed:
            self.assumed.append(note)
        self._busy.add(busy)
        try:
            return resolver.resolve(value, depth + 1)
        finally:
            self._busy.discard(busy)

    def add(self, name: str, resolver: "Resolver", value: Any) -> None:
        if name in self.by_name and self.by_name[name][0] is not resolver:
            self.ambiguous.add(name)
        self.by_name[name] = (resolver, value)

    def value(self, name: str, depth: int) -> Any:
        if name in self.ambiguous:
            return Unknown(f"export {name} is declared by several stacks")
        if name not in self.by_name or name in self._busy:
            if isinstance(self.account.get(name), str) and name not in self._busy:
                return self.account[name]  # the account's export, from its snapshot
            return Unknown(f"Fn::ImportValue {name}")
        resolver, value = self.by_name[name]
        self._busy.add(name)
        try:
            found = resolver.resolve(value, depth + 1)
        finally:
            self._busy.discard(name)
        live = self.account.get(name)
        if isinstance(found, str) and isinstance(live, str) and found != live:
            # the run's export wins over the account's, unless both are known and differ: then which is
            # deployed when the service is cannot be told
            return Unknown(f"export {name} is {found} in the run but {live} in the account's snapshot")
        return found


# the pseudo parameters a stack's deployment decides and a run may be told: ``pseudo_parameters``
PSEUDO_GIVEN = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix")


def pseudo_parameters(account: str, region: str) -> dict:
    """The pseudo parameters of a stack deployed in ``account`` and ``region`` (either may be ""): the
    partition and URL suffix follow from the Region."""
    out = {}
    if account:
        out["AWS::AccountId"] = account
    if region:
        from pullcheck.graph.reference import partition, url_suffix

        out["AWS::Region"] = region
        out["AWS::Partition"] = partition(region)
        out["AWS::URLSuffix"] = url_suffix(region)
    return out


def _assumption(shape: Shape, export: Shape, importer: "Resolver", resolver: "Resolver") -> str:
    """The words that say on what an import was matched to an export built the same way."""
    same = sorted({p[1] for p in export if isinstance(p, tuple) and p[0] == "param"})
    naming = sorted({w[1] for e, w in zip(export, shape) if e == ("stack",)})
    why = []
    if same:
        why.append(f"both stacks are deployed with the same {', '.join(same)}")
    if naming:
        why.append(f"{', '.join(naming)} names the stack made of {resolver.file}")
    return (f"Fn::ImportValue {written(shape)} in {importer.file} matched the export {written(export)} of "
            f"{resolver.file} (the only one built that way), assuming {' and '.join(why)}")


class Resolver:
    """One template evaluated as one stack: ``stack`` its name (None for a template on its own), ``given``
    the parameters it is deployed with."""

    def __init__(self, doc: MDict, file: str, stack: Optional[str] = None, given: Optional[Dict[str, Any]] = None,
                 exports: Optional[Exports] = None) -> None:
        self.doc = doc
        self.file = file
        self.stack = stack
        self.given = given or {}  # parameter name -> value, or a callable giving it (nested stacks)
        self.exports = exports
        # one evaluation budget for every template of the run (ImportValue chains cross templates)
        self.budget = exports.budget if exports is not None else [0]
        # text the template builds, shared by every stack made of it
        self.text = exports.text.setdefault(os.path.abspath(file), [0]) if exports is not None else [0]
        self.children: Dict[str, "Resolver"] = {}
        self.unread: Dict[str, Unknown] = {}  # nested stacks whose template is not evaluated, and why
        self.resources = doc.get("Resources") if isinstance(doc.get("Resources"), dict) else {}
        self.params = doc.get("Parameters") if isinstance(doc.get("Parameters"), dict) else {}
        self.mappings = doc.get("Mappings") if isinstance(doc.get("Mappings"), dict) else {}
        self.conditions = doc.get("Conditions") if isinstance(doc.get("Conditions"), dict) else {}
        self.outputs = doc.get("Outputs") if isinstance(doc.get("Outputs"), dict) else {}
        self._cond_cache: Dict[str, Optional[bool]] = {}
        self._given_cache: Dict[str, Any] = {}
        self.stack_known = stack is not None

    def key(self, logical: str) -> str:
        return f"{self.file}@{self.stack}#{logical}" if self.stack else f"{self.file}#{logical}"

    def output(self, name: str, depth: int) -> Any:
        out = self.outputs.get(name)
        if not isinstance(out, dict) or "Value" not in out:
            return Unknown(f"output {name} of stack {self.stack or self.file}")
        return self.resolve(out["Value"], depth + 1)

    def _given(self, name: str, ptype: str) -> Any:
        if name not in self._given_cache:
            self._given_cache[name] = Unknown(f"parameter {name} refers to itself")
            v = self.given[name]
            v = v() if callable(v) else v
            if isinstance(v, str) and (ptype.startswith("List<") or ptype == "CommaDelimitedList"):
                v = self._list_of(v, f"parameter {name}")
            elif isinstance(v, Template) and (ptype.startswith("List<") or ptype == "CommaDelimitedList"):
                v = self.split(v, ",", f"parameter {name}")
            self._given_cache[name] = v
        return self._given_cache[name]

    def _spent(self, size: int, what: str, items: int = 0) -> Optional[Unknown]:
        """None when ``what`` may build ``size`` characters of text (in a list of ``items``), else an unknown
        naming the bound it passes: one value's length, one list's items, or all the text one template builds
        (a thousand substitutions of a megabyte parameter would hold a gigabyte)."""
        if size > MAX_STRING:
            return Unknown(f"{what} builds a string over {MAX_STRING} characters")
        if items > MAX_ITEMS:
            return Unknown(f"{what} builds more than {MAX_ITEMS} items")
        self.text[0] += size
        if self.text[0] > MAX_TEXT:
            return Unknown(f"{what}: past {MAX_TEXT} characters of text built by one template")
        return None

    def _list_of(self, text: str, what: str) -> Any:
        """A comma-delimited list parameter's items."""
        over = self._spent(len(text), what, text.count(","))
        return over if over is not None else [x.strip() for x in text.split(",") if x.strip()]

    def split(self, v: Any, delim: str, what: str) -> Any:
        """``Fn::Split`` of a string, or of a value with references in it."""
        if isinstance(v, str):
            over = self._spent(len(v), what, v.count(delim))
            return over if over is not None else v.split(delim)
        over = self._spent(text_size(v.parts), what, sum(p.count(delim) for p in v.parts if isinstance(p, str)))
        return over if over is not None else split_template(v, delim)

    def joined(self, parts: List[Any], what: str) -> Any:
        """The text of ``parts`` joined (a template if some are references), within the bounds."""
        over = self._spent(text_size(parts), what)
        return over if over is not None else make_template(parts)

    def rtype(self, logical: str) -> str:
        r = self.resources.get(logical)
        t = r.get("Type") if isinstance(r, dict) else None
        return t if isinstance(t, str) else ""

    # --- Ref / parameters
    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref to a computed name")
        if name in self.resources:
            return Ref(self.key(name), self.rtype(name), None)
        if name == "AWS::NoValue":
            return NOVALUE
        if name == STACK_NAME and self.stack and self.stack_known:
            return self.stack
        if name == STACK_NAME:
            return Unset(f"pseudo parameter {name}", name)
        if name.startswith("AWS::"):
            # the stack's account and Region, where the stacks file (or a CDK manifest) gives them
            given = self.given.get(name) if name in PSEUDO_GIVEN else None
            return given if isinstance(given, str) else Unknown(f"pseudo parameter {name}")
        p = self.params.get(name)
        if isinstance(p, dict):
            ptype = p.get("Type") if isinstance(p.get("Type"), str) else ""
            if name in self.given:
                return self._given(name, ptype)
            allowed = p.get("AllowedValues")
            if self.exports is not None and isinstance(allowed, list) and allowed and all(
                    isinstance(a, (str, int, float)) and not isinstance(a, bool) for a in allowed):
                # the stack may be deployed with any allowed value: each is a world of its own
                key = ("param", self.file, self.stack or "", name)
                if key in self.exports.assignment:
                    return self.exports.assignment[key]
                self.exports.choices.setdefault(key, [str(a) for a in allowed])
            if "Default" not in p:
                return Unset(f"parameter {name} has no value in the template", name)
            if ptype.startswith("AWS::SSM::"):
                return Unknown(f"parameter {name} has no value in the template")
            default = p["Default"]
            if ptype.startswith("List<") or ptype == "CommaDelimitedList":
                if isinstance(default, str):
                    return self._list_of(default, f"parameter {name}")
            return default
        return Unknown(f"Ref to {name}, which the template does not declare")

    def condition(self, name: Any, depth: int = 0) -> Optional[bool]:
        if not isinstance(name, str) or depth > 50:
            return None
        if name in self._cond_cache:
            return self._cond_cache[name]
        self._cond_cache[name] = None
        val = self._cond_expr(self.conditions.get(name), depth + 1)
        if val is None and self.exports is not None and name in self.conditions:
            # a condition on values nobody gave: each branch that can be taken is a world of its own
            key = ("cond", self.file, self.stack or "", name)
            if key in self.exports.assignment:
                val = self.exports.assignment[key]
            else:
                self.exports.choices.setdefault(key, [True, False])
        self._cond_cache[name] = val
        return val

    def _cond_expr(self, e: Any, depth: int) -> Optional[bool]:
        if isinstance(e, bool):
            return e
        if not isinstance(e, dict) or len(e) != 1:
            return None
        (fn, arg), = e.items()
        if fn == "Condition":
            return self.condition(arg, depth)
        if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            v = self._cond_expr(arg[0], depth)
            return None if v is None else not v
        if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            vals = [self._cond_expr(a, depth) for a in arg]
            if fn == "Fn::And":
                return False if False in vals else (None if None in vals else True)
            return True if True in vals else (None if None in vals else False)
        if fn == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = self.resolve(arg[0]), self.resolve(arg[1])
            if isinstance(a, (Unknown, Ref, Template)) or isinstance(b, (Unknown, Ref, Template)):
                return None
            norm = (lambda x: str(x).lower() if isinstance(x, bool) else str(x))
            return norm(a) == norm(b)
        return None

    # --- values
    def resolve(self, v: Any, depth: int = 0) -> Any:
        if depth > 100:
            return Unknown("expression nested too deeply")
        self.budget[0] += 1
        if self.budget[0] > MAX_STEPS:
            return Unknown(f"evaluation budget of {MAX_STEPS} steps spent")
        if isinstance(v, str):
            if "{{resolve:" in v:
                return Unknown("dynamic reference {{resolve:...}}")
            return v
        if isinstance(v, list):
            out = MList()
            out.pos = getattr(v, "pos", (1, 1))
            out.ipos = []
            ipos = getattr(v, "ipos", [])
            for i, item in enumerate(v):
                r = self.resolve(item, depth + 1)
                if r is NOVALUE:
                    continue
                out.append(r)
                out.ipos.append(ipos[i] if i < len(ipos) else out.pos)
            return out
        if isinstance(v, dict):
            if len(v) == 1:
                (k, arg), = v.items()
                if k == "Ref" or (isinstance(k, str) and k.startswith("Fn::")):
                    fn = FUNCTIONS.get(k)
                    return fn(self, arg, depth) if fn is not None else Unknown(f"{k} is not evaluated")
            mapped = MDict()
            mapped.pos = getattr(v, "pos", (1, 1))
            mapped.kpos = {}
            kpos = getattr(v, "kpos", {})
            for k, item in v.items():
                r = self.resolve(item, depth + 1)
                if r is NOVALUE:
                    continue
                mapped[k] = r
                mapped.kpos[k] = kpos.get(k, mapped.pos)
            return mapped
        return v
