import re
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, Template, fixes, placeholder, rule, text_of
from pullcheck.facts.images import HOLE, classify
from pullcheck.rules.image._common import containers

# ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn], ACCOUNT.dkr-ecr[-fips].REGION.on.aws, and other partitions'
# suffixes, which are allowed as long as account and Region are there
_ECR = re.compile(r"^(?P<account>[^.]*)\.dkr(?:\.ecr(?:-fips)?|-ecr(?:-fips)?)\.(?P<region>[^.]*)\.(?P<suffix>.+)$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-[0-9]+$")


def _host(v):
    if isinstance(v, Template):
        text = v.text(HOLE)
    else:
        text = text_of(v)
    if not text or "/" not in text:
        return None
    return text.split("/", 1)[0]


def _host_problem(host: str):
    """What is wrong with a host that looks like ECR's; None when it is well formed or not ECR-like."""
    low = host.lower()
    if not ("dkr.ecr" in low or "dkr-ecr" in low or (".ecr." in low and "amazonaws.com" in low)):
        return None
    m = _ECR.match(low)
    if m is None:
        return "it is not ACCOUNT.dkr.ecr.REGION.amazonaws.com (or a FIPS, dual-stack or China form)"
    account, region = m.group("account"), m.group("region")
    if HOLE not in account and not re.fullmatch(r"[0-9]{12}", account):
        return f"the account {account!r} is not 12 digits"
    if HOLE not in region and not _REGION.match(region):
        return "the Region is missing" if region in ("amazonaws", "on") else f"{region!r} is not a Region"
    if host != low:
        return "registry host names are lower case"
    return None


@rule("IMG004", "malformed-ecr-host", "error", kinds=TASK_DEFINITION_KINDS, fix="unsafe")
def check(graph: Graph) -> Iterator[Hit]:
    """Host that looks like ECR but lacks the 12-digit account or the Region.

    ## What it does
    Flags an image whose registry host looks like Amazon ECR (`dkr.ecr`, `dkr-ecr`) but is not
    `ACCOUNT.dkr.ecr.REGION.amazonaws.com` with a 12-digit account and a Region. Every ECR host form is
    accepted: commercial, China (`amazonaws.com.cn`), GovCloud, FIPS (`dkr.ecr-fips`), dual-stack
    (`dkr-ecr.REGION.on.aws`). Parts only the deployment knows (`${AWS::AccountId}`) are not judged.

    ## Why is this bad?
    The host does not resolve, or resolves to another registry: the pull fails with `no such host` or
    `CannotPullContainerError`.

    ## How to fix
    Build the URI from the repository (`!GetAtt Repo.RepositoryUri`, `aws_ecr_repository.x.repository_url`),
    or write `123456789012.dkr.ecr.eu-west-1.amazonaws.com/NAME:TAG`.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
    - https://docs.aws.amazon.com/general/latest/gr/ecr.html
    """
    for td, i, c in containers(graph):
        image = c.get("image")
        host = _host(image)
        if host is None or classify(image).kind == "arn" or placeholder(host):
            continue
        why = _host_problem(host)
        if why:
            yield Hit(td, ("containers", i, "image"),
                      f"container {c.get('name')!s} of {td.name} pulls from {host.replace(HOLE, '${...}')!r}, "
                      f"which looks like Amazon ECR but {why}", fix=_fix(td, ("containers", i, "image"), image))


# a literal written without its Region (ACCOUNT.dkr.ecr.amazonaws.com) or without its account
# (dkr.ecr.REGION.amazonaws.com): in a template the stack's own fills the gap
_NO_REGION = re.compile(r"^(?P<a>[0-9]{12})\.dkr\.ecr\.amazonaws\.com(?P<rest>/.*)$")
_NO_ACCOUNT = re.compile(r"^dkr\.ecr\.(?P<r>[a-z]{2}(?:-[a-z]+)+-[0-9]+)\.amazonaws\.com(?P<rest>/.*)$")


def _fix(td, path, image):
    """Unsafe: the stack's Region or account (AWS::Region, AWS::AccountId) is a guess at the registry meant.
    Only for a literal in a YAML template."""
    if not isinstance(image, str) or fixes.fmt(td) != "cfn-yaml" or "${" in image:
        return None
    m = _NO_REGION.match(image)
    if m:
        new = f'!Sub "{m.group("a")}.dkr.ecr.${{AWS::Region}}.amazonaws.com{m.group("rest")}"'
    else:
        m = _NO_ACCOUNT.match(image)
        if m is None:
            return None
        new = f'!Sub "${{AWS::AccountId}}.dkr.ecr.{m.group("r")}.amazonaws.com{m.group("rest")}"'
    return fixes.replace_in_value(td, path, r"(?P<v>" + re.escape(image) + r")(?![\w./:@-])", new,
                                  f"write {new}", safe=False)
