"""Terraform modules and expressions: values computed on demand, across the module tree.

What the evaluator cannot know (variables without value, data sources, module outputs of modules it cannot
read, functions it does not model, unknown counts) becomes an Unknown naming its origin.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Tuple

from pullcheck.sources.errors import ParseError, read_text
from pullcheck.sources.marked import MDict, MList
from pullcheck.formats.terraform.budget import (
    CHARS_PER_READ,
    MAX_BUILT,
    MAX_STEPS,
    READS_PER_STEP,
    TEXT_PER_ITEM,
    Budget,
    JsonEncoded,
    Opaque,
    expanded_size,
    parsing,
)
from pullcheck.formats.terraform.functions import binary, call, is_known, to_bool, to_count, to_number
from pullcheck.formats.terraform.hcl import Node, parse_template
from pullcheck.formats.terraform.syntax import Body, JsonExpr, Known, pinned, pos_of
from pullcheck.graph.values import MAX_STRING, Missing, Ref, Template, Unknown, make_template

MAX_INSTANCES = 10_000
DATA_KINDS = ("aws_iam_policy_document", "aws_subnets", "aws_subnet", "aws_vpc")


class Declared:
    def __init__(self, rtype: str, name: str, body: Body, pos: Tuple[int, int], module: "Module") -> None:
        self.rtype, self.name, self.body, self.pos, self.module = rtype, name, body, pos, module
        self.address = f"{rtype}.{name}"

    def instances(self) -> Any:
        """[(suffix, context)] or an Unknown when count / for_each cannot be evaluated."""
        return self.module.once(self.module.instance_cache, self.address,
                                f"{self.module.prefix}{self.address}", self._instances_now)

    def _instances_now(self) -> Any:
        ev = self.module.evaluator({})
        result: Any
        if "count" in self.body.attrs:
            n = to_count(ev.eval(self.body.attrs["count"]))
            if n is None:
                result = Unknown(f"count of {self.address} cannot be evaluated")
            elif n > MAX_INSTANCES:
                result = Unknown(f"count of {self.address} is over {MAX_INSTANCES} instances")
            else:
                result = [(f"[{i}]", {"count.index": i}) for i in range(n)]
        elif "for_each" in self.body.attrs:
            fe = ev.eval(self.body.attrs["for_each"])
            if isinstance(fe, Counted):  # for_each over another resource's instances
                insts = fe.res.instances()
                fe = insts if isinstance(insts, Unknown) else {
                    s[2:-2] if s.startswith('["') else s[1:-1]: Instance(fe.res, s) for s, _ in insts}
            if isinstance(fe, (dict, list)) and len(fe) > MAX_INSTANCES:
                result = Unknown(f"for_each of {self.address} is over {MAX_INSTANCES} instances")
            elif isinstance(fe, dict) and all(isinstance(k, str) for k in fe):
                result = [(f'["{k}"]', {"each.key": k, "each.value": v}) for k, v in fe.items()]
            elif isinstance(fe, list) and all(isinstance(k, str) for k in fe):
                result = [(f'["{k}"]', {"each.key": k, "each.value": k}) for k in fe]
            else:
                result = Unknown(f"for_each of {self.address} cannot be evaluated")
        else:
            result = [("", {})]
        return result

    def key(self, suffix: str) -> str:
        return f"{self.module.dir}:{self.address}{suffix}"


class Instance(Opaque):
    def __init__(self, res: Declared, suffix: str) -> None:
        self.res, self.suffix = res, suffix

    def attr(self, name: str) -> Any:
        return Ref(self.res.key(self.suffix), self.res.rtype, name)


class Counted(Opaque):
    """A resource or data source with count / for_each, before it is indexed."""

    def __init__(self, res: Declared) -> None:
        self.res = res


class Module:
    def __init__(self, folder: str, instance: str = "") -> None:
        self.folder = folder.replace(os.sep, "/")
        # the instance id: the folder for a root module, "<parent>/module.<name>" for a called one
        self.dir = instance or self.folder
        self.prefix = ""  # "module.network." for resources of a called module, in messages
        self.calls: Dict[str, Tuple[Body, Tuple[int, int], str]] = {}  # name -> (body, position, file)
        self.outputs: Dict[str, Any] = {}
        self.children: Dict[str, Any] = {}  # name -> Module, or Unknown when it cannot be instantiated
        self.inputs: Dict[str, Any] = {}  # variable -> expression tree in the caller, for a called module
        self.caller: Any = None
        self.budget = Budget()  # shared with the modules it calls (set when it is called)
        self.made = [0]  # module instances of the configuration, shared the same way
        self.call_file = ""  # the file of the module block that calls this instance
        self.model_call: Any = None  # (file, position, {attribute: span}) for a modelled registry module
        self.resources: Dict[str, Declared] = {}
        self.variables: Dict[str, Any] = {}
        self.var_values: Dict[str, Any] = {}
        self.locals: Dict[str, Any] = {}
        self._local_values: Dict[str, Any] = {}
        self._defaults: Dict[str, Any] = {}
        self.instance_cache: Dict[str, Any] = {}
        self.stack: List[str] = []  # what is being computed (on the root module), to name a cycle
        self.data: set = set()
        self.template_files: Dict[str, Body] = {}
        self.provider: Any = None
        # what the module's resources can read besides their own block, for a language server's reuse of
        # a resource built before (modules.BUILT): every other block, and each resource's name and count
        self.defs: List[Any] = []
        self.file_reads = [0]  # file() / templatefile() calls: a file on disk is not in the defs
        self.files: Dict[str, Any] = {}  # on the root module: what each file read gave, read once per run

    def output(self, name: str) -> Any:
        if name not in self.outputs:
            return Unknown(f"output {name} of {self.prefix.rstrip('.') or self.folder}")
        return self.once(self._local_values, f"output.{name}", f"{self.prefix}output.{name}",
                         lambda: self.evaluator({}).eval(self.outputs[name]))

    def once(self, store: Dict[str, Any], key: str, label: str, compute: Any) -> Any:
        """A value computed on first use and kept; a value that needs itself is an unknown naming the
        cycle (``local.a -> local.b -> local.a``), across modules."""
        if key in store:
            v = store[key]
            if v is _BUSY:
                stack = self.root().stack
                i = stack.index(label) if label in stack else 0
                return Unknown("cycle: " + " -> ".join(stack[i:] + [label]))
            return v
        store[key] = _BUSY
        stack = self.root().stack
        stack.append(label)
        try:
            v = compute()
        finally:
            stack.pop()
        store[key] = v
        return v

    def root(self) -> "Module":
        m = self
        while m.caller is not None:
            m = m.caller
        return m

    def root_folder(self) -> str:
        return self.root().folder

    def read_file(self, path: Any) -> Any:
        """A file named by file() / templatefile(): relative paths from the root module's folder, as
        Terraform reads them; only regular files of the run's scope (pullcheck.sources.scope: a path or a symbolic
        link that leads out of the scanned tree is not read), each once. A text over MAX_STRING characters,
        the longest an expression may build, is unknown."""
        from pullcheck.sources import scope

        self.file_reads[0] += 1
        if not isinstance(path, str) or not path or "\x00" in path:
            return Unknown("file path cannot be evaluated")
        full = path if os.path.isabs(path) else os.path.join(self.root_folder(), path)
        files = self.root().files
        if full in files:
            return files[full]
        if not scope.readable(full):
            got: Any = Unknown(f"file {path} is outside the scanned tree")
        elif not os.path.isfile(full):
            got = Unknown(f"file {path} is not in the scanned tree")
        else:
            try:
                got = read_text(full)
            except ParseError as e:
                got = Unknown(f"file {path}: {e.message}")
            if isinstance(got, str) and len(got) > MAX_STRING:
                got = Unknown(f"file {path} holds more than {MAX_STRING} characters")
            elif isinstance(got, str) and not self.budget.spend(len(got) // (READS_PER_STEP * CHARS_PER_READ),
                                                                 len(got) // TEXT_PER_ITEM):
                got = self.budget.spent()
        files[full] = got
        return got

    def render(self, text: Any, variables: Any, depth: int) -> Any:
        """A template (templatefile(), data "template_file") rendered with its variables only."""
        if not isinstance(text, str):
            return text if isinstance(text, Unknown) else Unknown("template cannot be evaluated")
        if not isinstance(variables, dict):
            return Unknown("template variables cannot be evaluated")
        ev = Evaluator(self, {("for", k): v for k, v in variables.items()}, depth + 1)
        ev.template_only = True
        return ev.template_text(text)

    def region(self) -> Any:
        """The default AWS provider's region, when it is written down."""
        if self.provider is None or "region" not in self.provider.attrs:
            if self.caller is not None:
                return self.caller.region()
            return Unknown("the provider's region is not set in the module")
        return self.evaluator({}).eval(self.provider.attrs["region"])

    def add_body(self, body: Body) -> None:
        for name, labels, b, pos in body.blocks:
            if name == "resource":
                self.defs.append(("resource", tuple(labels), _text(b.attrs.get("count")),
                                  _text(b.attrs.get("for_each"))))
            else:
                self.defs.append(b)
            if name == "resource" and len(labels) == 2:
                r = Declared(labels[0], labels[1], b, pos, self)
                self.resources[r.address] = r
            elif name == "data" and len(labels) == 2:
                self.data.add(f"{labels[0]}.{labels[1]}")
                if labels[0] == "template_file":  # the template provider: rendered from template and vars
                    self.template_files[labels[1]] = b
                if labels[0] in DATA_KINDS:  # data sources that are facts of the module itself
                    r = Declared(f"data.{labels[0]}", labels[1], b, pos, self)
                    self.resources[r.address] = r
            elif name == "variable" and labels:
                self.variables[labels[0]] = b
            elif name == "locals":
                self.locals.update(b.attrs)
            elif name == "provider" and labels == ["aws"] and "alias" not in b.attrs:
                self.provider = b
            elif name == "module" and labels:
                self.calls[labels[0]] = (b, pos, body.file)
            elif name == "output" and labels and "value" in b.attrs:
                self.outputs[labels[0]] = b.attrs["value"]

    def evaluator(self, ctx: Dict[str, Any]) -> "Evaluator":
        return Evaluator(self, ctx)

    def var(self, name: str) -> Any:
        if name in self.inputs and self.caller is not None and name not in self.var_values:
            caller = self.caller
            return self.once(self.var_values, name, f"{self.prefix}var.{name}",
                             lambda: caller.evaluator({}).eval(self.inputs[name]))
        if name in self.var_values:
            return self.once(self.var_values, name, f"{self.prefix}var.{name}", lambda: None)
        b = self.variables.get(name)
        if b is not None and "default" in b.attrs:
            return self.once(self._defaults, name, f"{self.prefix}var.{name}",
                             lambda: self.evaluator({}).eval(b.attrs["default"]))
        return Unknown(f"variable {name} has no value")

    def local(self, name: str, depth: int) -> Any:
        if name not in self.locals:
            return Missing(f"local.{name} is not declared")
        if depth > 40:
            return Unknown(f"local.{name} cannot be evaluated")
        return self.once(self._local_values, name, f"{self.prefix}local.{name}",
                         lambda: Evaluator(self, {}, depth + 1).eval(self.locals[name]))


_BUSY = object()  # a value being computed


def _text(t: Any) -> Any:
    return t.text() if isinstance(t, Node) else (None if t is None else repr(getattr(t, "value", t)))


def joined(parts: List[Any], budget: Any = None) -> Any:
    """A template's parts as one value, converted as Terraform converts them: numbers and bools as text,
    a jsonencode() result as its JSON; a collection or null inside a template is an error, so unknown.
    Text past MAX_STRING characters is unknown; with a ``budget``, the text is spent from it."""
    flat: List[Any] = []
    for p in parts:
        if isinstance(p, JsonEncoded):
            if expanded_size(p.value, MAX_STRING, text=True) > MAX_STRING:
                flat.append(Unknown(f"jsonencode() of more than {MAX_STRING} characters"))
            else:
                flat.append(json.dumps(p.value) if is_known(p.value) else Unknown("jsonencode() of unknowns"))
        elif isinstance(p, Template):
            flat.extend(p.parts)
        elif isinstance(p, (list, dict)):
            flat.append(Unknown("collection inside a template"))
        elif isinstance(p, bool):
            flat.append("true" if p else "false")
        elif p is None:
            flat.append(Unknown("null inside a template"))
        else:
            flat.append(p)
    size = sum(len(p) for p in flat if isinstance(p, str))
    if size > MAX_STRING:
        return Unknown(f"a template of more than {MAX_STRING} characters")
    if budget is not None:  # its text, and its parts (holes double as fast as text does)
        budget.items += size // TEXT_PER_ITEM + len(flat)
        budget.steps += size // (READS_PER_STEP * CHARS_PER_READ) + len(flat) // READS_PER_STEP
        if budget.over():
            return budget.spent()
    return make_template(flat)


class Namespace(Opaque):
    def __init__(self, kind: str, name: str = "") -> None:
        self.kind, self.name = kind, name


class ModuleValue(Opaque):
    """A called module used as a value (``module.x``): its outputs, wherever the value travels (an output
    of another module, a local), are read from that module instance."""

    def __init__(self, module: "Module") -> None:
        self.module = module


class Evaluator:
    def __init__(self, module: Module, ctx: Dict[str, Any], depth: int = 0) -> None:
        self.m, self.ctx, self.depth = module, ctx, depth
        self.template_only = False  # a template's scope: its variables, no module names

    def eval(self, t: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > 150:
                return Unknown("expression nested too deeply")
            budget = self.m.budget
            budget.steps += 1
            if budget.steps > MAX_STEPS or budget.items > MAX_BUILT:
                return budget.spent()
            v = self._eval(t)
            if self.depth == 1 and isinstance(v, (list, dict, JsonEncoded)):
                # a value for a resource, a count, a variable: what reads it (the rules, JSON encoding) walks
                # it whole, its shared parts each time they appear, so that walk is spent here
                budget.steps += expanded_size(v, budget.steps_left())
                if budget.over():
                    return budget.spent()
            return v
        finally:
            self.depth -= 1

    def _eval(self, t: Any) -> Any:
        if isinstance(t, Known):
            return t.value
        if isinstance(t, JsonExpr):
            return self._json(t.value, (t.line, t.column, t.end_line, t.end_column))
        k = t.kind
        if k == "var":
            return self._root(t.a)
        if k == "attr":
            return self._get_attr(self.eval(t.a), t.b)
        if k == "tpl":
            return self.template(t.a, pos_of(t) if t.b == "h" else None)
        if k == "num":
            return _number(t.a)
        if k == "lit":
            return t.a
        if k == "index":
            return self._index(self.eval(t.a), self.eval(t.b))
        if k == "call":
            return self._call(t)
        if k == "tuple":
            if not self.afford(len(t.a)):
                return self.m.budget.spent()
            out = MList()
            out.pos = t.pos()
            out.ipos = []
            for item in t.a:
                out.append(self.eval(item))
                out.ipos.append(item.pos())
            return out
        if k == "object":
            if not self.afford(len(t.a)):
                return self.m.budget.spent()
            d = MDict()
            d.pos = t.pos()
            d.kpos = {}
            for elem in t.a:
                key = self._object_key(elem.a)
                if not isinstance(key, str):
                    return key if isinstance(key, Unknown) else Unknown("object with a key that is not a string")
                d[key] = self.eval(elem.b)
                d.kpos[key] = elem.pos()
            return d
        if k == "paren":
            return self.eval(t.a)
        if k == "splat":
            return self._splat(self.eval(t.a), t.b)
        if k == "for":
            return self._for(t)
        if k == "cond":
            cond = to_bool(self.eval(t.a))
            if cond is not None:
                return self.eval(t.b if cond else t.c)
            return Unknown("conditional on a value that cannot be known")
        if k == "bin":
            return binary(t.a, self.eval(t.b), self.eval(t.c), self.m.budget)
        if k == "un":
            v = self.eval(t.b)
            if t.a == "!" and to_bool(v) is not None:
                return not to_bool(v)
            if t.a == "-" and to_number(v) is not None:
                return -to_number(v)
            return v if isinstance(v, Unknown) else Unknown("unary operation on a value that cannot be known")
        return Unknown(f"{k} is not evaluated")

    def _splat(self, value: Any, ops: List[Any]) -> Any:
        """``value[*]`` followed by ``ops``, each applied to every element; a nested splat applies the
        rest of the ops to the elements of each element."""
        base = self._splat_base(value)
        if isinstance(base, Unknown):
            return base
        if not self.afford(len(base)):  # the copy; below, the list each op makes
            return self.m.budget.spent()
        for op, arg in ops:
            if not self.afford(len(base)):
                return self.m.budget.spent()
            if op == "attr":
                base = [self._get_attr(b, arg) for b in base]
            elif op == "index":
                idx = self.eval(arg)
                base = [self._index(b, idx) for b in base]
            else:
                base = [self._splat(b, arg) for b in base]
        return base

    def _call(self, t: Any) -> Any:
        name = t.a
        if "::" in name:
            return Unknown(f"provider function {name}")
        args = [self.eval(a) for a in t.b]
        if t.c and args:  # f(list...): the last argument's elements are the arguments
            last = args.pop()
            if not isinstance(last, list) or isinstance(last, Template):
                return last if isinstance(last, Unknown) else Unknown(f"{name}(...) over a value that is not a list")
            args.extend(last)
        if name == "file" and len(args) == 1:
            return self.m.read_file(args[0])
        if name == "templatefile" and len(args) == 2:
            return self.m.render(self.m.read_file(args[0]), args[1], self.depth)
        return call(name, args, self.m.budget)

    def afford(self, items: int) -> bool:
        """Count ``items`` about to be built (list and map elements) against the budget: whether they fit."""
        budget = self.m.budget
        budget.items += items
        budget.steps += items // READS_PER_STEP
        return not budget.over()

    def _object_key(self, key: Any) -> Any:
        if key.kind == "var":  # a bare name is the key itself
            return key.a
        v = self.eval(key)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        return v

    def _json(self, v: Any, pos: Tuple[int, ...]) -> Any:
        """A value of the JSON syntax: strings are templates, containers keep their items' positions."""
        if isinstance(v, str):
            return self.template_text(v, pos) if "${" in v or "%{" in v else v
        if isinstance(v, list):
            out = MList(self._json(x, p) for x, p in zip(v, getattr(v, "ipos", [pos] * len(v))))
            out.pos, out.ipos = pos, list(getattr(v, "ipos", [pos] * len(v)))
            return out
        if isinstance(v, dict):
            d = MDict()
            d.pos, d.kpos = pos, {}
            for k, x in v.items():
                kp = getattr(v, "kpos", {}).get(k, pos)
                d[k] = self._json(x, kp)
                d.kpos[k] = kp
            return d
        return v

    def template_text(self, text: str, at: Any = None) -> Any:
        """A template given as text (a template file, a JSON-syntax string) evaluated in this scope; the first
        use of a text in the root module is charged what parsing it costs (budget.parsing), whether or not
        its parse is kept from before."""
        budget = self.m.budget
        if text not in budget.parsed:
            if len(text) > MAX_STRING:
                return Unknown(f"a template of more than {MAX_STRING} characters")
            if not budget.spend(parsing(text)):
                return budget.spent()
            budget.parsed.add(text)
        node = _TEMPLATES.get(text)
        if node is None:
            try:
                node = parse_template(text)
            except ParseError as e:
                node = Unknown(f"template: {e.message}")
            if len(_TEMPLATES) >= 256:
                _TEMPLATES.clear()
            _TEMPLATES[text] = node
        return node if isinstance(node, Unknown) else self.template(node.a, at)

    def template(self, parts: List[Any], at: Any = None) -> Any:
        """A template's value: ``"${x}"`` alone is x itself, of whatever type; anything else is text, with
        unknown parts kept as holes. ``at``: where the template is written, for the positions of a value
        that the template only passes on."""
        budget = self.m.budget
        if len(parts) == 1 and not isinstance(parts[0], str) and parts[0].kind not in ("tif", "tfor"):
            value = self.eval(parts[0])
            if at is not None:
                if isinstance(value, (list, dict, JsonEncoded)):  # pinning walks it whole
                    budget.steps += expanded_size(value, budget.steps_left())
                    if budget.over():
                        return budget.spent()
                if isinstance(value, JsonEncoded):
                    pinned_value = JsonEncoded(str(value))
                    pinned_value.value = pinned(value.value, at)
                    return pinned_value
                return pinned(value, at)
            return value
        got = self._parts(parts)
        return budget.spent() if budget.over() else joined(got, budget)

    def _parts(self, parts: List[Any]) -> List[Any]:
        out: List[Any] = []
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            elif p.kind == "tif":
                cond = to_bool(self.eval(p.a))
                if cond is None:
                    out.append(Unknown("template %{if} on a value that cannot be known"))
                else:
                    out.extend(self._parts(p.b if cond else p.c))
            elif p.kind == "tfor":
                items = _items(self.eval(p.b), "template %{for}")
                if not isinstance(items, list):
                    out.append(items)
                    continue
                for key, value in items:
                    got = self._with(p.a, key, value)._parts(p.c)
                    if not self.afford(len(got) + 1):
                        return out
                    out.extend(got)
            else:
                out.append(self.eval(p))
        return out

    def _with(self, names: Tuple[Any, str], key: Any, value: Any) -> "Evaluator":
        """An evaluator of this scope with a for's names bound (``for k, v in``: k to the key, v the value)."""
        ctx = dict(self.ctx)
        ctx[("for", names[1])] = value
        if names[0] is not None:
            ctx[("for", names[0])] = key
        sub = Evaluator(self.m, ctx, self.depth)
        sub.template_only = self.template_only
        return sub

    def _for(self, t: Any) -> Any:
        """``[for k, v in coll : expr if cond]`` and ``{for k, v in coll : key => value if cond}``."""
        coll = self.eval(t.b)
        items = _items(coll, "for expression")
        if not isinstance(items, list):
            return coll if isinstance(coll, Unknown) else items
        self.m.budget.steps += len(coll) // READS_PER_STEP  # the walk and (a map) the sort of its keys
        value_t, cond, group = t.d
        out_list: List[Any] = []
        out_map: Dict[Any, Any] = {}
        for k, v in items:
            sub = self._with(t.a, k, v)
            if cond is not None:
                keep = to_bool(sub.eval(cond))
                if keep is None:
                    return Unknown("for expression with a condition that cannot be known")
                if not keep:
                    continue
            if not self.afford(1):
                return self.m.budget.spent()
            if t.c is not None:
                key = sub.eval(t.c)
                if isinstance(key, (int, float)) and not isinstance(key, bool):
                    key = str(key)
                if not isinstance(key, str):
                    return Unknown("for expression with a key that cannot be known")
                if group:
                    out_map.setdefault(key, []).append(sub.eval(value_t))
                else:
                    out_map[key] = sub.eval(value_t)
            else:
                out_list.append(sub.eval(value_t))
        return out_map if t.c is not None else out_list

    def _root(self, name: str) -> Any:
        if ("for", name) in self.ctx:
            return self.ctx[("for", name)]
        if name == "data":
            return Namespace("dataroot")
        if self.template_only:
            return Unknown(f"{name} is not a variable of the template")
        if name in ("var", "local", "module", "count", "each", "path", "terraform", "self"):
            return Namespace(name)
        return Namespace("type", name)

    def _get_attr(self, base: Any, name: str) -> Any:
        if isinstance(base, Namespace):
            if base.kind == "var":
                return self.m.var(name)
            if base.kind == "local":
                return self.m.local(name, self.depth)
            if base.kind == "count":
                return self.ctx.get(f"count.{name}", Unknown(f"count.{name} outside a counted resource"))
            if base.kind == "each":
                return self.ctx.get(f"each.{name}", Unknown(f"each.{name} outside a for_each resource"))
            if base.kind == "dataroot":
                return Namespace("datatype", name)
            if base.kind == "datatype":
                return Namespace("data", f"{base.name}.{name}")
            if base.kind == "path":
                if name == "module":
                    return self.m.folder
                if name == "root":
                    return self.m.root_folder()
                return Unknown(f"path.{name}")
            if base.kind == "data" and base.name.startswith("template_file.") and name == "rendered":
                body = self.m.template_files.get(base.name.split(".", 1)[1])
                if body is not None and "count" not in body.attrs and "for_each" not in body.attrs:
                    text = self.eval(body.attrs["template"]) if "template" in body.attrs else None
                    variables = self.eval(body.attrs["vars"]) if "vars" in body.attrs else {}
                    return self.m.render(text, variables, self.depth)
            if base.kind == "data":
                return Ref(f"{self.m.dir}:data.{base.name}", f"data.{base.name.split('.')[0]}", name)
            if base.kind == "module":
                child = self.m.children.get(name)
                if isinstance(child, Module):
                    return ModuleValue(child)
                return child if isinstance(child, Unknown) else Unknown(f"output of module {name}")
            if base.kind == "type":
                res = self.m.resources.get(f"{base.name}.{name}")
                if res is None:
                    return Missing(f"{base.name}.{name} is not declared in the module")
                insts = res.instances()
                if isinstance(insts, list) and insts == [("", {})]:
                    return Instance(res, "")
                return Counted(res)
            return Unknown(f"{base.kind}.{name}")
        if isinstance(base, ModuleValue):
            return base.module.output(name)
        if isinstance(base, Instance):
            return base.attr(name)
        if isinstance(base, Counted):
            return Unknown(f"attribute {name} of {base.res.address} without an index")
        if isinstance(base, dict):
            return base.get(name, Missing(f"attribute {name} is not set"))
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Ref):
            if base.rtype.startswith("data."):
                return Unknown(f"data source {base.target.split(':', 1)[-1]}")
            return Unknown(f"nested attribute {name} of {base}")
        return Unknown(f"attribute {name} of a value that has none")

    def _splat_base(self, base: Any) -> Any:
        if isinstance(base, Counted):
            insts = base.res.instances()
            if isinstance(insts, Unknown):
                return insts
            return [Instance(base.res, s) for s, _ in insts]
        if isinstance(base, Instance):
            return [base]
        if isinstance(base, list):
            return list(base)
        if isinstance(base, Namespace) and base.kind == "data":
            return Unknown(f"data source {base.name}")
        if isinstance(base, Unknown):
            return base
        return Unknown("splat over a value that cannot be known")

    def _index(self, base: Any, idx: Any) -> Any:
        if isinstance(base, Counted):
            insts = base.res.instances()
            if isinstance(insts, Unknown):
                return insts
            want = f"[{idx}]" if isinstance(idx, int) else f'["{idx}"]'
            for s, _ in insts:
                if s == want:
                    return Instance(base.res, s)
            return Unknown(f"{base.res.address}{want} does not exist or cannot be known")
        if isinstance(base, list) and isinstance(idx, int) and not isinstance(idx, bool):
            return base[idx] if -len(base) <= idx < len(base) else Unknown("index out of range")
        if isinstance(base, dict) and isinstance(idx, str):
            return base.get(idx, Unknown(f"key {idx} is not set"))
        if isinstance(base, Namespace) and base.kind == "data":
            return Unknown(f"data source {base.name}")
        return base if isinstance(base, Unknown) else Unknown("index of a value that cannot be known")


def _number(text: str) -> Any:
    if "." in text or "e" in text or "E" in text:
        try:
            return float(text)
        except ValueError:
            return Unknown("number")
    if len(text) > 4000:  # past Python's conversion limit: as Terraform's big numbers go, unknown
        return Unknown(f"a number of {len(text)} digits")
    return int(text)


def _items(coll: Any, what: str) -> Any:
    """(key, value) pairs of a collection a for expression (``what``) walks, or an Unknown saying why not:
    it cannot be known, or it is over MAX_INSTANCES elements (never a shorter walk)."""
    if isinstance(coll, (dict, list)) and len(coll) > MAX_INSTANCES:
        return Unknown(f"{what} over more than {MAX_INSTANCES} elements")
    if isinstance(coll, dict):  # a map is walked in the lexical order of its keys, as Terraform does
        return sorted(coll.items(), key=lambda kv: str(kv[0]))
    if isinstance(coll, list):
        return list(enumerate(coll))
    return Unknown(f"{what} over a value that cannot be known")


_TEMPLATES: Dict[str, Any] = {}  # template text -> its parse (or the Unknown of its error), kept across runs




def expand_dynamic(body: Body, ev: "Evaluator") -> Body:
    """The body with its dynamic blocks written out, as Terraform expands them: one block per element of
    ``for_each``, the content's attributes evaluated with the iterator (``<iterator>.key`` /
    ``.value``), nested dynamic blocks too. A dynamic block whose for_each cannot be known stays, so
    that whoever reads that block name knows it may have more."""
    if not body.has_dynamic():
        return body
    blocks: List[Tuple[str, List[str], Body, Tuple[int, ...]]] = []
    for name, labels, b, pos in body.blocks:
        if name != "dynamic":
            blocks.append((name, labels, expand_dynamic(b, ev), pos))
            continue
        content = b.block_list("content")
        if len(labels) != 1 or len(content) != 1 or "for_each" not in b.attrs:
            blocks.append((name, labels, b, pos))
            continue
        items = _for_each_items(ev.eval(b.attrs["for_each"]))
        if items is None or not ev.afford(len(items)):
            blocks.append((name, labels, b, pos))  # unknown: left for the reader of this block name
            continue
        it = labels[0]
        if "iterator" in b.attrs:  # a bare name, not an expression
            named = b.attrs["iterator"]
            if isinstance(named, Node) and named.kind == "var":
                it = named.a
            elif isinstance(named, JsonExpr) and isinstance(named.value, str):
                it = named.value
        for key, value in items:
            inner = Evaluator(ev.m, {**ev.ctx, ("for", it): {"key": key, "value": value}}, ev.depth)
            blocks.append((labels[0], [], _written(content[0], inner), pos))
    return Body.made(body.file, body.attrs, blocks)


def _written(body: Body, ev: "Evaluator") -> Body:
    """A dynamic block's content with its attributes evaluated under the iterator."""
    expanded = expand_dynamic(body, ev)
    attrs = {k: Known(ev.eval(t), pos_of(t)) for k, t in expanded.attrs.items()}
    blocks = [(n, labels, _written(b, ev) if n != "dynamic" else b, p) for n, labels, b, p in expanded.blocks]
    return Body.made(body.file, attrs, blocks)


def _for_each_items(v: Any) -> Any:
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return list(v.items()) if len(v) <= MAX_INSTANCES else None
    if isinstance(v, list) and not isinstance(v, Template):
        if len(v) > MAX_INSTANCES:
            return None
        return list(enumerate(v))
    return None
