from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.rules.iam._common import fargate_task_definitions_without_role, message, role_fix


@rule("IAM003", "missing-execution-role-secrets", "error", kinds=TASK_DEFINITION_KINDS, fix="unsafe")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task definition with secrets or registry credentials and no execution role.

    ## What it does
    Flags a Fargate task definition without `executionRoleArn` in which a container has `secrets`,
    log `secretOptions` or `repositoryCredentials`.

    ## Why is this bad?
    Secrets and private-registry credentials are fetched with the execution role before the container
    starts. Without it the definition is rejected, or the task stops with `ResourceInitializationError:
    unable to pull secrets or registry auth`.

    ## How to fix
    Add an execution role allowed `secretsmanager:GetSecretValue` / `ssm:GetParameters` (and `kms:Decrypt`
    for a customer key) on the referenced secrets.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html
    """
    for td in fargate_task_definitions_without_role(graph):
        for i, c in enumerate(td.get("containers")):
            if not isinstance(c, dict):
                continue
            if c.get("repository_credentials") is not None:
                yield Hit(td, ("containers", i, "repository_credentials"),
                          message(td, c.get("name"), "uses private registry credentials"),
                          fix=role_fix(graph, td))
                break
            if c.get("secrets"):
                yield Hit(td, ("containers", i, "secrets"), message(td, c.get("name"), "reads secrets"),
                          fix=role_fix(graph, td))
                break
            if c.get("secret_options"):
                yield Hit(td, ("containers", i, "secret_options"),
                          message(td, c.get("name"), "passes secrets to its log driver"),
                          fix=role_fix(graph, td))
                break
