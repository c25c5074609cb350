"""Terragrunt units: a folder with a ``terragrunt.hcl`` is linted as the Terraform module its
``terraform { source }`` names, used as a root module whose variables are the unit's ``inputs`` (given as
Terragrunt gives them, as ``TF_VAR_`` values: the module's variables files and the run's ``--var-file`` and
``--var`` still win, and each value is converted to its variable's type).

The unit's configuration is merged with the files its ``include`` blocks name as Terragrunt merges them:
``inputs`` shallow (a key of the unit replaces the included one) unless ``merge_strategy = "deep"``
(maps merged key by key, lists joined), nothing with ``"no_merge"``; the ``terraform`` source and the
``dependency`` blocks of the unit win over the included ones. Locals are never merged: each file has its
own, and an included file's are ``include.<name>.locals`` when the include has ``expose = true``.

``dependency.<name>.outputs.<output>`` is that output of the configuration in ``config_path``, when that
unit is linted in the same run (the values of its module, as a module call's outputs are read); otherwise it
is an unknown that waits on that unit. ``mock_outputs`` are never taken: they stand in for a plan only.

A source that is not a local folder (``git::``, ``tfr://``, a URL) is a module that is not on disk: the unit
builds nothing and the module is named in the run's account (``pullcheck.facts.verdicts.not_on_disk``).
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts.verdicts import not_on_disk, unit_inputs
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.hcl_nodes import key_name
from pullcheck.formats.terraform.syntax import Body, pos_of
from pullcheck.formats.terraform.variables import Assigned
from pullcheck.formats.terragrunt.config import Config, Context, OutOfScope, parse, shown_inputs
from pullcheck.graph.model import Graph
from pullcheck.graph.values import Unknown, shown
from pullcheck.sources import interrupt, scope
from pullcheck.sources.errors import ParseError

FILE = "terragrunt.hcl"
_CACHE = "terragrunt unit "  # graph.inputs.tf_folders keys: each unit read once per run
_OUTPUTS = "terragrunt outputs "
_BUSY = "terragrunt units being read"
_BUILT = "terragrunt built "
_REMOTE = re.compile(r"^[A-Za-z0-9+.-]+::|://|^git@|^(github\.com|bitbucket\.org|gitlab\.com)/")

Errors = List[Tuple[str, ParseError]]


def is_unit(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, FILE))


class Unit:
    """A unit as read: its module's folder (or why there is none to read) and its inputs, each with the
    file and line that set it."""

    def __init__(self, folder: str) -> None:
        self.folder = folder.replace(os.sep, "/")
        self.module_folder: Any = Unknown(f"the unit {self.folder} names no Terraform module")
        self.read: Optional[_Read] = None
        self.inputs: Optional[Dict[str, Tuple[Any, str, int]]] = None
        self.computing = False
        self.modelled = False  # its source is a registry module pullcheck has a model of

    def assigned(self) -> Dict[str, Assigned]:
        """Its inputs as variables files' values are given, evaluated on first use: a dependency's outputs are
        known once the run knows which units it lints."""
        if self.inputs is None:
            self.computing = True  # a dependency that leads back here finds it so (a cycle)
            try:
                inputs, where = self.read.inputs() if self.read is not None else ({}, {})
            finally:
                self.computing = False
            self.inputs = {k: (v, *where[k]) for k, v in inputs.items()} if isinstance(inputs, dict) else {}
        out = {}
        for name, (value, file, line) in self.inputs.items():
            said = f"the input {name} in {file}:{line}"
            if isinstance(value, str):  # TF_VAR_ text: read as the variable's type says ("[\"a\"]" is a list)
                out[name] = Assigned(said, text=value)
            else:
                out[name] = Assigned(said, expr=shown_inputs(value, said), literal=True)
        return out


class _Read:
    """A configuration file merged with the files it includes."""

    def __init__(self, own: Config) -> None:
        self.own = own
        self.parents: List[Tuple[str, Config, bool, str]] = []  # (label, included file, expose, merge strategy)
        self.unread: List[str] = []  # includes whose path cannot be known, and why
        self.source_at: Tuple[str, Tuple[int, ...]] = (own.body.file, (1, 1))  # where the source is written
        self.input_at: Dict[str, Tuple[str, Tuple[int, ...]]] = {}  # where each input is written
        self.written: Dict[str, Any] = {}  # the expression of each input written in an inputs object literal

    def files(self) -> List[Config]:
        """The files merged into the configuration, in Terragrunt's order (an include with ``no_merge`` is
        read for what it exposes only)."""
        return [p for _, p, _, s in self.parents if s != "no_merge"] + [self.own]

    def inputs(self) -> Tuple[Dict[str, Any], Dict[str, Tuple[str, int]]]:
        """The merged inputs, and where each top-level one is written."""
        merged: Dict[str, Any] = {}
        where: Dict[str, Tuple[str, int]] = {}
        deep = any(s == "deep" for _, _, _, s in self.parents)
        for c in self.files():
            t = next((b.attrs["inputs"] for b in [c.body] if "inputs" in b.attrs), None)
            if t is None:
                continue
            v = c.value(t)
            if not isinstance(v, dict):  # inputs that cannot be known: the variables they set stay without value
                continue
            kpos = getattr(v, "kpos", {}) or {}
            for k, item in v.items():
                merged[k] = _deep(merged[k], item) if deep and k in merged else item
                self.input_at[k] = (c.body.file, kpos.get(k) or pos_of(t))
                where[k] = (c.body.file, self.input_at[k][1][0])
            for e in t.a if getattr(t, "kind", None) == "object" else ():  # a later file's input replaces it
                name = key_name(e.a)
                if isinstance(name, str):
                    self.written[name] = e.b
        return merged, where

    def source(self) -> Tuple[Any, str, int]:
        """The terraform block's source (the unit's, else the last included file's), and where it is."""
        found: Tuple[Any, str, int] = (None, self.own.body.file, 1)
        for c in self.files():
            for b in c.body.block_list("terraform"):
                if "source" in b.attrs:
                    found = (c.value(b.attrs["source"]), c.body.file, pos_of(b.attrs["source"])[0])
                    self.source_at = (c.body.file, pos_of(b.attrs["source"]))
        return found

    def dependencies(self) -> Dict[str, Tuple[Config, Body]]:
        out: Dict[str, Tuple[Config, Body]] = {}
        for c in self.files():
            for name, labels, b, _ in c.body.blocks:
                if name == "dependency" and labels:
                    out[labels[0]] = (c, b)
        return out


def _deep(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _deep(base[k], v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(over, list):
        return list(base) + list(over)
    return over


def _assemble(path: str, ctx: Context, errors: Errors) -> _Read:
    """A configuration file, the files its include blocks name, and the names its expressions read."""
    own = Config(path, parse(path, ctx), ctx.within(ctx.unit_dir, path))
    read = _Read(own)
    for name, labels, b, pos in own.body.blocks:
        if name != "include" or "path" not in b.attrs:
            continue
        label = labels[0] if labels else ""
        target = own.attr(b, "path")
        if not isinstance(target, str):
            why = target.origin if isinstance(target, Unknown) else f"its path {shown(target)} cannot be known"
            read.unread.append(f"include {label or '(unnamed)'}: {why}")
            continue
        full = ctx.resolve(target)
        try:
            body = parse(full, own.ctx)
        except OutOfScope as e:  # not an error of the file: what the run may read ends there
            read.unread.append(f"include {label or '(unnamed)'}: {e.message}")
            continue
        except ParseError as e:
            errors.append((own.body.file, ParseError(f"include {label or '(unnamed)'}: {e.message}", pos[0], pos[1])))
            continue
        parent = Config(full, body, own.ctx.within(ctx.unit_dir, full), included_by=path)
        own.includes[label] = full
        strategy = own.attr(b, "merge_strategy")
        read.parents.append((label, parent, own.attr(b, "expose") is True,
                             strategy if isinstance(strategy, str) else "shallow"))
    deps = read.dependencies()
    exposed = {label: p for label, p, expose, _ in read.parents if expose}

    def names(space: str, name: str) -> Any:
        if space == "dependency":
            if name not in deps:
                return Unknown(f"dependency.{name} is not declared")
            c, b = deps[name]
            where = c.attr(b, "config_path")
            if not isinstance(where, str):
                return Unknown(f"dependency {name}: its config_path cannot be evaluated")
            return {"outputs": ctx.outputs(ctx.resolve(where), where)}
        parent = exposed.get(name)
        if parent is None and "" in exposed and name in ("locals", "inputs"):
            return _exposed(exposed[""])[name]
        if parent is None:
            return Unknown(f"include.{name}: no include of that name with expose = true")
        return _exposed(parent)

    for c in read.files():
        c.names = names
    return read


def _exposed(parent: Config) -> Dict[str, Any]:
    t = parent.body.attrs.get("inputs")
    return {"locals": parent.all_locals(), "inputs": parent.value(t) if t is not None else {}}


def read_as_value(path: str, ctx: Context) -> Any:
    """What read_terragrunt_config() gives: the file's locals, inputs and dependencies' outputs, evaluated in
    the file's own folder; an unknown when it cannot be read."""
    inner = ctx.within(os.path.dirname(path), path)
    inner.chain = ctx.chain
    try:
        read = _assemble(path, inner, [])
    except ParseError as e:
        return Unknown(f"read_terragrunt_config(\"{ctx.shown(path)}\"): {e.message}")
    inputs, _ = read.inputs()
    return {"locals": read.own.all_locals(), "inputs": inputs,
            "dependency": {k: read.own.names("dependency", k) for k in read.dependencies()}}


def load(folder: str, graph: Graph, errors: Optional[Errors]) -> Unit:
    """The unit in ``folder``, read once per run; its errors go to the first caller that collects them."""
    key = _CACHE + os.path.abspath(folder)
    cache = graph.inputs.tf_folders
    if key not in cache:
        found: Errors = []
        cache[key] = [_load(folder, graph, found), found, False]
    entry = cache[key]
    if errors is not None and not entry[2]:
        errors.extend(entry[1])
        entry[2] = True
    return entry[0]


def _load(folder: str, graph: Graph, errors: Errors) -> Unit:
    unit = Unit(folder)
    given = graph.inputs.tf_given
    ctx = Context(folder, not os.path.isabs(folder), bool(given is not None and given.environment),
                  lambda full, written: _outputs(graph, ctx, full, written))
    ctx.read = read_as_value
    path = os.path.abspath(os.path.join(folder, FILE))
    try:
        read = _assemble(path, ctx, errors)
    except ParseError as e:
        errors.append((os.path.join(folder, FILE), e))
        return unit
    source, file, line = read.source()
    unit.module_folder = _module_folder(unit, ctx, source, file, line, graph)
    # a configuration with no module at all is one that units include (an old-style root terragrunt.hcl)
    if isinstance(unit.module_folder, Unknown) and not _REMOTE.search(str(source)) and (
            source is not None or read.unread):
        why = "; ".join([unit.module_folder.origin] + read.unread)
        if read.unread:
            why += " (name a folder that holds what it includes, or --root)"
        graph.inputs.skipped.append((os.path.join(folder, FILE).replace(os.sep, "/"), why))
    unit.read = read
    return unit


def _module_folder(unit: Unit, ctx: Context, source: Any, file: str, line: int, graph: Graph) -> Any:
    """The folder of the unit's Terraform module, or why it cannot be read."""
    if source is None:  # no terraform block: the unit's own .tf files are its module
        return unit.folder if any(n.endswith((".tf", ".tf.json")) for n in _names(unit.folder)) else \
            Unknown(f"the unit {unit.folder} names no Terraform module")
    if not isinstance(source, str):
        return source if isinstance(source, Unknown) else Unknown(f"the source of the unit {unit.folder}")
    if _REMOTE.search(source):
        from pullcheck.formats.terraform.models import model_folder

        model = model_folder(source)
        if model is not None:  # a registry module read from pullcheck's model of it, as a module call's is
            unit.modelled = True
            return model
        graph.inputs.skipped.append((file, not_on_disk(source, line)))  # named by the account
        return Unknown(f"module of the unit {unit.folder} comes from {source}, which is not downloaded here")
    full = ctx.resolve(source.split("?", 1)[0].replace("//", "/"))
    if not scope.readable(full):
        return Unknown(f"the module of the unit {unit.folder} lies outside the paths this run reads "
                       f"(name a folder that holds it, or --root)")
    if not os.path.isdir(full):
        return Unknown(f"the module of the unit {unit.folder}: no folder {source}")
    return ctx.shown(full)


def _names(folder: str) -> List[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _outputs(graph: Graph, ctx: Context, full: str, written: str) -> Any:
    """The outputs of the configuration in ``full``, a dependency written ``written``: known only when that
    unit is in the run (within the paths it reads), whose resources are then built once, wherever a part of
    the run asks for them first."""
    said = ctx.shown(full) if os.path.isabs(written) else written
    if not scope.readable(full) or not is_unit(full):
        return Unknown(f"outputs of the unit {said}, which is not in the run")
    unit = load(ctx.shown(full), graph, None)
    if isinstance(unit.module_folder, Unknown):
        return Unknown(f"outputs of the unit {said}, whose module cannot be read ({unit.module_folder.origin})")
    cache = graph.inputs.tf_folders
    key = _OUTPUTS + full
    if key in cache:
        return cache[key]
    busy = cache.setdefault(_BUSY, set())
    if full in busy or unit.computing:
        return Unknown(f"outputs of the unit {written}, whose dependencies lead back to it (a cycle)")
    busy.add(full)
    try:
        module = _built(ctx.shown(full), graph)[0]
        cache[key] = {k: module.output(k) for k in sorted(module.outputs)}
    finally:
        busy.discard(full)
    return cache[key]


def _built(folder: str, graph: Graph) -> list:
    """[root module, parse errors, whether they were reported] of a unit whose resources are in the graph."""
    key = _BUILT + os.path.abspath(folder)
    cache = graph.inputs.tf_folders
    if key not in cache:
        from pullcheck.formats.terraform.modules import build_root

        module, errors = build_root(folder, graph)
        name_resources(module, graph)
        unread_generated(module, graph)
        cache[key] = [module, errors, False]
    return cache[key]


def load_built(folder: str, graph: Graph) -> Errors:
    """A unit linted as a root of the run: built unless a dependency built it already; its errors once."""
    entry = _built(folder, graph)
    if entry[2]:
        return []
    entry[2] = True
    return entry[1]


def root_of(folder: str, graph: Graph, errors: Errors) -> Module:
    """The root module a unit is linted as: its module's folder, the instance named by the unit's folder
    (two units of one module stay apart), its variables given the unit's inputs."""
    unit = load(folder, graph, errors)
    if isinstance(unit.module_folder, Unknown):
        return Module(folder)
    module = Module(unit.module_folder, unit.folder)
    module.assigned.update(unit.assigned())
    if unit.modelled and unit.read is not None:  # findings on the model point at the unit: its source, its inputs
        from pullcheck.formats.terraform.models import MODEL_INPUTS
        from pullcheck.graph.model import Span

        file, pos = unit.read.source_at
        at = unit.read.input_at
        module.model_call = (file, pos, {out: Span.at(at[i][1], at[i][0]) for out, i in MODEL_INPUTS.items()
                                         if i in at})
        # a map of entries written out (the ECS module's services): each instance at its entry
        module.inputs = {k: v for k, v in unit.read.written.items() if at.get(k, ("",))[0] == file}
    given = unit_inputs(graph)
    if unit.folder not in given and unit.inputs:
        given[unit.folder] = [(k, v, file, line) for k, (v, file, line) in sorted(unit.inputs.items())]
    return module


def called(folder: str, graph: Graph) -> List[str]:
    """The absolute folder of the unit's module (it is linted through the unit, not on its own)."""
    try:
        unit = load(folder, graph, None)
    except (Exception, RecursionError):  # said when the unit itself is linted; the other folders go on
        interrupt.check()
        return []
    return [] if isinstance(unit.module_folder, Unknown) else [os.path.abspath(unit.module_folder)]


def unread_generated(module: Module, graph: Graph) -> None:
    """The resources of a module file that a generate block writes over with contents that cannot be read:
    whether they exist at all is unknown, so they are judged by nothing and each says why."""
    from pullcheck.formats.terragrunt.generate import UNREAD

    unread = graph.inputs.tf_folders.get(UNREAD + os.path.abspath(module.dir), {})
    if not unread:
        return
    for r in graph.resources.values():
        why = unread.get(os.path.abspath(r.file)) if r.key.startswith(module.dir + ":") else None
        if why is not None:
            r.attrs["conditional"] = True
            r.attrs["instances"] = Unknown(why)


def name_resources(module: Module, graph: Graph) -> None:
    """The unit in the name of each resource built from it: a finding in the module's file says which unit's
    inputs made it."""
    if module.dir == module.folder:
        return
    mark = f" (unit {module.dir})"
    for prefix in (module.dir + ":", module.dir + "/module."):
        for r in graph.resources.values():
            if r.key.startswith(prefix) and not r.name.endswith(mark):
                r.name += mark
