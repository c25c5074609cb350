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
