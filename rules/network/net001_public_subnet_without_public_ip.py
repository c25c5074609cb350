from typing import Iterator

from pullcheck import LAUNCH_KINDS, SITE_KINDS, Graph, Hit, fixes, rule, spell
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites


@rule("NET001", "public-subnet-without-public-ip", "error", kinds=SITE_KINDS, once_per="resource", fix="safe")
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task in a public subnet without a public IP.

    ## What it does
    Flags a Fargate service or task set placed in a subnet whose only IPv4 way out is an internet gateway,
    while `AssignPublicIp` is `DISABLED` or absent, and the image has to come over the internet.

    ## Why is this bad?
    An internet gateway only carries traffic for addresses that have a public IP. Without one, the task
    cannot reach the registry and stops with `CannotPullContainerError` (connection timed out) or
    `ResourceInitializationError`. The default for `AssignPublicIp` is `DISABLED`.

    ## How to fix
    Set `AssignPublicIp: ENABLED` (`assign_public_ip = true` in Terraform), or move the task to a private
    subnet with a NAT gateway, or (ECR images only) add the ECR VPC endpoints.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
    """
    for launch, td, i, subnet in sites(graph):
        if net.public_ip(launch) is not False or net.egress4(graph, subnet).kind != "igw":
            continue
        # endpoints serve private ECR images of their own Region when the set is complete; anything else
        # (another registry whatever the endpoints) needs the internet
        if net.needs_internet(graph, launch, subnet, td) is not True:
            continue
        path = ("assign_public_ip",) if launch.get("assign_public_ip") is not None else ("subnets", i)
        yield Hit(launch, path,
                  f"{launch.name} runs on Fargate in public subnet {subnet.label(launch)} (default route to an internet "
                  f"gateway) without a public IP, so it cannot reach the registry; set "
                  f"{spell(launch, 'assign_public_ip', 'ENABLED')}, or use a private subnet with a NAT gateway",
                  fix=_fix(launch, path))


# the line a missing AssignPublicIp goes above, and how it is written, per format
_INSERT = {"cfn-yaml": (r"\s*Subnets\s*:", "AssignPublicIp: ENABLED"),
           "cfn-json": (r'\s*"Subnets"\s*:', '"AssignPublicIp": "ENABLED",'),
           "terraform": (r"\s*subnets\s*=", "assign_public_ip = true"),
           "json": (r'\s*"subnets"\s*:', '"assignPublicIp": "ENABLED",')}


def _fix(launch, path):
    """The public IP turned on where it is written (safe: the subnet routes to an internet gateway, which
    is what a public IP needs), or the setting added beside the subnets. None for Batch (its public IP is
    set in the job definition) and for values that are not written as a literal."""
    if launch.kind not in LAUNCH_KINDS or launch.rtype.startswith("AWS::Batch"):
        return None
    kind = fixes.fmt(launch)
    title = f"set {spell(launch, 'assign_public_ip', 'ENABLED')}"
    if path[0] == "assign_public_ip":
        if kind == "terraform":
            return fixes.replace_in_value(launch, path, r"(?<![\w.\"])(?P<v>false)\b", "true", title)
        return fixes.replace_in_value(launch, path, r"\b(?P<v>DISABLED)\b", "ENABLED", title)
    key, line = _INSERT.get(kind, (None, None))
    return fixes.insert_line_before(launch, path, key, line, title) if key else None
