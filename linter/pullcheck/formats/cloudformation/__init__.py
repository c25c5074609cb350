"""CloudFormation templates (YAML or JSON, already loaded with positions) into graph resources.

``stacks``: which stacks a run evaluates (named by stacks files, nested, on their own) and their exports;
``resolver``: one stack's parameters, conditions and values, within the run's bounds; ``intrinsics``: the
intrinsic functions, one each; ``resources``: a template's resources into the graph; ``kinds``: what each
canonical kind reads from a resource's properties.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.formats.cloudformation.kinds import ROUTE_TARGETS
from pullcheck.formats.cloudformation.resolver import MAX_STEPS, MAX_TEXT, Exports
from pullcheck.formats.cloudformation.resources import KINDS, add_resources
from pullcheck.formats.cloudformation.stacks import (MAX_NESTING, MAX_STACK_INSTANCES, MAX_STACK_RESOURCES,
                                                     NESTED, Templates, add_exports, top_stacks, with_nested)
from pullcheck.graph.model import Graph
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MDict, repeats_of
from pullcheck.sources.session import current

__all__ = ["KINDS", "ROUTE_TARGETS", "NESTED", "MAX_NESTING", "MAX_STEPS", "MAX_STACK_INSTANCES",
           "MAX_STACK_RESOURCES", "MAX_TEXT", "Exports", "is_template", "parse_all"]


def is_template(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "AWSTemplateFormatVersion" in doc or isinstance(doc.get("Resources"), dict))


def parse_all(templates: List[Tuple[MDict, str]], stacks: List[Any], graph: Graph, load: Callable[[str], Any],
              assignment: Optional[Dict[Any, Any]] = None) -> List[Tuple[str, Any]]:
    """Add every template of the run: as the stacks the stacks file names (with their parameters), as the
    children of nested stack resources (with the parameters their parent passes), and otherwise on its
    own; exports of all of them answer ``Fn::ImportValue``. Returns (file, ParseError) for templates that
    a stack or a parent names but that cannot be read, and for each key a template writes twice in one
    mapping (the template is evaluated with the later value, as CloudFormation deploys it)."""
    exports = Exports(assignment, {str(e.get("name")): e.get("value") for e in graph.of_kind("cfn.export")})
    found = Templates(templates, load)
    every = with_nested(top_stacks(templates, stacks, graph, found, exports), graph, found, exports)
    add_exports(every, exports)
    for r in every:
        add_resources(r, graph, current().cfn_built)
    graph.inputs.choices = exports.choices
    graph.inputs.cfn_steps = exports.budget[0]
    graph.inputs.assumed = list(exports.assumed)
    # values that cross templates: exports, imports, nested stacks (what --jobs must keep together)
    graph.inputs.cfn_linked = bool(exports.by_name or exports.shaped or exports.ambiguous or exports.imported
                                   or any(r.children for r in every) or stacks)
    return found.errors + repeated_keys(found)


def repeated_keys(found: Templates) -> List[Tuple[str, ParseError]]:
    """(file, ParseError at the later key) for each key written twice in a mapping of a template of the
    run. CloudFormation accepts such a template and deploys the later value (JSON and YAML alike), so that
    value is the one evaluated; tools that read the template strictly refuse it (cfn-lint's E0000; a YAML
    template under Terraform's ``aws_cloudformation_stack`` or, in some versions, ``aws cloudformation
    deploy``), and the earlier value is silently lost."""
    out = []
    read = list(found.by_path.values()) + [e for e in found.loaded.values() if e is not None]
    for doc, file in read:
        for r in repeats_of(doc):
            out.append((file, ParseError(
                f"duplicate key {r.key!r} (first at line {r.first}): CloudFormation deploys the later value, "
                f"which is the one linted, and drops the earlier; remove one of them (cfn-lint and some deploy "
                f"tools reject the template)", r.line, r.col)))
    return out

