from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, rule
from pullcheck.facts import iam
from pullcheck.rules.iam._common import execution_sites

_VPC_KEYS = ("aws:sourcevpc", "aws:sourcevpce")


@rule("IAM010", "auth-token-vpc-condition", "error", kinds=TASK_DEFINITION_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """`ecr:GetAuthorizationToken` allowed only under `aws:SourceVpc` / `aws:SourceVpce` conditions.

    ## What it does
    Flags an execution role whose only grant of `ecr:GetAuthorizationToken` carries an `aws:SourceVpc` or
    `aws:SourceVpce` condition, when every policy of the role is visible.

    ## Why is this bad?
    Fargate calls GetAuthorizationToken through a network interface that AWS owns, not through your VPC or
    endpoint, so the condition never holds: the call is denied and the pull fails.

    ## How to fix
    Grant `ecr:GetAuthorizationToken` on `*` without VPC conditions (keep them on `ecr:BatchGetImage` and
    `ecr:GetDownloadUrlForLayer` if you want them).

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    """
    need = iam.Need("ecr", "ecr:GetAuthorizationToken", "*", "the ECR auth token")
    for td, role, _ in execution_sites(graph):
        pset = iam.role_policies(graph, role)
        if not pset.complete:
            continue
        d = iam.check(pset, need)
        if d.allowed is True:
            continue
        for st in d.conditional:
            if any(key.lower() in _VPC_KEYS for _, key, _ in st.conditions):
                src = next(s for x, s in pset.statements if x is st)
                yield Hit(src.resource, src.path,
                          f"execution role {role.name} allows ecr:GetAuthorizationToken only under an aws:SourceVpc / "
                          f"aws:SourceVpce condition ({src.label}), which Fargate's call never meets; grant it on * "
                          f"without that condition")
                break
