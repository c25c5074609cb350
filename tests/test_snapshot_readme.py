"""The README's account section says what the code does: its IAM policy allows exactly the calls ``pullcheck
snapshot`` makes (recorded from boto3's own events while it takes a snapshot from a real AWS API server, moto
on a loopback port), each statement the calls of its option; its table names every list and field the snapshot
keeps; its AWS CLI loop writes files the folder reader takes."""
import argparse
import json
import os
import re

import pytest
from conftest import ROOT

pytest.importorskip("moto.server")
pytest.importorskip("boto3")

import aws_server  # noqa: E402

SECTION = "## The account's network, offline"


def _section():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index(SECTION)
    return text[start:text.index("\n## ", start + len(SECTION))]


def _policy():
    section = _section()
    start = section.index("```json\n") + len("```json\n")
    return json.loads(section[start:section.index("```", start)])


class _Quiet:
    def __call__(self, what, n):
        pass

    def done(self):
        pass


def _account(session, url):
    """A role with an inline policy and a customer managed one; an ECR repository with a
    policy: every call of ``--role`` and ``--ecr`` has something to answer."""
    iam = session.client("iam", endpoint_url=url)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}
    iam.create_role(RoleName="exec", AssumeRolePolicyDocument=json.dumps(trust))
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    iam.put_role_policy(RoleName="exec", PolicyName="logs", PolicyDocument=json.dumps(doc))
    arn = iam.create_policy(PolicyName="pull", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="exec", PolicyArn=arn)
    ecr = session.client("ecr", endpoint_url=url)
    ecr.create_repository(repositoryName="app")
    ecr.set_repository_policy(repositoryName="app", policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}))
    ec2 = session.client("ec2", endpoint_url=url)
    ec2.create_managed_prefix_list(PrefixListName="office", AddressFamily="IPv4", MaxEntries=2,
                                   Entries=[{"Cidr": "192.0.2.0/24"}])
    options = ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.0.0.2"]}])
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.associate_dhcp_options(DhcpOptionsId=options["DhcpOptions"]["DhcpOptionsId"], VpcId=vpc)


@pytest.fixture(scope="module")
def calls():
    """The IAM actions of the calls a snapshot makes: plain, with --role, with --ecr."""
    from pullcheck.integrations.snapshot import Failed, take

    server, url = aws_server.start()
    try:
        session, _ = aws_server.session(url)
        _account(session, url)
        made = set()

        def record(model, **kw):
            made.add(f"{model.service_model.signing_name}:{model.name}")

        session.events.register("before-call", record)
        out = {}
        for option, args in (("", {}), ("--role", {"role": ["exec"]}), ("--ecr", {"ecr": True})):
            made.clear()
            given = argparse.Namespace(**{"vpc": [], "role": [], "ecr": False, "endpoint_url": url, **args})
            try:
                take(session, aws_server.REGION, given, _Quiet())
            except Failed as e:
                # moto has no DescribePullThroughCacheRules; the call was made (and recorded) all the same
                assert option == "--ecr" and "describe-pull-through-cache-rules" in str(e), e
            out[option] = set(made)
        return out
    finally:
        server.stop()


def test_the_policy_allows_exactly_the_calls_the_command_makes(calls):
    statements = {s["Sid"]: set(s["Action"]) for s in _policy()["Statement"]}
    free = {"sts:GetCallerIdentity"}  # needs no permission, as the README says
    assert "sts:GetCallerIdentity" in _section() and "needs no permission" in _section()
    assert statements["Network"] == calls[""] - free
    assert statements["RolesWithRole"] == calls["--role"] - calls[""]
    assert statements["RepositoriesWithEcr"] == calls["--ecr"] - calls[""]
    assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in _policy()["Statement"])
    assert not any(a.split(":")[1].startswith(("Create", "Delete", "Put", "Modify", "Attach"))
                   for a in set().union(*statements.values()))


def test_the_table_names_every_list_and_field_the_snapshot_keeps():
    from pullcheck.integrations.snapshot_fields import FIELDS

    rows = {}
    for line in _section().splitlines():
        cells = line.split("|")
        if len(cells) == 4 and cells[1].strip().startswith("`"):
            for key in re.findall(r"`(\w+)`", cells[1].split("(")[0]):
                rows[key] = cells[2]
    assert set(rows) == set(FIELDS)
    for key, spec in FIELDS.items():
        named = set(re.findall(r"`(\w+)`", rows[key])) | set(re.findall(r"\b(\w+)\b", rows[key]))
        # a row of several lists says "IDs" for each list's own ID field
        missing = {f for f in spec if f not in named and not (f.endswith("Id") and "IDs" in rows[key])}
        assert not missing, f"{key}: the README's table does not name {sorted(missing)}"


def test_the_cli_loop_covers_every_list_the_folder_reader_takes():
    from pullcheck.formats.snapshot.reader import EC2_KEYS

    section = _section()
    loop = section[section.index("for c in "):section.index("done", section.index("for c in "))]
    calls = {"describe-" + c for c in loop.split(";")[0].split()[3:]}
    calls |= set(re.findall(r"aws ec2 (describe-[\w-]+)", section))
    keys = {"".join(w.capitalize() for w in c[len("describe-"):].split("-")) for c in calls}
    keys = {{"VpcEndpoints": "VpcEndpoints", "ManagedPrefixLists": "PrefixLists"}.get(k, k) for k in keys}
    # PrefixLists' entries and the DHCP options' servers need calls per item: the snapshot command makes them
    assert set(EC2_KEYS) - {"PrefixLists", "DhcpOptions"} <= keys, set(EC2_KEYS) - keys
