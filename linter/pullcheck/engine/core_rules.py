"""The engine's own finding IDs, declared as rules like any other.

The engine reports these itself (a rule cannot see a file that did not parse, nor a suppression comment),
so their ``check`` yields nothing: declaring them makes them selectable, ignorable, per-file-ignorable and
re-severable, gives them documentation pages, and lists them with ``--list-rules``.
"""
from __future__ import annotations

from typing import Dict, Iterator

from pullcheck.graph.model import Graph, Hit, Rule

SOURCE = "pullcheck.core"


def _reported_by_the_engine(graph: Graph) -> Iterator[Hit]:
    return iter(())


def _core(id: str, name: str, severity: str, doc: str) -> Rule:
    import textwrap

    doc = textwrap.dedent(doc).strip()
    return Rule(id=id, name=name, severity=severity, check=_reported_by_the_engine, doc=doc,
                summary=doc.splitlines()[0], source=SOURCE, kinds=(), once_per="hit")


PARSE001 = _core("PARSE001", "parse-error", "error", """
    File that cannot be read or parsed.

    ## What it does
    Reports, once per file and with the position of the problem, a CloudFormation template, Terraform file,
    task definition or plan that pullcheck cannot read: invalid YAML, JSON or HCL, a file over the size
    bound, nesting too deep, a YAML alias bomb, or a file that is not UTF-8. Files met while walking a folder
    are read only when they look like infrastructure, so other JSON and YAML files never report it; a file
    named on the command line always does. A file with template syntax in it that breaks elsewhere (a
    `!Sub` beside a bad indent, `${image}` beside a missing comma) is reported here, at that place; one
    that breaks only at its template syntax is `PARSE002`.

    It also reports, at the later key, a key that a CloudFormation template writes twice in one mapping.
    CloudFormation accepts such a template and deploys the later value, so the template is linted with that
    value; the earlier one is silently lost, and cfn-lint (and tools that read YAML strictly, such as
    Terraform's `aws_cloudformation_stack`) reject the template. Likewise a resource, data source, variable,
    local value, module call or output that one Terraform module declares twice, in one file or two (its
    override files aside, which Terraform merges on purpose): Terraform refuses the whole module; it is
    reported at the second declaration and the module linted with the first.

    ## Why is this bad?
    Nothing in that file is checked: a broken template hides every other finding it would have. A key
    written twice is a copy-and-paste slip whose first value does nothing.

    ## How to fix
    Fix the syntax at the position given, or leave the file out (`exclude` in the configuration). Of a key
    written twice, keep the value you mean and remove the other.
    """)

PARSE002 = _core("PARSE002", "templated-file", "info", """
    Infrastructure file that is a template, filled in by a build step.

    ## What it does
    Reports, once and at information level, a template or task definition that does not parse because of
    template syntax: Jinja or Helm (`{{ }}`, `{% %}`), Terraform `templatefile()` directives (`%{ }`,
    `${name}`), `<PLACEHOLDER>` tokens a pipeline replaces, or a jq template (`"family": $NAME`, `$ENV.X`,
    `env.X`, `"\\(env.X)"`). The file is not linted; the run does not fail on it unless the configuration
    raises this rule's severity.

    Template syntax is blamed only when it is what breaks the file: the parser stops inside it or right
    after it on its line, or the file parses with a neutral value in each placeholder's place. A file that
    also breaks for another reason (a missing comma, a bad indent) is `PARSE001` at that place.

    ## Why is this bad?
    It is not: it says which files pullcheck could not see, so that a gap is never silent.

    ## How to fix
    Lint the rendered output of the build step instead (for example the file the pipeline deploys), or
    exclude the template.
    """)

SUP001 = _core("SUP001", "unused-suppression", "warning", """
    Suppression that matches no finding.

    ## What it does
    Reports a `pullcheck: ignore[ID] reason` comment (or template `Metadata`) of a rule that ran and found
    nothing there.

    ## Why is this bad?
    A stale suppression would silently hide the next real finding at that place.

    ## How to fix
    Remove the suppression.
    """)

SUP002 = _core("SUP002", "suppression-without-reason", "warning", """
    Suppression without a reason.

    ## What it does
    Reports a suppression comment or `Metadata` entry that gives no reason. It is not applied.

    ## Why is this bad?
    A reviewer cannot tell a deliberate exception from a silenced mistake.

    ## How to fix
    Write why after the rule IDs: `# pullcheck: ignore[NET001] the task pulls through a proxy`.
    """)

CORE: Dict[str, Rule] = {r.id: r for r in (PARSE001, PARSE002, SUP001, SUP002)}
