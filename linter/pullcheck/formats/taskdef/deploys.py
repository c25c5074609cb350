"""How a repository registers its task-definition files, from what its deploy configuration says.

describe-task-definition output registers with some tools and not others (TD002): ecspresso decodes the
file into the RegisterTaskDefinition input, unwrapping ``{"taskDefinition": ...}`` and dropping every key
the API does not take; the GitHub action aws-actions/amazon-ecs-deploy-task-definition deletes the
describe-only keys but ``deleteRequestedAt`` and keeps the wrapper; ``aws ecs register-task-definition
--cli-input-json`` and the SDKs reject them all. What registers a file is read, never run, from:

- an ecspresso configuration whose ``task_definition`` names the file, relative to the configuration's folder:
  ``ecspresso*.yml``, ``.yaml``, ``.json`` or ``.jsonnet`` (``ecspresso.yml`` is its default), or a small file of
  those kinds that reads like one (``--config`` takes any name): ``task_definition`` with ``cluster`` or
  ``service`` beside it;
- a GitHub workflow step that uses the deploy action with the file as ``task-definition`` (relative to the
  checkout, the folder holding ``.github``): written out, through ``${{ env.X }}``, ``${{ matrix.X }}`` or
  ``${{ github.workspace }}``, or as the output of amazon-ecs-render-task-definition steps that read it;
- ``--cli-input-json file://PATH`` (or ``--cli-input-yaml``) in a workflow, shell script, Makefile or
  buildspec, PATH relative to that file's folder or to the folder searched.

Searched: the task definition's folder and each one above it while it lies in the run's scope
(``pullcheck.sources.scope``), at most ``MAX_UP``; in each, its own files, ``.github/workflows``, ``scripts``,
``bin`` and ``.circleci``: at most ``MAX_FILES`` files of each, in name order, each at most ``MAX_BYTES`` and
``MAX_FOLDER_BYTES`` in all, each folder read once a run. The bounds are a folder's own, so what a file is found
to be registered by never depends on the other files of the run (``--jobs`` lints parts apart).
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from pullcheck.graph.model import Registration
from pullcheck.sources.errors import ParseError, read_text

ECSPRESSO, DEPLOY_ACTION, CLI = "ecspresso", "deploy-action", "cli"
MAX_UP = 12
MAX_FILES = 32
MAX_BYTES = 256 * 1024
MAX_FOLDER_BYTES = 2 * 1024 * 1024
MAX_CONFIG_BYTES = 16 * 1024  # an ecspresso configuration not named so is small; larger ones are not read
MAX_HOPS = 8  # render steps chained before the deploy step, and env values naming env values

_ECSPRESSO_CONFIG = re.compile(r"ecspresso[^/]*\.(?:ya?ml|json|jsonnet)", re.I)
# a value may hold ecspresso's template functions (``{{ must_env `SERVICE` }}.taskdef.json``): see _matches
_VALUE = r"""((?:\{\{[^}\n]*\}\}|[^"'\s,#}])+)"""
_TASK_DEFINITION_KEY = re.compile(r"""^[ \t]*["']?task_definition["']?[ \t]*:[ \t]*["']?""" + _VALUE, re.M)
_ECSPRESSO_KEY = re.compile(r"""^[ \t]*["']?(?:cluster|service)["']?[ \t]*:""", re.M)
_CONFIG_EXT = (".yml", ".yaml", ".jsonnet", ".json")  # in the order read: ecspresso's are mostly YAML
_SCRIPT = re.compile(r".*\.(?:sh|bash|zsh|mk)|makefile|gnumakefile|justfile|jenkinsfile|buildspec[^/]*\.ya?ml"
                     r"|taskfile\.ya?ml|\.gitlab-ci\.ya?ml|config\.yml", re.I)
_CLI_INPUT = re.compile(r"--cli-input-(?:json|yaml)[\s=\\]+[\"']?fileb?://([^\s\"'`;|&)]+)")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_DEPLOY = "aws-actions/amazon-ecs-deploy-task-definition"
_RENDER = "aws-actions/amazon-ecs-render-task-definition"
_SUBFOLDERS = ((".github", "workflows"), ("scripts",), ("bin",), (".circleci",))


def registrations(files: Iterable[str]) -> Dict[str, Tuple[Registration, ...]]:
    """For each task-definition file (named as the run names it), what registers it, in the order found."""
    from pullcheck.sources import scope

    read: Dict[Tuple[str, bool], List[Tuple[str, Registration]]] = {}  # (folder, named absolute) -> said there
    out: Dict[str, Tuple[Registration, ...]] = {}
    for name in files:
        target = os.path.realpath(name)
        found: List[Registration] = []
        folder = os.path.dirname(os.path.abspath(name))
        for _ in range(MAX_UP):
            if not scope.readable(folder):
                break
            key = (folder, os.path.isabs(name))
            if key not in read:
                read[key] = _said_in(folder, name)
            found.extend(r for t, r in read[key] if t == target and r not in found)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        if found:
            out[name] = tuple(found)
    return out


def _said_in(folder: str, seen_from: str) -> List[Tuple[str, Registration]]:
    """(real path of the file registered, how) for everything the deploy files of ``folder`` say."""
    out: List[Tuple[str, Registration]] = []
    budget = MAX_FOLDER_BYTES
    for path, kind in _deploy_files(folder):
        text = _read(path, budget if kind != "config?" else min(budget, MAX_CONFIG_BYTES))
        if text is None:
            continue
        budget -= len(text)
        shown = _shown(path, seen_from)
        if kind == "config?" and _ECSPRESSO_KEY.search(text):
            kind = "ecspresso"
        if kind == "ecspresso":
            for m in _TASK_DEFINITION_KEY.finditer(text):
                _add(out, os.path.dirname(path), m.group(1), ECSPRESSO, shown, text, m.start(1))
            continue
        if kind == "config?":
            continue
        if kind == "workflow":
            out.extend(_workflow(text, folder, shown))
        for m in _CLI_INPUT.finditer(text):
            for base in dict.fromkeys((os.path.dirname(path), folder)):
                _add(out, base, m.group(1), CLI, shown, text, m.start(1))
    return out


def _deploy_files(folder: str) -> List[Tuple[str, str]]:
    """(path, kind) of the files of ``folder`` that may say how it deploys: ecspresso configurations (and
    files that may be one), workflows, scripts; at most MAX_FILES of each kind and place, in name order."""
    out: List[Tuple[str, str]] = []
    for sub in ((),) + _SUBFOLDERS:
        where = os.path.join(folder, *sub)
        try:
            names = sorted(os.listdir(where))
        except OSError:
            continue
        kinds = [(n, _kind(n, sub)) for n in names]
        taken: Dict[str, int] = {}
        for n, kind in sorted(kinds, key=lambda nk: nk[1] == "config?" and _CONFIG_EXT.index(_ext(nk[0]))):
            if kind is None or taken.get(kind, 0) == MAX_FILES or not os.path.isfile(os.path.join(where, n)):
                continue
            out.append((os.path.join(where, n), kind))
            taken[kind] = taken.get(kind, 0) + 1
    return out


def _ext(name: str) -> str:
    return next((e for e in _CONFIG_EXT if name.lower().endswith(e)), "")


def _kind(name: str, sub: tuple) -> Optional[str]:
    if not sub and _ECSPRESSO_CONFIG.fullmatch(name):
        return "ecspresso"
    if sub == (".github", "workflows"):
        return "workflow" if name.lower().endswith((".yml", ".yaml")) else None
    if (_SCRIPT.fullmatch(name) and (name != "config.yml" or sub == (".circleci",))) \
            or (sub in (("scripts",), ("bin",)) and "." not in name):
        return "script"
    if not sub and _ext(name):
        return "config?"
    return None


def _read(path: str, budget: int) -> Optional[str]:
    from pullcheck.sources import scope

    try:
        if not scope.readable(path) or os.path.getsize(path) > min(MAX_BYTES, budget):
            return None
        return read_text(path)
    except (OSError, ParseError):
        return None


def _shown(path: str, seen_from: str) -> str:
    """A path as the run names files: relative when the task definition was named relative."""
    shown = path if os.path.isabs(seen_from) else os.path.relpath(path)
    return os.path.normpath(shown).replace(os.sep, "/")


def _add(out: list, base: str, value: str, tool: str, shown: str, text: str, at: int) -> None:
    """A registration of the file ``value`` names (relative to ``base``), unless it is not a plain path; an
    ecspresso path with template functions in its file's name registers each file of the folder it matches."""
    line = text.count("\n", 0, at) + 1
    if tool == ECSPRESSO and "{{" in value:
        for path, _ in _matches(base, value):
            out.append((os.path.realpath(path), Registration(tool, f"{shown}:{line}")))
        return
    if not value or any(c in value for c in "${}*?<>"):
        return
    out.append((os.path.realpath(os.path.join(base, value)), Registration(tool, f"{shown}:{line}")))


def _workflow(text: str, root: str, shown: str) -> List[Tuple[str, Registration]]:
    """The task-definition files a workflow's deploy-action steps register (paths relative to ``root``)."""
    from pullcheck.sources.marked import load_yaml_documents

    try:
        docs = load_yaml_documents(text)
    except (ParseError, RecursionError):
        return []
    out: List[Tuple[str, Registration]] = []
    doc = docs[0] if docs and isinstance(docs[0], dict) else {}
    jobs = doc.get("jobs")
    for job in (jobs.values() if isinstance(jobs, dict) else ()):
        steps = job.get("steps") if isinstance(job, dict) else None
        if not isinstance(steps, list):
            continue
        scopes = (_env(doc), _env(job))
        by_id = {s.get("id"): s for s in steps if isinstance(s, dict) and isinstance(s.get("id"), str)}
        for step in steps:
            if not isinstance(step, dict) or not _uses(step, _DEPLOY):
                continue
            line = (getattr(step, "kpos", {}).get("uses") or (0,))[0]
            for value in _paths(step, scopes, _matrix(job), by_id, root, 0):
                out.append((os.path.realpath(os.path.join(root, value)),
                            Registration(DEPLOY_ACTION, f"{shown}:{line}")))
    return out


def _uses(step: Any, action: str) -> bool:
    uses = step.get("uses")
    return isinstance(uses, str) and uses.split("@", 1)[0].strip().lower() == action


def _env(node: Any) -> Dict[str, str]:
    env = node.get("env") if isinstance(node, dict) else None
    return {k: v for k, v in env.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(env, dict) else {}


def _matrix(job: Any) -> Dict[str, List[str]]:
    """The literal values each matrix variable of a job takes (its lists and its ``include`` entries)."""
    strategy = job.get("strategy") if isinstance(job, dict) else None
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    out: Dict[str, List[str]] = {}
    if not isinstance(matrix, dict):
        return out
    for key, values in matrix.items():
        if isinstance(values, list) and key not in ("include", "exclude"):
            out[key] = [str(v) for v in values if isinstance(v, (str, int, float))]
    include = matrix.get("include")
    for entry in include if isinstance(include, list) else []:
        for key, v in (entry.items() if isinstance(entry, dict) else ()):
            if isinstance(v, (str, int, float)):
                out.setdefault(key, []).append(str(v))
    return out


def _paths(step: Any, scopes: tuple, matrix: dict, by_id: dict, root: str, hops: int) -> List[str]:
    """The files a deploy or render step's ``task-definition`` input can name; [] when it is not known."""
    inputs = step.get("with")
    value = inputs.get("task-definition") if isinstance(inputs, dict) else None
    if not isinstance(value, str) or hops > MAX_HOPS:
        return []
    env = {**scopes[0], **scopes[1], **_env(step)}
    texts = [value]
    for _ in range(MAX_HOPS):
        m = next((m for t in texts for m in _EXPRESSION.finditer(t)), None)
        if m is None:
            break
        expr = m.group(1)
        if expr.startswith("steps.") and expr.endswith(".outputs.task-definition") and len(texts) == 1 \
                and m.group(0) == texts[0].strip():
            render = by_id.get(expr[len("steps."):-len(".outputs.task-definition")])
            if render is None or not _uses(render, _RENDER):
                return []
            return _paths(render, scopes, matrix, by_id, root, hops + 1)
        values = _values(expr, env, matrix, root)
        if values is None or len(texts) * len(values) > MAX_FILES:
            return []
        texts = [t.replace(m.group(0), v) for t in texts for v in values if m.group(0) in t] + \
                [t for t in texts if m.group(0) not in t]
    return [t for t in texts if not _EXPRESSION.search(t)]


def _values(expr: str, env: Dict[str, str], matrix: Dict[str, List[str]], root: str) -> Optional[List[str]]:
    """What an expression can stand for: an env value, a matrix variable's values, the workspace."""
    if expr == "github.workspace":
        return [root]
    head, _, name = expr.partition(".")
    if head == "env" and name in env:
        return [env[name]]
    if head == "matrix" and matrix.get(name):
        return matrix[name][:MAX_FILES]
    return None


_SERVICE_DEFINITION_KEY = re.compile(r"""^[ \t]*["']?service_definition["']?[ \t]*:[ \t]*["']?""" + _VALUE, re.M)
_SERVICE_KEY = re.compile(r"""^[ \t]*["']?service["']?[ \t]*:[ \t]*["']?""" + _VALUE, re.M)


def ecspresso_service(name: str) -> Optional[Tuple[str, str, str]]:
    """For a service-definition file (named as the run names it) that an ecspresso configuration names as
    its ``service_definition``: (the task-definition file the same configuration names, as the run would name
    it, or ""; the service's name, or ""; where that is said). Searched as ``registrations`` searches."""
    from pullcheck.sources import scope

    target = os.path.realpath(name)
    folder = os.path.dirname(os.path.abspath(name))
    for _ in range(MAX_UP):
        if not scope.readable(folder):
            return None
        for path, kind in _deploy_files(folder):
            if kind not in ("ecspresso", "config?"):
                continue
            text = _read(path, MAX_CONFIG_BYTES)
            if text is None or not _ECSPRESSO_KEY.search(text):
                continue
            m = _SERVICE_DEFINITION_KEY.search(text)
            base = os.path.dirname(path)
            holes = _names(base, m.group(1), target) if m else None
            if m is None or holes is None:
                continue
            td = _filled(_TASK_DEFINITION_KEY.search(text), holes)
            service = _filled(_SERVICE_KEY.search(text), holes)
            td_path = os.path.join(base, td) if td and not any(c in td for c in "${}") else ""
            shown = _shown(td_path, name) if td_path else ""
            where = f"{_shown(path, name)}:{text.count(chr(10), 0, m.start(1)) + 1}"
            return shown, service if service and not any(c in service for c in "${}") else "", where
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


_HOLE = re.compile(r"\{\{[^}\n]*\}\}")


def _matches(base: str, value: str) -> List[Tuple[str, Dict[str, str]]]:
    """The files of the folder an ecspresso path names whose name its template functions can give (each
    function a run of characters other than ``/``, the same function the same text): (path, the text each
    function stands for), at most MAX_FILES, in name order; none when a function is in a folder's name."""
    head, tail = os.path.split(value)
    if _HOLE.search(head) or not tail:
        return []
    groups: Dict[str, str] = {}
    rx = ""
    for i, piece in enumerate(_HOLE.split(tail)):
        rx += re.escape(piece)
        holes = _HOLE.findall(tail)
        if i < len(holes):
            hole = holes[i]
            rx += f"(?P={groups[hole]})" if hole in groups else f"(?P<g{len(groups)}>[^/]+?)"
            groups.setdefault(hole, f"g{len(groups)}")
    folder = os.path.join(base, head)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out: List[Tuple[str, Dict[str, str]]] = []
    for n in names:
        m = re.fullmatch(rx, n)
        if m and len(out) < MAX_FILES:
            out.append((os.path.join(folder, n), {hole: m.group(g) for hole, g in groups.items()}))
    return out


def _names(base: str, value: str, target: str) -> Optional[Dict[str, str]]:
    """Whether an ecspresso path names ``target`` (a real path): the text each of its template functions
    stands for then ({} for a plain path), else None."""
    if "{{" not in value:
        return {} if os.path.realpath(os.path.join(base, value)) == target else None
    return next((holes for path, holes in _matches(base, value) if os.path.realpath(path) == target), None)


def _filled(m: Any, holes: Dict[str, str]) -> str:
    """A configuration's value with its template functions as the matched path gave them; "" when one is
    not known."""
    if m is None:
        return ""
    value = m.group(1)
    for hole in _HOLE.findall(value):
        if hole not in holes:
            return ""
        value = value.replace(hole, holes[hole])
    return value
