"""The stacks a repository's deploy inputs imply: SAM configurations, deploy commands in scripts, Makefiles
and CI files, Terraform folders applied with their variables files; read, never run."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest
from conftest import run_cli

DATA = os.path.join(os.path.dirname(__file__), "data", "deploy_inputs")

# one template holding the network and the service: the egress the environment chooses decides the pull
APP = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Egress:
        Type: String
    Conditions:
      WithNat: !Equals [!Ref Egress, nat]
    Resources:
      VPC:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      Subnet:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.1.0/24}
      RouteTable:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref VPC}
      Association:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref RouteTable}
      NatRoute:
        Type: AWS::EC2::Route
        Condition: WithNat
        Properties: {RouteTableId: !Ref RouteTable, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: nat-0123456789abcdef0}
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
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [!Ref Subnet]
    """)


def _tree(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text))
    return root


def _lint(root, *args):
    """One run (the NET rules): its exit code, its findings as the text output writes them, standard error and
    the account's launch sites."""
    r = run_cli("--select", "NET", "--explain", "--format", "json", *args, ".", cwd=str(root))
    if r.returncode not in (0, 1):
        return SimpleNamespace(returncode=r.returncode, stdout="", stderr=r.stderr, sites=[])
    doc = json.loads(r.stdout)
    text = "".join(f"{f['file']}:{f['line']}:{f['column']}: {f['rule']} {f['message']}\n" for f in doc["findings"])
    return SimpleNamespace(returncode=r.returncode, stdout=text, stderr=r.stderr, sites=doc["launch_sites"])


# --- the walkthrough: two stacks joined by !ImportValue !Sub '${ProjectName}:...', deployed by deploy.sh

def test_walkthrough_is_judged_with_the_deploy_script(tmp_path):
    shutil.copytree(os.path.join(DATA, "walkthrough"), tmp_path / "repo")
    root = tmp_path / "repo"
    r = _lint(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "service.yaml:28:11: NET002" in r.stdout and "(stack demo-vpc, vpc.yaml)" in r.stdout
    site, = r.sites
    assert site["judged"] and site["deployed_as"] == "stack demo-service, from deploy.sh:9"
    text = run_cli("--explain", ".", cwd=str(root)).stdout
    assert "Service (service.yaml:20): stack demo-service, from deploy.sh:9" in text


def test_every_script_that_deploys_a_stack_the_same_way_is_named(tmp_path):
    shutil.copytree(os.path.join(DATA, "walkthrough"), tmp_path / "repo")
    root = tmp_path / "repo"
    (root / "ci").mkdir()
    shutil.copy(root / "deploy.sh", root / "ci" / "release.sh")
    text = (root / "ci" / "release.sh").read_text().replace("vpc.yaml", "../vpc.yaml")
    (root / "ci" / "release.sh").write_text(text.replace("service.yaml", "../service.yaml"))
    site, = _lint(root).sites
    assert site["judged"] and site["deployed_as"] == "stack demo-service, from deploy.sh:9, ci/release.sh:9"
    assert "from deploy.sh:9, ci/release.sh:9" in run_cli("--explain", ".", cwd=str(root)).stdout


def test_walkthrough_without_the_script_rests_on_the_shared_name(tmp_path):
    """Without the script, the import is matched to the one export built the same way from the same unset
    parameter, and the account says the verdict rests on that assumption."""
    shutil.copytree(os.path.join(DATA, "walkthrough"), tmp_path / "repo")
    root = tmp_path / "repo"
    os.remove(root / "deploy.sh")
    r = run_cli("--select", "NET", "--explain", "--format", "json", ".", cwd=str(root))
    doc = json.loads(r.stdout)
    site, = doc["launch_sites"]
    assert site["judged"] and "deployed_as" not in site
    assert any("ProjectName" in a for a in doc["assumptions"]), doc.get("assumptions")
    assert r.returncode == 1 and {f["rule"] for f in doc["findings"]} == {"NET002"}


def test_a_stacks_file_wins_over_the_script(tmp_path):
    shutil.copytree(os.path.join(DATA, "walkthrough"), tmp_path / "repo")
    root = tmp_path / "repo"
    (root / "stacks.toml").write_text('[stacks.vpc]\ntemplate = "vpc.yaml"\nparameters = { ProjectName = "other" }\n'
                                      '[stacks.svc]\ntemplate = "service.yaml"\nparameters = { ProjectName = "x" }\n')
    r = _lint(root, "--stacks", "stacks.toml")
    assert r.returncode == 0, r.stdout  # the stacks file's names do not meet: the import stays unknown
    site, = r.sites
    assert not site["judged"] and "deployed_as" not in site


# --- SAM configurations: each environment is a stack of its own

SAMCONFIG = """\
    version = 0.1
    [default.global.parameters]
    region = "eu-west-1"
    [dev.deploy.parameters]
    stack_name = "app-dev"
    parameter_overrides = "Egress=nat Owner=\\"team a\\""
    [prod.deploy.parameters]
    stack_name = "app-prod"
    parameter_overrides = ["Egress=none"]
    """


def test_samconfig_names_the_environment_that_fails(tmp_path):
    root = _tree(tmp_path, {"template.yaml": APP, "samconfig.toml": SAMCONFIG})
    r = _lint(root)
    assert r.returncode == 1 and r.stdout.count("NET002") == 1, r.stdout + r.stderr
    assert "(stack app-prod)" in r.stdout and "app-dev" not in r.stdout
    origins = sorted(s["deployed_as"] for s in r.sites)
    assert origins == ["stack app-dev, from samconfig.toml [dev]", "stack app-prod, from samconfig.toml [prod]"]


def test_samconfig_where_every_environment_has_egress_is_clean(tmp_path):
    root = _tree(tmp_path, {"template.yaml": APP, "samconfig.toml": SAMCONFIG.replace("Egress=none", "Egress=nat")})
    r = _lint(root)
    assert r.returncode == 0, r.stdout
    assert all(s["judged"] for s in r.sites)


def test_samconfig_yaml_with_global_and_template_file(tmp_path):
    root = _tree(tmp_path, {"sam/app.yaml": APP, "sam/samconfig.yaml": """\
        version: 0.1
        prod:
          global:
            parameters:
              stack_name: shop-prod
          deploy:
            parameters:
              template_file: app.yaml
              parameter_overrides: Egress=none
        """})
    r = _lint(root)
    assert r.returncode == 1 and "(stack shop-prod)" not in r.stdout, r.stdout  # one stack: nothing to tell apart
    site, = r.sites
    assert site["deployed_as"] == "stack shop-prod, from sam/samconfig.yaml [prod]"


def test_a_template_with_no_deploy_input_stays_as_it_was(tmp_path):
    root = _tree(tmp_path, {"template.yaml": APP, "other/samconfig.toml": SAMCONFIG})
    r = _lint(root)
    assert r.returncode == 0  # the samconfig has no template beside it: nothing implied
    site, = r.sites
    assert "deployed_as" not in site


# --- CI files and Makefiles

def test_github_workflow_step_with_env_literals(tmp_path):
    root = _tree(tmp_path, {"infra/app.yaml": APP, ".github/workflows/deploy.yml": """\
        name: deploy
        on: push
        env:
          EGRESS: none
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: deploy
                working-directory: infra
                env:
                  STACK: app-${{ env.EGRESS }}
                run: |
                  aws cloudformation deploy --template-file app.yaml \\
                    --stack-name "$STACK" --parameter-overrides Egress=$EGRESS
        """})
    r = _lint(root)
    assert r.returncode == 1 and "NET002" in r.stdout, r.stdout + r.stderr
    site, = r.sites
    assert site["deployed_as"] == "stack app-none, from .github/workflows/deploy.yml:15"


def test_github_cloudformation_deploy_action(tmp_path):
    root = _tree(tmp_path, {"app.yaml": APP, "params/prod.json": json.dumps(
        [{"ParameterKey": "Egress", "ParameterValue": "none"}]), ".github/workflows/cd.yaml": """\
        on: push
        jobs:
          prod:
            runs-on: ubuntu-latest
            steps:
              - uses: aws-actions/aws-cloudformation-github-deploy@v1
                with:
                  name: app-prod
                  template: app.yaml
                  parameter-overrides: file:///${{ github.workspace }}/params/prod.json
              - uses: aws-actions/aws-cloudformation-github-deploy@v1
                with:
                  name: app-dev
                  template: app.yaml
                  parameter-overrides: "Egress=nat,Owner=me"
        """})
    r = _lint(root)
    assert r.returncode == 1 and "(stack app-prod)" in r.stdout and "app-dev" not in r.stdout, r.stdout


def test_makefile_variables(tmp_path):
    root = _tree(tmp_path, {"app.yaml": APP, "Makefile": """\
        ENV := prod
        EGRESS = none
        TAG ?= latest

        deploy:
        \t@aws cloudformation deploy --template-file app.yaml --stack-name app-$(ENV) \\
        \t  --parameter-overrides Egress=$(EGRESS) Tag=$(TAG)
        """})
    r = _lint(root)
    assert r.returncode == 1, r.stdout + r.stderr
    site, = r.sites
    assert site["deployed_as"] == "stack app-prod, from Makefile:6"


def test_gitlab_and_buildspec(tmp_path):
    root = _tree(tmp_path, {"app.yaml": APP, ".gitlab-ci.yml": """\
        variables:
          EGRESS: nat
        deploy-dev:
          script:
            - aws cloudformation deploy --template-file app.yaml --stack-name dev --parameter-overrides Egress=$EGRESS
        """, "buildspec.yml": """\
        version: 0.2
        env:
          variables:
            EGRESS: none
        phases:
          build:
            commands:
              - aws cloudformation create-stack --stack-name prod --template-body file://app.yaml --parameters ParameterKey=Egress,ParameterValue=$EGRESS
        """})
    r = _lint(root)
    assert r.returncode == 1 and "(stack prod)" in r.stdout and "(stack dev)" not in r.stdout, r.stdout


def test_a_value_the_shell_decides_is_unknown_never_guessed(tmp_path):
    root = _tree(tmp_path, {"app.yaml": APP, "deploy.sh": """\
        #!/bin/sh
        EGRESS=none
        if [ "$1" = dev ]; then EGRESS=nat; fi
        aws cloudformation deploy --template-file app.yaml --stack-name "app-$1" --parameter-overrides Egress=$EGRESS
        """})
    r = _lint(root)
    assert r.returncode == 0  # EGRESS is set two ways: which one runs is the shell's to decide
    site, = r.sites
    assert site["deployed_as"] == "stack deployed by deploy.sh:4"


def test_unknown_parameter_says_how_to_supply_it(tmp_path):
    service = APP.replace("Subnets: [!Ref Subnet]", "Subnets: [!Ref SubnetId]").replace(
        "Parameters:\n", "Parameters:\n  SubnetId:\n    Type: String\n", 1)
    root = _tree(tmp_path, {"app.yaml": service, "deploy.sh": """\
        aws cloudformation deploy --template-file app.yaml --stack-name app \\
          --parameter-overrides Egress=nat SubnetId="$(aws ec2 describe-subnets --query x)"
        """})
    site, = _lint(root).sites
    supplies = [w["supply"] for w in site["waits_on"]]
    assert supplies == ["a literal value in the deploy command at deploy.sh:1, or a stacks-file entry (which wins)"]


def test_parameters_file_outside_the_run_is_not_read(tmp_path):
    (tmp_path / "secret.json").write_text(json.dumps([{"ParameterKey": "Egress", "ParameterValue": "none"}]))
    root = _tree(tmp_path / "repo", {"app.yaml": APP, "deploy.sh": """\
        aws cloudformation deploy --template-file app.yaml --stack-name a --parameter-overrides file://../secret.json
        aws cloudformation deploy --template-file app.yaml --stack-name b --parameter-overrides file://../secret.json
        """})
    r = _lint(root)
    assert r.returncode == 0, r.stdout
    assert r.stderr.count("lies outside the paths this run reads") == 2  # one per command that names it
    assert "secret" not in r.stdout


def test_parameters_file_inside_is_read(tmp_path):
    root = _tree(tmp_path, {"cfn/app.yaml": APP, "cfn/prod.json": json.dumps({"Parameters": {"Egress": "none"}}),
                            "scripts/deploy.sh": """\
        cd "$(dirname "$0")/.."
        aws cloudformation create-stack --stack-name prod --template-body file://cfn/app.yaml \\
          --parameters file://cfn/prod.json
        """})
    assert _lint(root).returncode == 1


# --- Terraform: the folder a command applies gets its variables files, and no other folder does

TF = """\
    variable "public" { type = bool }
    resource "aws_ecs_task_definition" "t" {
      family = "t"
      requires_compatibilities = ["FARGATE"]
      network_mode = "awsvpc"
      cpu = 256
      memory = 512
      container_definitions = jsonencode([{ name = "web", image = "nginx:1.27" }])
    }
    resource "aws_ecs_service" "s" {
      name = "s"
      launch_type = "FARGATE"
      task_definition = aws_ecs_task_definition.t.arn
      network_configuration {
        subnets = [aws_subnet.a.id]
        assign_public_ip = var.public
      }
    }
    resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
    resource "aws_subnet" "a" {
      vpc_id = aws_vpc.v.id
      cidr_block = "10.0.1.0/24"
    }
    resource "aws_internet_gateway" "g" { vpc_id = aws_vpc.v.id }
    resource "aws_route_table" "r" {
      vpc_id = aws_vpc.v.id
      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.g.id
      }
    }
    resource "aws_route_table_association" "a" {
      subnet_id = aws_subnet.a.id
      route_table_id = aws_route_table.r.id
    }
    """


def _tf_repo(tmp_path, script):
    return _tree(tmp_path, {"envs/prod/main.tf": TF, "envs/prod/prod.tfvars": "public = false\n",
                            "envs/dev/main.tf": TF, "envs/dev/dev.tfvars": "public = true\n",
                            "deploy.sh": script})


def test_terraform_chdir_var_file(tmp_path):
    root = _tf_repo(tmp_path, "terraform -chdir=envs/prod apply -auto-approve -var-file=prod.tfvars\n")
    r = _lint(root)
    assert r.returncode == 1 and r.stdout.startswith("envs/prod/main.tf:"), r.stdout + r.stderr
    assert "envs/dev" not in r.stdout  # the dev folder is given nothing: its variable stays unknown
    sites = {s["file"]: s for s in r.sites}
    assert sites["envs/prod/main.tf"]["deployed_as"] == "Terraform variables from deploy.sh:1"
    assert not sites["envs/dev/main.tf"]["judged"]


def test_terraform_cd_and_var(tmp_path):
    root = _tf_repo(tmp_path, "cd envs/dev && terraform plan -var 'public=true'\n"
                              "cd ../prod\nterraform apply -var public=false\n")
    r = _lint(root)
    assert r.returncode == 1 and "envs/prod/main.tf" in r.stdout and "envs/dev" not in r.stdout, r.stdout


def test_terraform_folder_applied_two_ways_is_given_neither(tmp_path):
    root = _tf_repo(tmp_path, "terraform -chdir=envs/prod apply -var-file=prod.tfvars\n"
                              "terraform -chdir=envs/prod apply -var public=true\n")
    assert _lint(root).returncode == 0


def test_stacks_file_gives_a_terraform_folder_its_variables(tmp_path):
    root = _tf_repo(tmp_path, "echo nothing here\n")
    (root / "stacks.toml").write_text('[stacks.prod]\nterraform = "envs/prod"\nvar-files = ["prod.tfvars"]\n'
                                      '[stacks.dev]\nterraform = "envs/dev"\nvars = { public = "false" }\n')
    r = _lint(root, "--stacks", "stacks.toml")
    assert r.returncode == 1 and "envs/prod/main.tf" in r.stdout and "envs/dev/main.tf" in r.stdout, r.stdout


def test_stacks_file_terraform_variables_file_outside_is_an_error(tmp_path):
    root = _tf_repo(tmp_path / "repo", "")
    (tmp_path / "x.tfvars").write_text("public = false\n")
    (root / "stacks.toml").write_text('[stacks.prod]\nterraform = "envs/prod"\nvar-files = ["../../../x.tfvars"]\n')
    r = _lint(root, "--stacks", "stacks.toml")
    assert r.returncode == 2 and "outside the paths this run reads" in r.stderr


def test_terraform_run_with_deploy_script_imports_no_cloudformation(tmp_path):
    root = _tf_repo(tmp_path, "terraform -chdir=envs/prod apply -var-file=prod.tfvars\n")
    code = ("import sys; from pullcheck.cli import main; rc = main(sys.argv[1:]); "
            "bad = [m for m in sys.modules if m.startswith(('yaml', 'pullcheck.formats.cloudformation'))]; "
            "print('IMPORTED', bad); raise SystemExit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "."], capture_output=True, text=True, cwd=str(root))
    assert r.returncode == 1 and "IMPORTED []" in r.stdout, r.stdout + r.stderr


# --- hostile deploy inputs never end the run

@pytest.mark.parametrize("script", [
    b"aws cloudformation deploy --template-file app.yaml --stack-name 'unterminated\n",
    b"aws cloudformation deploy --template-file app.yaml \x00 --stack-name x --parameter-overrides Egress=none\n",
    b"aws cloudformation deploy " + b"\\\n" * 5000 + b"--template-file app.yaml\n",
    b"aws cloudformation deploy $(((((((((( `` ${ ${{ } \"' --template-file\n",
    b"aws cloudformation deploy --template-file app.yaml --stack-name " + b"$X" * 100000 + b"\n",
    b"\xff\xfe terraform \x80 cloudformation deploy\n",
    b"X=$X\nY=$Z\nZ=$Y\naws cloudformation deploy --template-file app.yaml --stack-name $Y --parameter-overrides Egress=$Z\n",
    b"aws cloudformation deploy --template-file /etc/passwd --stack-name x\n",
    b"aws cloudformation deploy --template-file ../../../../etc/hosts --stack-name x\n",
])
def test_hostile_scripts(tmp_path, script):
    root = _tree(tmp_path, {"app.yaml": APP, "deploy.sh": script})
    r = _lint(root)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    assert "passwd" not in r.stdout and "hosts" not in r.stdout


def test_huge_deploy_file_is_not_read(tmp_path):
    big = b"#" * (300 * 1024) + b"\naws cloudformation deploy --template-file app.yaml --stack-name x " \
                                 b"--parameter-overrides Egress=none\n"
    root = _tree(tmp_path, {"app.yaml": APP, "deploy.sh": big})
    assert _lint(root).returncode == 0


def test_hostile_ci_yaml(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")) + "jobs: {x: {steps: [{run: terraform apply}]}}\n"
    root = _tree(tmp_path, {"app.yaml": APP, ".github/workflows/x.yml": bomb, ".gitlab-ci.yml": "[unclosed",
                            "samconfig.toml": "version = [", "buildspec.yml": "phases: {b: {commands: 3}}\n"})
    r = _lint(root)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


# --- CodePipeline's CloudFormation actions link template and configuration

PIPELINE = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Pipeline:
        Type: AWS::CodePipeline::Pipeline
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/pipeline
          Stages:
            - Name: Source
              Actions:
                - Name: Source
                  ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: "1"}
                  OutputArtifacts: [{Name: Src}]
            - Name: Deploy
              Actions:
                - Name: Prod
                  ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: "1"}
                  InputArtifacts: [{Name: Src}]
                  Configuration:
                    ActionMode: CREATE_UPDATE
                    StackName: app-prod
                    TemplatePath: Src::infra/app.yaml
                    TemplateConfiguration: Src::infra/prod.json
                - Name: Dev
                  ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: "1"}
                  InputArtifacts: [{Name: Src}]
                  Configuration:
                    StackName: app-dev
                    TemplatePath: Src::infra/app.yaml
                    ParameterOverrides: '{"Egress": "nat"}'
    """


def test_codepipeline_actions(tmp_path):
    root = _tree(tmp_path, {"infra/app.yaml": APP, "infra/prod.json": json.dumps({"Parameters": {"Egress": "none"}}),
                            "pipeline/pipeline.yaml": PIPELINE})
    r = _lint(root)
    assert r.returncode == 1 and "(stack app-prod)" in r.stdout and "app-dev" not in r.stdout, r.stdout + r.stderr
    origins = sorted(s["deployed_as"] for s in r.sites)
    assert origins == ["stack app-dev, from pipeline/pipeline.yaml:23",
                       "stack app-prod, from pipeline/pipeline.yaml:15"]


# --- sam deploy in a script, and --jobs

def test_sam_deploy_command_without_samconfig(tmp_path):
    root = _tree(tmp_path, {"app/template.yaml": APP, "deploy.sh": """\
        #!/bin/bash
        cd app
        sam build
        sam deploy --stack-name app-prod --no-confirm-changeset \\
          --parameter-overrides 'Egress=none Owner="a b"'
        """})
    r = _lint(root)
    assert r.returncode == 1, r.stdout + r.stderr
    site, = r.sites
    assert site["deployed_as"] == "stack app-prod, from deploy.sh:4"


def test_sam_deploy_of_a_configured_environment_is_that_environment(tmp_path):
    root = _tree(tmp_path, {"template.yaml": APP, "samconfig.toml": SAMCONFIG,
                            "Makefile": "deploy-prod:\n\tsam deploy --config-env prod\n"})
    origins = sorted(s["deployed_as"] for s in _lint(root).sites)
    assert origins == ["stack app-dev, from samconfig.toml [dev]", "stack app-prod, from samconfig.toml [prod]"]


def test_jobs_give_the_same_findings(tmp_path):
    root = _tree(tmp_path, {"template.yaml": APP, "samconfig.toml": SAMCONFIG,
                            **{f"more/t{i}.json": json.dumps({"family": f"f{i}", "containerDefinitions": [
                                {"name": "a", "image": "nginx"}]}) for i in range(6)}})
    one = run_cli("--jobs", "1", "--select", "NET", ".", cwd=str(root))
    two = run_cli("--jobs", "2", "--select", "NET", ".", cwd=str(root))
    assert one.returncode == two.returncode == 1 and one.stdout == two.stdout and "(stack app-prod)" in one.stdout


# --- the shell's words, read without a shell

def _words(text, given=None):
    from pullcheck.engine.deploy.shell import Variables, commands, expand, logical_lines, split

    variables = Variables.of(text, given)
    return [c for _, line in logical_lines(text) for c in commands(split(expand(line, variables)) or [])
            if c[0] in ("aws", "sam", "terraform")]


def test_shell_variables_and_quotes():
    from pullcheck.engine.deploy.shell import has_hole, holes_in

    cmd, = _words('ENV=prod\nSTACK="${ENV}-vpc"\nexport R=eu-west-1\n'
                  "aws --region $R cloudformation deploy --stack-name $STACK 'X=$ENV' \"Y=$ENV\" Z=$HOME \\\n"
                  "  W=$(date) V=`id` U=${ENV:-dev} T=$1 # Q=1\n")
    assert cmd[:7] == ["aws", "--region", "eu-west-1", "cloudformation", "deploy", "--stack-name", "prod-vpc"]
    assert cmd[7:9] == ["X=$ENV", "Y=prod"]
    assert [holes_in(w) for w in cmd[9:]] == [["$HOME"], ["command-output"], ["command-output"], ["$ENVdev"],
                                              ["$1"]]
    assert not any("Q=1" in w for w in cmd) and all(has_hole(w) for w in cmd[9:])


def test_shell_word_splitting_of_an_unquoted_variable():
    cmd, = _words('PARAMS="A=1 B=2"\nsam deploy --parameter-overrides $PARAMS\n')
    assert cmd == ["sam", "deploy", "--parameter-overrides", "A=1", "B=2"]


def test_shell_self_reference_and_loops_are_unknown():
    from pullcheck.engine.deploy.shell import has_hole

    cmd, = _words("A=$B\nB=$A\nfor C in x y; do :; done\nread -r D\nterraform apply -var a=$A -var c=$C -var d=$D\n")
    assert cmd[:2] == ["terraform", "apply"] and all(has_hole(w) for w in cmd[3::2])


def test_deploy_commands_read():
    from pullcheck.engine.deploy.commands import in_text

    found = in_text("cd infra && aws cloudformation update-stack --stack-name s --template-body file://t.yaml "
                    "--parameters ParameterKey=A,ParameterValue=1 ParameterKey=B,UsePreviousValue=true\n"
                    "terraform -chdir=envs/p plan --var-file p.tfvars -var=x=1 -out plan\n"
                    "aws cloudformation describe-stacks --stack-name s\n", "d.sh", 1, "/repo")
    cfn, tf = found
    assert (cfn.tool, cfn.cwd, cfn.template, cfn.stack, cfn.origin) == ("cloudformation", "/repo/infra", "t.yaml", "s",
                                                                        "d.sh:1")
    assert cfn.parameters == ["ParameterKey=A,ParameterValue=1", "ParameterKey=B,UsePreviousValue=true"]
    assert (tf.folder, tf.var_files, tf.variables, tf.cwd) == ("envs/p", ["p.tfvars"], ["x=1"], "/repo/infra")


def test_values_that_double_each_other_stay_bounded(tmp_path):
    names = [f"V{i}" for i in range(12)]
    lines = [f'{names[0]}="{"x" * 1000}"'] + [f'{b}="${a}${a}"' for a, b in zip(names, names[1:])]
    make = [f"{names[0]} = {'x' * 1000}"] + [f"{b} = $({a})$({a})" for a, b in zip(names, names[1:])]
    root = _tree(tmp_path, {"app.yaml": APP,
                            "deploy.sh": "\n".join(lines) + f"\naws cloudformation deploy --template-file app.yaml "
                                         f"--stack-name ${names[-1]} --parameter-overrides Egress=none\n",
                            "Makefile": "\n".join(make) + f"\nd:\n\taws cloudformation deploy --template-file app.yaml "
                                        f"--stack-name $({names[-1]}) --parameter-overrides Egress=none\n",
                            ".gitlab-ci.yml": "s: &s [" + ", ".join(["aws cloudformation deploy"] * 50) + "]\n"
                                              + "".join(f"j{i}: {{script: *s}}\n" for i in range(2000))})
    r = _lint(root)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert all(len(s["deployed_as"]) < 200 for s in r.sites)


def test_github_matrix_environments_are_worlds_of_their_own(tmp_path):
    root = _tree(tmp_path, {"app.yaml": APP, ".github/workflows/deploy.yml": """\
        on: push
        jobs:
          deploy:
            strategy:
              matrix:
                egress: [nat, none]
            runs-on: ubuntu-latest
            env:
              OWNER: ${{ matrix.egress == 'none' && 'a' || 'b' }}
            steps:
              - run: |
                  aws cloudformation deploy --template-file app.yaml --stack-name app-${{ matrix.egress }} \\
                    --parameter-overrides Egress=${{ matrix.egress }} Owner=$OWNER
          fixed:
            strategy:
              matrix:
                egress: [none]
            runs-on: ubuntu-latest
            steps:
              - run: aws cloudformation deploy --template-file app.yaml --stack-name fixed --parameter-overrides Egress=${{ matrix.egress }}
        """})
    r = _lint(root)
    assert r.returncode == 1 and r.stdout.count("NET002") == 2, r.stdout + r.stderr
    assert "(stack fixed)" in r.stdout and "(stack app-none)" in r.stdout and "app-nat" not in r.stdout
    origins = sorted(s["deployed_as"] for s in r.sites)
    assert origins == ["stack app-nat, from .github/workflows/deploy.yml:12 (egress=nat)",
                       "stack app-none, from .github/workflows/deploy.yml:12 (egress=none)",
                       "stack fixed, from .github/workflows/deploy.yml:20 (egress=none)"]


def test_a_deploy_of_an_excluded_template_reads_nothing(tmp_path):
    root = _tree(tmp_path, {"app.yaml": APP, "pyproject.toml": '[tool.pullcheck]\nexclude = ["app.yaml"]\n',
                            "vpc.yaml": "Resources:\n  V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n",
                            "deploy.sh": "aws cloudformation deploy --template-file app.yaml --stack-name a "
                                         "--parameter-overrides Egress=none\n"})
    r = _lint(root, "--config", "pyproject.toml")  # excluded when walking
    assert r.returncode == 0 and r.sites == [], r.stdout + r.stderr


def test_a_subnet_a_script_leaves_empty_is_said_empty(tmp_path):
    template = APP.replace("Parameters:\n", "Parameters:\n  SubnetId:\n    Type: String\n", 1)
    template = template.replace("Subnets: [!Ref Subnet]", "Subnets: [!Ref SubnetId]")
    root = _tree(tmp_path, {"app.yaml": template, "deploy.sh": """\
        #!/bin/sh
        SUBNET=""
        aws cloudformation deploy --template-file app.yaml --stack-name app \\
          --parameter-overrides Egress=nat SubnetId=$SUBNET
        """})
    site, = _lint(root).sites
    assert not site["judged"] and site["deployed_as"] == "stack app, from deploy.sh:3"
    wait, = site["waits_on"]
    assert wait["value"] == 'an empty subnet ID ("")' and wait["line"] == 42, wait
