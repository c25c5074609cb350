import re
from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, Ref, rule, text_of
from pullcheck.facts import policy
from pullcheck.facts.images import classify
from pullcheck.rules.iam._common import execution_sites

_ACCOUNT = re.compile(r"^arn:[a-z-]+:iam::([0-9]{12}):role/")


def _repository_policies(graph, repo):
    """The repository's policy documents, or None when one cannot be read."""
    docs = []
    if repo.get("policy") is not None:
        docs.append(repo.get("policy"))
    name = text_of(repo.get("repository_name"))
    for rp in graph.of_kind("ecr.repository_policy"):
        target = rp.get("repository")
        if (isinstance(target, Ref) and target.target == repo.key) or (name and text_of(target) == name):
            docs.append(rp.get("document"))
        elif not isinstance(target, Ref) and text_of(target) is None:
            return None
    if any(not isinstance(d, policy.Document) for d in docs):
        return None
    return docs


@rule("IAM011", "cross-account-ecr", "warning", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Image in another account's ECR repository whose policy does not let this account pull.

    ## What it does
    Flags a private ECR image whose account differs from the execution role's account (both written out)
    when the repository is declared in the scanned files and its repository policy does not allow the
    role or its account `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer`. A repository that is not
    in the scanned files is not judged.

    ## Why is this bad?
    Across accounts, the puller's own policy is not enough: the repository must allow it too. Otherwise
    the pull fails with `CannotPullContainerError: ... not authorized to perform: ecr:BatchGetImage`.

    ## How to fix
    Add a repository policy (`RepositoryPolicyText`, `aws_ecr_repository_policy`) that allows the pulling
    account or execution role `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer` and
    `ecr:BatchCheckLayerAvailability`.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html
    - https://repost.aws/knowledge-center/secondary-account-access-ecr
    """
    repos = {}
    for r in graph.of_kind("ecr.repository"):
        n = text_of(r.get("repository_name"))
        if n:
            repos.setdefault(n, r)
    if not repos:
        return
    for td, role, _ in execution_sites(graph):
        arn = text_of(td.get("execution_role"))
        m = _ACCOUNT.match(arn or "")
        if m is None:
            continue
        account = m.group(1)
        containers = td.get("containers")
        for i, c in enumerate(containers if isinstance(containers, list) else []):
            im = classify(c.get("image")) if isinstance(c, dict) else None
            if im is None or im.kind != "ecr" or not im.account or im.account == account or im.path not in repos:
                continue
            repo = repos[im.path]
            docs = _repository_policies(graph, repo)
            if docs is None:
                continue
            stmts = [(st, None) for d in docs for st in d.statements]
            verdicts = [policy.decide(stmts, True, a, "*", [arn, account], resource_policy=True).allowed
                        for a in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")]
            if False in verdicts:
                yield Hit(td, ("containers", i, "image"),
                          f"image {im.shown} is in account {im.account}, but repository {repo.name} has no policy "
                          f"letting account {account} ({role.name}) pull; allow it ecr:BatchGetImage and "
                          f"ecr:GetDownloadUrlForLayer in the repository policy")
