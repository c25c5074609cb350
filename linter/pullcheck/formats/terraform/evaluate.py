"""Terraform modules: what each module instance declares, and its variables, locals and outputs computed on
demand across the module tree (the expressions by pullcheck.formats.terraform.expressions); dynamic blocks
written out.

What the evaluator cannot know (variables without value, data sources, module outputs of modules it cannot
read, functions it does not model, unknown counts) becomes an Unknown naming its origin.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

from pullcheck.formats.terraform.budget import CHARS_PER_READ, READS_PER_STEP, TEXT_PER_ITEM, Budget
from pullcheck.formats.terraform.declared import MAX_INSTANCES, Declared, ModuleGroup, ModuleValue
from pullcheck.formats.terraform.expressions import Evaluator
from pullcheck.formats.terraform.hcl import Node
from pullcheck.formats.terraform import variables
from pullcheck.formats.terraform.syntax import Body, JsonExpr, Known, pos_of
from pullcheck.graph.values import MAX_STRING, Missing, Template, Undeclared, Unknown
from pullcheck.sources.errors import ParseError, read_text
from pullcheck.sources.session import current

DATA_KINDS = ("aws_iam_policy_document", "aws_iam_policy", "aws_ecs_task_definition", "aws_ecs_cluster", "aws_subnets", "aws_subnet", "aws_vpc", "aws_security_group",
              "aws_security_groups", "aws_route_table", "aws_vpc_endpoint")


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
        # on a root module: its resources taken as terraform console takes them without state, their
        # instances unknown (length(aws_x.counted) too), to be held to its answers (pullcheck console)
        self.stateless = False
        self.call_ctx: Dict[str, Any] = {}  # what the call's arguments read: count.index, each.key, each.value
        self.caller: Any = None
        self.budget: Budget = Budget()  # shared with the modules it calls (set when it is called)
        self.budget.files = self  # the file functions read relative to the root module, as file() does
        self.made = [0]  # module instances of the configuration, shared the same way
        self.call_file = ""  # the file of the module block that calls this instance
        self.input_files: Dict[str, str] = {}  # the call's arguments written in another file (an override)
        self.model_call: Any = None  # (file, position, {attribute: span}) for a modelled registry module
        self.unknown_instances: Any = None  # the Unknown of a call's count or for_each this instance stands for
        self.shadows: List["Module"] = []  # such instances of its calls: built, their resources conditional
        self.resources: Dict[str, Declared] = {}
        self.declared_at: Dict[str, Tuple[str, int]] = {}  # what the module declares -> (file, line) first
        self.variables: Dict[str, Any] = {}
        self.var_values: Dict[str, Any] = {}  # each variable's value, computed on first use
        self.var_types: Dict[str, Any] = {}  # each variable's type constraint, read on first use
        self.assigned: Dict[str, Any] = {}  # on a root module: what its variables are given (variables.Assigned)
        self.locals: Dict[str, Any] = {}
        self._local_values: Dict[str, Any] = {}
        self.instance_cache: Dict[str, Any] = {}
        self.stack: List[str] = []  # what is being computed (on the root module), to name a cycle
        self.data: set = set()
        self.template_files: Dict[str, Body] = {}
        self.remote_states: Dict[str, Body] = {}  # data "terraform_remote_state" blocks, by name
        # on a root module: what reads a remote state's outputs (pullcheck.formats.terraform.remote_state), or None
        self.states: Any = None
        self.provider: Any = None
        # what the module's resources can read besides their own block, for a language server's reuse of
        # a resource built before (the session's tf_built): every other block, and each resource's name and count
        self.defs: List[Any] = []
        self.file_reads = [0]  # file() / templatefile() calls: a file on disk is not in the defs
        self.files: Dict[str, Any] = {}  # on the root module: what each file read gave, read once per run

    def output(self, name: str) -> Any:
        if name not in self.outputs:
            where = self.prefix.rstrip('.') or self.folder
            if self.model_call is not None:  # pullcheck's model of a registry module has only some outputs
                return Unknown(f"output {name} of {where}")
            return Missing(f"Unsupported attribute: {where} has no output {name}")
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

    def path_value(self, name: str) -> Any:
        """``path.module``, ``path.root`` and ``path.cwd`` as Terraform gives them when it runs in the root
        module's folder, wherever pullcheck runs: the module's folder relative to the root's ("." for the
        root itself, "modules/web" for a module it calls), "." for the root, and the root's folder as an
        absolute path. A relative one is read from the root's folder again (read_file), as Terraform does."""
        root = self.root_folder()
        if name == "module":
            return os.path.relpath(self.folder, root).replace(os.sep, "/")
        if name == "root":
            return "."
        if name == "cwd":
            return os.path.abspath(root).replace(os.sep, "/")
        return Unknown(f"path.{name}")

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
        elif not os.path.lexists(full) and os.path.abspath(full) not in (current().overlay or {}):
            got = Missing(f"no file exists at {path}")  # inside the scanned tree, so not there: an error
        elif not os.path.isfile(full) and os.path.abspath(full) not in (current().overlay or {}):
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

    def add_body(self, body: Body) -> List[Tuple[str, Tuple[int, ...]]]:
        """A (non-override) file's declarations added to the module; each one declared before, in this file
        or another of the module, as (why, position): Terraform refuses such a module ("Duplicate resource
        configuration"). The first declaration is kept and the repeat left out, so the rest of the module
        is still linted with the definition a reader meets first; the finding points at the repeat."""
        repeats: List[Tuple[str, Tuple[int, ...]]] = []
        for name, labels, b, pos in body.blocks:
            key = _declaration(name, labels)
            if name == "locals":
                fresh: Dict[str, Any] = {}
                for k, t in b.attrs.items():
                    first = self.declared_at.get(f"local.{k}")
                    at = b.attr_at.get(k) or pos_of(t)[:2]
                    if first is None:
                        self.declared_at[f"local.{k}"] = (body.file, at[0])
                        fresh[k] = t
                    else:
                        repeats.append((_repeat(f"local value {k}", first), at))
                b = Body.made(b.file, fresh, b.blocks) if len(fresh) < len(b.attrs) else b
            elif key:
                first = self.declared_at.get(key)
                if first is not None:
                    repeats.append((_repeat(key.replace(".", " ", 1), first), pos))
                    continue
                self.declared_at[key] = (body.file, pos[0])
            self._declare(name, labels, b, pos, body.file)
        return repeats

    def _declare(self, name: str, labels: List[str], b: Body, pos: Tuple[int, ...], file: str) -> None:
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
            if labels[0] == "terraform_remote_state" and "count" not in b.attrs and "for_each" not in b.attrs:
                self.remote_states[labels[1]] = b
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
            self.calls[labels[0]] = (b, pos, file)
        elif name == "output" and labels and "value" in b.attrs:
            self.outputs[labels[0]] = b.attrs["value"]

    def evaluator(self, ctx: Dict[str, Any]) -> "Evaluator":
        return Evaluator(self, ctx)

    def child_value(self, name: str) -> Any:
        """``module.<name>``: the called module as a value, or why it cannot be one."""
        if name not in self.children and name not in self.calls:
            return Undeclared(f"module.{name} is not declared in the module")
        child = self.children.get(name)
        if isinstance(child, Module):
            return ModuleValue(child)
        if isinstance(child, ModuleGroup):
            return child.value()
        return child if isinstance(child, Unknown) else Unknown(f"output of module {name}")

    def remote_state(self, name: str) -> Any:
        """``data.terraform_remote_state.<name>.outputs``: the outputs of the root module of the run that keeps
        that state (the module as a value), or an Unknown naming the state; None when the run links no states
        (then the data source is unknown as any other)."""
        body, link = self.remote_states.get(name), self.root().states
        if body is None or link is None:
            return None
        self.file_reads[0] += 1  # another root's files: what reads them is not kept between an editor's runs
        return self.once(self._local_values, f"remote state {name}",
                         f"{self.prefix}data.terraform_remote_state.{name}", lambda: link(self, body, name))

    def var(self, name: str) -> Any:
        return self.once(self.var_values, name, f"{self.prefix}var.{name}", lambda: variables.value(self, name))

    def local(self, name: str, depth: int) -> Any:
        if name not in self.locals:
            return Undeclared(f"local.{name} is not declared")
        if depth > 40:
            return Unknown(f"local.{name} cannot be evaluated")
        return self.once(self._local_values, name, f"{self.prefix}local.{name}",
                         lambda: Evaluator(self, {}, depth + 1).eval(self.locals[name]))


_BUSY = object()  # a value being computed


def _declaration(name: str, labels: List[str]) -> str:
    """The name a top-level block declares in its module, as one key ("resource.aws_vpc.main"), or "" for
    a block that may be written more than once (provider, terraform, moved, import, ...)."""
    if name in ("resource", "data") and len(labels) == 2:
        return f"{name}.{labels[0]}.{labels[1]}"
    if name in ("variable", "module", "output") and len(labels) == 1:
        return f"{name}.{labels[0]}"
    return ""


def _repeat(what: str, first: Tuple[str, int]) -> str:
    return (f"duplicate {what} (first at {os.path.basename(first[0])}:{first[1]}): Terraform refuses a module "
            f"that declares a name twice; the first is the one linted, remove one of them")


def _text(t: Any) -> Any:
    return t.text() if isinstance(t, Node) else (None if t is None else repr(getattr(t, "value", t)))


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
    out = Body.made(body.file, body.attrs, blocks)
    out.attr_files = body.attr_files
    return out


def _written(body: Body, ev: "Evaluator") -> Body:
    """A dynamic block's content with its attributes evaluated under the iterator."""
    expanded = expand_dynamic(body, ev)
    attrs = {k: Known(ev.eval(t), pos_of(t)) for k, t in expanded.attrs.items()}
    blocks = [(n, labels, _written(b, ev) if n != "dynamic" else b, p) for n, labels, b, p in expanded.blocks]
    out = Body.made(body.file, attrs, blocks)
    out.attr_files = body.attr_files
    return out


def _for_each_items(v: Any) -> Any:
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return list(v.items()) if len(v) <= MAX_INSTANCES else None
    if isinstance(v, list) and not isinstance(v, Template):
        if len(v) > MAX_INSTANCES:
            return None
        return list(enumerate(v))
    return None
