import re
from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule, text_of
from pullcheck.facts import network as net
from pullcheck.facts import policy
from pullcheck.facts.images import HOLE
from pullcheck.rules.network._common import sites

_ACCOUNT = re.compile(r"^arn:[a-z-]+:iam::([0-9]{12}):role/")
_ACTIONS = {"ecr.dkr": ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"), "ecr.api": ("ecr:GetAuthorizationToken",)}


@rule("IAM013", "endpoint-policy-denies-pull", "error", kinds=SITE_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """A VPC endpoint policy that does not allow the pull.

    ## What it does
    For a Fargate task with no internet path that pulls from ECR through endpoints, reads the policies of
    the endpoints it uses: `ecr.dkr` must allow `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer`,
    `ecr.api` must allow `ecr:GetAuthorizationToken`, and the S3 gateway endpoint must allow `s3:GetObject`
    on `arn:aws:s3:::prod-REGION-starport-layer-bucket/*`, where ECR keeps image layers. An endpoint without
    a policy allows everything; a policy naming principals that cannot be matched is not judged.

    ## Why is this bad?
    The endpoint refuses the call before it reaches ECR or S3: `CannotPullContainerError ... 403` or
    `AccessDenied` on the layer download.

    ## How to fix
    Allow those actions in the endpoint policy (`PolicyDocument`, `policy`) for the execution role, or
    remove the policy to get the default full access.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    """
    for launch, td, i, subnet in sites(graph):
        relied = net.relied_endpoints(graph, launch, subnet, td)
        if not relied:
            continue
        arn = text_of(td.get("execution_role")) if td is not None else None
        m = _ACCOUNT.match(arn or "")
        who = [arn, m.group(1)] if m else None
        region = net.region(graph, launch, subnet) or HOLE
        checks = [(ep, svc, a, "*") for svc, ep in relied if svc in _ACTIONS for a in _ACTIONS[svc]]
        checks += [(ep, "s3", "s3:GetObject", f"arn:aws:s3:::prod-{region}-starport-layer-bucket/layer")
                   for ep in net.s3_gateway_endpoints(graph, subnet)]
        for ep, svc, action, resource in checks:
            doc = ep.get("policy")
            if not isinstance(doc, policy.Document):
                continue
            d = policy.decide([(st, None) for st in doc.statements], True, action, resource, who, resource_policy=True)
            if d.allowed is False:
                yield Hit(ep, ("policy",),
                          f"the policy of endpoint {ep.name} ({svc}) does not allow {action}"
                          f"{' on the ECR layer bucket' if svc == 's3' else ''}, which {launch.name} needs to pull "
                          f"through it; allow it, or remove the policy for full access")
