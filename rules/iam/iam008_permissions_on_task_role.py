from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.rules.iam._common import execution_sites, missing_permissions


@rule("IAM008", "permissions-on-task-role", "error", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """The pull, log or secret permissions sit on the task role, not the execution role.

    ## What it does
    Flags a Fargate task definition whose execution role provably lacks ECR, CloudWatch Logs or secrets
    permissions that its task role (`TaskRoleArn`, `task_role_arn`) does grant.

    ## Why is this bad?
    The task role is for the application's own calls once it runs. Pulling the image, creating the log
    stream and reading secrets happen before that, with the execution role; permissions on the task role
    do nothing for them, and the task fails with `CannotPullContainerError` or `ResourceInitializationError`.

    ## How to fix
    Move (or copy) those permissions to the execution role (`ExecutionRoleArn`, `execution_role_arn`),
    for example by attaching `service-role/AmazonECSTaskExecutionRolePolicy` to it.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    """
    for td, role, task_role in execution_sites(graph):
        missing = missing_permissions(graph, td, role, task_role)
        needs = [n for g, (ns, on_task) in sorted(missing.items()) if on_task for n in ns]
        if not needs:
            continue
        actions = sorted({n.action for n in needs})
        yield Hit(role, (), f"{', '.join(actions)} for {td.name} are granted to its task role {task_role.name}, but "
                            f"the agent uses the execution role {role.name} to pull, log and read secrets; grant "
                            f"them to {role.name}")
