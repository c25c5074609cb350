from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.rules.iam._common import fargate_task_definitions_without_role, message, role_fix


@rule("IAM002", "missing-execution-role-awslogs", "error", kinds=TASK_DEFINITION_KINDS, fix="unsafe")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task definition with the awslogs driver and no execution role.

    ## What it does
    Flags a Fargate task definition without `executionRoleArn` in which a container logs with `awslogs`.

    ## Why is this bad?
    The awslogs driver writes with the execution role's credentials. ECS rejects the definition:
    "Fargate requires task definition to have execution role ARN to support log driver awslogs".

    ## How to fix
    Add an execution role with `logs:CreateLogStream` and `logs:PutLogEvents`, for instance through
    `service-role/AmazonECSTaskExecutionRolePolicy`.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    """
    for td in fargate_task_definitions_without_role(graph):
        for i, c in enumerate(td.get("containers")):
            if isinstance(c, dict) and c.get("log_driver") == "awslogs":
                yield Hit(td, ("containers", i, "log_driver"),
                          message(td, c.get("name"), "logs with the awslogs driver"),
                          fix=role_fix(graph, td))
                break
