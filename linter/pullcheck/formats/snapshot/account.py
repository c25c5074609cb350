"""What a snapshot holds besides the network: CloudFormation exports, IAM roles with their policies, ECR
repositories and pull-through cache rules, as graph resources of the kinds the facts read."""
from __future__ import annotations

from typing import Any, Dict, List

from pullcheck.facts import policy
from pullcheck.graph.model import Resource, Span
from pullcheck.graph.values import Ref

# AWS managed policies: the facts know them by ARN; any other attached policy is read from the snapshot
_AWS_MANAGED = ":iam::aws:policy/"


def exports(b: Any) -> None:
    """``list-exports``: each export by name, for ``Fn::ImportValue``."""
    for it in b.items("Exports"):
        name = it.text("Name", required=True)
        value = it.item.get("Value")
        res = Resource(key=b.key(it.file, f"export:{name}"), kind="cfn.export", rtype="cloudformation:Export",
                       name=name, file=it.file, span=Span.at(it.pos))
        res.attrs.update(name=name, value=value if isinstance(value, str) else None, snapshot=b.name,
                         stack=it.text("ExportingStackId"))
        b.graph.add(res)


def roles(b: Any) -> None:
    """Roles as ``get-account-authorization-details`` writes them (``RoleDetailList``'s shape): trust, inline
    policies and attached ones; a customer managed policy's document comes from ``Policies``."""
    documents: Dict[str, Any] = {}
    for it in b.items("Policies"):
        arn = it.text("Arn", required=True) or ""
        documents[arn] = (it, it.document("Document"))
    attached: Dict[str, List[Ref]] = {}
    for it in b.items("Roles"):
        name = it.text("RoleName", required=True) or ""
        res = Resource(key=b.key(it.file, f"role:{name}"), kind="iam.role", rtype="iam:Role", name=name,
                       file=it.file, span=Span.at(it.pos))
        res.attrs.update(role_name=name, snapshot=b.name, tags=it.tags(),
                         trust=policy.parse(it.document("AssumeRolePolicyDocument")))
        res.attrs["inline"] = [(p.text("PolicyName"), policy.parse(p.document("PolicyDocument")))
                               for p in it.objects("RolePolicyList")]
        managed = []
        for p in it.objects("AttachedManagedPolicies"):
            arn = p.text("PolicyArn", required=True) or ""
            if arn in documents and _AWS_MANAGED not in arn:
                attached.setdefault(arn, []).append(Ref(res.key, "iam:Role", None))
            else:
                managed.append(arn)  # AWS managed, or a policy whose document the snapshot lacks: unknown
        res.attrs["managed_arns"] = managed
        pos = it.span("AttachedManagedPolicies")
        if pos is not None:
            res.spans[("managed_arns",)] = pos
        b.graph.add(res)
    for arn, refs in attached.items():
        it, doc = documents[arn]
        res = Resource(key=b.key(it.file, f"policy:{arn}"), kind="iam.policy", rtype="iam:Policy",
                       name=it.text("PolicyName") or arn, file=it.file, span=Span.at(it.pos))
        res.attrs.update(document=policy.parse(doc), managed=True, roles=refs, policy_name=it.text("PolicyName"),
                         snapshot=b.name)
        b.graph.add(res)


def repositories(b: Any) -> None:
    """``describe-repositories`` (with each repository's policy, when the snapshot took it) and
    ``describe-pull-through-cache-rules``."""
    for it in b.items("repositories"):
        name = it.text("repositoryName", required=True) or ""
        res = Resource(key=b.key(it.file, f"repository:{name}"), kind="ecr.repository", rtype="ecr:Repository",
                       name=name, file=it.file, span=Span.at(it.pos))
        text = it.document("policyText")
        res.attrs.update(repository_name=name, snapshot=b.name, policy=None if text is None else policy.parse(text),
                         uri=it.text("repositoryUri"))
        b.graph.add(res)
    for it in b.items("pullThroughCacheRules"):
        prefix = it.text("ecrRepositoryPrefix", required=True) or ""
        res = Resource(key=b.key(it.file, f"pull-through:{prefix}"), kind="ecr.pull_through_cache_rule",
                       rtype="ecr:PullThroughCacheRule", name=prefix, file=it.file, span=Span.at(it.pos))
        res.attrs.update(prefix=prefix, upstream=it.text("upstreamRegistryUrl"), snapshot=b.name)
        b.graph.add(res)

