"""A CDK cloud assembly: stacks from manifest.json, construct paths in messages, bundled assets skipped."""
import json

from conftest import run_cli

NETWORK = {
    "Resources": {
        "Vpc8378EB38": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"},
                        "Metadata": {"aws:cdk:path": "Network/Vpc/Resource"}},
        "VpcIsolatedSubnet1": {"Type": "AWS::EC2::Subnet",
                               "Properties": {"VpcId": {"Ref": "Vpc8378EB38"}, "CidrBlock": "10.0.1.0/24"},
                               "Metadata": {"aws:cdk:path": "Network/Vpc/IsolatedSubnet1/Subnet"}},
        "VpcIsolatedSubnet1RouteTable": {"Type": "AWS::EC2::RouteTable",
                                         "Properties": {"VpcId": {"Ref": "Vpc8378EB38"}}},
        "VpcIsolatedSubnet1Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation",
                                    "Properties": {"SubnetId": {"Ref": "VpcIsolatedSubnet1"},
                                                   "RouteTableId": {"Ref": "VpcIsolatedSubnet1RouteTable"}}}},
    "Outputs": {"ExportsOutputRefVpcIsolatedSubnet1": {
        "Value": {"Ref": "VpcIsolatedSubnet1"},
        "Export": {"Name": {"Fn::Sub": "${AWS::StackName}:ExportsOutputRefVpcIsolatedSubnet1"}}}},
}
SERVICE = {
    "Resources": {
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition",
                    "Properties": {"RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256",
                                   "Memory": "512",
                                   "ContainerDefinitions": [{"Name": "web", "Image": "amazon/amazon-ecs-sample"}]},
                    "Metadata": {"aws:cdk:path": "Service/TaskDef/Resource"}},
        "ServiceD69D759B": {"Type": "AWS::ECS::Service",
                            "Properties": {"LaunchType": "FARGATE", "TaskDefinition": {"Ref": "TaskDef"},
                                           "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": [
                                               {"Fn::ImportValue": "network-stack:ExportsOutputRefVpcIsolatedSubnet1"}]}}},
                            "Metadata": {"aws:cdk:path": "Service/Service/Service"}}},
}


def test_cloud_assembly(tmp_path):
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "Network.template.json").write_text(json.dumps(NETWORK, indent=1))
    (out / "Service.template.json").write_text(json.dumps(SERVICE, indent=1))
    (out / "asset.0123abcd").mkdir()
    (out / "asset.0123abcd" / "broken.yaml").write_text("a: [1, 2\n")  # bundled code: never read
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "Network": {"type": "aws:cloudformation:stack",
                    "properties": {"templateFile": "Network.template.json", "stackName": "network-stack"}},
        "Service": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Service.template.json"}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}))
    r = run_cli("--select", "NET", "cdk.out", cwd=str(tmp_path))
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("cdk.out/Service.template.json:")
    assert "Service/Service/Service runs on Fargate in subnet Network/Vpc/IsolatedSubnet1/Subnet" in r.stdout


# a CDK service with its asset image and log group, and the grants CDK writes for them, all through the
# stack's own account and Region
ASSETS = {
    "Resources": {
        "LogGroup": {"Type": "AWS::Logs::LogGroup"},
        "ExecRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
        "ExecPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "exec", "Roles": [{"Ref": "ExecRole"}], "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                 "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecr:", {"Ref": "AWS::Region"},
                                                ":", {"Ref": "AWS::AccountId"}, ":repository/",
                                                {"Fn::Sub": "cdk-assets-${AWS::AccountId}-${AWS::Region}"}]]}},
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": {"Fn::GetAtt": ["LogGroup", "Arn"]}}]}}},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256", "Memory": "512",
            "ExecutionRoleArn": {"Fn::GetAtt": ["ExecRole", "Arn"]},
            "ContainerDefinitions": [{"Name": "web", "Image": {"Fn::Sub": (
                "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cdk-assets-${AWS::AccountId}-"
                "${AWS::Region}:abc")},
                "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                    "awslogs-group": {"Ref": "LogGroup"}, "awslogs-region": "us-west-2",
                    "awslogs-stream-prefix": "web"}}}]}},
    }}


def _assembly(tmp_path, environment):
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "App.template.json").write_text(json.dumps(ASSETS, indent=1))
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {"App": {
        "type": "aws:cloudformation:stack", "environment": environment,
        "properties": {"templateFile": "App.template.json"}}}}))
    return str(out)


def _decided(tmp_path, environment):
    from pullcheck.engine.discover import cdk_stacks
    from pullcheck.engine.stages import build_graph
    from pullcheck.facts import iam

    folder = _assembly(tmp_path, environment)
    graph, _ = build_graph([folder], stacks=cdk_stacks([folder]))
    [td] = graph.of_kind("ecs.task_definition")
    pset = iam.role_policies(graph, iam.role_for(graph, td.get("execution_role")))
    return td, {n.action: iam.check(pset, n).allowed for n in iam.needs(graph, td)}


def test_a_cdk_stacks_environment_is_its_account_and_region(tmp_path):
    td, decided = _decided(tmp_path, "aws://123456789012/us-west-2")
    [c] = td.get("containers")
    assert c["image"] == "123456789012.dkr.ecr.us-west-2.amazonaws.com/cdk-assets-123456789012-us-west-2:abc"
    assert set(decided.values()) == {True}, decided


def test_an_environment_agnostic_stack_is_judged_through_its_own_names(tmp_path):
    td, decided = _decided(tmp_path, "aws://unknown-account/unknown-region")
    assert set(decided.values()) == {True}, decided


def test_a_stacks_file_gives_a_stack_its_account_and_region(tmp_path):
    (tmp_path / "app.json").write_text(json.dumps(ASSETS))
    (tmp_path / "stacks.toml").write_text('[stacks.app]\ntemplate = "app.json"\naccount = "123456789012"\n'
                                          'region = "us-west-2"\n')
    r = run_cli("--no-config", "--stacks", "stacks.toml", "--explain", "--format", "json", "app.json",
                cwd=str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "stacks.toml").write_text('[stacks.app]\ntemplate = "app.json"\naccount = "12345"\n')
    r = run_cli("--no-config", "--stacks", "stacks.toml", "app.json", cwd=str(tmp_path))
    assert r.returncode == 2 and "account must be a 12-digit AWS account ID" in r.stderr
