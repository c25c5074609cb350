from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.facts.images import classify
from pullcheck.rules.iam._common import fargate_task_definitions_without_role, message, role_fix


@rule("IAM001", "missing-execution-role-ecr", "error", kinds=TASK_DEFINITION_KINDS, fix="unsafe")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task definition with a private ECR image and no execution role.

    ## What it does
    Flags a Fargate task definition (`requiresCompatibilities` FARGATE, or used by a Fargate service)
    without `executionRoleArn` whose containers use a private ECR image.

    ## Why is this bad?
    On Fargate the agent pulls from ECR with the task execution role. ECS rejects the definition:
    "Fargate requires task definition to have execution role ARN to support ECR images".

    ## How to fix
    Add an execution role trusted by `ecs-tasks.amazonaws.com` with the managed policy
    `service-role/AmazonECSTaskExecutionRolePolicy`.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    """
    for td in fargate_task_definitions_without_role(graph):
        for i, c in enumerate(td.get("containers")):
            if isinstance(c, dict) and classify(c.get("image")).kind == "ecr":
                yield Hit(td, ("containers", i, "image"), message(td, c.get("name"), "uses a private ECR image"),
                          fix=role_fix(graph, td))
                break
