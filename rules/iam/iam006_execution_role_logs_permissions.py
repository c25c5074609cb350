from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.rules.iam._common import missing_permission_hits

GROUPS = ("logs",)


@rule("IAM006", "execution-role-logs-permissions", "error", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Execution role whose visible policies do not allow the CloudWatch Logs calls.

    ## What it does
    For a Fargate task definition whose execution role is declared in the scanned files, evaluates the
    role's inline policies, attached policies and known AWS managed policies (Deny over Allow, wildcards,
    `NotAction`, resources) and flags it when they do not allow logs:CreateLogStream and logs:PutLogEvents (and logs:CreateLogGroup with `awslogs-create-group: true`).
    Fires only when every policy of the role is visible; an unknown customer policy or an AWS managed
    policy not modelled here makes the verdict unknown. When the task role holds the permissions instead,
    IAM008 reports it.

    ## Why is this bad?
    The agent makes these calls with the execution role before the container starts: the task stops with
    `ResourceInitializationError: failed to validate logger args ... AccessDeniedException`.

    ## How to fix
    Attach `arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy` (ECR and logs) or add
    the actions named in the message to the execution role's policy.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    """
    yield from missing_permission_hits(graph, GROUPS, "to send the awslogs output")
