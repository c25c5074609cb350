from typing import Iterator

from pullcheck import Graph, Hit, rule
from pullcheck.facts import iam


@rule("IAM009", "unknown-managed-policy", "error", kinds=("iam.role", "iam.attachment"))
def check(graph: Graph) -> Iterator[Hit]:
    """AWS managed policy ARN with the wrong path, which does not exist.

    ## What it does
    Flags an AWS managed policy ARN (in `ManagedPolicyArns`, `managed_policy_arns` or a policy attachment)
    that names a policy pullcheck knows under another path: most often
    `arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy`, which lacks `service-role/`.

    ## Why is this bad?
    No policy exists at that ARN: CloudFormation fails to create the role (`Policy ... does not exist or
    is not attachable`), `terraform apply` fails on the attachment, and the task never gets its
    permissions.

    ## How to fix
    Use the ARN with the right path, for example
    `arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`
    (`!Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`).

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSTaskExecutionRolePolicy.html
    """
    sites = []
    for role in graph.of_kind("iam.role"):
        arns = role.get("managed_arns")
        for i, arn in enumerate(arns if isinstance(arns, list) else []):
            sites.append((role, ("managed_arns", i), arn))
    for att in graph.of_kind("iam.attachment"):
        sites.append((att, ("policy_arn",), att.get("policy_arn")))
    for res, path, arn in sites:
        m = iam.managed_name(arn)
        if m is None or m[1] not in iam.MANAGED:
            continue
        right = iam.MANAGED[m[1]][0]
        if m[0] != right:
            yield Hit(res, path, f"{res.name} attaches {m[0]}{m[1]}, which does not exist; the AWS managed policy is "
                                 f"arn:aws:iam::aws:policy/{right}{m[1]}")
