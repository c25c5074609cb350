"""Nested stacks: the child template a TemplateURL names, and what a child stack takes from its parent beyond
the parameters it is passed (its account and Region)."""
import json
import textwrap

from conftest import run_cli

# a task whose subnet reaches ECR only through interface endpoints, pulling from ECR in eu-west-1
ISOLATED = textwrap.dedent("""\
    Parameters:
      Image: {Type: String}
    Resources:
      Net:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.8.0.0/16, EnableDnsHostnames: true, EnableDnsSupport: true}
      Private:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref Net, CidrBlock: 10.8.1.0/24}
      Routes:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref Net}
      PrivateRoutes:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref Private, RouteTableId: !Ref Routes}
      EndpointGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: https from the VPC
          VpcId: !Ref Net
          SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.8.0.0/16}]
      S3Gateway:
        Type: AWS::EC2::VPCEndpoint
        Properties:
          VpcId: !Ref Net
          ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
          VpcEndpointType: Gateway
          RouteTableIds: [!Ref Routes]
      Docker:
        Type: AWS::EC2::VPCEndpoint
        Properties:
          VpcId: !Ref Net
          ServiceName: !Sub com.amazonaws.${AWS::Region}.ecr.dkr
          VpcEndpointType: Interface
          PrivateDnsEnabled: true
          SubnetIds: [!Ref Private]
          SecurityGroupIds: [!Ref EndpointGroup]
      Api:
        Type: AWS::EC2::VPCEndpoint
        Properties:
          VpcId: !Ref Net
          ServiceName: !Sub com.amazonaws.${AWS::Region}.ecr.api
          VpcEndpointType: Interface
          PrivateDnsEnabled: true
          SubnetIds: [!Ref Private]
          SecurityGroupIds: [!Ref EndpointGroup]
      Execution:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
          ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]
      Task:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ExecutionRoleArn: !GetAtt Execution.Arn
          ContainerDefinitions: [{Name: api, Image: !Ref Image}]
      Api Service:
        Type: AWS::ECS::Service
        Properties:
          LaunchType: FARGATE
          TaskDefinition: !Ref Task
          NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [!Ref Private]}}
    """).replace("Api Service:", "Service:")
IMAGE = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/api:7"
PARENT = textwrap.dedent("""\
    Parameters:
      Image: {Type: String}
    Resources:
      Workload:
        Type: AWS::CloudFormation::Stack
        Properties:
          TemplateURL: isolated.yaml
          Parameters: {Image: !Ref Image}
    """)


def _stacks(folder, template, region):
    where = f'\nregion = "{region}"' if region else ""
    (folder / "stacks.toml").write_text(
        f'[stacks.api]\ntemplate = "{template}"\nparameters = {{ Image = "{IMAGE}" }}{where}\n')


def _lint(folder, *args):
    r = run_cli("--format", "json", "--explain", "--stacks", "stacks.toml", *args, ".", cwd=str(folder))
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def test_a_nested_stack_runs_in_its_parents_region(tmp_path):
    (tmp_path / "isolated.yaml").write_text(ISOLATED)
    (tmp_path / "parent.yaml").write_text(PARENT)
    _stacks(tmp_path, "parent.yaml", "eu-central-1")
    out = _lint(tmp_path)
    assert [(f["rule"], f["file"]) for f in out["findings"]] == [("NET013", "isolated.yaml")]
    assert "runs in eu-central-1" in out["findings"][0]["message"]


def test_a_nested_stack_in_the_images_region_is_clean(tmp_path):
    (tmp_path / "isolated.yaml").write_text(ISOLATED)
    (tmp_path / "parent.yaml").write_text(PARENT)
    _stacks(tmp_path, "parent.yaml", "eu-west-1")
    out = _lint(tmp_path)
    assert out["findings"] == [] and [s["judged"] for s in out["launch_sites"]] == [True]


def _parent_at(url):
    return PARENT.replace("TemplateURL: isolated.yaml", f"TemplateURL: {url}")


def test_a_sub_template_url_names_the_template_beside_the_parent(tmp_path):
    (tmp_path / "isolated.yaml").write_text(ISOLATED)
    parent = _parent_at("!Sub '${Bucket}/isolated.yaml'")
    (tmp_path / "parent.yaml").write_text(parent.replace("Parameters:\n", "Parameters:\n  Bucket: {Type: String}\n", 1))
    _stacks(tmp_path, "parent.yaml", "eu-central-1")
    out = _lint(tmp_path)
    assert [(f["rule"], f["file"]) for f in out["findings"]] == [("NET013", "isolated.yaml")]
    assert out["assumptions"] == [
        "nested stack Workload of parent.yaml is made of isolated.yaml, linked by file name: the template at the "
        "longest end of the TemplateURL's path (isolated.yaml) from the parent's folder"]


def test_an_s3_url_names_the_template_at_the_same_path_below_the_parent(tmp_path):
    (tmp_path / "services" / "api").mkdir(parents=True)
    (tmp_path / "services" / "api" / "isolated.yaml").write_text(ISOLATED)
    (tmp_path / "isolated.yaml").write_text("Resources: {}\n")  # same name, at a shorter end of the URL's path
    (tmp_path / "parent.yaml").write_text(
        _parent_at("https://s3.amazonaws.com/artifacts-bucket/services/api/isolated.yaml"))
    _stacks(tmp_path, "parent.yaml", "eu-central-1")
    out = _lint(tmp_path)
    assert [(f["rule"], f["file"]) for f in out["findings"]] == [("NET013", "services/api/isolated.yaml")]


def test_a_url_no_template_of_the_run_ends_is_not_linked(tmp_path):
    (tmp_path / "isolated.yaml").write_text(ISOLATED)
    (tmp_path / "parent.yaml").write_text(_parent_at("s3://artifacts-bucket/stacks/other.yaml"))
    _stacks(tmp_path, "parent.yaml", "eu-central-1")
    out = _lint(tmp_path)
    # the service's template is linted on its own: its image is a parameter nobody gives
    assert out["findings"] == [] and [s["judged"] for s in out["launch_sites"]] == [False]
    assert "assumptions" not in out


def test_the_written_end_of_a_template_url():
    from pullcheck.formats.cloudformation.stacks import url_tail

    assert url_tail("https://s3.amazonaws.com/b/infra/vpc.yaml?versionId=3") == ["b", "infra", "vpc.yaml"]
    assert url_tail("s3://b/vpc.yml") == ["vpc.yml"]
    assert url_tail({"Fn::Sub": "${Prefix}vpc.yml"}) == ["vpc.yml"]
    sub = ["https://${B}.s3.amazonaws.com/nested/vpc.json", {"B": "x"}]
    assert url_tail({"Fn::Sub": sub}) == ["nested", "vpc.json"]
    joined = ["", ["https://", {"Ref": "B"}, "/stacks/vpc.template"]]
    assert url_tail({"Fn::Join": joined}) == ["stacks", "vpc.template"]
    assert url_tail({"Fn::Sub": "${Prefix}${Name}"}) == []
    assert url_tail("https://example.com/download?file=vpc.yaml") == []
    assert url_tail({"Fn::Sub": "${P}/../vpc.yaml"}) == []


def test_without_a_region_the_cross_region_pull_waits_on_it(tmp_path):
    (tmp_path / "isolated.yaml").write_text(ISOLATED)
    (tmp_path / "parent.yaml").write_text(PARENT)
    _stacks(tmp_path, "parent.yaml", None)
    out = _lint(tmp_path)
    [site] = out["launch_sites"]
    assert out["findings"] == [] and site["judged"] is False
    assert [w["value"] for w in site["waits_on"]] == ["the Region Service runs in (its ECR images are in eu-west-1)"]


def test_a_parent_named_alone_finds_its_child_beside_it(tmp_path):
    (tmp_path / "isolated.yaml").write_text(ISOLATED)
    (tmp_path / "parent.yaml").write_text(_parent_at("!Sub '${AWS::StackName}-templates/isolated.yaml'"))
    (tmp_path / "README.yaml").write_text("Resources: 3\n")
    _stacks(tmp_path, "parent.yaml", "eu-central-1")
    r = run_cli("--format", "json", "--stacks", "stacks.toml", "parent.yaml", cwd=str(tmp_path))
    assert [(f["rule"], f["file"]) for f in json.loads(r.stdout)] == [("NET013", "isolated.yaml")]


def test_a_file_of_that_name_that_is_no_template_is_not_linked_nor_reported(tmp_path):
    (tmp_path / "isolated.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "parent.yaml").write_text(_parent_at("https://s3.amazonaws.com/b/isolated.yaml"))
    r = run_cli("--format", "json", "parent.yaml", cwd=str(tmp_path))
    assert r.returncode == 0 and json.loads(r.stdout) == []


VPC_PARENT = textwrap.dedent("""\
    Resources:
      Net:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.9.0.0/16}
      Lonely:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref Net, CidrBlock: 10.9.1.0/24}
      Web:
        Type: AWS::CloudFormation::Stack
        Properties:
          TemplateURL: https://s3.amazonaws.com/releases/stacks/web.yaml
          Parameters: {Subnets: !Ref Lonely}
    """)
WEB = textwrap.dedent("""\
    Parameters:
      Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
    Resources:
      Task:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ContainerDefinitions: [{Name: web, Image: "nginx:1.27"}]
      Service:
        Type: AWS::ECS::Service
        Properties:
          LaunchType: FARGATE
          TaskDefinition: !Ref Task
          NetworkConfiguration: {AwsvpcConfiguration: {Subnets: !Ref Subnets}}
    """)


def test_several_processes_link_a_child_by_name_as_one_does(tmp_path, monkeypatch, capsys):
    from pullcheck.cli import main
    from pullcheck.engine import parallel

    monkeypatch.setattr(parallel, "BATCHES_PER_PROCESS", 10 ** 9)  # every file in a batch of its own
    (tmp_path / "a-parent.yaml").write_text(VPC_PARENT)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "web.yaml").write_text(WEB)
    monkeypatch.chdir(tmp_path)
    outs = []
    for jobs in ("1", "2"):
        code = main(["--no-config", "--jobs", jobs, "--format", "json", "."])
        outs.append((code, capsys.readouterr().out))
    assert outs[0] == outs[1]
    assert [(f["rule"], f["file"]) for f in json.loads(outs[0][1])] == [("NET002", "stacks/web.yaml")]


def test_a_changed_child_named_by_url_is_linted_through_its_parent(tmp_path):
    (tmp_path / "a-parent.yaml").write_text(VPC_PARENT.replace(
        "https://s3.amazonaws.com/releases/stacks/web.yaml", "!Sub '${ArtifactsUrl}/web.yaml'"))
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "web.yaml").write_text(WEB)
    (tmp_path / "web.yaml").write_text(WEB)  # beside the parent: the one a substitution ending web.yaml names
    r = run_cli("--no-config", "--infrastructure-only", "--root", ".", "--changed", "web.yaml", cwd=str(tmp_path))
    assert r.returncode == 1 and r.stdout.startswith("web.yaml:") and "NET002" in r.stdout, r.stdout + r.stderr
    r = run_cli("--no-config", "--infrastructure-only", "--root", ".", "--changed", "stacks/web.yaml",
                cwd=str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_long_template_url_is_matched_by_a_bounded_end():
    from pullcheck.formats.cloudformation.stacks import MAX_URL, MAX_URL_PARTS, url_tail

    deep = "https://s3.amazonaws.com/bucket/" + "a/" * 300 + "service.yaml"
    assert url_tail(deep) == ["a"] * (MAX_URL_PARTS - 1) + ["service.yaml"]  # each end tried is a disk lookup
    assert url_tail("https://s3.amazonaws.com/bucket/" + "a/" * MAX_URL + "service.yaml") == []  # past CloudFormation's limit
    assert url_tail("https://s3.amazonaws.com/bucket/stacks/service.yaml") == ["bucket", "stacks", "service.yaml"]
