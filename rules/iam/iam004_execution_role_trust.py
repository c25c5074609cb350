from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.facts import iam
from pullcheck.rules.iam._common import execution_sites


@rule("IAM004", "execution-role-trust", "error", kinds=TASK_DEFINITION_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Execution role that ECS tasks cannot assume.

    ## What it does
    Flags the execution role of a Fargate task definition when its trust policy (`AssumeRolePolicyDocument`,
    `assume_role_policy`) has no Allow of `sts:AssumeRole` for the service principal
    `ecs-tasks.amazonaws.com`. A role declared elsewhere, or a trust policy that cannot be read, is not
    judged.

    ## Why is this bad?
    The agent cannot take the role, so it has no credentials to fetch the ECR token, write logs or read
    secrets: the task stops with `CannotPullContainerError` (access denied) or
    `ResourceInitializationError`.

    ## How to fix
    Trust `{"Service": "ecs-tasks.amazonaws.com"}` with `sts:AssumeRole` in the role's trust policy.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    """
    for td, role, _ in execution_sites(graph):
        if iam.trusts_ecs_tasks(graph, role) is False:
            yield Hit(role, ("trust",),
                      f"execution role {role.name} of {td.name} does not trust ecs-tasks.amazonaws.com, so the task "
                      f"cannot use it; allow sts:AssumeRole for the service principal ecs-tasks.amazonaws.com")
