"""Real multi-stack setups from the corpus with one defect put in: found in the file that has it, naming the
file (and stack) it depends on; the unchanged setups stay clean."""
import os
import shutil

import pytest
from conftest import SHARED, run_cli

CFN = os.path.join(SHARED, "corpus", "cloudformation")
pytestmark = pytest.mark.skipif(not os.path.isdir(CFN), reason="shared corpus not present")


@pytest.fixture
def nathanpeck(tmp_path):
    src = os.path.join(CFN, "nathanpeck-aws-cloudformation-fargate")
    shutil.copytree(src, tmp_path / "np")
    (tmp_path / "stacks.toml").write_text(
        '[stacks.production]\ntemplate = "np/fargate-networking-stacks/public-private-vpc.yml"\n'
        '[stacks.web]\ntemplate = "np/service-stacks/private-subnet-public-loadbalancer.yml"\n'
        '[stacks.public-web]\ntemplate = "np/service-stacks/public-subnet-public-loadbalancer.yml"\n')
    return tmp_path


def test_unchanged_set_is_clean(nathanpeck):
    r = run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(nathanpeck))
    assert r.returncode == 0, r.stdout


def test_removed_nat_route_is_found_in_the_service_naming_the_network_stack(nathanpeck):
    net = nathanpeck / "np" / "fargate-networking-stacks" / "public-private-vpc.yml"
    text = net.read_text()
    start = text.index("  PrivateRouteOne:\n")
    end = text.index("  PrivateRouteTableOneAssociation:\n")
    net.write_text(text[:start] + text[end:])
    r = run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(nathanpeck))
    assert r.returncode == 1
    lines = r.stdout.splitlines()[:-1]
    # both services in the private subnets (the second one, not in the stacks file, imports with its defaults)
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["np/service-stacks/private-subnet-private-loadbalancer.yml:107:15:", "NET002"],
        ["np/service-stacks/private-subnet-public-loadbalancer.yml:106:15:", "NET002"]], r.stdout
    for line in lines:
        assert "subnet PrivateSubnetOne (stack production, np/fargate-networking-stacks/public-private-vpc.yml)" \
            in line


def test_public_ip_turned_off_in_public_subnets(nathanpeck):
    svc = nathanpeck / "np" / "service-stacks" / "public-subnet-public-loadbalancer.yml"
    svc.write_text(svc.read_text().replace("AssignPublicIp: ENABLED", "AssignPublicIp: DISABLED"))
    r = run_cli("--stacks", "stacks.toml", "--select", "NET", cwd=str(nathanpeck))
    assert r.returncode == 1
    assert r.stdout.startswith("np/service-stacks/public-subnet-public-loadbalancer.yml:102:11: NET001")
    assert "(stack production, np/fargate-networking-stacks/public-private-vpc.yml)" in r.stdout


def test_nested_stack_without_the_s3_endpoint(tmp_path):
    shutil.copytree(os.path.join(CFN, "aws-samples-container-patterns", "ecs-cluster-isolated-vpc-no-nat-gateway"),
                    tmp_path / "set")
    vpc = tmp_path / "set" / "isolated-vpc.yml"
    text = vpc.read_text()
    start = text.index("  S3Endpoint:\n")
    end = text.index("\n  ", text.index("ServiceName: !Sub com.amazonaws.${AWS::Region}.s3"))
    # drop the S3 gateway endpoint resource (up to the next resource)
    nxt = text.index("\n  ", end + 1)
    while text[nxt + 3] == " ":
        nxt = text.index("\n  ", nxt + 1)
    vpc.write_text(text[:start] + text[nxt + 1:])
    r = run_cli("--select", "NET", "set/parent.yml", cwd=str(tmp_path))
    assert r.returncode == 1, r.stdout
    assert r.stdout.startswith("set/private-service.yml:")
    assert "NET005" in r.stdout and "s3 (gateway" in r.stdout
    assert "(stack set/parent.yml/VpcStack, set/isolated-vpc.yml)" in r.stdout
