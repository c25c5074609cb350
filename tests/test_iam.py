"""IAM verdicts on hand-made variations of one task definition and its roles."""
import os

import pytest
from conftest import FIXTURES, lint_paths

BASE_YAML = os.path.join(FIXTURES, "IAM004", "good_trusts_ecs_tasks.yaml")
BASE_TF = os.path.join(FIXTURES, "IAM004", "good_trust_from_data_source", "main.tf")
MANAGED = "        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy\n"


def _variant(tmp_path, src, edits):
    text = open(src, encoding="utf-8").read()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    folder = tmp_path / "case"
    folder.mkdir()
    path = folder / ("main.tf" if src.endswith(".tf") else "stack.yaml")
    path.write_text(text, encoding="utf-8")
    return str(path)


def _found(path, rules):
    return sorted((f.line, f.rule_id) for f in lint_paths([path], rules, "IAM"))


CASES = {
    # ExecutionRoleArn: !Ref Role gives the role's name; the role is still the one declared here
    "role_by_ref_name": (BASE_YAML, [("ExecutionRoleArn: !GetAtt ExecutionRole.Arn", "ExecutionRoleArn: !Ref ExecutionRole")],
                         []),
    # a Deny on ecr:* outside one repository path also denies the registry-wide auth token
    "deny_not_resource": (BASE_YAML, [("                Resource: !Ref DatabaseSecret\n",
                                       "                Resource: !Ref DatabaseSecret\n              - Effect: Deny\n"
                                       "                Action: ecr:*\n"
                                       "                NotResource: arn:aws:ecr:*:123456789012:repository/allowed/*\n")],
                          [(4, "IAM005")]),
    # a policy whose roles come from a parameter might be attached to this role: unknown
    "policy_for_unknown_role": (BASE_YAML, [(MANAGED, ""), ("Resources:\n", "Parameters:\n  ExtraRole:\n    Type: String\n"
                                                                         "Resources:\n  Extra:\n    Type: AWS::IAM::Policy\n"
                                                                         "    Properties:\n      PolicyName: extra\n"
                                                                         "      Roles: [!Ref ExtraRole]\n"
                                                                         "      PolicyDocument:\n        Statement: []\n")],
                                []),
    # an AWS managed policy this tool does not model may grant anything: unknown
    "unknown_managed_policy": (BASE_YAML, [("service-role/AmazonECSTaskExecutionRolePolicy", "AmazonECS_FullAccess")], []),
    # PowerUserAccess grants everything but IAM and Organizations
    "power_user": (BASE_YAML, [("service-role/AmazonECSTaskExecutionRolePolicy", "PowerUserAccess")], []),
    # an attachment by name to a role that is not this one leaves this role without policies
    "attached_to_other_role": (BASE_TF, [('resource "aws_iam_role_policy_attachment" "execution" {\n'
                                          '  role       = aws_iam_role.execution.name\n',
                                          'resource "aws_iam_policy_attachment" "execution" {\n  name       = "x"\n'
                                          '  roles      = ["someone-else"]\n')],
                               [(11, "IAM005"), (11, "IAM006")]),
    "attached_by_name": (BASE_TF, [('resource "aws_iam_role_policy_attachment" "execution" {\n'
                                    '  role       = aws_iam_role.execution.name\n',
                                    'resource "aws_iam_policy_attachment" "execution" {\n  name       = "x"\n'
                                    '  roles      = ["app-execution"]\n')], []),
    # a trust policy written in the module itself, with the EC2 principal only
    "trust_in_data_source_for_ec2": (BASE_TF, [('      identifiers = ["ecs-tasks.amazonaws.com"]',
                                                '      identifiers = ["ec2.amazonaws.com"]')],
                                     [(13, "IAM004")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_iam_variants(case, rules, tmp_path):
    src, edits, want = CASES[case]
    assert _found(_variant(tmp_path, src, edits), rules) == want
