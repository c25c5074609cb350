"""``pullcheck snapshot``: the account facts the rules read, taken with boto3 (the ``aws`` extra) through read-only,
paginated calls, and written as one JSON file (``pullcheck.formats.snapshot`` reads it back).

This is the only module of pullcheck that imports boto3, and only when the command runs: a lint never calls
AWS. What is kept of each answer is listed in ``snapshot_fields``.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from pullcheck.integrations.snapshot_fields import FIELDS, kept

# (snapshot list, call, the filter that keeps one VPC's): the EC2 lists, each filtered when --vpc is given
_EC2 = (("Vpcs", "describe_vpcs", "vpc-id"), ("Subnets", "describe_subnets", "vpc-id"),
        ("RouteTables", "describe_route_tables", "vpc-id"), ("VpcEndpoints", "describe_vpc_endpoints", "vpc-id"),
        ("SecurityGroups", "describe_security_groups", "vpc-id"), ("NetworkAcls", "describe_network_acls", "vpc-id"),
        ("NatGateways", "describe_nat_gateways", "vpc-id"),
        ("InternetGateways", "describe_internet_gateways", "attachment.vpc-id"),
        ("EgressOnlyInternetGateways", "describe_egress_only_internet_gateways", None),
        ("PrefixLists", "describe_managed_prefix_lists", None))


class Failed(Exception):
    """An AWS call that failed, said in one line."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pullcheck snapshot",
        description="Take a snapshot of the account's network (VPCs, subnets, route tables, endpoints, security "
                    "groups, network ACLs, prefix lists) and CloudFormation exports, with read-only AWS calls, "
                    "for pullcheck --network FILE.")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write the snapshot (default: standard output)")
    p.add_argument("--region", help="the Region (default: the profile's or the environment's)")
    p.add_argument("--profile", help="the AWS profile to use (default: the environment's credentials)")
    p.add_argument("--vpc", action="append", default=[], metavar="ID", help="only this VPC (repeat for several)")
    p.add_argument("--role", action="append", default=[], metavar="NAME",
                   help="also take this IAM role, its trust and its policies (repeat for several)")
    p.add_argument("--ecr", action="store_true", help="also take the ECR repositories and pull-through cache rules")
    p.add_argument("--endpoint-url", metavar="URL",
                   help="send every call to this endpoint (a local AWS API, for tests)")
    return p


def command(argv: List[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0) if e.code in (0, None) else 2
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return _error("pullcheck snapshot needs boto3: pip install 'pullcheck[aws]'")
    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        region = session.region_name
        if not region:
            return _error("no Region: give --region, or set one in the profile or AWS_REGION")
        snap = take(session, region, args, _Progress())
    except (BotoCoreError, ClientError, Failed) as e:
        return _error(str(e).splitlines()[0] if str(e) else type(e).__name__)
    text = json.dumps(snap, indent=1, sort_keys=False) + "\n"
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    from pullcheck.outputs.writing import created

    try:
        with created(args.output) as fh:
            fh.write(text)
    except OSError as e:
        return _error(f"cannot write {args.output}: {e.strerror or e}")
    counts = ", ".join(f"{len(v)} {k}" for k, v in snap.items() if isinstance(v, list) and v)
    print(f"pullcheck snapshot: {snap['account']} {region}: {counts or 'nothing'} -> {args.output}", file=sys.stderr)
    return 0


def _error(msg: str) -> int:
    from pullcheck.outputs.safetext import printable

    print(f"pullcheck snapshot: error: {printable(msg)}", file=sys.stderr)
    return 2


class _Progress:
    """One line on a terminal, rewritten as the calls go; nothing when standard error is not one."""

    def __init__(self) -> None:
        self.on = sys.stderr.isatty()

    def __call__(self, what: str, n: int) -> None:
        if self.on:
            sys.stderr.write(f"\r\x1b[Kpullcheck snapshot: {what} ({n})")
            sys.stderr.flush()

    def done(self) -> None:
        if self.on:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def take(session: Any, region: str, args: argparse.Namespace, progress: Any) -> Dict[str, Any]:
    """The snapshot as a JSON-ready mapping."""
    from pullcheck.formats.snapshot import FORMAT, VERSION

    def client(name: str) -> Any:
        return session.client(name, region_name=region, endpoint_url=args.endpoint_url)

    ec2 = client("ec2")
    account = _call(client("sts"), "get_caller_identity", {})["Account"]
    snap: Dict[str, Any] = {"format": FORMAT, "version": VERSION, "account": account, "region": region,
                            "taken": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    for key, call, vpc_filter in _EC2:
        params: Dict[str, Any] = {}
        if args.vpc and vpc_filter:
            params["Filters"] = [{"Name": vpc_filter, "Values": list(args.vpc)}]
        items = _pages(ec2, call, params, key, progress)
        if key == "EgressOnlyInternetGateways" and args.vpc:
            items = [g for g in items if any(a.get("VpcId") in args.vpc for a in g.get("Attachments") or [])]
        snap[key] = items
    _vpc_attributes(ec2, snap["Vpcs"], progress)
    _prefix_list_entries(ec2, snap["PrefixLists"], progress)
    options = sorted({v["DhcpOptionsId"] for v in snap["Vpcs"] if v.get("DhcpOptionsId", "default") != "default"})
    snap["DhcpOptions"] = _pages(ec2, "describe_dhcp_options", {"DhcpOptionsIds": options}, "DhcpOptions",
                                 progress) if options else []
    snap["Exports"] = _pages(client("cloudformation"), "list_exports", {}, "Exports", progress)
    if args.role:
        snap["Roles"], snap["Policies"] = _roles(client("iam"), args.role, progress)
    if args.ecr:
        ecr = client("ecr")
        snap["repositories"] = _repositories(ecr, progress)
        snap["pullThroughCacheRules"] = _pages(ecr, "describe_pull_through_cache_rules", {},
                                               "pullThroughCacheRules", progress)
    progress.done()
    for key, spec in FIELDS.items():
        if key in snap:
            snap[key] = kept(snap[key], spec)
    return snap


def _call(client: Any, call: str, params: Dict[str, Any]) -> Any:
    from botocore.exceptions import ClientError

    try:
        return getattr(client, call)(**params)
    except ClientError as e:
        err = e.response.get("Error", {})
        raise Failed(f"{call.replace('_', '-')}: {err.get('Code', 'error')}: {err.get('Message', '')}") from None


def _pages(client: Any, call: str, params: Dict[str, Any], key: str, progress: Any) -> List[Any]:
    """Every page of a paginated call (one call when the API has no pages)."""
    from botocore.exceptions import ClientError

    out: List[Any] = []
    try:
        pages = client.get_paginator(call).paginate(**params) if client.can_paginate(call) else \
            [getattr(client, call)(**params)]
        for page in pages:
            out.extend(page.get(key) or [])
            progress(call.replace("_", "-"), len(out))
    except ClientError as e:
        err = e.response.get("Error", {})
        raise Failed(f"{call.replace('_', '-')}: {err.get('Code', 'error')}: {err.get('Message', '')}") from None
    return out


def _vpc_attributes(ec2: Any, vpcs: List[Dict[str, Any]], progress: Any) -> None:
    """The DNS attributes, which describe-vpcs does not return."""
    for i, vpc in enumerate(vpcs):
        for attr, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
            got = _call(ec2, "describe_vpc_attribute", {"VpcId": vpc["VpcId"], "Attribute": attr})
            vpc[key] = bool((got.get(key) or {}).get("Value"))
        progress("describe-vpc-attribute", i + 1)


def _prefix_list_entries(ec2: Any, lists: List[Dict[str, Any]], progress: Any) -> None:
    for i, pl in enumerate(lists):
        pl["Entries"] = _pages(ec2, "get_managed_prefix_list_entries", {"PrefixListId": pl["PrefixListId"]},
                               "Entries", progress)
        progress("get-managed-prefix-list-entries", i + 1)


def _roles(iam: Any, names: List[str], progress: Any) -> Any:
    """Each named role in the shape of get-account-authorization-details, and the customer managed policies
    attached to them with their default version's document."""
    roles, policies = [], {}
    for name in names:
        role = dict(_call(iam, "get_role", {"RoleName": name})["Role"])
        role["RolePolicyList"] = [
            {"PolicyName": p, "PolicyDocument": _call(iam, "get_role_policy",
                                                      {"RoleName": name, "PolicyName": p})["PolicyDocument"]}
            for p in _pages(iam, "list_role_policies", {"RoleName": name}, "PolicyNames", progress)]
        role["AttachedManagedPolicies"] = _pages(iam, "list_attached_role_policies", {"RoleName": name},
                                                 "AttachedPolicies", progress)
        for p in role["AttachedManagedPolicies"]:
            arn = p["PolicyArn"]
            if ":iam::aws:policy/" not in arn and arn not in policies:
                meta = _call(iam, "get_policy", {"PolicyArn": arn})["Policy"]
                version = _call(iam, "get_policy_version", {"PolicyArn": arn, "VersionId": meta["DefaultVersionId"]})
                policies[arn] = {"PolicyName": meta.get("PolicyName"), "Arn": arn,
                                 "Document": version["PolicyVersion"].get("Document")}
        roles.append(role)
        progress("iam roles", len(roles))
    return roles, list(policies.values())


def _repositories(ecr: Any, progress: Any) -> List[Dict[str, Any]]:
    repos = _pages(ecr, "describe_repositories", {}, "repositories", progress)
    for repo in repos:
        text: Optional[str] = None
        try:
            text = ecr.get_repository_policy(repositoryName=repo["repositoryName"]).get("policyText")
        except Exception as e:  # a repository without a policy answers with an error of its own
            if "RepositoryPolicyNotFound" not in type(e).__name__ and "RepositoryPolicyNotFound" not in str(e):
                raise
        if text:
            repo["policyText"] = text
    return repos
