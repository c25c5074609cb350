"""Roles and what their policies allow: trust, inline and attached policies, AWS managed policies.

A role's policy set is *complete* only when every policy that could apply to it is in the graph: an
attachment whose role cannot be resolved, a customer-managed policy ARN from elsewhere, or an AWS managed
policy this module does not know make it incomplete, and "no Allow seen" then means "unknown".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.facts import policy, symbols
from pullcheck.facts.images import HOLE, classify, repository_path
from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.reference import partition
from pullcheck.facts.policy import Document, Statement
from pullcheck.facts.reach import Unresolved, part
from pullcheck.graph.values import Ref, Template, Unknown, shown, text_of

_ALL = "*"
# AWS managed policies the rules rely on: name -> (canonical path, actions granted on "*", scopes).
# "scopes" lists the service prefixes in which the policy may grant more than the actions listed: an
# action there that the listed ones do not cover is unknown rather than denied.
_ECR_PULL = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
             "ecr:BatchGetImage"]
MANAGED: Dict[str, Tuple[str, List[str], Tuple[str, ...]]] = {
    "AmazonECSTaskExecutionRolePolicy": ("service-role/", _ECR_PULL + ["logs:CreateLogStream", "logs:PutLogEvents"],
                                         ()),
    "AmazonEC2ContainerRegistryReadOnly": ("", _ECR_PULL + ["ecr:GetRepositoryPolicy", "ecr:DescribeRepositories",
                                                            "ecr:ListImages", "ecr:DescribeImages",
                                                            "ecr:GetLifecyclePolicy",
                                                            "ecr:GetLifecyclePolicyPreview",
                                                            "ecr:ListTagsForResource",
                                                            "ecr:DescribeImageScanFindings"], ()),
    "AmazonEC2ContainerRegistryPullOnly": ("", ["ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                                                "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage"], ()),
    "AmazonEC2ContainerRegistryPowerUser": ("", _ECR_PULL, ("ecr:",)),
    "AmazonEC2ContainerRegistryFullAccess": ("", ["ecr:*"], ()),
    "AdministratorAccess": ("", ["*"], ()),
    "PowerUserAccess": ("", ["ecr:*", "logs:*", "secretsmanager:*", "ssm:*", "kms:*", "s3:*"], ("*",)),
    "CloudWatchLogsFullAccess": ("", ["logs:*"], ()),
    "SecretsManagerReadWrite": ("", ["secretsmanager:*"], ("kms:",)),
    "AmazonSSMReadOnlyAccess": ("", ["ssm:Describe*", "ssm:Get*", "ssm:List*"], ()),
    # service-role policies that are not for execution roles, but whose path is often written wrong
    "AmazonEC2ContainerServiceforEC2Role": ("service-role/", [], ("*",)),
    "AmazonEC2ContainerServiceRole": ("service-role/", [], ("*",)),
    "AmazonEC2ContainerServiceEventsRole": ("service-role/", [], ("*",)),
    "AWSBatchServiceRole": ("service-role/", [], ("*",)),
}
_AWS_POLICY = re.compile(r":iam::aws:policy/(.*)$")


@dataclass
class Source:
    resource: Resource
    path: Tuple[Any, ...]
    label: str


@dataclass
class PolicySet:
    statements: List[Tuple[Statement, Source]] = field(default_factory=list)
    complete: bool = True
    why: str = ""
    partial: List[Tuple[str, str]] = field(default_factory=list)  # (service prefix, policy) only partly known

    def unknown(self, why: str) -> None:
        self.complete = False
        self.why = self.why or why


def arn_text(v: Any) -> Optional[str]:
    if isinstance(v, Template):
        return v.text(HOLE)
    return text_of(v)


def managed_name(v: Any) -> Optional[Tuple[str, str]]:
    """(path, name) of an AWS managed policy ARN such as ``arn:aws:iam::aws:policy/service-role/X``."""
    t = arn_text(v)
    m = _AWS_POLICY.search(t or "")
    if not m or HOLE in m.group(1):
        return None
    full = m.group(1)
    path, _, name = full.rpartition("/")
    return (path + "/" if path else ""), name


def _managed_statements(name: str, src: Source) -> List[Tuple[Statement, Source]]:
    entry = MANAGED[name]
    return [(Statement("Allow", actions=list(entry[1]), resources=[_ALL]), src)] if entry[1] else []


# --------------------------------------------------------------------------- roles

def role_for(graph: Graph, v: Any) -> Optional[Resource]:
    """The role an ARN value names: a reference to a role, or a literal ARN whose name a role declares."""
    if isinstance(v, Ref):
        return graph.deref(v, "iam.role")
    if isinstance(v, Template):
        for p in v.parts:
            if isinstance(p, Ref):
                r = graph.deref(p, "iam.role")
                if r is not None:
                    return r
        return None
    t = text_of(v)
    if not t:
        return None
    name = t.rsplit("/", 1)[-1] if ":role/" in t else t
    return _roles_by_name(graph).get(name)


def _roles_by_name(graph: Graph) -> Dict[str, Resource]:
    def build(g: Graph) -> Dict[str, Resource]:
        out: Dict[str, Resource] = {}
        for r in g.of_kind("iam.role"):
            n = text_of(r.get("role_name"))
            if n:
                out[n] = r
        return out
    return graph.facts.index(build)


@dataclass
class _Attached:
    by_role: Dict[str, List[Tuple[Any, Source]]] = field(default_factory=dict)  # (document or arn, source)
    # policies attached to roles that cannot be resolved: each may be on any role its value can stand for
    # (pullcheck.facts.reach)
    unresolved: Unresolved = field(default_factory=Unresolved)
    # policies that exist only under a condition, on the roles they name: why each role's set is unsure
    unsure: Dict[str, str] = field(default_factory=dict)


def attached_policies(graph: Graph) -> _Attached:
    def build(g: Graph) -> _Attached:
        idx = _Attached()
        names = _roles_by_name(g)
        for res in list(g.of_kind("iam.policy")) + list(g.of_kind("iam.attachment")):
            roles = res.get("roles")
            if isinstance(roles, Unknown) or (res.get("conditional") and not isinstance(roles, list)):
                idx.unresolved.add(res, roles, f"{res.name} may attach to any role")
                continue
            # a policy with no roles of its own (a Terraform aws_iam_policy) attaches nowhere by itself
            for rv in roles or []:
                if isinstance(rv, Ref):
                    role = g.deref(rv, "iam.role")
                    if role is None:
                        idx.unresolved.add(res, rv, f"{res.name} attaches to a role that cannot be resolved")
                        continue
                else:
                    t = text_of(rv)
                    if t is None:
                        idx.unresolved.add(res, rv, f"{res.name} attaches to a role that cannot be resolved")
                        continue
                    role = names.get(t)
                    if role is None:
                        continue  # a role declared elsewhere
                if res.get("conditional"):  # it may or may not be there: this role's set only is unsure
                    idx.unsure.setdefault(role.key, f"{res.name} exists only under a condition")
                    continue
                item = res.get("document") if res.kind == "iam.policy" else ("arn", res.get("policy_arn"))
                path = ("document",) if res.kind == "iam.policy" else ("policy_arn",)
                idx.by_role.setdefault(role.key, []).append((item, Source(res, path, res.name)))
        return idx
    return graph.facts.index(build)


def document(graph: Graph, doc: Any) -> Any:
    """A Document, or an Unknown (a Ref to a Terraform policy document data source is resolved)."""
    if isinstance(doc, Ref):
        res = graph.deref(doc, "iam.policy_document")
        if res is None:
            return Unknown(f"policy {doc} is not in the scanned files")
        return res.get("document")
    return doc


def _add_document(graph: Graph, out: PolicySet, doc: Any, src: Source) -> None:
    doc = document(graph, doc)
    if isinstance(doc, Document):
        names = repository_names(graph)
        out.statements.extend((_named(st, part(src.resource), names), src) for st in doc.statements)
    else:
        out.unknown(f"{src.label}: {doc.origin if isinstance(doc, Unknown) else 'cannot be read'}")


def _named(st: Statement, scope: str, names: Dict[str, str]) -> Statement:
    """The statement with each resource written from the stack's named unknowns as text with those names."""
    changed: Dict[str, Any] = {}
    for attr in ("resources", "not_resources"):
        items = getattr(st, attr)
        if isinstance(items, list) and any(not isinstance(x, str) for x in items):
            changed[attr] = [x if isinstance(x, str) else _settled(symbols.text(x, scope, names), scope) or x
                             for x in items]
    return replace(st, **changed) if changed else st


def repository_names(graph: Graph) -> Dict[str, str]:
    """The names the files write for the repositories they create, by graph key."""
    def build(g: Graph) -> Dict[str, str]:
        found = ((r.key, text_of(r.get("repository_name"))) for r in g.of_kind("ecr.repository"))
        return {key: name for key, name in found if name}
    return graph.facts.index(build)


def looked_up_policy(graph: Graph, ref: Ref) -> Optional[str]:
    """The ARN a Terraform ``data "aws_iam_policy"`` finds, where its arguments tell it: the ARN it names,
    or an AWS managed policy this module knows, named by its name (a lookup by name finds one policy or
    fails, so a known managed policy's name is that policy)."""
    res = graph.resources.get(ref.target) if ref.rtype == "data.aws_iam_policy" else None
    if res is None or res.get("conditional") or ref.attr not in ("arn", "id"):
        return None
    arn = text_of(res.get("arn"))
    if arn is not None:
        return arn
    name, prefix = text_of(res.get("policy_name")), res.get("path_prefix")
    entry = MANAGED.get(name or "")
    if entry is None or not (prefix is None or text_of(prefix) == "/" + entry[0]):
        return None
    return f"arn:aws:iam::aws:policy/{entry[0]}{name}"


def _settled(t: Optional[str], scope: str) -> Optional[str]:
    return symbols.settled(t, scope) if t is not None else None


def _add_arn(graph: Graph, out: PolicySet, arn: Any, src: Source) -> None:
    if isinstance(arn, Ref):
        pol = graph.deref(arn, "iam.policy")
        if pol is not None:
            _add_document(graph, out, pol.get("document"), Source(pol, ("document",), pol.name))
            return
        found = looked_up_policy(graph, arn)
        if found is not None:
            _add_arn(graph, out, found, src)
            return
        out.unknown(f"{src.label}: policy {arn} is not in the scanned files")
        return
    m = managed_name(arn)
    if m is not None:
        entry = MANAGED.get(m[1])
        if entry is not None and entry[0] == m[0]:
            out.statements.extend(_managed_statements(m[1], src))
            out.partial.extend((scope, m[1]) for scope in entry[2])
            return
        out.unknown(f"{src.label}: AWS managed policy {m[0]}{m[1]} is not known here")
        return
    out.unknown(f"{src.label}: policy {arn_text(arn) or arn} is not in the scanned files")


def role_policies(graph: Graph, role: Resource) -> PolicySet:
    cache = graph.facts.table(role_policies)
    if role.key in cache:
        return cache[role.key]
    out = PolicySet()
    if role.get("conditional"):
        out.unknown(f"role {role.name} depends on a condition")
    inline = role.get("inline")
    if isinstance(inline, Unknown):
        out.unknown(f"inline policies of {role.name}: {inline.origin}")
    for i, (name, doc) in enumerate(inline if isinstance(inline, list) else []):
        _add_document(graph, out, doc, Source(role, ("inline", i), f"inline policy {name or i} of {role.name}"))
    arns = role.get("managed_arns")
    if isinstance(arns, Unknown) or (arns is not None and not isinstance(arns, list)):
        out.unknown(f"managed policies of {role.name} cannot be known")
    for i, arn in enumerate(arns if isinstance(arns, list) else []):
        _add_arn(graph, out, arn, Source(role, ("managed_arns", i), f"managed policy of {role.name}"))
    att = attached_policies(graph)
    # a role whose name the files write may be named from anywhere; a generated name is learnt from its stack
    loose = att.unresolved.about(graph, None if text_of(role.get("role_name")) else role)
    if loose:
        out.unknown(loose)
    if role.key in att.unsure:
        out.unknown(att.unsure[role.key])
    for item, src in att.by_role.get(role.key, []):
        if isinstance(item, tuple) and item and item[0] == "arn":
            _add_arn(graph, out, item[1], src)
        else:
            _add_document(graph, out, item, src)
    cache[role.key] = out
    return out


def trusts_ecs_tasks(graph: Graph, role: Resource) -> Optional[bool]:
    """Whether the role's trust policy lets ecs-tasks.amazonaws.com assume it."""
    doc = document(graph, role.get("trust"))
    if not isinstance(doc, Document):
        return None
    result: Optional[bool] = False
    for st in doc.statements:
        if text_of(st.effect) != "Allow" or policy.applies(st, "sts:AssumeRole", "*") is False:
            continue
        p = st.principals
        if p == "*":
            return True
        if isinstance(p, Unknown) or not isinstance(p, dict):
            result = None
            continue
        services = p.get("Service")
        if isinstance(services, Unknown):
            result = None
            continue
        for s in services or []:
            t = text_of(s)
            if t is None:
                result = None
            elif t.startswith("ecs-tasks.amazonaws.com"):
                return True if all(_own_account(c) for c in st.conditions) else None
    return result


# the trust conditions AWS recommends against the confused deputy: ECS assumes the role for a task of the
# role's own account, so a condition that names that account (the stack's AWS::AccountId, the caller's
# account in Terraform) holds for every task the account starts
_DEPUTY_KEYS = ("aws:sourceaccount", "aws:sourcearn")
_DEPUTY_OPS = ("stringequals", "stringlike", "arnequals", "arnlike")
_OWN_ACCOUNT = ("pseudo parameter AWS::AccountId", "data source aws_caller_identity")
_OWN_PLACE = _OWN_ACCOUNT + ("pseudo parameter AWS::Region", "pseudo parameter AWS::Partition",
                             "data source aws_region", "data source aws_partition")


def _own_account(cond: Tuple[str, str, Any]) -> bool:
    op, key, values = cond
    if op.lower() not in _DEPUTY_OPS or key.lower() not in _DEPUTY_KEYS:
        return False
    items = values if isinstance(values, list) else [values]
    return bool(items) and all(_names_own_account(v) for v in items)


def _names_own_account(v: Any) -> bool:
    parts = v.parts if isinstance(v, Template) else [v]
    account = False
    for p in parts:
        if isinstance(p, str):
            continue
        origin = p.origin if isinstance(p, Unknown) else \
            f"data source {p.rtype[5:]}" if isinstance(p, Ref) and p.rtype.startswith("data.") else ""
        if not origin.startswith(_OWN_PLACE):
            return False
        account = account or origin.startswith(_OWN_ACCOUNT)
    return account


# --------------------------------------------------------------------------- what a task needs

@dataclass
class Need:
    group: str  # ecr | logs | secrets | kms | ptc
    action: str
    resource: str
    what: str  # for messages
    # the same resource written another way (a secret of the run by its name as well as by its reference):
    # asked when the first leaves the decision open
    alternative: Optional[str] = None


def _shown(t: str) -> str:
    return t.replace(HOLE, "${...}")


def _secret_arn(v: str) -> str:
    parts = v.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 and parts[2] == "secretsmanager" else v


def partition_of(region: Optional[str]) -> str:
    """The partition a Region belongs to, or a hole when the Region is not known."""
    return partition(region) if region else HOLE


def _reference_service(graph: Graph, v: Any) -> Optional[str]:
    """The ARN shape of a secret or parameter reference whose start is a reference (a secret's ARN with a
    JSON key after it), from what that reference is; None when it does not say."""
    head = v.parts[0] if isinstance(v, Template) and v.parts else v
    if not isinstance(head, Ref):
        return None
    kind = head.rtype.lower()
    if graph.deref(head, "secretsmanager.secret") is not None or "secretsmanager" in kind or \
            "secretsmanager::secret" in kind:
        return f"arn:{HOLE}:secretsmanager:{HOLE}:{HOLE}:secret:{HOLE}"
    if "ssm" in kind:
        return f"arn:{HOLE}:ssm:{HOLE}:{HOLE}:parameter/{HOLE}"
    return None


def _named_repository(image: Any, scope: str, names: Dict[str, str]) -> Optional[str]:
    """The repository ARN of an image written with the stack's own account and Region (a CDK asset image:
    ``${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/...``), with those written as named
    unknowns, so that a policy of the same stack written from the same names matches it."""
    t = symbols.text(image, scope, names)
    if t is None or not symbols.has_names(t):
        return None
    host, slash, rest = t.split("@", 1)[0].partition("/")
    labels = host.split(".")
    if not slash or len(labels) < 4 or labels[1:3] != ["dkr", "ecr"]:
        return None
    account, region = labels[0], labels[3]
    if not (account.isdigit() or symbols.has_names(account)) or not (region.isalnum() or "-" in region
                                                                        or symbols.has_names(region)):
        return None
    path = rest.split(":", 1)[0]
    # a Region written out tells the partition; one the stack decides is in the stack's partition
    place = partition(region) if not symbols.has_names(region) else symbols.token(scope, "AWS::Partition")
    return f"arn:{place}:ecr:{region}:{account}:repository/{path}"


def _log_account(opts: Dict[str, Any], scope: str) -> str:
    """``arn:partition:logs:region:account`` of a task's log group: the task's own account and partition, the
    Region its ``awslogs-region`` names (named unknowns where the stack decides them)."""
    region, group = opts.get("awslogs-region"), opts.get("awslogs-group")
    r = text_of(region) or symbols.text(region, scope) or HOLE
    if isinstance(group, Ref) and symbols.text(group, scope) is not None:
        # a group the stack creates is in the stack's Region (the driver finds no group elsewhere)
        r = symbols.token(scope, "AWS::Region")
    return symbols.settled(f"arn:{symbols.token(scope, 'AWS::Partition')}:logs:{r}:"
                           f"{symbols.token(scope, 'AWS::AccountId')}", scope)


def _group_shown(v: Any, group: str) -> str:
    return group if text_of(v) is not None else "(unknown)" if group == HOLE else shown(v)


def needs(graph: Graph, td: Resource) -> Optional[List[Need]]:
    """The calls the execution role makes for this task definition; None when they cannot be known."""
    cs = td.get("containers")
    if not isinstance(cs, list):
        return None
    out: List[Need] = []
    ecr_seen = False
    for c in cs:
        if not isinstance(c, dict):
            return None
        im = classify(c.get("image"))
        if im.kind == "ecr":
            if not ecr_seen:
                out.append(Need("ecr", "ecr:GetAuthorizationToken", _ALL, "the ECR auth token"))
                ecr_seen = True
            path = repository_path(graph, im)
            repo = (f"arn:{partition_of(im.region)}:ecr:{im.region or HOLE}:{im.account or HOLE}:repository/{path}"
                    if path else f"arn:{HOLE}:ecr:{HOLE}")
            if HOLE in repo:
                repo = _named_repository(c.get("image"), part(td), repository_names(graph)) or repo
            for a in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
                out.append(Need("ecr", a, repo, f"image {im.shown}"))
        if text_of(c.get("log_driver")) == "awslogs":
            opts = c.get("log_options")
            if not isinstance(opts, dict):
                opts = {}
            group = text_of(opts.get("awslogs-group")) or symbols.text(opts.get("awslogs-group"), part(td)) or HOLE
            arn = f"{_log_account(opts, part(td))}:log-group:{group}:log-stream:{HOLE}"
            for a in ("logs:CreateLogStream", "logs:PutLogEvents"):
                out.append(Need("logs", a, arn, f"log group {_group_shown(opts.get('awslogs-group'), group)}"))
            if text_of(opts.get("awslogs-create-group")) == "true":
                out.append(Need("logs", "logs:CreateLogGroup", f"{_log_account(opts, part(td))}:log-group:{group}",
                                "awslogs-create-group"))
        refs = list(c.get("secrets") or []) if isinstance(c.get("secrets"), list) else []
        if c.get("repository_credentials") is not None:
            refs.append(c.get("repository_credentials"))
        for v in refs:
            t = arn_text(v)
            if t is None and graph.deref(v, "secretsmanager.secret") is not None:
                t = f"arn:{HOLE}:secretsmanager:{HOLE}:{HOLE}:secret:{HOLE}"
            if t is not None and t.startswith(HOLE):
                t = _reference_service(graph, v)  # ``${secret.arn}:password::``: the reference says which
            if t is None:
                continue  # where the value comes from is unknown: no claim about it
            named = symbols.secret(v, part(td))
            label = _shown(t)
            if named is not None:
                t = named  # the secret the files create, named as its policy names it
                label = _declared_secret(graph, v) or label
            if named is not None or ":secretsmanager:" in t or v is c.get("repository_credentials"):
                out.append(Need("secrets", "secretsmanager:GetSecretValue", _secret_arn(t), f"secret {label}",
                                _secret_by_name(graph, v, part(td)) if named is not None else None))
                key = _kms_key(graph, v)
                if key:
                    out.append(Need("kms", "kms:Decrypt", key, f"the KMS key of secret {label}"))
            else:
                arn = t if t.startswith("arn:") else f"arn:{HOLE}:ssm:{HOLE}:{HOLE}:parameter/{t.lstrip('/')}"
                out.append(Need("secrets", "ssm:GetParameters", arn, f"parameter {_shown(t)}"))
    return out


def _secret_by_name(graph: Graph, v: Any, scope: str) -> Optional[str]:
    """The ARN of a secret of the run whose name the files write: ``arn:partition:secretsmanager:region:
    account:secret:name-`` and the six characters Secrets Manager adds (a hole), in the stack's partition,
    Region and account (as its template was given them, else their names)."""
    ref = v.parts[0] if isinstance(v, Template) and v.parts else v
    secret = graph.deref(ref, "secretsmanager.secret")
    name = text_of(secret.get("secret_name")) if secret is not None else None
    if secret is None or not name:
        return None
    given = secret.get("place")
    place = [p if isinstance(p, str) else symbols.token(scope, pseudo) for p, pseudo in zip(
        given if isinstance(given, (list, tuple)) else (None, None, None),
        ("AWS::Partition", "AWS::Region", "AWS::AccountId"))]
    return symbols.settled(f"arn:{place[0]}:secretsmanager:{place[1]}:{place[2]}:secret:{name}-{HOLE}", scope)


def _declared_secret(graph: Graph, v: Any) -> Optional[str]:
    """The name of the secret of the run a reference (perhaps with a JSON key after it) names."""
    ref = v.parts[0] if isinstance(v, Template) and v.parts else v
    secret = graph.deref(ref, "secretsmanager.secret")
    return secret.name if secret is not None else None


def _kms_key(graph: Graph, v: Any) -> Optional[str]:
    """The customer key ARN (or a hole) of a secret declared in the graph, when it has one."""
    ref = v.parts[0] if isinstance(v, Template) and v.parts and isinstance(v.parts[0], Ref) else v
    secret = graph.deref(ref, "secretsmanager.secret")
    if secret is None:
        return None
    key = secret.get("kms_key")
    if key is None:
        return None
    t = arn_text(key)
    if t and t.startswith("alias/aws/"):
        return None  # an AWS managed key needs no kms:Decrypt
    return t if t and t.startswith("arn:") else f"arn:{HOLE}:kms:{HOLE}"


def check(pset: PolicySet, need: Need) -> policy.Decision:
    d = policy.decide(pset.statements, pset.complete, need.action, need.resource)
    if d.allowed is None and need.alternative is not None:
        # each form names the one resource exactly: what either decides holds
        other = policy.decide(pset.statements, pset.complete, need.action, need.alternative)
        d = other if other.allowed is not None else d
    if d.allowed is False and d.deny is None and any(
            scope == "*" or need.action.lower().startswith(scope) for scope, _ in pset.partial):
        d.allowed = None  # a managed policy known only in part may grant it
    return d
