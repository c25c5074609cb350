"""Quiet on repositories that hold more than infrastructure: only files that say they are CloudFormation,
task definitions or plans are read while walking; templated infrastructure is named, not failed."""
import os
import textwrap

from conftest import FIXTURES, run_cli

NOISE = {
    # a Helm chart
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "chart/templates/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n"
                                    "spec:\n  ports: {{- toYaml .Values.ports | nindent 4 }}\n",
    # JSON with comments and trailing commas
    "tsconfig.json": '{\n  // strict mode\n  "compilerOptions": {"strict": true,},\n}\n',
    # a GitHub workflow, a Kubernetes manifest, an OpenAPI file
    ".github/workflows/ci.yml": "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
    "api/openapi.yaml": "openapi: 3.0.0\ninfo: {title: api, version: '1'}\npaths: {}\n",
    # values a Terraform module renders with templatefile()
    "infra/templates/task.json.tftpl": '[{"name": "${name}", "image": "${image}"}]\n',
    "infra/templates/values.yaml": "image: ${image}\nreplicas: %{ if prod }3%{ else }1%{ endif }\n",
}


def _tree(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def test_a_repository_without_infrastructure_is_quiet(tmp_path):
    _tree(tmp_path, NOISE)
    r = run_cli("--no-config", str(tmp_path))
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    assert "nothing to lint" in r.stderr and "Traceback" not in r.stderr


def test_verbose_names_what_was_left_out(tmp_path):
    _tree(tmp_path, NOISE)
    r = run_cli("--no-config", "--verbose", str(tmp_path))
    skipped = [line for line in r.stderr.splitlines() if line.startswith("pullcheck: skipped ")]
    assert any("tsconfig.json" in s for s in skipped) and any("service.yaml" in s for s in skipped)


def test_noise_beside_infrastructure_changes_nothing(tmp_path):
    _tree(tmp_path, NOISE)
    bad = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")
    (tmp_path / "stack.yaml").write_text(open(bad, encoding="utf-8").read(), encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path))
    assert r.returncode == 1
    assert [line.split(": ", 1)[1].split()[1] for line in r.stdout.splitlines()] == ["NET001"], r.stdout
    assert "nothing to lint" not in r.stderr


def test_templated_infrastructure_is_named_not_failed(tmp_path):
    (tmp_path / "service.yaml").write_text(textwrap.dedent("""\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Task:
            Type: AWS::ECS::TaskDefinition
            Properties:
              ContainerDefinitions:
        {% for c in containers %}
                - Name: {{ c.name }}
        {% endfor %}
        """), encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path))
    assert r.returncode == 0, r.stdout
    assert r.stdout.startswith(f"{tmp_path}/service.yaml:7:1:7:3: info PARSE002 not linted: template syntax at 7:1")


def test_parse001_is_a_rule_like_any_other(tmp_path):
    broken = tmp_path / "task.json"
    broken.write_text('{"family": "web", "containerDefinitions": [', encoding="utf-8")
    r = run_cli("--no-config", str(broken))
    assert r.returncode == 1 and " PARSE001 " in r.stdout
    assert run_cli("--no-config", "--ignore", "PARSE001", str(broken)).returncode == 0
    assert run_cli("--no-config", "--fail-on", "never", str(broken)).returncode == 0
    assert run_cli("rule", "PARSE002").stdout.startswith("# PARSE002 templated-file")
    assert "SUP002" in run_cli("--list-rules").stdout


def test_another_tools_broken_pyproject_is_ignored(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project\nname = "app"\n', encoding="utf-8")
    bad = os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml")
    (tmp_path / "stack.yaml").write_text(open(bad, encoding="utf-8").read(), encoding="utf-8")
    r = run_cli(str(tmp_path / "stack.yaml"), cwd=str(tmp_path))
    assert r.returncode == 1 and " NET001 " in r.stdout, r.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.pullcheck]\nignore = [\n', encoding="utf-8")
    assert run_cli(str(tmp_path / "stack.yaml"), cwd=str(tmp_path)).returncode == 2  # ours, and broken


def test_a_key_written_twice_is_reported_and_the_template_linted_with_the_later_value(tmp_path):
    """CloudFormation accepts a template that writes a key twice in one mapping, YAML or JSON, and deploys the
    later value: PARSE001 at the later key, and the rules judge the template as it deploys. The service of
    NET001's fixture turns its public IP on, then off again: NET001 holds; written the other way, it does not."""
    import json

    from pullcheck.sources.marked import load_yaml_documents

    src = open(os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml"), encoding="utf-8").read()
    on = "          AssignPublicIp: ENABLED\n"
    assert src.count(on) == 1
    off_last = src.replace(on, on + "          AssignPublicIp: DISABLED\n")
    on_last = src.replace(on, "          AssignPublicIp: DISABLED\n" + on)
    (tmp_path / "off.yaml").write_text(off_last, encoding="utf-8")
    (tmp_path / "on.yaml").write_text(on_last, encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path / "off.yaml"))
    assert r.returncode == 1 and ":53:11:" in r.stdout and "duplicate key 'AssignPublicIp' (first at line 52)" \
        in r.stdout, r.stdout
    assert ":53:11:53:35: error NET001 " in r.stdout, r.stdout
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path / "on.yaml"))
    assert "duplicate key 'AssignPublicIp' (first at line 52)" in r.stdout and " NET001 " not in r.stdout, r.stdout

    # the same template as JSON, the key written again after the one it repeats (its position is the key's)
    text = json.dumps(load_yaml_documents(src)[0], indent=2)
    member = '"AssignPublicIp": "ENABLED"'
    assert text.count(member) == 1
    text = text.replace(member, member + ', "AssignPublicIp": "DISABLED"')
    (tmp_path / "t.json").write_text(text, encoding="utf-8")
    line = next(n for n, x in enumerate(text.splitlines(), 1) if member in x)
    col = text.splitlines()[line - 1].index('"AssignPublicIp": "DISABLED"') + 1
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path / "t.json"))
    assert f":{line}:{col}:{line}:{col + 1}: error PARSE001 duplicate key 'AssignPublicIp' (first at line {line})" \
        in r.stdout, r.stdout
    assert " NET001 " in r.stdout, r.stdout

    # a whole resource written twice: the later one is the one declared
    (tmp_path / "t.yaml").write_text("Resources:\n  A:\n    Type: AWS::EC2::VPC\n  A:\n    Type: AWS::EC2::Subnet\n",
                                     encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path / "t.yaml"))
    assert r.returncode == 1 and ":4:3:" in r.stdout and "duplicate key 'A' (first at line 2)" in r.stdout
    # a key given again next to a << merge overrides the merged one, as YAML says
    (tmp_path / "m.yaml").write_text("base: &b {Type: AWS::EC2::VPC}\nResources:\n  A:\n    <<: *b\n"
                                     "    Type: AWS::EC2::Subnet\n", encoding="utf-8")
    assert "PARSE001" not in run_cli("--no-config", str(tmp_path / "m.yaml")).stdout


def test_the_json_reader_places_a_repeated_key_at_its_own_quotes():
    """Keys with escaped quotes and backslashes, the colon on another line: the repetition is where the later
    key's opening quote is, and the value kept is the later one."""
    from pullcheck.sources.marked import Repeat, load_json, repeats_of

    text = '{\n  "a\\\\": 1,\n  "b": {"x\\"": 1, "x\\""\n   : [2]},\n  "a\\\\": {"q": 3}\n}\n'
    doc = load_json(text)
    assert doc == {"a\\": {"q": 3}, "b": {'x"': [2]}}
    assert repeats_of(doc) == (Repeat('x"', 3, 19, 3), Repeat("a\\", 5, 3, 2))
    assert repeats_of(load_json('{"a": 1}')) == () and repeats_of(load_json('[{"a": 1, "a": 2}]')) == ()


def test_a_plan_applies_only_to_its_own_configuration(tmp_path):
    """envs/dev/plan.json beside envs/prod/*.tf: prod is judged from its own sources"""
    import json
    import shutil

    src = os.path.join(FIXTURES, "plans", "new-service")
    for env in ("dev", "prod"):
        os.makedirs(tmp_path / "envs" / env)
        shutil.copy(os.path.join(src, "main.tf"), tmp_path / "envs" / env / "main.tf")
    prod_alone = json.loads(run_cli("--no-config", "--format", "json", str(tmp_path / "envs" / "prod")).stdout)
    shutil.copy(os.path.join(src, "plan.json"), tmp_path / "envs" / "dev" / "plan.json")
    both = json.loads(run_cli("--no-config", "--format", "json", str(tmp_path / "envs")).stdout)
    assert prod_alone, "the prod sources draw findings of their own"
    strip = lambda fs: sorted((f["rule"], f["line"], f["message"]) for f in fs)  # noqa: E731
    assert strip(f for f in both if "/prod/" in f["file"]) == strip(prod_alone)


def test_the_stacks_file_ties_a_plan_to_the_configuration_it_was_made_from(tmp_path):
    """plans/prod.json is prod's plan: with the stacks file saying so, its values are prod's resources (one
    finding each, at prod's .tf lines), as when the plan sits in prod's own folder"""
    import json
    import shutil

    src = os.path.join(FIXTURES, "plans", "new-service")
    os.makedirs(tmp_path / "together")
    shutil.copy(os.path.join(src, "main.tf"), tmp_path / "together" / "main.tf")
    shutil.copy(os.path.join(src, "plan.json"), tmp_path / "together" / "plan.json")
    together = json.loads(run_cli("--no-config", "--format", "json", str(tmp_path / "together")).stdout)
    os.makedirs(tmp_path / "envs" / "prod")
    os.makedirs(tmp_path / "plans")
    shutil.copy(os.path.join(src, "main.tf"), tmp_path / "envs" / "prod" / "main.tf")
    shutil.copy(os.path.join(src, "plan.json"), tmp_path / "plans" / "prod.json")
    apart = json.loads(run_cli("--no-config", "--format", "json", "envs", "plans", cwd=str(tmp_path)).stdout)
    (tmp_path / "stacks.toml").write_text('[stacks.prod]\nterraform = "envs/prod"\nplan = "plans/prod.json"\n',
                                          encoding="utf-8")
    tied = json.loads(run_cli("--no-config", "--format", "json", "--stacks", "stacks.toml", "envs", "plans",
                              cwd=str(tmp_path)).stdout)
    strip = lambda fs: sorted((f["rule"], f["line"], f["message"].replace("together/", "")) for f in fs)  # noqa: E731
    assert together and all(f["file"].endswith("main.tf") for f in together)
    assert any(f["file"].endswith("prod.json") for f in apart), "untied, the plan stands alone"
    assert all(f["file"] == "envs/prod/main.tf" for f in tied) and strip(tied) == strip(together)


def test_each_file_takes_the_configuration_nearest_above_it(tmp_path):
    """pre-commit passes a sorted list: legacy/.pullcheck.toml must not silence the files outside legacy/"""
    bad = open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), encoding="utf-8").read()
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / ".pullcheck.toml").write_text('ignore = ["NET001"]\n', encoding="utf-8")
    (tmp_path / "legacy" / "old.yaml").write_text(bad, encoding="utf-8")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "new.yaml").write_text(bad, encoding="utf-8")
    r = run_cli("--format", "parseable", "legacy/old.yaml", "stacks/new.yaml", cwd=str(tmp_path))
    assert r.returncode == 1, r.stderr
    assert [line.split(":")[0] for line in r.stdout.splitlines()] == ["stacks/new.yaml"], r.stdout
    r = run_cli("--format", "parseable", "legacy/old.yaml", cwd=str(tmp_path))
    assert r.returncode == 0 and r.stdout == ""


def test_a_conditional_association_stays_local(tmp_path):
    """An association that may or may not exist (count on an unknown variable) makes its own subnet's table
    unknown, not every table of the run."""
    base = open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8").read()
    want = [n for n, line in enumerate(base.splitlines(), 1) if "expect: NET002" in line]
    extra = """
variable "with_other" {}
resource "aws_subnet" "other" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.9.0/24"
}
resource "aws_route_table_association" "other" {
  count          = var.with_other ? 1 : 0
  subnet_id      = aws_subnet.other.id
  route_table_id = aws_route_table.private.id
}
"""
    (tmp_path / "main.tf").write_text(base + extra, encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", "--select", "NET002", str(tmp_path))
    assert [int(line.split(":")[1]) for line in r.stdout.splitlines()] == want, r.stdout


def test_no_endpoints_means_any_image_needs_the_internet(tmp_path):
    """NET012 does not wait for an unknown image when the VPC has no ECR endpoints at all"""
    text = open(os.path.join(FIXTURES, "NET012", "bad_peering_only.yaml"), encoding="utf-8").read()
    want = [n for n, line in enumerate(text.splitlines(), 1) if "expect: NET012" in line]
    import re

    text = re.sub(r"Image: \S+", "Image: !Ref ImageUri", text, count=1)
    text = text.replace("Resources:\n", "Parameters:\n  ImageUri:\n    Type: String\nResources:\n", 1)
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", "--select", "NET012", str(tmp_path / "t.yaml"))
    assert [int(line.split(":")[1]) for line in r.stdout.splitlines()] == [n + 3 for n in want], r.stdout


def test_a_resource_declared_in_two_files_is_named_and_the_rest_still_linted(tmp_path):
    """A copy of the route table left in a second file: PARSE001 at the copy, naming the first; the module is
    linted with the first declaration (no default route: NET002 stands), not the copy's NAT route."""
    base = open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8").read()
    want = [n for n, line in enumerate(base.splitlines(), 1) if "expect: NET002" in line]
    first = base.splitlines().index('resource "aws_route_table" "private" {') + 1
    (tmp_path / "main.tf").write_text(base, encoding="utf-8")
    (tmp_path / "routes.tf").write_text(
        'resource "aws_route_table" "private" {\n  vpc_id = aws_vpc.main.id\n  route {\n'
        '    cidr_block     = "0.0.0.0/0"\n    nat_gateway_id = "nat-0123456789abcdef0"\n  }\n}\n', encoding="utf-8")
    (tmp_path / "main_override.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.1.0.0/16"\n}\n',
                                               encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", str(tmp_path))
    lines = r.stdout.splitlines()
    assert [line for line in lines if "PARSE001" in line] == [
        f"{tmp_path / 'routes.tf'}:1:1:1:2: error PARSE001 duplicate resource aws_route_table.private (first at "
        f"main.tf:{first}): Terraform refuses a module that declares a name twice; the first is the one linted, "
        f"remove one of them"], r.stdout
    assert [int(line.split(":")[1]) for line in lines if "NET002" in line] == want, r.stdout


def test_ecspresso_leaves_empty_enumerations_out_and_the_cli_does_not(tmp_path):
    """A file only ecspresso registers: its empty enumeration fields are left out of the request, so only
    what then is wrong is TD003 (a required enumeration, the environment file's type, is then missing);
    the same file also registered with --cli-input-json: every empty value is reported."""
    doc = {"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
           "memory": "512", "ipcMode": "", "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
           "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True,
                                     "environmentFiles": [{"value": "arn:aws:s3:::b/web.env", "type": ""}]}]}
    import json

    (tmp_path / "ecs-task-def.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    (tmp_path / "ecspresso.yml").write_text("cluster: default\nservice: web\ntask_definition: ecs-task-def.json\n",
                                            encoding="utf-8")
    r = run_cli("--no-config", "--select", "TD003", "--format", "parseable", str(tmp_path))
    assert [line.split(" ", 3)[3] for line in r.stdout.splitlines()] == [
        "task definition web: containerDefinitions/0/environmentFiles/0: 'type' is a required property"], r.stdout
    (tmp_path / "Makefile").write_text("deploy:\n\taws ecs register-task-definition --cli-input-json "
                                       "file://ecs-task-def.json\n", encoding="utf-8")
    r = run_cli("--no-config", "--select", "TD003", "--format", "parseable", str(tmp_path))
    said = [line.split(" ", 3)[3].split(":")[1].strip() for line in r.stdout.splitlines()]
    assert said == ["ipcMode", "containerDefinitions/0/environmentFiles/0/type"], r.stdout


def test_a_custom_resource_reaches_only_what_it_can_stand_for(tmp_path):
    """A custom resource given a VPC ID it cannot resolve (a parameter) may change the main table of a VPC in
    its own template, never that of an unrelated template's VPC: NET002 stands there."""
    base = open(os.path.join(FIXTURES, "NET002", "bad_main_route_table_local_only.yaml"), encoding="utf-8").read()
    want = [n for n, line in enumerate(base.splitlines(), 1) if "expect: NET002" in line]
    (tmp_path / "app.yaml").write_text(base, encoding="utf-8")
    custom = base.replace("Resources:\n", "Parameters:\n  TargetVpc:\n    Type: String\nResources:\n"
                          "  Routes:\n    Type: Custom::Routes\n    Properties:\n      ServiceToken: arn:aws:lambda:"
                          "eu-west-1:123456789012:function:routes\n      VpcId: !Ref TargetVpc\n", 1)
    (tmp_path / "other.yaml").write_text(custom, encoding="utf-8")
    r = run_cli("--no-config", "--format", "parseable", "--select", "NET002", str(tmp_path))
    assert [(line.split(":")[0], int(line.split(":")[1])) for line in r.stdout.splitlines()] == \
        [(str(tmp_path / "app.yaml"), want[0])], r.stdout
    r = run_cli("--no-config", "--explain", str(tmp_path / "other.yaml"))
    assert "custom resource Routes (Custom::Routes) is given a value that may name this VPC" in r.stdout, r.stdout


def test_the_deploy_action_leaves_empty_values_out_and_errors_keep_their_place(tmp_path):
    """aws-actions/amazon-ecs-deploy-task-definition removes "", null and empty lists and objects at any
    depth before it registers: none of them is TD003, and an error after a removed list item is reported
    where it is written in the file."""
    import json

    doc = {"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
           "memory": "512", "pidMode": "", "taskRoleArn": None, "volumes": [],
           "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
           "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True, "user": "",
                                     "portMappings": [{"appProtocol": ""}, {"containerPort": "eighty"}]}]}
    text = json.dumps(doc, indent=2)
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "task-definition.json").write_text(text, encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n        with:\n"
        "          task-definition: .aws/task-definition.json\n          cluster: default\n", encoding="utf-8")
    line = text.splitlines().index('          "containerPort": "eighty"') + 1
    r = run_cli("--no-config", "--select", "TD003", "--format", "parseable", str(tmp_path))
    assert [(int(x.split(":")[1]), x.split(" ", 3)[3].split(":")[1].strip()) for x in r.stdout.splitlines()] == \
        [(line, "containerDefinitions/0/portMappings/1/containerPort")], r.stdout
