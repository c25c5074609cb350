"""Network verdicts on hand-made variations of one endpoint-only stack, and the --explain report."""
import json
import os

import pytest
from conftest import FIXTURES, isolate_tf, lint_paths, run_cli
from test_fixtures import expected

EP_YAML = os.path.join(FIXTURES, "NET006", "good_private_dns_enabled.yaml")
EP_TF = os.path.join(FIXTURES, "NET006", "good_private_dns_enabled", "main.tf")


def _variant(tmp_path, src, edits, name="main"):
    text = open(src, encoding="utf-8").read()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    folder = tmp_path / name
    folder.mkdir()
    path = folder / ("main.tf" if src.endswith(".tf") else "stack.yaml")
    path.write_text(text, encoding="utf-8")
    return str(path)


def _ids(paths, rules, select="NET"):
    return sorted((os.path.basename(f.file), f.line, f.rule_id, f.severity) for f in lint_paths(paths, rules, select))


def test_base_stacks_are_clean(rules):
    assert _ids([EP_YAML], rules) == []
    assert _ids([EP_TF], rules) == []


_IGW_ROUTE = ("  Gateway:\n    Type: AWS::EC2::InternetGateway\n  Attachment:\n    Type: AWS::EC2::VPCGatewayAttachment\n"
              "    Properties:\n      VpcId: !Ref VPC\n      InternetGatewayId: !Ref Gateway\n  DefaultRoute:\n"
              "    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref PrivateRouteTable\n"
              "      DestinationCidrBlock: 0.0.0.0/0\n      GatewayId: !Ref Gateway\n")

CFN_CASES = {
    # EC2's allow-all egress may or may not survive a standalone egress rule: unknown, so silent
    "standalone_egress_only": ([("  EndpointSecurityGroup:\n",
                                 "  TaskEgress:\n    Type: AWS::EC2::SecurityGroupEgress\n    Properties:\n"
                                 "      GroupId: !Ref TaskSecurityGroup\n      IpProtocol: tcp\n      FromPort: 5432\n"
                                 "      ToPort: 5432\n      CidrIp: 10.0.0.0/16\n  EndpointSecurityGroup:\n")], []),
    # a group from a parameter cannot be judged
    "group_from_parameter": ([("            - !Ref TaskSecurityGroup", "            - !Ref TaskGroup"),
                              ("Resources:\n", "Parameters:\n  TaskGroup:\n    Type: AWS::EC2::SecurityGroup::Id\n"
                                               "Resources:\n")], []),
    # a transit gateway leads to an egress VPC the template does not show: assumed to reach the internet
    "transit_gateway_docker_hub": ([("  PrivateAssociation:\n",
                                     "  TgwRoute:\n    Type: AWS::EC2::Route\n    Properties:\n"
                                     "      RouteTableId: !Ref PrivateRouteTable\n      DestinationCidrBlock: 0.0.0.0/0\n"
                                     "      TransitGatewayId: tgw-0123456789abcdef0\n  PrivateAssociation:\n"),
                                    ("Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0", "Image: nginx:1.27")],
                                   []),
    # endpoints without groups get the VPC default group, which nobody here manages: a warning
    "endpoint_default_group": ([("      SecurityGroupIds: [!Ref EndpointSecurityGroup]\n", "")] * 3,
                               [(39, "NET009", "warning"), (47, "NET009", "warning"), (55, "NET009", "warning")]),
    # the task in the default group, the endpoints admitting only the task group: blocked, an error
    "task_in_default_group": ([("          SecurityGroups:\n            - !Ref TaskSecurityGroup\n", "")],
                              [(47, "NET009", "error"), (56, "NET009", "error"), (65, "NET009", "error")]),
    # the Region comes from the endpoints; an image from another Region is not served by them
    "region_from_sub": ([("Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0",
                          "Image: !Sub ${AWS::AccountId}.dkr.ecr.us-east-1.amazonaws.com/app:1.0")],
                        [(83, "NET013", "error")]),
    # an internet gateway carries nothing for a task without a public IP: the pull goes through the
    # endpoints, whose private DNS is judged (NET001 has nothing to say: they serve the image)
    "internet_gateway_without_public_ip": ([("  PrivateAssociation:\n", _IGW_ROUTE + "  PrivateAssociation:\n"),
                                            ("      PrivateDnsEnabled: true\n", "      PrivateDnsEnabled: false\n")],
                                           [(58, "NET006", "error")]),
    # an image from Docker Hub needs the internet whatever the endpoints are: one whose service is not known
    # leaves NET001 its verdict
    "docker_hub_beside_an_unknown_endpoint": ([("  PrivateAssociation:\n", _IGW_ROUTE + "  PrivateAssociation:\n"),
                                               ("ServiceName: com.amazonaws.eu-west-1.ecr.dkr", "ServiceName: !Ref Service"),
                                               ("Resources:\n", "Parameters:\n  Service: {Type: String}\nResources:\n"),
                                               ("Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0",
                                                "Image: nginx:1.27")],
                                              [(113, "NET001", "error")]),
    # the subnet's routes come from another stack: nothing is judged
    "subnet_imported": ([("            - !Ref PrivateSubnet", "            - !ImportValue network-PrivateSubnet"),
                         ("          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0",
                          "          Image: nginx:1.27")], []),
}


@pytest.mark.parametrize("case", sorted(CFN_CASES))
def test_cloudformation_variants(case, rules, tmp_path):
    edits, want = CFN_CASES[case]
    path = _variant(tmp_path, EP_YAML, edits)
    assert [(line, rid, sev) for _, line, rid, sev in _ids([path], rules)] == want


TF_CASES = {
    # no groups on the task and the default group not managed: AWS's default allows all egress
    "unmanaged_default_group": ([("    security_groups = [aws_security_group.task.id]\n", "")], []),
    # adopting the default group removes its rules: no egress at all
    "managed_default_group": ([("    security_groups = [aws_security_group.task.id]\n", ""),
                               ('resource "aws_ecs_service"', 'resource "aws_default_security_group" "default" {\n'
                                '  vpc_id = aws_vpc.main.id\n}\n\nresource "aws_ecs_service"')],
                              [(85, "NET010", "error")]),
    "group_from_variable": ([("[aws_security_group.task.id]", "[var.task_sg]"),
                             ('resource "aws_ecs_service"', 'variable "task_sg" {}\n\nresource "aws_ecs_service"')], []),
    # a standalone rule that only reaches the VPC: S3's addresses are outside it
    "standalone_rule_to_vpc": ([('  egress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n'
                                 '    cidr_blocks = ["0.0.0.0/0"]\n  }\n', ''),
                                ('resource "aws_ecs_service"',
                                 'resource "aws_security_group_rule" "to_vpc" {\n  type              = "egress"\n'
                                 '  security_group_id = aws_security_group.task.id\n  protocol          = "-1"\n'
                                 '  from_port         = 0\n  to_port           = 0\n  cidr_blocks       = ["10.0.0.0/16"]\n'
                                 '}\n\nresource "aws_ecs_service"')],
                               [(25, "NET010", "error")]),
    # no route and no ECR endpoint (NET002), and a group without egress (NET010): whichever way out is added,
    # the group blocks it, so both are reported in one run
    "no_way_out_and_no_egress": ([('["ecr.dkr", "ecr.api", "logs"]', '["sqs"]'),
                                  ('  egress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n'
                                   '    cidr_blocks = ["0.0.0.0/0"]\n  }\n', '')],
                                 [(25, "NET010", "error"), (84, "NET002", "error")]),
    # an ACL whose first matching entry is a deny of everything
    "acl_rule_order": ([('resource "aws_ecs_service"',
                         'resource "aws_network_acl" "private" {\n  vpc_id     = aws_vpc.main.id\n'
                         '  subnet_ids = [aws_subnet.private.id]\n  egress {\n    rule_no    = 200\n    protocol   = "-1"\n'
                         '    action     = "allow"\n    cidr_block = "0.0.0.0/0"\n    from_port  = 0\n    to_port    = 0\n  }\n'
                         '  ingress {\n    rule_no    = 100\n    protocol   = "all"\n    action     = "allow"\n'
                         '    cidr_block = "0.0.0.0/0"\n    from_port  = 0\n    to_port    = 0\n  }\n}\n\n'
                         'resource "aws_network_acl_rule" "deny_out" {\n  network_acl_id = aws_network_acl.private.id\n'
                         '  rule_number    = 100\n  egress         = true\n  protocol       = "tcp"\n'
                         '  rule_action    = "DENY"\n  cidr_block     = "0.0.0.0/0"\n  from_port      = 0\n'
                         '  to_port        = 65535\n}\n\nresource "aws_ecs_service"')],
                       [(106, "NET011", "error")]),
}


@pytest.mark.parametrize("case", sorted(TF_CASES))
def test_terraform_variants(case, rules, tmp_path):
    edits, want = TF_CASES[case]
    path = _variant(tmp_path, EP_TF, edits)
    assert [(line, rid, sev) for _, line, rid, sev in _ids([path], rules)] == want


@pytest.mark.parametrize("name", ["bad_public_subnet_without_public_ip", "bad_public_subnet_without_public_ip.yaml"])
def test_every_cause_that_blocks_the_pull_at_once(name, rules, tmp_path):
    """No public IP in a public subnet (NET001) and a group without egress (NET010): both, each at its place,
    as the fixture marks them, with every network rule running."""
    path = os.path.join(FIXTURES, "NET010", name)
    found = {(f.line, f.rule_id) for f in lint_paths([path], rules, "NET")}
    assert found == {p[-2:] for p in expected(path)}
    assert {rid for _, rid in found} == {"NET001", "NET010"}


def test_explain_shows_the_path_and_the_blocking_group():
    r = run_cli("--explain", os.path.join("fixtures", "NET009", "bad_ingress_from_other_range.yaml"))
    assert r.returncode == 1
    out = r.stdout
    assert "Service (AWS::ECS::Service, fixtures/NET009/bad_ingress_from_other_range.yaml:90)" in out
    assert "0.0.0.0/0 -> nothing (no 0.0.0.0/0 route)" in out
    assert "endpoint EcrDkrEndpoint (ecr.dkr): private DNS True; its groups admit the task on TCP 443: BLOCKED" in out
    # its execution role is not in the file: the account's line follows, saying the site is not judged
    assert out.rstrip().splitlines()[-2:][0] == "Found 3 problems."
    assert "judged 0 of 1 launch site" in out.rstrip().splitlines()[-1]


def test_explain_names_the_unknown(tmp_path):
    path = _variant(tmp_path, EP_YAML, CFN_CASES["subnet_imported"][0])
    r = run_cli("--explain", path)
    assert r.returncode == 0
    assert "subnets not in the scanned files (not judged): Fn::ImportValue network-PrivateSubnet" in r.stdout


def test_explain_keeps_json_on_stdout(tmp_path):
    path = isolate_tf(os.path.join(FIXTURES, "NET002", "bad_launch_sites", "main.tf"), tmp_path)
    r = run_cli("--explain", "--format", "json", path)
    assert r.returncode == 1
    data = json.loads(r.stdout)["findings"]  # with --explain: one object, the findings and the launch sites
    assert [(f["line"], f["rule"]) for f in data] == [(39, "NET002"), (56, "NET002"), (72, "NET002"), (93, "NET002"),
                                                    (109, "NET002"), (141, "NET002")]
    for site in ("aws_cloudwatch_event_target.nightly", "aws_scheduler_schedule.hourly", "aws_pipes_pipe.queue",
                 "aws_sfn_state_machine.workflow.Run", "aws_sfn_state_machine.heredoc.Run",
                 "aws_batch_job_definition.job in aws_batch_compute_environment.fargate"):
        assert site in r.stderr
