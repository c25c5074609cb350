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
from pullcheck.sources.marked import MDict
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
    a stack or a parent names but that cannot be read."""
    exports = Exports(assignment)
    found = Templates(templates, load)
    every = with_nested(top_stacks(templates, stacks, graph, found, exports), graph, found, exports)
    add_exports(every, exports)
    for r in every:
        add_resources(r, graph, current().cfn_built)
    graph.inputs.choices = exports.choices
    graph.inputs.cfn_steps = exports.budget[0]
    # values that cross templates: exports, imports, nested stacks (what --jobs must keep together)
    graph.inputs.cfn_linked = bool(exports.by_name or exports.ambiguous or exports.imported
                                   or any(r.children for r in every) or stacks)
    return found.errors

