"""Named unknowns: values the deployment decides, but that are the same value wherever one stack writes them.

A stack's ``AWS::AccountId``, ``AWS::Region`` and ``AWS::Partition`` (in Terraform, what
``data.aws_caller_identity``, ``data.aws_region`` and ``data.aws_partition`` read for a root module) are not
known before deployment, but an image ``${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/repo`` and a
policy resource ``arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/repo`` in the same
stack name the same repository. Likewise a log group the files create with a generated name: ``!Ref LogGroup``
in a task's ``awslogs-group`` and ``!GetAtt LogGroup.Arn`` in a policy are that one group. Such a value is
written here as a name between two ``SYMBOL`` marks (``policy.SYMBOL``), which the policy matcher compares
as text: the same name is the same value, a name against other text is undecided.

A name is scoped to one part of the run (``reach.part``: a template, a Terraform root folder), so the account
of one stack never stands for another's.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Dict, List, Optional

from pullcheck.facts.policy import SYMBOL
from pullcheck.graph.values import Ref, Template, Unknown

_PSEUDO = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix")
# Terraform data sources that read the provider's account, Region and partition, by attribute
_DATA = {("data.aws_caller_identity", "account_id"): "AWS::AccountId",
         ("data.aws_region", "name"): "AWS::Region", ("data.aws_region", "region"): "AWS::Region",
         ("data.aws_region", "id"): "AWS::Region", ("data.aws_partition", "partition"): "AWS::Partition",
         ("data.aws_partition", "dns_suffix"): "AWS::URLSuffix"}
_LOG_GROUPS = ("AWS::Logs::LogGroup", "aws_cloudwatch_log_group")
# a secret's ARN, as each format writes it: CloudFormation's Ref (and its Id), Terraform's arn and id
_SECRET_ARNS = {"AWS::SecretsManager::Secret": (None, "Ref", "Id"), "aws_secretsmanager_secret": ("arn", "id"),
                "data.aws_secretsmanager_secret": ("arn", "id")}  # one data source block: one secret
_NAME_ATTRS = (None, "Ref", "name", "id")
# an ECR repository the files create, by what each format's attribute gives: its name, ARN or URI
_REPOSITORIES: Dict[str, Dict[Optional[str], str]] = {
    "AWS::ECR::Repository": {None: "name", "Ref": "name", "Arn": "arn", "RepositoryUri": "uri"},
    "aws_ecr_repository": {"name": "name", "id": "name", "arn": "arn", "repository_url": "uri"}}


def token(scope: str, name: str) -> str:
    digest = hashlib.sha1(f"{scope}\x00{name}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{SYMBOL}{digest}{SYMBOL}"


def text(v: Any, scope: str, names: Optional[Dict[str, str]] = None) -> Optional[str]:
    """``v`` as text with its named unknowns written as names; None when a part of it is an unknown that has
    no name (a parameter, a variable, a resource attribute this module does not name). ``names``: the names
    the files give the repositories they create, by graph key (a repository's name is then that text)."""
    if isinstance(v, str):
        return v if SYMBOL not in v else None
    if isinstance(v, Template):
        out: List[str] = []
        for p in v.parts:
            t = text(p, scope, names)
            if t is None:
                return None
            out.append(t)
        return "".join(out)
    if isinstance(v, Unknown):
        name = v.origin[len("pseudo parameter "):] if v.origin.startswith("pseudo parameter ") else ""
        return token(scope, name) if name in _PSEUDO else None
    if isinstance(v, Ref):
        return _ref(v, scope, names)
    return None


def _ref(v: Ref, scope: str, names: Optional[Dict[str, str]] = None) -> Optional[str]:
    pseudo = _DATA.get((v.rtype, v.attr or ""))
    if pseudo is not None:
        # one data source block: another (another module's, another provider's) may read another account
        return token(scope, f"{pseudo}@{v.target}")
    if v.attr in _SECRET_ARNS.get(v.rtype, ()):
        return token("secret", v.target)
    if v.rtype in _REPOSITORIES:
        return _repository(v, scope, (names or {}).get(v.target))
    if v.rtype not in _LOG_GROUPS:
        return None
    name = token("log group", v.target)
    if v.attr in _NAME_ATTRS:
        return name
    arn = (f"arn:{token(scope, 'AWS::Partition')}:logs:{token(scope, 'AWS::Region')}:"
           f"{token(scope, 'AWS::AccountId')}:log-group:{name}")
    if v.attr == "Arn":
        return arn + ":*"  # CloudFormation's Arn of a log group ends in ":*"
    if v.attr == "arn":
        return arn
    return None


def _repository(v: Ref, scope: str, written: Optional[str]) -> Optional[str]:
    """A repository the files create: its name, and its ARN and URI in the stack's partition, account and
    Region (where a repository is created), so that an image from its URI and a policy on its ARN meet."""
    form = _REPOSITORIES[v.rtype].get(v.attr)
    if form is None:
        return None
    name = written or token("ecr repository", v.target)
    account, region = token(scope, "AWS::AccountId"), token(scope, "AWS::Region")
    if form == "arn":
        return f"arn:{token(scope, 'AWS::Partition')}:ecr:{region}:{account}:repository/{name}"
    if form == "uri":
        return f"{account}.dkr.ecr.{region}.{token(scope, 'AWS::URLSuffix')}/{name}"
    return name


def has_names(t: str) -> bool:
    return SYMBOL in t


_REGION = r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}"


def settled(t: str, scope: str) -> str:
    """An ARN written with the stack's partition but a Region given as text (``arn:${AWS::Partition}:ecr:
    us-east-1:...``) is in that Region's partition: no stack reaches another partition's resources, so the
    name stands for the one value the Region allows."""
    from pullcheck.graph.reference import partition

    name = re.escape(token(scope, "AWS::Partition"))
    return re.sub(rf"^arn:{name}:([a-z0-9-]+):({_REGION}):",
                  lambda m: f"arn:{partition(m.group(2))}:{m.group(1)}:{m.group(2)}:", t)


def secret(v: Any, scope: str) -> Optional[str]:
    """The named ARN of a secret the files create, when ``v`` is a reference to it, or that reference with a
    JSON key, version stage or version after it (``${secret.arn}:password::``: the same secret); else None."""
    if isinstance(v, Template) and len(v.parts) > 1 and isinstance(v.parts[1], str) and v.parts[1].startswith(":"):
        v = v.parts[0]
    return _ref(v, scope) if isinstance(v, Ref) and v.attr in _SECRET_ARNS.get(v.rtype, ()) else None
