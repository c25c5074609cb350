"""The stacks a repository's deploy inputs imply: SAM configurations (one stack per environment), deploy
commands in scripts, Makefiles and CI files, and the CloudFormation actions of CodePipeline templates.

Each becomes a ``pullcheck.engine.stacks.Stack`` with its ``origin``: the template (or Terraform folder) it
deploys, its name and its parameters (or variables files and variables), each read from a literal or a
variable set literally; a value that depends on anything else is an unknown, never a guess. A deploy whose
files cannot be found in the run's scope, or whose parameter list comes from an unknown place, implies no
stack (its template is then judged on its own, as without it); a ``file://`` outside the scope is not read."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.engine.deploy.commands import SAM, TERRAFORM, Deploy, sam_overrides, split_pairs
from pullcheck.engine.deploy.shell import has_hole, holes_in
from pullcheck.engine.deploy.sources import MAX_FILES, deploys_in, kind_of, read_bounded
from pullcheck.engine.stacks import Stack, StacksError, parameters_from
from pullcheck.facts.verdicts import DEPLOYED_WITH
from pullcheck.graph.values import Unknown

MAX_UP = 12  # folders above a command's own where its relative paths are looked for


@dataclass
class Found:
    """What the deploy inputs of a run imply: the stacks, what was left out and why ((file, why), shown with
    --verbose) and what the user should hear of (a file:// outside the run's scope)."""

    stacks: List[Stack] = field(default_factory=list)
    notes: List[Tuple[str, str]] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)


def candidates(names: List[str]) -> List[str]:
    """The deploy files among a run's listed file names, by their names (no file is opened but an
    extensionless one in a scripts folder, for its first line)."""
    return [n for n in names if kind_of(n)][:MAX_FILES]


def implied(files: List[str]) -> Found:
    """The stacks the deploy files (named as the run names files) imply."""
    from pullcheck.engine.discover import norm

    found = Found()
    budget = [0]
    deploys: List[Deploy] = []
    sam: Dict[str, Dict[str, Stack]] = {}  # samconfig's folder -> environment -> stack
    for path in files:
        kind = kind_of(path)
        text = read_bounded(path, budget)
        if text is None:
            if kind:
                found.notes.append((norm(path), "deploy file not read: past the size bounds"))
            continue
        if kind == "samconfig":
            sam.setdefault(os.path.dirname(os.path.abspath(path)), {}).update(_samconfig(path, norm(path), text,
                                                                                         found))
        elif kind:
            deploys.extend(deploys_in(path, norm(path), kind, text))
    for envs in sam.values():
        found.stacks.extend(envs.values())
    for d in deploys:
        stack = _from_command(d, sam, found)
        if stack is not None:
            found.stacks.append(stack)
    return found


# --- SAM configurations

def _load_samconfig(path: str, text: str) -> Any:
    if path.endswith(".toml"):
        try:
            import tomllib  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # Python before 3.11
            import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]
        return tomllib.loads(text)
    from pullcheck.sources.marked import load_yaml_documents

    docs = load_yaml_documents(text, path)
    return docs[0] if docs else None


def _samconfig(path: str, shown: str, text: str, found: Found) -> Dict[str, Stack]:
    """One stack per environment that deploys: ``[<env>.deploy.parameters]`` over ``[<env>.global.parameters]``;
    its template is ``template_file`` (relative to the configuration) or ``template.yaml`` beside it."""
    try:
        data = _load_samconfig(path, text)
    except Exception as e:  # a configuration SAM itself would refuse: no stack, said with --verbose
        found.notes.append((shown, f"not read as a SAM configuration ({type(e).__name__})"))
        return {}
    out: Dict[str, Stack] = {}
    folder = os.path.dirname(os.path.abspath(path))
    for env, table in (data.items() if isinstance(data, dict) else ()):
        if not isinstance(table, dict):
            continue
        merged: Dict[str, Any] = {}
        for command in ("global", "deploy"):
            params = table.get(command, {}).get("parameters") if isinstance(table.get(command), dict) else None
            merged.update(params if isinstance(params, dict) else {})
        if not isinstance(table.get("deploy"), dict) and "stack_name" not in merged:
            continue
        origin = f"{shown} [{env}]"
        template = merged.get("template_file") or merged.get("template")
        names = [template] if isinstance(template, str) else ["template.yaml", "template.yml"]
        path_found = next((p for n in names for p in [os.path.normpath(os.path.join(folder, n))]
                           if os.path.isfile(p)), None)
        if path_found is None:
            found.notes.append((shown, f"[{env}]: no template {names[0]} beside it"))
            continue
        overrides = merged.get("parameter_overrides", [])
        items = sam_overrides(overrides) if isinstance(overrides, str) else \
            [i for o in overrides if isinstance(o, str) for i in sam_overrides(o)] if isinstance(overrides, list) else []
        given, other = split_pairs(items)
        name = merged.get("stack_name") if isinstance(merged.get("stack_name"), str) else str(env)
        out[str(env)] = Stack(str(name), os.path.abspath(path_found), dict(given), base=folder, origin=origin)
        if other:
            found.notes.append((shown, f"[{env}]: parameter overrides not read: {', '.join(other)[:200]}"))
    return out


# --- deploy commands

def _where_is(relative: str, cwd: Optional[str], isdir: bool = False) -> Optional[str]:
    """A path a command names, from its folder or a folder above it in the run's scope (scripts are run from
    the repository's top as often as from their own folder); None when it cannot be found there."""
    from pullcheck.sources import scope

    if not relative or has_hole(relative) or "\x00" in relative:
        return None
    if os.path.isabs(relative):
        return relative if scope.readable(relative) and (os.path.isdir if isdir else os.path.isfile)(relative) \
            else None
    folder = cwd
    for _ in range(MAX_UP):
        if folder is None or not scope.readable(folder):
            return None
        path = os.path.normpath(os.path.join(folder, relative))
        if (os.path.isdir if isdir else os.path.isfile)(path) and scope.readable(path):
            return path
        parent = os.path.dirname(folder)
        folder = None if parent == folder else parent
    return None


def _from_command(d: Deploy, sam: Dict[str, Dict[str, Stack]], found: Found) -> Optional[Stack]:
    file = d.origin.rsplit(":", 1)[0]
    if d.tool == TERRAFORM:
        return _terraform(d, found, file)
    if d.tool == SAM:
        here = _where_is(".", d.cwd, isdir=True)
        envs = sam.get(here or "", {})
        if d.config_env in envs or (not d.config_env and not d.template and "default" in envs):
            base = envs[d.config_env or "default"]
            if not d.parameters:
                return None  # the environment's own stack, already implied by the configuration
            d.template = d.template or os.path.relpath(base.template, here or ".")
            d.stack = d.stack or base.name
        d.template = d.template or "template.yaml"
    template = _where_is(d.template, d.cwd)
    if template is None:
        why = "depends on " + ", ".join(holes_in(d.template)) if has_hole(d.template) else "not found"
        found.notes.append((file, f"{d.origin}: template {_shown(d.template)} {why}: no stack implied"))
        return None
    stack = Stack(d.stack, template, base=os.path.dirname(template), origin=d.origin)
    if not d.stack or has_hole(d.stack):
        stack.name, stack.name_known = f"deployed by {d.origin}", False
    params = _parameters(d, found, file)
    if params is None:
        return None
    stack.parameters = params
    return stack


def _shown(text: str) -> str:
    from pullcheck.engine.deploy.shell import END, HOLE

    return repr(text.replace(HOLE, "").replace(END, ""))[:120]


def _parameters(d: Deploy, found: Found, file: str) -> Optional[Dict[str, Any]]:
    """The parameters a command passes; None when they come from a place that cannot be read (the stack is
    then not implied: its template is judged as without the command)."""
    given, other = split_pairs(d.parameters)
    out: Dict[str, Any] = {}
    for item in other:
        if not item.startswith("file://") or has_hole(item):
            found.notes.append((file, f"{d.origin}: parameters {_shown(item)} cannot be read: no stack implied"))
            return None
        path = _where_is(item[len("file://"):], d.cwd)
        if path is None:
            from pullcheck.sources import scope

            raw = item[len("file://"):]
            outside = os.path.isabs(raw) or ".." in raw.replace("\\", "/").split("/")
            if outside and not scope.readable(os.path.join(d.cwd or ".", raw)):
                found.warnings.append(f"{d.origin}: parameters file {raw} lies outside the paths this run reads: "
                                      f"not read")
            else:
                found.notes.append((file, f"{d.origin}: parameters file {raw} not found: no stack implied"))
            return None
        try:
            out.update(parameters_from(os.path.basename(path), os.path.dirname(path), d.origin))
        except StacksError as e:
            found.notes.append((file, str(e)))
            return None
    for key, value in given.items():
        out[key] = Unknown(f"parameter {key}: {d.origin}{DEPLOYED_WITH}{', '.join(holes_in(value))}") \
            if has_hole(value) else value
    return out


def _terraform(d: Deploy, found: Found, file: str) -> Optional[Stack]:
    """The root module a terraform command applies, with its -var-file and -var (relative to -chdir)."""
    if not d.var_files and not d.variables:
        return None  # nothing beyond what the folder's own files say
    folder = _where_is(d.folder or ".", d.cwd, isdir=True)
    if folder is None:
        found.notes.append((file, f"{d.origin}: Terraform folder {_shown(d.folder or '.')} not found"))
        return None
    stack = Stack(f"terraform {d.origin}", "", terraform=folder, base=folder, origin=d.origin)
    from pullcheck.sources import scope

    for f in d.var_files:
        # relative to the folder terraform runs in, as it reads them (no other folder is tried)
        path = None if has_hole(f) else os.path.normpath(os.path.join(folder, f))
        if path is None or not os.path.isfile(path) or not scope.readable(path):
            found.notes.append((file, f"{d.origin}: variables file {_shown(f)} cannot be read: its variables "
                                      f"are not given"))
            return None
        stack.var_files.append(path)
    for text in d.variables:
        name, eq, value = text.partition("=")
        if not eq or has_hole(name) or has_hole(value):
            found.notes.append((file, f"{d.origin}: -var {_shown(text)} is not known: its variables are not given"))
            return None
        stack.variables[name] = value
    return stack


def merged(explicit: List[Stack], implicit: List[Stack], found: Found) -> List[Stack]:
    """The run's stacks: every explicit one, then the implied ones the explicit do not already name (by
    template, stack name or Terraform folder), each once; a Terraform folder applied with different
    variables by different commands is given none of them (each would be a guess)."""
    templates = {s.template for s in explicit if s.template}
    names = {s.name for s in explicit}
    folders = {s.terraform for s in explicit if s.terraform}
    out = list(explicit)
    seen: Dict[Tuple[str, str], Stack] = {}
    by_folder: Dict[str, List[Stack]] = {}
    for s in implicit:
        if s.terraform:
            if s.terraform not in folders:
                by_folder.setdefault(s.terraform, []).append(s)
            continue
        if s.template in templates or s.name in names:
            continue
        key = (s.template, s.name)
        if key in seen:
            if _same(seen[key].parameters, s.parameters):
                seen[key].also.append(s.origin)  # the same deployment, named by every command that makes it
                continue
            found.notes.append((s.origin.rsplit(":", 1)[0], f"{s.origin}: stack {s.name} is deployed with other "
                                f"parameters by {seen[key].origin}; only those are judged"))
            continue
        seen[key] = s
        out.append(s)
    for folder, stacks in by_folder.items():
        if all(x.tf_assignments() == stacks[0].tf_assignments() for x in stacks):
            stacks[0].also.extend(x.origin for x in stacks[1:] if x.origin != stacks[0].origin)
            out.append(stacks[0])
        else:
            found.notes.append((stacks[0].origin.rsplit(":", 1)[0], f"Terraform folder {folder} is applied with "
                                f"different variables by {', '.join(x.origin for x in stacks)}: none are given "
                                f"(name one in a stacks file)"))
    return out


def _same(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    return {k: repr(v) for k, v in a.items()} == {k: repr(v) for k, v in b.items()}


# --- CodePipeline's CloudFormation actions

_PIPELINE_MODES = {"CREATE_UPDATE", "REPLACE_ON_FAILURE", "CHANGE_SET_REPLACE"}


def pipeline_stacks(templates: List[Tuple[Any, str]], found: Found) -> List[Stack]:
    """The stacks the CloudFormation deploy actions of the run's CodePipeline templates deploy, where their
    artifact paths (``Artifact::path``) resolve to files of the repository (from the pipeline template's
    folder or one above it): ``TemplatePath``, ``TemplateConfiguration`` and ``ParameterOverrides``."""
    from pullcheck.sources.marked import position_of

    out: List[Stack] = []
    for doc, name in templates:
        resources = doc.get("Resources") if isinstance(doc, dict) else None
        for logical, body in (resources.items() if isinstance(resources, dict) else ()):
            if not isinstance(body, dict) or body.get("Type") != "AWS::CodePipeline::Pipeline":
                continue
            props = body.get("Properties")
            stages = props.get("Stages") if isinstance(props, dict) else None
            for si, stage in enumerate(stages if isinstance(stages, list) else ()):
                actions = stage.get("Actions") if isinstance(stage, dict) else None
                for ai, action in enumerate(actions if isinstance(actions, list) else ()):
                    path = ("Resources", logical, "Properties", "Stages", si, "Actions", ai)
                    origin = f"{name}:{position_of(doc, path)[0]}"
                    stack = _pipeline_action(action, os.path.dirname(os.path.abspath(name)), origin, found)
                    if stack is not None:
                        out.append(stack)
    return out


def _artifact_path(value: Any) -> Optional[str]:
    if isinstance(value, str) and "::" in value:
        return value.split("::", 1)[1]
    return None


def _pipeline_action(action: Any, folder: str, origin: str, found: Found) -> Optional[Stack]:
    kind = action.get("ActionTypeId") if isinstance(action, dict) else None
    config = action.get("Configuration") if isinstance(action, dict) else None
    if not isinstance(kind, dict) or kind.get("Provider") != "CloudFormation" or not isinstance(config, dict):
        return None
    if config.get("ActionMode", "CREATE_UPDATE") not in _PIPELINE_MODES:
        return None
    relative = _artifact_path(config.get("TemplatePath"))
    template = _where_is(relative, folder) if relative else None
    if template is None:
        return None  # built by an earlier action, or not in the repository
    name = config.get("StackName")
    stack = Stack(name if isinstance(name, str) else f"deployed by {origin}", template, base=os.path.dirname(template), origin=origin,
                  name_known=isinstance(name, str))
    file = origin.rsplit(":", 1)[0]
    if "TemplateConfiguration" in config:
        relative = _artifact_path(config["TemplateConfiguration"])
        path = _where_is(relative, folder) if relative else None
        if path is None:
            found.notes.append((file, f"{origin}: its template configuration is not a file of the repository: "
                                      f"no stack implied"))
            return None
        try:
            stack.parameters.update(parameters_from(os.path.basename(path), os.path.dirname(path), origin))
        except StacksError as e:
            found.notes.append((file, str(e)))
            return None
    overrides = config.get("ParameterOverrides")
    if overrides is not None:
        import json

        try:
            given = json.loads(overrides) if isinstance(overrides, str) else None
        except (ValueError, RecursionError):
            given = None
        if not isinstance(given, dict):
            found.notes.append((file, f"{origin}: ParameterOverrides cannot be read: no stack implied"))
            return None
        stack.parameters.update({str(k): v if isinstance(v, str) else Unknown(
            f"parameter {k}: {origin}{DEPLOYED_WITH}what the pipeline puts in at run time") for k, v in given.items()})
    return stack
