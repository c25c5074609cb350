from typing import Iterator, Optional, Tuple

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, fixes, rule
from pullcheck.rules.taskdef._common import OUTPUT_ONLY

WRAPPER = "wrapper"
# What each deploy tool takes out before it registers (the rest it sends, and the API rejects): ecspresso
# decodes the file into the RegisterTaskDefinition input, unwrapping {"taskDefinition": ...} and leaving out
# every key the input has not; aws-actions/amazon-ecs-deploy-task-definition deletes its
# IGNORED_TASK_DEFINITION_ATTRIBUTES, which lack deleteRequestedAt, and does not unwrap.
DROPPED = {
    "ecspresso": frozenset(OUTPUT_ONLY) | {WRAPPER},
    "deploy-action": frozenset(OUTPUT_ONLY) - {"deleteRequestedAt"},
}
TOOL_NAMES = {"ecspresso": "ecspresso", "deploy-action": "the amazon-ecs-deploy-task-definition action",
              "cli": "register-task-definition --cli-input-json"}


@rule("TD002", "describe-output-task-definition", "warning", kinds=TASK_DEFINITION_KINDS, fix="safe")
def check(graph: Graph) -> Iterator[Hit]:
    """`describe-task-definition` output used as a task definition, where what registers it rejects it.

    ## What it does
    Flags task-definition JSON that is the output of `aws ecs describe-task-definition`: wrapped in
    `{"taskDefinition": ...}`, or carrying keys only the describe call returns (`taskDefinitionArn`,
    `revision`, `status`, `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`,
    `deregisteredAt`, `deleteRequestedAt`), according to what the repository says registers the file:

    - `--cli-input-json file://...` in a script or workflow: every such key and the wrapper (warning);
    - only ecspresso (a configuration whose `task_definition` is the file: `ecspresso*.yml`, `.yaml`,
      `.json` or `.jsonnet`, or a small file of those kinds with `cluster` or `service` beside
      `task_definition`) or the `aws-actions/amazon-ecs-deploy-task-definition` action (a
      workflow step whose `task-definition` is the file, possibly through
      `aws-actions/amazon-ecs-render-task-definition`): only what that tool does not take out (warning);
    - nothing: every such key and the wrapper, at information level, saying which tools take the file
      and which reject it.

    The configuration is read in the file's folder and the folders above it within the paths linted
    (`--root` widens them); nothing is run.

    ## Why is this bad?
    `register-task-definition --cli-input-json` and the SDKs reject the wrapper and every output-only key
    (`Unknown parameter in input`). The amazon-ecs-deploy-task-definition action deletes the output-only
    keys but `deleteRequestedAt`, and does not unwrap; ecspresso unwraps and drops them all.

    ## How to fix
    Save the inner object (`aws ecs describe-task-definition --query taskDefinition`) and delete the
    output-only keys.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
    - https://github.com/aws-actions/amazon-ecs-deploy-task-definition
    - https://github.com/kayac/ecspresso
    """
    for td in graph.of_kind("ecs.task_definition"):
        raw = td.get("raw")
        if raw is None:
            continue
        registered = graph.inputs.registered_by.get(td.file, ())
        if td.get("wrapped"):
            said = _verdict(WRAPPER, registered)
            if said is not None:
                yield Hit(td, ("wrapper",), f"task definition {td.name} is wrapped in {{\"taskDefinition\": ...}} "
                                            f"as describe-task-definition prints it{said[1]}; save only the inner "
                                            f"object", severity=said[0],
                          fix=_fix(td, lambda: fixes.json_unwrapped(td, "taskDefinition", "keep only the inner object")))
        for key in OUTPUT_ONLY:
            said = _verdict(key, registered) if key in raw else None
            if said is not None:
                yield Hit(td, ("raw", key), f"task definition {td.name} has {key}, which only describe-task-definition "
                                            f"returns{said[1]}; remove it before registering", severity=said[0],
                          fix=_fix(td, lambda key=key: fixes.json_member_removed(td, ("raw", key), f"remove {key}")))


def _verdict(what: str, registered: tuple) -> Optional[Tuple[Optional[str], str]]:
    """(severity, what to say) of an output-only key or the wrapper, given what registers the file; None
    when every tool that registers it takes it out."""
    cli = [r for r in registered if r.tool == "cli"]
    if cli:
        return None, f"; {cli[0].where} registers the file with {TOOL_NAMES['cli']}, which rejects it"
    keeping = [r for r in registered if what not in DROPPED.get(r.tool, ())]
    if keeping:
        return None, f"; {TOOL_NAMES[keeping[0].tool]} ({keeping[0].where}) sends it on and registration fails"
    if registered:
        return None
    accept = [TOOL_NAMES[t] for t in sorted(DROPPED) if what in DROPPED[t]]
    reject = [TOOL_NAMES[t] for t in sorted(DROPPED) if what not in DROPPED[t]] + [TOOL_NAMES["cli"], "the SDKs"]
    return "info", (f": {' and '.join(accept)} accept{'' if len(accept) > 1 else 's'} it, "
                    f"{', '.join(reject[:-1])} and {reject[-1]} reject it, and no deploy configuration in the "
                    f"paths linted says which registers this file")


def _fix(td, make):
    """Only for a task-definition JSON file: in a template or Terraform the same keys are written otherwise."""
    return make() if fixes.fmt(td) == "json" and td.file.lower().endswith(".json") else None
