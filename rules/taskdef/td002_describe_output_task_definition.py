from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, fixes, rule
from pullcheck.rules.taskdef._common import OUTPUT_ONLY


@rule("TD002", "describe-output-task-definition", "warning", kinds=TASK_DEFINITION_KINDS, fix="safe")
def check(graph: Graph) -> Iterator[Hit]:
    """`describe-task-definition` output used as a task definition.

    ## What it does
    Flags task-definition JSON that is the output of `aws ecs describe-task-definition`: wrapped in
    `{"taskDefinition": ...}`, or carrying keys only the describe call returns (`taskDefinitionArn`,
    `revision`, `status`, `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`,
    `deregisteredAt`, `deleteRequestedAt`).

    ## Why is this bad?
    `register-task-definition --cli-input-json` rejects the wrapper and every output-only key (`Unknown
    parameter in input`). The amazon-ecs-deploy-task-definition action strips most of them with a warning
    but neither the wrapper nor `deleteRequestedAt`.

    ## How to fix
    Save the inner object (`aws ecs describe-task-definition --query taskDefinition`) and delete the
    output-only keys.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
    - https://github.com/aws-actions/amazon-ecs-deploy-task-definition
    """
    for td in graph.of_kind("ecs.task_definition"):
        raw = td.get("raw")
        if raw is None:
            continue
        if td.get("wrapped"):
            yield Hit(td, ("wrapper",), f"task definition {td.name} is wrapped in {{\"taskDefinition\": ...}} as "
                                        f"describe-task-definition prints it; save only the inner object",
                      fix=_fix(td, lambda: fixes.json_unwrapped(td, "taskDefinition", "keep only the inner object")))
        for key in OUTPUT_ONLY:
            if key in raw:
                yield Hit(td, ("raw", key), f"task definition {td.name} has {key}, which only "
                                            f"describe-task-definition returns; remove it before registering",
                          fix=_fix(td, lambda key=key: fixes.json_member_removed(td, ("raw", key), f"remove {key}")))


def _fix(td, make):
    """Only for a task-definition JSON file: in a template or Terraform the same keys are written otherwise."""
    return make() if fixes.fmt(td) == "json" and td.file.lower().endswith(".json") else None

