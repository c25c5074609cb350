"""Files -> parsers -> one resource graph -> rules -> findings."""
from __future__ import annotations

import gc
import os
import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from pullcheck.engine import interrupt
from pullcheck.graph.model import Finding, Graph, Hit, Rule
from pullcheck.sources.errors import ParseError, read_text

SKIP_DIRS = {".terraform", "node_modules", "__pycache__"}
DATA_EXT = (".json", ".yaml", ".yml", ".template", ".cfn")
PARSE_ID = "PARSE001"
TEMPLATED_ID = "PARSE002"


def _plain_file_within(path: str, top: str) -> bool:
    """A walked name worth reading: a regular file, or a symlink to a regular file inside the tree being
    walked (never to a FIFO, a device, /proc/self/fd/1 or a file outside the tree)."""
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISREG(st.st_mode):
        return True
    if not stat.S_ISLNK(st.st_mode):
        return False
    real, root = os.path.realpath(path), os.path.realpath(top)
    if os.path.commonpath([real, root]) != root:
        return False
    try:
        return stat.S_ISREG(os.stat(real).st_mode)
    except OSError:
        return False


def discover(paths: Iterable[str], exclude: Optional[Callable[[str], bool]] = None
             ) -> Tuple[List[str], List[str], List[Tuple[str, str]]]:
    """(data files, terraform folders, (path, why) of each named path not read). Hidden folders are skipped
    while walking, and so is whatever ``exclude`` (the configuration's globs) says, for given files too."""
    skip = exclude or (lambda p: False)
    files: List[str] = []
    tf_dirs: Dict[str, None] = {}
    missing: List[Tuple[str, str]] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                in_cdk_out = os.path.isfile(os.path.join(root, "manifest.json")) and "cdk.out" in root
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                                 and not (in_cdk_out and d.startswith("asset."))  # bundled code, not infrastructure
                                 and not skip(os.path.join(root, d)))
                for n in sorted(names):
                    full = os.path.join(root, n)
                    if skip(full) or not _plain_file_within(full, p):
                        continue
                    if n.endswith((".tf", ".tf.json")):  # native and JSON syntax (cdktf writes cdk.tf.json)
                        tf_dirs[root] = None
                    elif n.lower().endswith(DATA_EXT) and not n.startswith("."):
                        files.append(full)
        elif os.path.isfile(p) or (os.path.exists(p) and not os.path.isdir(p)) or _unsaved(p):
            # a FIFO, socket or device named explicitly is read as nothing: PARSE001 says what it is
            if skip(p):
                continue
            if p.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
                # a changed .tf, .tf.json or variables file is linted with its folder (one module)
                tf_dirs[os.path.dirname(p) or "."] = None
            else:
                files.append(p)
        else:
            missing.append((p, "no such file or folder"))
    # a file or folder named twice (a folder and a file in it, a relative and an absolute path) is read
    # once: twice, its resources would be declared twice and every lookup of them ambiguous
    seen: set = set()
    unique_files = []
    for f in files:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique_files.append(f)
    unique_dirs: Dict[str, str] = {}
    for d in tf_dirs:
        unique_dirs.setdefault(os.path.abspath(d), d)
    return unique_files, list(unique_dirs.values()), missing


def _unsaved(p: str) -> bool:
    """An editor buffer not yet saved (the language server lints it from its text)."""
    from pullcheck.sources.errors import OVERLAY

    return bool(OVERLAY) and os.path.abspath(p) in OVERLAY


def cdk_stacks(paths: Iterable[str]) -> list:
    """Stacks a CDK cloud assembly (``cdk.out/manifest.json``) declares: name and template."""
    import json

    from pullcheck.engine.stacks import Stack

    out = []
    for p in paths:
        for root, dirs, names in (os.walk(p) if os.path.isdir(p) else ()):
            dirs[:] = [d for d in dirs if not d.startswith((".", "asset.")) and d not in SKIP_DIRS]
            if "manifest.json" not in names or not os.path.basename(root).startswith("cdk.out"):
                continue
            try:
                artifacts = json.loads(read_text(os.path.join(root, "manifest.json"))).get("artifacts", {})
            except (ParseError, ValueError, AttributeError, RecursionError):
                continue
            for art_id, art in (artifacts.items() if isinstance(artifacts, dict) else ()):
                props = art.get("properties") if isinstance(art, dict) else None
                if not isinstance(props, dict) or art.get("type") != "aws:cloudformation:stack":
                    continue
                template = os.path.join(root, str(props.get("templateFile", "")))
                if os.path.isfile(template):
                    out.append(Stack(str(props.get("stackName") or art_id), os.path.abspath(template), {},
                                     base=os.path.abspath(root)))
    return out


def _is_plan(doc: dict) -> bool:
    """`terraform show -json` output: a plan (planned_values) or a state (values)."""
    return "format_version" in doc and (isinstance(doc.get("planned_values"), dict)
                                        or isinstance(doc.get("values"), dict))


def _norm(path: str) -> str:
    path = os.path.normpath(path)
    return path.replace(os.sep, "/")


# What an infrastructure file's text contains: a JSON or YAML file met while walking a folder is read only
# when one of these is in it (a Helm chart, a tsconfig.json, a workflow or an OpenAPI file has none).
_MARKERS = re.compile(r"AWSTemplateFormatVersion|AWS::[A-Za-z0-9]+::|containerDefinitions|[\"']?taskDefinition[\"']?\s*:"
                      r"|\"(?:planned_values|resource_changes|prior_state)\"|\"format_version\"")
# template syntax a build step replaces: Jinja / Go / Helm, ${...} placeholders of templatefile(), <PLACEHOLDER>
_TEMPLATE_SYNTAX = re.compile(r"\{\{(?!resolve:)|\{%|%\{|<[A-Z][A-Z0-9_]{2,}>|\$\{[a-zA-Z_][\w.\[\]\"-]*\}")


def is_infrastructure(text: str) -> bool:
    return _MARKERS.search(text) is not None


def template_syntax(text: str) -> Optional[Tuple[int, int]]:
    """(line, column) of the first template directive or placeholder of a text, or None."""
    m = _TEMPLATE_SYNTAX.search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1


class Skipped(Exception):
    """A walked file that is not infrastructure: left out quietly (named with --verbose)."""


class Templated(Exception):
    """Infrastructure that does not parse because of template syntax: PARSE002 (info), not PARSE001."""

    def __init__(self, line: int, col: int) -> None:
        super().__init__(f"not linted: template syntax at {line}:{col} (a build step fills it in)")
        self.line, self.col = line, col


def load_file(path: str, graph: Graph, walked: bool = False) -> None:
    """Parse one JSON/YAML file and add what it declares; files of other kinds are skipped.

    ``walked``: met while walking a folder, so read only when its text marks it as infrastructure."""
    text = read_text(path)
    if walked and not is_infrastructure(text):
        raise Skipped("no CloudFormation, task-definition or plan marker")
    try:
        _load_text(path, text, graph)
    except ParseError:
        where = template_syntax(text)
        if where is not None:
            raise Templated(*where) from None
        raise


def _load_text(path: str, text: str, graph: Graph) -> None:
    name = _norm(path)
    from pullcheck.engine import suppress

    suppress.scan_text(graph, name, text)
    stripped = text.lstrip()
    docs: list
    if path.lower().endswith(".json") or stripped.startswith(("{", "[")):
        from pullcheck.sources.marked import load_json

        try:
            docs = [load_json(text)]
        except ParseError:
            if path.lower().endswith(".json"):
                raise
            from pullcheck.sources.marked import load_yaml_documents

            docs = load_yaml_documents(text, name)
    else:
        from pullcheck.sources.marked import load_yaml_documents

        docs = load_yaml_documents(text, name)
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        before = (len(graph.resources), len(graph.inputs.plans), len(graph.inputs.templates))
        from pullcheck.formats.taskdef import reader as taskdef

        if _is_plan(doc):
            graph.inputs.plans.append((doc, name))  # read once the .tf sources are in
        elif taskdef.is_task_definition(doc):
            taskdef.parse_task_definition(doc, name, graph)
        elif taskdef.is_service_input(doc):
            taskdef.parse_service_input(doc, name, graph)
        elif "AWSTemplateFormatVersion" in doc or isinstance(doc.get("Resources"), dict):
            # templates are added once all are read: stacks import from each other and nest
            graph.inputs.templates.append((doc, name))
        if before != (len(graph.resources), len(graph.inputs.plans), len(graph.inputs.templates)):
            graph.inputs.linted += 1


def _load_template(path: str):
    """A template named by a stack or a parent stack: (document, name), or ParseError."""
    graph = Graph()
    load_file(os.path.relpath(path), graph)
    found = graph.inputs.templates
    if not found:
        raise ParseError("not a CloudFormation template")
    return found[0]


# the tests make a stage fail on purpose: read, terraform, plan, templates, report
FAULT_ENV = "PULLCHECK_TEST_FAULT"


def fault(stage: str) -> None:
    """Raise at ``stage`` when the tests ask for it, to prove that no stage can end the run."""
    if os.environ.get(FAULT_ENV) == stage:
        raise RuntimeError(f"fault injected at {stage}")


def internal(step: str, where: str, e: BaseException) -> Finding:
    """A defect of pullcheck met while doing ``step`` on ``where``: one line, the run goes on (unless it is
    a termination that could not be raised as one)."""
    interrupt.check()
    place = f" {where}" if where else ""
    return Finding(_norm(where) if where else "", 0, 0, 0, 0, INTERNAL_ID, "error",
                   f"internal error while {step}{place} ({type(e).__name__}: {e}); the rest of the run "
                   f"went on, please report it", "internal-error")


def _drop_since(graph: Graph, before: set) -> None:
    """Take out what a failed step added, so that nothing half-read is judged."""
    for key in [k for k in graph.resources if k not in before]:
        graph.remove(key)


def build_graph(paths: Iterable[str], exclude: Optional[Callable[[str], bool]] = None,
                stacks: Optional[list] = None, infrastructure_only: bool = False,
                roots: Optional[List[str]] = None, tf_given: Any = None) -> Tuple[Graph, List[Finding]]:
    """The graph of everything the paths hold. ``infrastructure_only``: files named in ``paths`` are read
    like walked ones, only when they are infrastructure (what the pre-commit hook wants). ``roots``: folders
    the files may also read from (``pullcheck.sources.scope``) besides the paths themselves. ``tf_given``:
    variable values for the Terraform root modules (``pullcheck.formats.terraform.variables.Given``)."""
    paths = list(paths)
    files, tf_dirs, missing = what_to_read(paths, exclude, infrastructure_only, roots)
    return build_from(files, tf_dirs, missing, stacks, paths, tf_given)


def what_to_read(paths: List[str], exclude: Optional[Callable[[str], bool]], infrastructure_only: bool,
                 roots: Optional[List[str]] = None
                 ) -> Tuple[List[Tuple[str, bool]], List[str], List[Tuple[str, str]]]:
    """What a run reads: each data file with whether it is read only when its text marks it as
    infrastructure (met while walking a folder, or every file under ``--infrastructure-only``), the
    Terraform folders, and each named path that is not read, with why (it does not exist, or it leads out
    of every ``--root``)."""
    from pullcheck.engine import fixes
    from pullcheck.sources import scope

    fixes.forget()  # fixes read the files as this run finds them
    scope.set_roots(paths, roots or ())  # what file(), modules, nested stacks and fixes may reach
    outside = [p for p in paths if scope.leaves_root(p)]
    files, tf_dirs, missing = discover([p for p in paths if p not in outside], exclude)
    missing += [(p, "lies outside --root once links are resolved: not read") for p in outside]
    explicit = {os.path.normpath(p) for p in paths if os.path.isfile(p)} if not infrastructure_only else set()
    return [(f, os.path.normpath(f) not in explicit) for f in files], tf_dirs, missing


def build_from(files: List[Tuple[str, bool]], tf_dirs: List[str], missing: List[Tuple[str, str]],
               stacks: Optional[list], paths: List[str], tf_given: Any = None) -> Tuple[Graph, List[Finding]]:
    """The graph of discovered inputs: data files (with their ``walked`` flag), Terraform folders and the
    named paths not read, with why. ``paths`` are where a CDK cloud assembly is looked for."""
    graph = Graph()
    graph.inputs.tf_given = tf_given
    errors: List[Finding] = []
    for m, why in missing:
        errors.append(_parse_finding(m, ParseError(why)))
    for f, walked in files:
        try:
            fault("read")
            load_file(f, graph, walked=walked)
        except Skipped as e:
            graph.inputs.skipped.append((_norm(f), str(e)))
        except Templated as e:
            errors.append(Finding(_norm(f), e.line, e.col, e.line, e.col + 2, TEMPLATED_ID, "info", str(e),
                                  "templated-file"))
        except ParseError as e:
            errors.append(_parse_finding(f, e))
        except RecursionError:
            errors.append(_parse_finding(f, ParseError("nesting too deep")))
        except Exception as e:  # a defect must not end the run
            errors.append(internal("reading", f, e))
    templates, graph.inputs.templates = graph.inputs.templates, []
    if templates and not stacks:
        stacks = cdk_stacks(paths)
    if tf_dirs:
        from pullcheck.formats.terraform.modules import called_folders, load_module

        # a folder that another module of the run calls is linted as that call, with its inputs
        try:
            called = {c for d in tf_dirs for c in called_folders(d, graph)}
        except Exception:
            interrupt.check()
            called = set()  # each folder then stands alone, and its own load reports what is wrong
        graph.inputs.tf_called = called
        graph.inputs.tf_roots = [d for d in tf_dirs if os.path.abspath(d) not in called] or list(tf_dirs)
        for d in graph.inputs.tf_roots:
            before = set(graph.resources)
            try:
                fault("terraform")
                graph.inputs.linted += 1
                for f, e in load_module(d, graph):
                    errors.append(_parse_finding(f, e))
            except RecursionError:
                errors.append(_parse_finding(d, ParseError("nesting too deep")))
            except Exception as e:  # the folder is left out whole: a half-read module would mislead
                errors.append(internal("evaluating the Terraform folder", d, e))
                _drop_since(graph, before)
    plans, graph.inputs.plans = graph.inputs.plans, []
    if plans:
        from pullcheck.formats.terraform.plan import parse_plan

        # the plan's values are facts: they replace what the .tf sources of the same resources say, in the
        # configuration the plan was made from (the module the stacks file names for it, else the module in
        # the plan's own folder), and nowhere else
        made_from = {s.plan: s.terraform for s in stacks or [] if getattr(s, "plan", "")}
        by_root: Dict[str, Dict[str, list]] = {}
        for r in list(graph.resources.values()):
            if ":" in r.key and not r.key.startswith("plan:") and r.rtype.startswith(("aws_", "data.")):
                root = os.path.abspath(r.key.split(":", 1)[0].split("/module.", 1)[0])
                by_root.setdefault(root, {}).setdefault(r.name.split("[", 1)[0], []).append(r)
        for doc, name in plans:
            folder = made_from.get(os.path.abspath(name), os.path.abspath(os.path.dirname(name) or "."))
            sources = by_root.get(folder, {})
            before = set(graph.resources)
            try:
                fault("plan")
                parse_plan(doc, name, graph, {k: v[0] for k, v in sources.items()})
            except (TypeError, AttributeError, KeyError, ValueError, IndexError) as e:
                # a JSON file with the keys of a plan but not its structure
                errors.append(_parse_finding(name, ParseError(f"not a readable terraform show -json file ({e})")))
                _drop_since(graph, before)
                continue
            except Exception as e:
                errors.append(internal("reading the plan", name, e))
                _drop_since(graph, before)
                continue
            covered = {r.name.split("[", 1)[0] for k, r in graph.resources.items() if k not in before}
            for base in covered:
                for r in sources.get(base, []):
                    graph.remove(r.key)
    if templates or stacks:
        # templates last: the graph so far is the same in every world (see lint_graph)
        graph.inputs.cfn_input = (templates or [], stacks or [], graph.clone())
        before = set(graph.resources)
        try:
            fault("templates")
            errors.extend(add_templates(graph, templates or [], stacks or [], None))
        except RecursionError:
            errors.append(_parse_finding(templates[0][1] if templates else "", ParseError("nesting too deep")))
        except Exception as e:
            errors.append(internal("evaluating CloudFormation templates", "", e))
            _drop_since(graph, before)
            graph.inputs.cfn_input = None
        if not graph.inputs.choices:
            # no other world to evaluate: the documents go now, before the rules build their indexes
            # (the graph holds what it needs of them; a large template's documents are half its memory)
            graph.inputs.cfn_input = None
    return graph, errors


def add_templates(graph: Graph, templates: list, stacks: list, assignment: Optional[dict]) -> List[Finding]:
    from pullcheck.formats.cloudformation import parse_all

    return [_parse_finding(f, e if isinstance(e, ParseError) else ParseError(str(e)))
            for f, e in parse_all(templates, stacks, graph, _load_template, assignment)]


MAX_WORLDS = 8


def _parse_finding(path: str, e: ParseError) -> Finding:
    return Finding(_norm(path), e.line, e.col, e.line, e.col + 1, PARSE_ID, "error", e.message, "parse-error")


INTERNAL_ID = "INTERNAL"


def _once_key(rule: Rule, hit: Hit) -> tuple:
    if rule.once_per == "resource":
        return (hit.resource.key,)
    if rule.once_per == "place":
        return (hit.resource.key, hit.path)
    return (hit.resource.key, hit.path, hit.message, hit.severity)


def run_rules(graph: Graph, rules: Dict[str, Rule]) -> List[Finding]:
    out: List[Finding] = []
    for r in rules.values():
        if r.kinds and not any(True for _ in graph.of_kind(*r.kinds)):
            continue  # nothing in this run that the rule reads
        try:
            seen = set()
            hits = []
            for hit in r.check(graph):
                key = _once_key(r, hit)
                if key not in seen:
                    seen.add(key)
                    hits.append(hit)
        except Exception as e:  # a defect in a rule must not stop the others, nor end in a traceback
            interrupt.check()
            out.append(Finding("", 0, 0, 0, 0, INTERNAL_ID, "error",
                               f"rule {r.id} failed ({type(e).__name__}: {e}); its findings are missing from "
                               f"this run, please report it", "internal-error"))
            continue
        for hit in hits:
            span = hit.resource.locate(hit.path)
            message = hit.message
            if span.file and span.file != hit.resource.file:  # reported where the fix goes (a module's caller)
                message += f" (the resource is {hit.resource.file}:{hit.resource.span.line})"
            out.append(Finding(span.file or hit.resource.file, span.line, span.col, span.end_line or span.line,
                               span.end_col or span.col, r.id, hit.severity or r.severity, message, r.name,
                               hit.resource.name, ".".join(str(p) for p in hit.path), span.origin, hit.fix))
    return out


def lint(paths: Iterable[str], rules: Dict[str, Rule], stacks: Optional[list] = None,
         roots: Optional[List[str]] = None) -> List[Finding]:
    return lint_graph(paths, rules, stacks=stacks, roots=roots)[1]


def lint_graph(paths: Iterable[str], rules: Dict[str, Rule], exclude: Optional[Callable[[str], bool]] = None,
               stacks: Optional[list] = None, infrastructure_only: bool = False,
               roots: Optional[List[str]] = None, tf_given: Any = None) -> Tuple[Graph, List[Finding]]:
    # Parsing builds many small objects and few cycles; collector passes would only add time
    # (a quarter of a large template's run). Input sizes are bounded, so memory is too.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        graph, errors = build_graph(paths, exclude, stacks, infrastructure_only, roots, tf_given)
        return graph, judge(graph, errors, rules)
    finally:
        if gc_was_on:
            gc.enable()


def judge(graph: Graph, errors: List[Finding], rules: Dict[str, Rule]) -> List[Finding]:
    """The findings of a built graph: the rules (in every world of undecided parameters), suppressions
    applied, the engine's own IDs kept only when selected, sorted and without repeats."""
    from pullcheck.engine import suppress

    findings = run_rules(graph, rules)
    choices = graph.inputs.choices
    if choices and graph.inputs.cfn_input is not None and rules:
        try:
            findings = _in_every_world(graph, rules, choices, findings)
        except Exception as e:  # keep the findings of the defaults' world
            errors.append(internal("evaluating parameter values", "", e))
    found = errors + suppress.apply(graph, findings, rules)
    # the engine's own IDs are rules too: reported only when selected (INTERNAL always is)
    from pullcheck.engine.core_rules import CORE

    found = [f for f in found if f.rule_id not in CORE or f.rule_id in rules]
    return sorted(set(found))


def _in_every_world(graph: Graph, rules: Dict[str, Rule], choices: dict, defaults: List[Finding]) -> List[Finding]:
    """Findings that hold whichever allowed value a parameter takes and whichever way an undecided
    condition goes: the templates are evaluated once per combination (at most MAX_WORLDS; choices past
    that keep the template's default and stay unknown). A finding is kept when it holds in every
    combination in which its resource exists (a service with ``Condition: Fargate`` is judged in the
    worlds where it is deployed), with the message of the defaults' world when it is found there, and
    says under which values when the resource does not always exist."""
    import itertools
    from dataclasses import replace

    assert graph.inputs.cfn_input is not None
    templates, stacks, base = graph.inputs.cfn_input
    keys = sorted(choices, key=str)
    chosen: list = []
    size = 1
    for k in keys:
        if size * len(choices[k]) > MAX_WORLDS:
            continue
        chosen.append(k)
        size *= len(choices[k])

    def key_of(f: Finding) -> tuple:
        return (f.file, f.rule_id, f.resource, f.path)

    worlds = []
    for combo in itertools.product(*(choices[k] for k in chosen)):
        assignment = dict(zip(chosen, combo))
        world = base.clone()
        add_templates(world, templates, stacks, assignment)
        found: Dict[tuple, Finding] = {}
        for f in run_rules(world, rules):
            found.setdefault(key_of(f), f)
        worlds.append((assignment, found, {r.name for r in world.resources.values()}))
    default_found = {key_of(f): f for f in defaults}
    out = []
    for k in sorted({k for _, found, _ in worlds for k in found}, key=str):
        present = [w for w in worlds if k[2] in w[2] or k in w[1]]
        if not all(k in found for _, found, _ in present):
            continue
        f = default_found.get(k) or present[0][1][k]
        if len(present) < len(worlds):
            when = _describe([w[0] for w in present], chosen, choices)
            if when:
                f = replace(f, message=f"{f.message} (when {when})")
        out.append(f)
    return out


def _describe(assignments: List[dict], chosen: list, choices: dict) -> str:
    """The values under which a resource exists, in words: "LaunchType is Fargate"."""
    parts = []
    for key in chosen:
        values = [v for v in choices[key] if any(a.get(key) == v for a in assignments)]
        if len(values) == len(choices[key]):
            continue
        kind, name = key[0], key[-1]
        shown = " or ".join(("true" if v else "false") if isinstance(v, bool) else str(v) for v in values)
        parts.append(f"{name} is {shown}" if kind == "param" else f"condition {name} is {shown}")
    return " and ".join(parts)


def finish(findings: List[Finding], cfg) -> List[Finding]:
    """Apply the configuration's per-file ignores and severity overrides."""
    if not cfg.per_file_ignores and not cfg.severity:
        return findings
    from dataclasses import replace

    out = []
    for f in findings:
        ids = cfg.ignored_for(f.file) if cfg.per_file_ignores else []
        if any(f.rule_id == i or f.rule_id.startswith(i) or f.name == i or i == "ALL" for i in ids):
            continue
        sev = cfg.severity.get(f.rule_id)
        out.append(replace(f, severity=sev) if sev else f)
    return out
