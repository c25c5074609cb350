"""The run as named stages, each handing the next a typed result:

discover (``pullcheck.engine.discover.what_to_read`` -> ``Reading``) -> build (``build_from`` -> the graph and
the findings of what could not be read) -> judge (``judge``: the rules, in every world of undecided
parameters, and the suppressions -> findings) -> settle (``finish``: the configuration's per-file ignores
and severities; the baseline and fixes in ``pullcheck.engine.baseline`` and ``pullcheck.engine.fixing``) ->
write (``pullcheck.outputs``). ``--jobs`` workers (``pullcheck.engine.parallel``) and the language server
call the same stages."""
from __future__ import annotations

import gc
import os
import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from pullcheck.sources import interrupt
from pullcheck.graph.model import Finding, Graph, Hit, Rule
from pullcheck.sources.errors import ParseError, read_text
from pullcheck.engine.discover import DATA_EXT, SKIP_DIRS, Reading, cdk_stacks, discover, norm, what_to_read

__all__ = ["DATA_EXT", "SKIP_DIRS", "Reading", "cdk_stacks", "discover", "norm", "what_to_read", "build_graph",
           "build_from", "judge", "finish", "lint", "lint_graph", "parse_finding", "internal", "fault"]

PARSE_ID = "PARSE001"
TEMPLATED_ID = "PARSE002"


def _is_plan(doc: dict) -> bool:
    """`terraform show -json` output: a plan (planned_values) or a state (values)."""
    return "format_version" in doc and (isinstance(doc.get("planned_values"), dict)
                                        or isinstance(doc.get("values"), dict))


# What an infrastructure file's text contains: a JSON or YAML file met while walking a folder is read only
# when one of these is in it (a Helm chart, a tsconfig.json, a workflow or an OpenAPI file has none).
_MARKERS = re.compile(r"AWSTemplateFormatVersion|AWS::[A-Za-z0-9]+::|containerDefinitions|[\"']?taskDefinition[\"']?\s*:"
                      r"|\"(?:awsvpcConfiguration|launchType)\"\s*:"  # a service's definition (ecspresso's)
                      r"|\"(?:planned_values|resource_changes|prior_state)\"|\"format_version\"")


def is_infrastructure(text: str) -> bool:
    return _MARKERS.search(text) is not None


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
    if path.lower().endswith(".jsonnet"):
        _load_jsonnet(path, graph)
        return
    text = read_text(path)
    if walked and not is_infrastructure(text):
        raise Skipped("no CloudFormation, task-definition or plan marker")
    try:
        _load_text(path, text, graph)
    except ParseError as e:
        raise _templated_or(path, text, e) from None


def _load_jsonnet(path: str, graph: Graph) -> None:
    """An ecspresso definition written in Jsonnet; any other Jsonnet file is left out quietly."""
    from pullcheck.engine import suppress
    from pullcheck.formats.taskdef import reader as taskdef

    if not taskdef.read_jsonnet(path, graph):
        raise Skipped("a Jsonnet file that no ecspresso configuration names as its task or service definition")
    suppress.scan_text(graph, norm(path), read_text(path))
    graph.inputs.linted += 1


def _templated_or(path: str, text: str, e: ParseError) -> Exception:
    """What a parse error of a file is: ``Templated`` when template syntax is what breaks it (the parser
    stops in or right after it, or the text parses with neutral values in its place), else the error itself,
    at the place the file breaks for another reason, template syntax or not."""
    from pullcheck.sources import templating

    found = templating.spans(text)
    if not found:
        return e
    at = templating.blamed(text, found, e.line, e.col)
    try:
        _documents(path, templating.neutral(text, found, _reads_as_json(path, text)), "")
    except ParseError as again:
        again_at = templating.blamed(text, found, again.line, again.col)
        directives = any(d for _, _, d in found)
        if again_at is not None or (directives and "duplicate key" in again.message):
            # placeholders that no neutral value stands for, or the branches of a conditional
            return Templated(*templating.position(text, (again_at or at or found[0])[0]))
        if at is None:
            return e
        if directives:  # blanked out, they may leave what they wrote broken: the parser's stop decides
            return Templated(*templating.position(text, at[0]))
        return again  # a value in each placeholder's place, and the file still breaks: there, not at them
    return Templated(*templating.position(text, (at or found[0])[0]))


def _reads_as_json(path: str, text: str) -> bool:
    return path.lower().endswith(".json") or text.lstrip().startswith(("{", "["))


def _documents(path: str, text: str, name: str) -> list:
    """The documents of a JSON or YAML text (JSON when it says so by its name or its first character; YAML
    when that does not parse, but for a .json file), or ParseError."""
    from pullcheck.sources.marked import load_json, load_yaml_documents

    if _reads_as_json(path, text):
        try:
            return [load_json(text)]
        except ParseError:
            if path.lower().endswith(".json"):
                raise
    return load_yaml_documents(text, name)


def _load_text(path: str, text: str, graph: Graph) -> None:
    name = norm(path)
    from pullcheck.engine import suppress

    suppress.scan_text(graph, name, text)
    docs = _documents(path, text, name)
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
    return Finding(norm(where) if where else "", 0, 0, 0, 0, INTERNAL_ID, "error",
                   f"internal error while {step}{place} ({type(e).__name__}: {e}); the rest of the run "
                   f"went on, please report it", "internal-error")


def _drop_since(graph: Graph, before: set) -> None:
    """Take out what a failed step added, so that nothing half-read is judged."""
    for key in [k for k in graph.resources if k not in before]:
        graph.remove(key)


def build_graph(paths: Iterable[str], exclude: Optional[Callable[[str], bool]] = None,
                stacks: Optional[list] = None, infrastructure_only: bool = False,
                roots: Optional[List[str]] = None, tf_given: Any = None,
                network: Any = None) -> Tuple[Graph, List[Finding]]:
    """The graph of everything the paths hold. ``infrastructure_only``: files named in ``paths`` are read
    like walked ones, only when they are infrastructure (what the pre-commit hook wants). ``roots``: folders
    the files may also read from (``pullcheck.sources.scope``) besides the paths themselves. ``tf_given``:
    variable values for the Terraform root modules (``pullcheck.formats.terraform.variables.Given``).
    ``network``: a snapshot of the account (``pullcheck.formats.snapshot``) whose resources join the graph."""
    return build_from(what_to_read(list(paths), exclude, infrastructure_only, roots), stacks, tf_given, network)


def build_from(reading: Reading, stacks: Optional[list], tf_given: Any = None,
               network: Any = None) -> Tuple[Graph, List[Finding]]:
    """The build stage: the graph of what discovery found, and the findings of what could not be read.
    The account's snapshot first (the run's values name its resources), data files (they bring templates
    and plans), then Terraform folders (their root modules given ``tf_given``'s variable values), plans over
    the resources of the folders they were made from, and CloudFormation templates last (the graph so far
    is the same in every world of their parameters: see ``judge``); then the run's values that name the
    account's resources are joined to them."""
    graph = Graph()
    graph.inputs.tf_given = tf_given
    if network is not None:
        from pullcheck.formats import snapshot

        snapshot.add(network, graph)
    errors: List[Finding] = [parse_finding(m, ParseError(why)) for m, why in reading.missing]
    _read_files(reading.files, graph, errors)
    _read_registrations(graph, errors)
    templates, graph.inputs.templates = graph.inputs.templates, []
    if templates and not stacks:
        stacks = cdk_stacks(reading.paths)
    if templates or (reading.deploy_files and reading.tf_dirs):
        stacks = _with_deploy_inputs(reading.deploy_files, templates, stacks or [], graph, errors)
    if reading.tf_dirs:
        _read_terraform(reading.tf_dirs, graph, errors, stacks or [])
        from pullcheck.engine import tfstate

        tfstate.link(graph)  # ecspresso's tfstate placeholders: the Terraform of the run they read
    plans, graph.inputs.plans = graph.inputs.plans, []
    if plans:
        _read_plans(plans, stacks or [], graph, errors)
    if templates or any(getattr(s, "template", "") for s in stacks or []):  # a Terraform stack needs none
        _read_templates(templates or [], stacks or [], graph, errors)
    if network is not None:
        from pullcheck.formats import snapshot

        snapshot.link(graph)
    return graph, errors


def _read_files(files: List[Tuple[str, bool]], graph: Graph, errors: List[Finding]) -> None:
    """Each data file (with its ``walked`` flag) into the graph; what cannot be read is a finding."""
    for f, walked in files:
        try:
            fault("read")
            load_file(f, graph, walked=walked)
        except Skipped as e:
            graph.inputs.skipped.append((norm(f), str(e)))
        except Templated as e:
            errors.append(Finding(norm(f), e.line, e.col, e.line, e.col + 2, TEMPLATED_ID, "info", str(e),
                                  "templated-file"))
        except ParseError as e:
            errors.append(parse_finding(f, e))
        except RecursionError:
            errors.append(parse_finding(f, ParseError("nesting too deep")))
        except Exception as e:  # a defect must not end the run
            errors.append(internal("reading", f, e))


def _read_registrations(graph: Graph, errors: List[Finding]) -> None:
    """What registers each task-definition file (ecspresso, the GitHub deploy action, --cli-input-json), from
    the deploy configuration beside and above it in the run's scope: TD002 depends on it."""
    files = sorted({td.file for td in graph.of_kind("ecs.task_definition") if td.get("raw") is not None
                    and td.rtype.endswith(("(JSON)", "(Jsonnet)"))})
    if not files:
        return
    from pullcheck.formats.taskdef.deploys import registrations

    try:
        graph.inputs.registered_by = registrations(files)
    except Exception as e:  # a defect must not end the run: TD002 then knows of no registration
        errors.append(internal("reading how task definitions are registered", files[0], e))


def _with_deploy_inputs(files: List[str], templates: list, stacks: list, graph: Graph,
                        errors: List[Finding]) -> list:
    """The run's stacks with those its deploy inputs imply (pullcheck.engine.deploy.implicit): deploy files
    and the CloudFormation actions of pipeline templates. The explicit ones win; where each implied stack
    comes from is kept for the account."""
    if not files and not any(isinstance(body, dict) and body.get("Type") == "AWS::CodePipeline::Pipeline"
                             for doc, _ in templates if isinstance(doc.get("Resources"), dict)
                             for body in doc["Resources"].values()):
        return stacks
    from pullcheck.engine.deploy import implicit

    try:
        found = implicit.implied(files) if files else implicit.Found()
        found.stacks += implicit.pipeline_stacks(templates, found)
        # a deploy names templates the run reads (not those the configuration excludes, nor other files)
        read = {os.path.abspath(name) for _, name in templates}
        found.stacks = [s for s in found.stacks if s.terraform or s.template in read]
        out = implicit.merged(stacks, found.stacks, found)
    except Exception as e:  # a defect must not end the run: the stacks stay those named
        errors.append(internal("reading the deploy inputs", files[0] if files else "", e))
        return stacks
    graph.inputs.skipped.extend(found.notes)
    graph.inputs.warnings.extend(w for w in found.warnings if w not in graph.inputs.warnings)
    graph.inputs.stack_origins.update({("terraform:" + s.terraform if s.terraform else s.name):
                                       ", ".join([s.origin] + s.also) for s in out if getattr(s, "origin", "")})
    return out


def _given_to(folder: str, stacks: list, base: Any) -> Any:
    """What the run gives the root module in ``folder``: ``base`` (--var-file, --var), then what the stack
    naming that folder gives it (a stacks file's var-files and vars, or a deploy command's)."""
    extra = [a for s in stacks if getattr(s, "terraform", "") == os.path.abspath(folder)
             for a in s.tf_assignments()]
    if not extra:
        return base
    from pullcheck.formats.terraform.variables import Given

    return Given(tuple(base.assignments if base is not None else ()) + tuple(extra),
                 base.environment if base is not None else False)


def _read_terraform(tf_dirs: List[str], graph: Graph, errors: List[Finding], stacks: Optional[list] = None) -> None:
    """Each Terraform folder that no other folder of the run calls, as a root module, into the graph (given
    what the run and the stack naming the folder give it)."""
    from pullcheck.formats.terraform.modules import called_folders, load_module

    # a folder that another module of the run calls is linted as that call, with its inputs
    try:
        called = {c for d in tf_dirs for c in called_folders(d, graph)}
    except Exception:
        interrupt.check()
        called = set()  # each folder then stands alone, and its own load reports what is wrong
    graph.inputs.tf_called = called
    graph.inputs.tf_roots = [d for d in tf_dirs if os.path.abspath(d) not in called] or list(tf_dirs)
    given = graph.inputs.tf_given
    for d in graph.inputs.tf_roots:
        before = set(graph.resources)
        try:
            fault("terraform")
            graph.inputs.linted += 1
            graph.inputs.tf_given = _given_to(d, stacks or [], given)
            for f, e in load_module(d, graph):
                errors.append(parse_finding(f, e))
        except RecursionError:
            errors.append(parse_finding(d, ParseError("nesting too deep")))
        except Exception as e:  # the folder is left out whole: a half-read module would mislead
            errors.append(internal("evaluating the Terraform folder", d, e))
            _drop_since(graph, before)
    graph.inputs.tf_given = given


def _read_plans(plans: List[Tuple[Any, str]], stacks: list, graph: Graph, errors: List[Finding]) -> None:
    """``terraform show -json`` documents: the plan's values are facts, and replace what the .tf sources of
    the same resources say, in the configuration the plan was made from (the module the stacks file names
    for it, else the module in the plan's own folder), and nowhere else."""
    from pullcheck.formats.terraform.plan import parse_plan

    made_from = {s.plan: s.terraform for s in stacks if getattr(s, "plan", "")}
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
            errors.append(parse_finding(name, ParseError(f"not a readable terraform show -json file ({e})")))
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


def _read_templates(templates: list, stacks: list, graph: Graph, errors: List[Finding]) -> None:
    """The CloudFormation templates, as the stacks name them, nest them and import from one another."""
    # the graph so far is kept: other worlds of the templates' parameters are evaluated over it (judge)
    graph.inputs.cfn_input = (templates, stacks, graph.clone())
    before = set(graph.resources)
    try:
        fault("templates")
        errors.extend(add_templates(graph, templates, stacks, None))
    except RecursionError:
        errors.append(parse_finding(templates[0][1] if templates else "", ParseError("nesting too deep")))
    except Exception as e:
        errors.append(internal("evaluating CloudFormation templates", "", e))
        _drop_since(graph, before)
        graph.inputs.cfn_input = None
    if not graph.inputs.choices:
        # no other world to evaluate: the documents go now, before the rules build their indexes
        # (the graph holds what it needs of them; a large template's documents are half its memory)
        graph.inputs.cfn_input = None


def add_templates(graph: Graph, templates: list, stacks: list, assignment: Optional[dict]) -> List[Finding]:
    from pullcheck.formats.cloudformation import parse_all

    found = parse_all(templates, stacks, graph, _load_template, assignment)
    if any(True for _ in graph.of_kind("account.snapshot")):
        from pullcheck.formats.snapshot import link

        link(graph)  # a template's values that name the account's resources (each world is built anew)
    return [parse_finding(f, e if isinstance(e, ParseError) else ParseError(str(e))) for f, e in found]


MAX_WORLDS = 8


def parse_finding(path: str, e: ParseError) -> Finding:
    return Finding(norm(path), e.line, e.col, e.line, e.col + 1, PARSE_ID, "error", e.message, "parse-error")


INTERNAL_ID = "INTERNAL"


def _once_key(rule: Rule, hit: Hit) -> tuple:
    if rule.once_per == "resource":
        return (hit.resource.key,)
    if rule.once_per == "place":
        return (hit.resource.key, hit.path)
    return (hit.resource.key, hit.path, hit.message, hit.severity)


def _stack_of(graph: Graph) -> Callable[[Any], str]:
    """The stack a resource is in, when its template is deployed as several stacks of the run ("" when it
    is one stack or none): a finding there then names the stack whose values make it fail."""
    per_file: Dict[str, set] = {}
    for key in graph.resources:
        if "@" in key and "#" in key:
            file, _, rest = key.partition("@")
            per_file.setdefault(file, set()).add(rest.rsplit("#", 1)[0])
    several = {f for f, names in per_file.items() if len(names) > 1}

    def stack(res: Any) -> str:
        file, at, rest = res.key.partition("@")
        return rest.rsplit("#", 1)[0] if at and file in several and "#" in rest else ""
    return stack


def run_rules(graph: Graph, rules: Dict[str, Rule]) -> List[Finding]:
    out: List[Finding] = []
    stack_of = _stack_of(graph)
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
            stack = stack_of(hit.resource)
            if stack and f"(stack {stack}" not in message:
                message += f" (stack {stack})"
            out.append(Finding(span.file or hit.resource.file, span.line, span.col, span.end_line or span.line,
                               span.end_col or span.col, r.id, hit.severity or r.severity, message, r.name,
                               hit.resource.name, ".".join(str(p) for p in hit.path), span.origin, hit.fix))
    return out


def lint(paths: Iterable[str], rules: Dict[str, Rule], stacks: Optional[list] = None,
         roots: Optional[List[str]] = None) -> List[Finding]:
    return lint_graph(paths, rules, stacks=stacks, roots=roots)[1]


def lint_graph(paths: Iterable[str], rules: Dict[str, Rule], exclude: Optional[Callable[[str], bool]] = None,
               stacks: Optional[list] = None, infrastructure_only: bool = False,
               roots: Optional[List[str]] = None, tf_given: Any = None,
               network: Any = None) -> Tuple[Graph, List[Finding]]:
    # Parsing builds many small objects and few cycles; collector passes would only add time
    # (a quarter of a large template's run). Input sizes are bounded, so memory is too.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        graph, errors = build_graph(paths, exclude, stacks, infrastructure_only, roots, tf_given, network)
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
