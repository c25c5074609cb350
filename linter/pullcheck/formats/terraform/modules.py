"""Loading a Terraform folder as a root module with the modules it calls (local, downloaded by
``terraform init``, or modelled registry modules), and its resources into the graph."""
from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.sources import scope
from pullcheck.graph import suppressions as suppress
from pullcheck.graph.model import Graph, Span
from pullcheck.sources.errors import ParseError, read_text
from pullcheck.sources.session import current
from pullcheck.sources.marked import Unchanged, load_json
from pullcheck.formats.terraform.build import KINDS, build
from pullcheck.formats.terraform.budget import MAX_BUILT, MAX_STEPS
from pullcheck.formats.terraform import overrides, remote_state, variables
from pullcheck.formats.terraform.declared import ModuleGroup, ModuleValue, expansion
from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.hcl import Node
from pullcheck.formats.terraform.hcl_nodes import key_name
from pullcheck.formats.terraform.models import MODEL_INPUTS, model_folder
from pullcheck.formats.terraform.overrides import is_override
from pullcheck.formats.terraform.syntax import Body, json_body, pos_of, read, read_pieces
from pullcheck.graph.values import Unknown

MAX_MODULE_DEPTH = 10
MAX_MODULE_INSTANCES = 1_000  # module instances per root configuration


def _parse_folder(folder: str, graph: Graph, errors: Optional[List[Tuple[str, ParseError]]], ext: str = ".tf"
                  ) -> Any:
    """What a folder holds (see _read_folder), parsed once per run. Its parse
    errors go to the first caller that collects them (``errors`` not None)."""
    cache = graph.inputs.tf_folders
    key = os.path.abspath(folder)
    if key not in cache:
        found: List[Tuple[str, ParseError]] = []
        cache[key] = [_read_folder(folder, graph, found, ext), found, False]
    entry = cache[key]
    if errors is not None and not entry[2]:
        errors.extend(entry[1])
        entry[2] = True
    return entry[0]


def _read_cached(text: str, path: str) -> Body:
    """A file's parse. The language server's session keeps each file's parse by its text: on a keystroke only
    the edited buffer is read again, not its whole folder. A run of the command keeps nothing."""
    parsed = current().tf_parsed
    if parsed is None:
        return read(text, path)
    if len(parsed) > 5000:
        parsed.clear()
    return read_pieces(text, path, parsed)


def _read_folder(folder: str, graph: Graph, errors: List[Tuple[str, ParseError]], ext: str = ".tf") -> Any:
    """(bodies of the folder's files, bodies of its override files, its automatic variables files as
    (name, parse)), each list in the order Terraform reads them."""
    overlay = current().overlay
    try:
        names = os.listdir(folder)
    except OSError as e:
        errors.append((folder, ParseError(f"cannot read folder: {e.strerror}")))
        return None
    if overlay:  # an editor's new file, not yet saved, is part of its folder
        here = os.path.abspath(folder)
        names += [os.path.basename(p) for p in overlay if os.path.dirname(p) == here
                  and os.path.basename(p) not in names]
    names.sort()
    bodies: List[Body] = []
    overrides: List[Body] = []
    for n in names:
        path = os.path.join(folder, n)
        if n.endswith((ext, ".tf.json", ".tfvars", ".tfvars.json")) and _linked_out(path):
            root = _holding(folder, os.path.realpath(path))
            errors.append((path, ParseError("a symbolic link that leads out of the scanned tree: not read"
                                            + (f" (--root {root} reads it)" if root else ""))))
            continue
        into = overrides if ext == ".tf" and is_override(n) else bodies
        if ext == ".tf" and n.endswith(".tf.json") and os.path.isfile(path):
            try:  # Terraform's JSON syntax (what cdktf writes)
                into.append(json_body(load_json(read_text(path)), norm_path(path)))
            except ParseError as e:
                errors.append((path, e))
        elif n.endswith(ext) and (os.path.isfile(path) or os.path.abspath(path) in overlay):
            try:
                text = read_text(path)
                suppress.scan_text(graph, norm_path(path), text)
                into.append(_read_cached(text, norm_path(path)))
            except ParseError as e:
                errors.append((path, e))
    var_files = []
    readable = [n for n in names if os.path.isfile(os.path.join(folder, n))
                or os.path.abspath(os.path.join(folder, n)) in overlay]
    for n in variables.automatic(readable if ext == ".tf" else []):
        path = os.path.join(folder, n)
        if _linked_out(path):
            continue  # said above
        try:
            var_files.append((n, _read_var_file(path)))
        except ParseError as e:
            errors.append((path, e))
    return bodies, overrides, var_files


def _read_var_file(path: str) -> Any:
    text = read_text(path)
    return variables.checked(load_json(text) if path.endswith(".json") else _read_cached(text, norm_path(path)))


def _run_var_file(path: str, graph: Graph, errors: List[Tuple[str, ParseError]]) -> Any:
    """What a --var-file of the run assigns: read once per run (its errors said once), and only inside the
    run's scope (pullcheck.sources.scope), as any file the run reads beyond its own."""
    key = "--var-file " + os.path.abspath(path)
    cache = graph.inputs.tf_folders
    if key not in cache:
        found: List[Tuple[str, ParseError]] = []
        got: Dict[str, Any] = {}
        if not scope.readable(path):
            found.append((path, ParseError("a --var-file outside the paths this run reads: not read")))
        else:
            try:
                got = variables.assigned_in(_read_var_file(path), path)
            except ParseError as e:
                found.append((path, e))
        cache[key] = [got, found, False]
    entry = cache[key]
    if not entry[2]:
        errors.extend(entry[1])
        entry[2] = True
    return entry[0]


def _linked_out(path: str) -> bool:
    """A file reached through a symbolic link that leads out of the run's scope (pullcheck.sources.scope): not read,
    so that a link in a pull request cannot bring a file of the machine into a finding. (A module folder
    outside the scope is not read either: see _instantiate.)"""
    try:
        return os.path.realpath(path) != os.path.abspath(path) and not scope.readable(path)
    except (OSError, ValueError):
        return True


def _source(module: Module, body: Body) -> Any:
    """A module call's ``source``, evaluated in the calling module."""
    src = body.attrs.get("source")
    return module.evaluator({}).eval(src) if src is not None else None


def _is_local(source: Any) -> bool:
    return isinstance(source, str) and source.startswith(("./", "../"))


def _module_source(module: Module, name: str, body: Body, root: str) -> Any:
    """The folder a module call loads: a local path, or what `terraform init` downloaded (modules.json)."""
    source = _source(module, body)
    if not isinstance(source, str):
        return Unknown(f"source of module {name} cannot be evaluated")
    if _is_local(source):
        where = os.path.normpath(os.path.join(module.folder, source))
        return ("model", where) if module.model_call is not None else where  # a model calls models only
    key = re.sub(r'\[[^\]]*\]', "", module.prefix.replace("module.", "") + name).rstrip(".")
    installed = _installed_modules(root).get(key)
    if installed:
        return installed
    model = model_folder(source)
    if model:
        return ("model", model)
    return Unknown(f"module {name} comes from {source}, which is not downloaded here")


def _installed_modules(root: str) -> Dict[str, str]:
    """Key -> folder from .terraform/modules/modules.json, written by `terraform init`."""
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    if _linked_out(path):
        return {}
    try:
        data = json.loads(read_text(path))
        return {m["Key"]: os.path.normpath(os.path.join(root, m["Dir"])) for m in data.get("Modules", [])
                if isinstance(m, dict) and m.get("Key") and m.get("Dir")}
    except (ParseError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def called_folders(folder: str, graph: Graph) -> List[str]:
    """Absolute folders that the module in ``folder`` calls with a local source (for a Terragrunt unit, the
    folder of its module)."""
    if _is_unit(folder):
        from pullcheck.formats.terragrunt import units

        return units.called(folder, graph)
    parsed = _parse_folder(folder, graph, None)
    module = Module(folder)
    sources: Dict[str, Any] = {}
    for body in (parsed[0] + parsed[1] if parsed else []):  # an override file's source wins
        for name, labels, b, _ in body.blocks:
            if name == "module" and labels and "source" in b.attrs:
                sources[labels[0]] = _source(module, b)
    return [os.path.abspath(os.path.join(folder, s)) for s in sources.values() if _is_local(s)]


def load_module(folder: str, graph: Graph) -> List[Tuple[str, ParseError]]:
    """Parse every .tf file of a folder as one root module, with the local modules it calls, and add their
    resources to the graph."""
    if _is_unit(folder):  # built once per run, also when another unit's dependency asked for it first
        from pullcheck.formats.terragrunt import units

        return units.load_built(folder, graph)
    return build_root(folder, graph)[1]


def build_root(folder: str, graph: Graph) -> Tuple[Module, List[Tuple[str, ParseError]]]:
    """The root module in ``folder`` with its resources in the graph (see root_module)."""
    # the whole tree of module instances first, then their resources: a value can then be read from any
    # module of the tree, whatever order the calls are written in (Terraform does not care either)
    module, errors = root_module(folder, graph)
    _build_resources(module, graph)
    return module, errors


def root_module(folder: str, graph: Graph) -> Tuple[Module, List[Tuple[str, ParseError]]]:
    """The module in ``folder`` as a root, with the tree of module instances it calls (their values computed
    on demand, nothing built into the graph), its variables given what its files and the run
    (graph.inputs.tf_given) give them; and the parse errors met."""
    errors: List[Tuple[str, ParseError]] = []
    if _is_unit(folder):  # a Terragrunt unit: its module's folder, given the unit's inputs
        from pullcheck.formats.terragrunt import units

        module = units.root_of(folder, graph, errors)
    else:
        module = Module(folder)
        module.states = lambda m, body, name: _remote_state(m, body, name, graph)
        parsed = _parse_folder(folder, graph, None)
        if parsed is not None:  # the state this root keeps: another root of the run may read its outputs
            b = remote_state.kept(folder, parsed[0] + parsed[1], _literal(module))
            if b is not None:
                remote_state.tokens(graph)[0].add(remote_state.token(b))
    _instantiate(module, module.folder, graph, errors, 0, (os.path.abspath(module.folder),))
    _forget(module)
    return module, errors


def _literal(module: Module) -> Any:
    ev = module.evaluator({})
    return ev.eval


def _remote_state(module: Module, body: Body, name: str, graph: Graph) -> Any:
    """The outputs of ``data.terraform_remote_state.<name>`` (``body``) read in ``module``: those of the one
    root module of the run that keeps that state, built on its own as the run builds it."""
    ev = module.evaluator({})
    wanted = remote_state.read(ev.eval(body.attrs["backend"]) if "backend" in body.attrs else None,
                               ev.eval(body.attrs["config"]) if "config" in body.attrs else {}, module.root_folder(),
                               ev.eval(body.attrs["workspace"]) if "workspace" in body.attrs else "default")
    if isinstance(wanted, Unknown):
        return Unknown(f"data source data.terraform_remote_state.{name} ({wanted.origin})")
    remote_state.tokens(graph)[1].add(remote_state.token(wanted))
    roots: Dict[str, Any] = {}
    for folder in graph.inputs.tf_roots:
        parsed = None if _is_unit(folder) else _parse_folder(folder, graph, None)
        roots[folder] = remote_state.kept(folder, parsed[0] + parsed[1], _literal(Module(folder))) if parsed else None
    found = remote_state.matching(wanted, roots)
    if len(found) != 1:
        return remote_state.unmatched(name, wanted, found)
    return ModuleValue(_linked_root(found[0], graph))


def _linked_root(folder: str, graph: Graph) -> Any:
    """The root module in ``folder`` as a remote state's outputs read it: made once per run, its parse
    errors left for the run's own load of the folder to report."""
    key = "remote state root " + os.path.abspath(folder)
    cache = graph.inputs.tf_folders
    if key not in cache:
        reported = {k: v[2] for k, v in cache.items() if isinstance(v, list) and len(v) == 3}
        cache[key] = root_module(folder, graph)[0]
        for k, v in cache.items():
            if isinstance(v, list) and len(v) == 3 and v[2] and not reported.get(k):
                v[2] = False
    return cache[key]


def _is_unit(folder: str) -> bool:
    """A Terragrunt unit's folder (pullcheck.formats.terragrunt, read only when the run holds one)."""
    return os.path.isfile(os.path.join(folder, "terragrunt.hcl"))


def _forget(module: Module) -> None:
    """Forget the values computed while the tree was being made (a count or for_each of a call, and what
    it read): one may have read a module not yet made."""
    module._local_values.clear()
    module.var_values.clear()
    module.instance_cache.clear()
    for child in module.children.values():
        for m in child.members if isinstance(child, ModuleGroup) else [child]:
            if isinstance(m, Module):
                _forget(m)


def _instantiate(module: Module, root: str, graph: Graph, errors: List[Tuple[str, ParseError]], depth: int,
                 chain: Tuple[str, ...]) -> None:
    parsed = _parse_folder(module.folder, graph, errors, ".hcl" if module.model_call else ".tf")
    if parsed is None:
        return
    bodies, override_bodies, var_files = parsed
    if module.caller is None and _is_unit(module.dir):  # what the unit's generate blocks write beside them
        from pullcheck.formats.terragrunt.generate import with_generated

        bodies, override_bodies = with_generated(module.dir, bodies, override_bodies, graph, errors)
    for body in bodies:
        for why, at in module.add_body(body):
            errors.append((body.file, ParseError(why, at[0], at[1])))
    for body in override_bodies:  # after every other file, as Terraform merges them
        for why, at in overrides.apply(module, body):
            errors.append((body.file, ParseError(why, at[0], at[1])))
    if module.caller is None:
        variables.assign(module, var_files, graph.inputs.tf_given,
                         lambda path: _run_var_file(path, graph, errors))
    # calls without count or for_each first: a count may read another module's outputs
    calls = sorted(module.calls.items(), key=lambda c: "count" in c[1][0].attrs or "for_each" in c[1][0].attrs)
    for name, (body, pos, file) in calls:
        graph.inputs.module_calls[(norm_path(file), pos[0])] = f"{module.prefix}module.{name}."
        where = _module_source(module, name, body, root)
        if isinstance(where, Unknown) and "not downloaded" in where.origin:  # the account names the call
            where = Unknown(f"{module.prefix}module.{name} ({norm_path(file)}:{pos[0]}) comes from "
                            f"{_source(module, body)}, which is not downloaded here")
        if not isinstance(where, Unknown) and not isinstance(where, tuple) and not scope.readable(where):
            # as file() does: a source cannot bring a folder of the machine in; the run names what it leaves
            where = _outside(module, name, body, (file, pos[0]), where, graph)
        if not isinstance(where, Unknown) and (
                os.path.abspath(_folder(where)) in chain or depth >= MAX_MODULE_DEPTH
                or not os.path.isdir(_folder(where))):
            where = Unknown(f"module {name} cannot be followed")
        if isinstance(where, Unknown):
            module.children[name] = where
            continue
        keys = expansion(module.evaluator({}), body, f"module.{name}")
        unknown = keys if isinstance(keys, Unknown) else None
        if unknown is not None:  # read as one instance of unknown key, whose resources wait on the expansion
            keys = [("[*]", {k: Unknown(unknown.origin) for k in ("count.index", "each.key", "each.value")})]
        counted = "count" in body.attrs
        members: List[Tuple[Any, Module]] = []
        for suffix, ctx in keys:
            child = _child(module, name + suffix, where, (body, pos, file), ctx)
            if child is None:  # a fan-out (4 calls of 4 calls of ...) grows as a power
                module.children[name] = Unknown(f"module {name}: past {MAX_MODULE_INSTANCES} module instances "
                                                f"in one configuration")
                break
            members.append((ctx.get("count.index", ctx.get("each.key")), child))
            child.unknown_instances = unknown
            _instantiate(child, root, graph, errors, depth + 1, chain + (os.path.abspath(child.folder),))
        else:
            if unknown is not None:
                module.children[name], module.shadows = unknown, module.shadows + [members[0][1]]
            elif "count" in body.attrs or "for_each" in body.attrs:
                module.children[name] = ModuleGroup(counted, sorted(members, key=lambda m: m[0]))
            else:
                module.children[name] = members[0][1]


OUTSIDE = ", outside the paths this run reads"


def _outside(module: Module, name: str, body: Body, call: Tuple[str, int], where: str, graph: Graph) -> Unknown:
    """What a module call whose folder lies outside the run's scope stands for, its folder recorded as left
    out of the run (``graph.inputs.skipped``, which a parallel run hands back): the account names it, with
    the launch sites waiting on it and the --root that would read it."""
    address = f"{module.prefix}module.{name} ({norm_path(call[0])}:{call[1]})"
    said = f"{address} comes from {_source(module, body)}{OUTSIDE}"
    root = _holding(module.folder, where)
    left = (norm_path(where), f"{said}: lint from a folder that holds it" + (f", or add --root {root}" if root else ""))
    if left not in graph.inputs.skipped:
        graph.inputs.skipped.append(left)
    return Unknown(said)


def _holding(folder: str, other: str) -> str:
    """The folder that holds both ``folder`` (of the run) and ``other``, written as the run's paths are
    (relative, or absolute): the --root that reads ``other``; "" when only the file system's root does."""
    try:
        common = os.path.commonpath([os.path.abspath(folder), os.path.abspath(other)])
    except ValueError:  # another drive
        return ""
    if os.path.dirname(common) == common:
        return ""
    return norm_path(common if os.path.isabs(folder) else os.path.relpath(common))


def _folder(where: Any) -> str:
    return where[1] if isinstance(where, tuple) else where


def _child(module: Module, name: str, where: Any, call: Tuple[Body, Tuple[int, int], str],
           ctx: Dict[str, Any]) -> Optional[Module]:
    """The module instance ``module.<name>`` (its index or key in the name) that ``call`` makes from the
    folder ``where`` (a tuple: pullcheck's model of a registry module, read wherever pullcheck is installed);
    None past MAX_MODULE_INSTANCES."""
    if module.made[0] >= MAX_MODULE_INSTANCES:
        return None
    module.made[0] += 1
    body, pos, file = call
    child = Module(_folder(where), f"{module.dir}/module.{name}")
    if isinstance(where, tuple) and module.model_call is not None:  # a model's call of a model
        child.model_call = _entry_call(module, body, ctx)
    elif isinstance(where, tuple):  # findings on a modelled module point at its call, at the input that sets it
        child.model_call = (file, pos, {out: Span.at(pos_of(body.attrs[i]), body.attr_files.get(i, ""))
                                        for out, i in MODEL_INPUTS.items() if i in body.attrs})
    child.prefix = f"{module.prefix}module.{name}."
    child.caller = module
    child.call_ctx = ctx
    child.budget = module.budget
    child.made = module.made
    child.file_reads = module.file_reads
    child.call_file = norm_path(file)
    child.input_files = body.attr_files
    child.inputs = {k: v for k, v in body.attrs.items() if k not in ("source", "version", "providers",
                                                                      "depends_on", "count", "for_each")}
    return child


def _entry_call(model: Module, body: Body, ctx: Dict[str, Any]) -> Any:
    """Where findings on an instance that a model's call makes point, in the user's file: at the entry of the
    map it is made from, when its for_each reads a variable the user's call sets to an object written out
    (``services = { api = {...} }``: ``api``, and its attributes named as the inputs are); else at the
    user's call of the model, as the model's own resources."""
    file, pos, inputs = model.model_call
    key = ctx.get("each.key")
    each = body.attrs.get("for_each")
    for name in _vars_read(each) if isinstance(key, str) else []:
        given = model.inputs.get(name)
        if not isinstance(given, Node) or given.kind != "object" or name in model.input_files:
            continue
        for elem in given.a:
            k, v = elem.a, elem.b
            if key_name(k) != key:
                continue
            attrs = {key_name(e.a): e.b for e in (v.a if v.kind == "object" else [])}
            return (file, k.pos(), {out: Span.at(pos_of(attrs[i])) for out, i in MODEL_INPUTS.items()
                                    if i in attrs})
    return model.model_call


def _vars_read(t: Any) -> List[str]:
    """The variables an expression reads (``var.NAME``), in the order written."""
    out: List[str] = []
    stack = [t]
    while stack:
        n = stack.pop()
        if isinstance(n, Node):
            if n.kind == "attr" and isinstance(n.a, Node) and n.a.kind == "var" and n.a.a == "var":
                out.append(n.b)
                continue
            stack.extend(reversed([n.a, n.b, n.c, n.d]))
        elif isinstance(n, (list, tuple)):
            stack.extend(reversed(n))
    return out


class _Added(list):
    """What a build adds to the graph, in order."""

    def add(self, r: Any) -> None:
        self.append(r)


def _build_resources(module: Module, graph: Graph) -> None:
    """The resources of a module instance and of the instances it calls, into the graph. The language
    server's session keeps each resource's build: a resource whose block is the same parse and whose module
    reads the same blocks (every block but the resources, whose names and counts only can be read) is not
    evaluated again. A run of the command keeps nothing."""
    built = current().tf_built
    for child in list(module.children.values()) + module.shadows:
        if isinstance(child, Module):
            _build_resources(child, graph)
        elif isinstance(child, ModuleGroup):
            for _, member in child.members:
                _build_resources(member, graph)
    budget = module.budget
    reuse = built is not None and not _modelled(module) and budget.steps < MAX_STEPS // 2 \
        and budget.items < MAX_BUILT // 2
    defs = _defs(module) if reuse else None
    unchanged = Unchanged(defs or [])
    for res in module.resources.values():
        kind = KINDS.get(res.rtype)
        if kind is None:
            continue
        key = (module.dir, res.address)
        if reuse and built is not None:
            kept = built.get(key)
            if kept is not None and kept[0] is res.body and unchanged(kept[1]):
                for r in kept[2]:
                    graph.add(r)
                budget.steps += kept[3]
                budget.items += kept[4]
                continue
        added = _Added()
        steps, items, reads = budget.steps, budget.items, module.file_reads[0]
        insts = res.instances()
        if isinstance(insts, Unknown):
            # How many there are is unknown (maybe none): one stand-in marked conditional, so that a route,
            # association or endpoint that may exist makes the verdicts that depend on it unknown.
            origin = Unknown(insts.origin)
            build(module, res, kind, "[?]", {"count.index": origin, "each.key": origin, "each.value": origin},
                  added, conditional=True)
            for r in added:
                r.attrs["instances"] = origin  # what the count or for_each waits on
        else:
            for suffix, ctx in insts:
                build(module, res, kind, suffix, ctx, added)
        for r in added:
            graph.add(r)
        if reuse and built is not None and module.file_reads[0] == reads:
            if len(built) > 50_000:
                built.clear()
            built[key] = (res.body, defs, added, budget.steps - steps, budget.items - items)
    _settle(module, graph)


def _settle(module: Module, graph: Graph) -> None:
    """A modelled module's resources moved to the call that makes them; those of an instance of unknown
    key (and of what it calls) conditional on the count or for_each: how many exist is unknown."""
    if module.model_call is not None:
        file, pos, inputs = module.model_call
        prefix = module.dir + ":"
        for r in graph.resources.values():
            if r.key.startswith(prefix):
                r.file, r.span = file, Span.at(pos)
                r.spans = {k: inputs.get(k[0], r.span) for k in r.spans}
                for out, span in inputs.items():
                    r.spans.setdefault((out,), span)
    if module.unknown_instances is not None:
        for r in graph.resources.values():
            if r.key.startswith((module.dir + ":", module.dir + "/module.")):
                r.attrs.update(conditional=True, instances=module.unknown_instances)


def _modelled(module: Module) -> bool:
    """A modelled registry module, or one inside it: its resources are moved to the call after building."""
    m: Any = module
    while m is not None:
        if m.model_call is not None:
            return True
        m = m.caller
    return False


def _defs(module: Module) -> List[Any]:
    """What the module instance's resources can read: its blocks but the resources, its resources' names
    and counts, its variables files, and the same of the modules that call it (a call's arguments)."""
    out: List[Any] = []
    m: Any = module
    while m is not None:
        out.extend(m.defs)
        out.append(m.dir)
        m = m.caller
    return out


def norm_path(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


