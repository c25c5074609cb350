from typing import Iterator

from pullcheck import SITE_KINDS, Graph, Hit, rule, spell, truthy
from pullcheck.facts import network as net
from pullcheck.rules.network._common import sites


@rule("NET006", "endpoint-private-dns-disabled", "error", kinds=SITE_KINDS, once_per="resource")
def check(graph: Graph) -> Iterator[Hit]:
    """Interface endpoint a Fargate task relies on, with private DNS off.

    ## What it does
    Flags an interface endpoint (`ecr.dkr`, `ecr.api`, `logs`, `secretsmanager`, `ssm`) that a Fargate
    task with no internet path depends on (none through an internet gateway without a public IP), when
    `PrivateDnsEnabled` / `private_dns_enabled` is false or absent. In CloudFormation and in `aws_vpc_endpoint` the default is off (the console's default is on).

    ## Why is this bad?
    Without private DNS the public service name still resolves to public addresses, which the task cannot
    reach; the endpoint sits unused and the pull times out. A task cannot be told to use the endpoint's
    own DNS name instead.

    ## How to fix
    Set `PrivateDnsEnabled: true` (`private_dns_enabled = true`) on the endpoint; the VPC needs
    `EnableDnsSupport` and `EnableDnsHostnames`.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpcendpoint.html
    """
    for launch, td, i, subnet in sites(graph):
        for service, ep in net.relied_endpoints(graph, launch, subnet, td) or []:
            dns = ep.get("private_dns")
            if (dns is not None and truthy(dns) is not False):
                continue
            path = ("private_dns",)  # absent: the resource, or the input of a modelled module
            yield Hit(ep, path,
                      f"interface endpoint {ep.name} ({service}) has private DNS "
                      f"{'disabled' if dns is not None else 'off (the default)'}, so {launch.name}, which has no "
                      f"internet path, still resolves the public name and cannot pull; set "
                      f"{spell(ep, 'private_dns', True)}")
