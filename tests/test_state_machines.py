"""Step Functions state machines as launch sites, wherever their definition is written: SAM's
AWS::Serverless::StateMachine with an inline Definition or a DefinitionUri file beside the template (JSON or
YAML, read only within the run's paths), and a packaged DefinitionS3Location; DefinitionSubstitutions apply.

The shapes are reduced from aws-samples/serverless-patterns (MIT-0) at
fb7b5d06c27d8abb1bd35e52ab7523acf4baab7b: sfn-ecs-sam (template.yml, src/statemachine/sfn-ecs-datapipeline.asl.json:
a Map state's iterator runs the task, its subnet a substitution) and stepfunctions-fargate-lambda (template.yaml,
statemachine.asl.json, whose subnets and group come from a nested SAM application)."""
import json
import os

from conftest import lint_paths, run_cli

# a private subnet with no route out and no endpoints: any Fargate task launched there is NET002
NETWORK = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.20.0.0/16
  PrivateSubnetOne:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.20.128.0/18
  Private1RouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref VPC
  Private1RouteTableAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      RouteTableId: !Ref Private1RouteTable
      SubnetId: !Ref PrivateSubnetOne
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: StepFunctionFargateTask
      Cpu: 1024
      Memory: 8192
      NetworkMode: awsvpc
      RequiresCompatibilities:
        - FARGATE
      ContainerDefinitions:
        - Name: StepFunctionFargateTask1
          Image: public.ecr.aws/docker/library/python:3.12
"""

MACHINE = """  StateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: sfn-ecs-workflow
{where}
      DefinitionSubstitutions:
        ECSTaskDefinitionARN: !Ref TaskDefinition
        ECSTaskName: StepFunctionFargateTask1
        ECSVpcSubnet: !Ref PrivateSubnetOne
"""

ASL = {
    "Comment": "State Definition for a Step Function - ECS task invocation workflow",
    "StartAt": "Parallel ECS Tasks",
    "States": {
        "Parallel ECS Tasks": {
            "Type": "Map",
            "ItemsPath": "$.bucketArray",
            "Iterator": {
                "StartAt": "Invoke ECS Task",
                "States": {
                    "Invoke ECS Task": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::ecs:runTask.waitForTaskToken",
                        "Parameters": {
                            "LaunchType": "FARGATE",
                            "TaskDefinition": "${ECSTaskDefinitionARN}",
                            "Overrides": {"ContainerOverrides": [{"Name": "${ECSTaskName}", "Environment": [
                                {"Name": "TASK_TOKEN", "Value.$": "$$.Task.Token"}]}]},
                            "NetworkConfiguration": {"AwsvpcConfiguration": {
                                "Subnets": ["${ECSVpcSubnet}"],
                                "AssignPublicIp": "ENABLED"}},
                        },
                        "End": True,
                    },
                },
            },
            "End": True,
        },
    },
}


def _write(folder, where, files):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "template.yml").write_text(NETWORK + MACHINE.format(where=where), encoding="utf-8")
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(folder / "template.yml")


def _line_of(text, needle):
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def _found(paths, rules):
    return sorted((os.path.basename(f.file), f.line, f.rule_id) for f in lint_paths(paths, rules, "NET002"))


def test_a_definition_file_beside_the_template_is_a_launch_site_reported_where_its_state_is(tmp_path, rules):
    asl = json.dumps(ASL, indent=2)
    template = _write(tmp_path / "app", "      DefinitionUri: src/statemachine/sfn-ecs-datapipeline.asl.json",
                      {"src/statemachine/sfn-ecs-datapipeline.asl.json": asl})
    found = lint_paths([template], rules, "NET002")
    assert [(f.file.rsplit("/", 1)[-1], f.line, f.rule_id) for f in found] == [
        ("sfn-ecs-datapipeline.asl.json", _line_of(asl, '"${ECSVpcSubnet}"'), "NET002")]
    assert found[0].message.startswith("StateMachine.Invoke ECS Task runs on Fargate in subnet PrivateSubnetOne ("), \
        found[0].message
    # the same definition as YAML, the Step Functions console's other format
    import yaml

    text = yaml.safe_dump(ASL, sort_keys=False)
    template = _write(tmp_path / "yaml", "      DefinitionUri: ./statemachine.asl.yaml", {"statemachine.asl.yaml": text})
    assert _found([template], rules) == [("statemachine.asl.yaml", _line_of(text, "- ${ECSVpcSubnet}"), "NET002")]


def test_an_inline_definition_and_a_packaged_one(tmp_path, rules):
    import yaml

    inline = "      Definition:\n" + "".join(f"        {line}\n" for line in
                                              yaml.safe_dump(ASL, sort_keys=False).splitlines())
    template = _write(tmp_path / "inline", inline, {})
    text = open(template, encoding="utf-8").read()
    assert _found([template], rules) == [("template.yml", _line_of(text, "- ${ECSVpcSubnet}"), "NET002")]
    # AWS::StepFunctions::StateMachine with a local DefinitionS3Location, as `aws cloudformation package` takes it
    asl = json.dumps(ASL, indent=2)
    template = _write(tmp_path / "packaged", "      DefinitionS3Location: machine.asl.json", {"machine.asl.json": asl})
    text = open(template, encoding="utf-8").read().replace("AWS::Serverless::StateMachine",
                                                           "AWS::StepFunctions::StateMachine")
    open(template, "w", encoding="utf-8").write(text)
    assert _found([template], rules) == [("machine.asl.json", _line_of(asl, '"${ECSVpcSubnet}"'), "NET002")]


def test_a_definition_that_cannot_be_read_here_is_not_judged(tmp_path, rules):
    """Outside the paths the run reads (the parent folder, a symbolic link out), in S3, missing, or not a
    definition: no launch site, nothing said about one, and nothing of the file's text in the output."""
    asl = json.dumps(ASL, indent=2)
    (tmp_path / "outside.asl.json").write_text(asl, encoding="utf-8")
    cases = {"parent": "      DefinitionUri: ../outside.asl.json",
             "s3": "      DefinitionUri: s3://bucket/machine.asl.json",
             "location": "      DefinitionUri:\n        Bucket: bucket\n        Key: machine.asl.json",
             "missing": "      DefinitionUri: nowhere.asl.json",
             "broken": "      DefinitionUri: broken.asl.json",
             "link": "      DefinitionUri: link.asl.json"}
    for name, where in cases.items():
        files = {"broken.asl.json": '{"States": ['} if name == "broken" else {}
        template = _write(tmp_path / name, where, files)
        if name == "link":
            os.symlink(tmp_path / "outside.asl.json", tmp_path / name / "link.asl.json")
        assert _found([template], rules) == [], name
        r = run_cli("--no-config", "--explain", template)
        assert r.returncode == 0 and "StateMachine" not in r.stdout + r.stderr, (name, r.stdout, r.stderr)


def test_a_state_without_parameters_takes_them_from_its_input(tmp_path, rules):
    """JSONPath: a state with no Parameters sends its input to RunTask; nothing is known of the launch."""
    asl = json.loads(json.dumps(ASL))
    task = asl["States"]["Parallel ECS Tasks"]["Iterator"]["States"]["Invoke ECS Task"]
    del task["Parameters"]
    template = _write(tmp_path / "input", "      DefinitionUri: machine.asl.json",
                      {"machine.asl.json": json.dumps(asl, indent=2)})
    r = run_cli("--no-config", "--explain", template)
    assert r.returncode == 0 and "StateMachine.Invoke ECS Task" in r.stdout, r.stdout
    assert _found([template], rules) == []


def test_the_language_server_reads_a_definition_file_again(tmp_path, rules):
    """What the language server keeps of a template's resources is not kept for a resource that reads a
    definition file: an edit of the file (the editor's unsaved text) is seen on the next lint."""
    from pullcheck.sources.session import current

    asl = json.dumps(ASL, indent=2)
    template = _write(tmp_path / "lsp", "      DefinitionUri: machine.asl.json", {"machine.asl.json": asl})
    session = current()
    saved = (session.yaml_pieces, session.cfn_built, dict(session.overlay))
    session.yaml_pieces, session.cfn_built = {}, {}
    try:
        assert len(_found([template], rules)) == 1
        session.overlay[os.path.abspath(str(tmp_path / "lsp" / "machine.asl.json"))] = asl.replace(
            '"AssignPublicIp": "ENABLED"', '"AssignPublicIp": "ENABLED", "SecurityGroups": ["sg-0123456789abcdef0"]'
        ).replace("${ECSVpcSubnet}", "subnet-0123456789abcdef0")
        assert _found([template], rules) == []  # a subnet of elsewhere now: not judged
    finally:
        session.yaml_pieces, session.cfn_built = saved[0], saved[1]
        session.overlay.clear()
        session.overlay.update(saved[2])


def test_a_definition_that_cannot_be_read_but_starts_ecs_tasks_is_named(tmp_path):
    (tmp_path / "definition.json.tpl").write_text(
        '{"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",\n'
        '  "Parameters": {"LaunchType": "FARGATE", "TaskDefinition": "job", "Overrides": ${overrides}}, "End": true}}}\n')
    (tmp_path / "main.tf").write_text(
        'variable "overrides" {}\n'
        'resource "aws_sfn_state_machine" "jobs" {\n'
        '  name       = "jobs"\n'
        '  role_arn   = "arn:aws:iam::123456789012:role/sfn"\n'
        '  definition = templatefile("${path.module}/definition.json.tpl", { overrides = var.overrides })\n'
        '}\n')
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    [site] = doc["launch_sites"]
    assert site["name"] == "aws_sfn_state_machine.jobs.(its ecs:runTask states)" and not site["judged"], site
    assert site["line"] == 5 and "the definition of aws_sfn_state_machine.jobs" in site["waits_on"][0]["value"]
    (tmp_path / "definition.json.tpl").write_text('{"StartAt": "Wait", "States": ${overrides}}\n')
    assert json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)[
        "launch_sites"] == []  # nothing in it starts a task
