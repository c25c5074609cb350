"""``--jobs``: several processes give the same bytes as one.

Whole runs over fixtures and corpus (every rule's cases side by side, names shared between files, plans
beside their configuration, nested and exporting stacks) are linted with one process, with a few batches
per process, and with every part in a batch of its own (the finest cut, where every link between parts
must be found); stdout and exit code must be identical. Then the links one at a time, on parts made to
depend on each other: each case first shows that the part alone gives something else, so the test fails
if the link were missed.
"""
import os
import re
import textwrap

import pytest
from conftest import FIXTURES, ROOT, SHARED

from pullcheck.engine import parallel
from pullcheck.cli import main

CORPUS = os.path.join(SHARED, "corpus")


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _stats(err):
    m = re.search(r"linted by (\d+) processes in (\d+) batches \((\d+) linted again together", err)
    assert m, err
    return tuple(int(x) for x in m.groups())


@pytest.fixture
def per_part(monkeypatch):
    """Every part in a batch of its own: the batches the links must join are as small as they come."""
    monkeypatch.setattr(parallel, "BATCHES_PER_PROCESS", 10 ** 9)


TARGETS = [pytest.param(["fixtures"], id="fixtures"),
           # the corpus too: the same bytes over real files others wrote (slow: the default run keeps the fixtures)
           pytest.param(["fixtures", CORPUS], id="fixtures+corpus",
                        marks=[pytest.mark.slow,
                               pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")])]


@pytest.mark.parametrize("target", TARGETS)
def test_same_bytes_in_batches(target, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    for fmt in ("text", "json"):
        one = _run(capsys, "--jobs", "1", "--format", fmt, *target)
        assert one[0] == 1 and one[1].strip()
        two = _run(capsys, "--jobs", "2", "--format", fmt, *target)
        assert two == one


@pytest.mark.parametrize("target", TARGETS)
def test_same_bytes_part_by_part(target, monkeypatch, capsys, per_part):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(parallel, "default_jobs", lambda: 3)  # three processes whatever the machine has
    one = _run(capsys, "--jobs", "1", "--format", "json", *target)
    code, out, err = _run(capsys, "--jobs", "3", "--format", "json", "--verbose", *target)
    assert (code, out) == one[:2]
    processes, batches, again = _stats(err)
    assert processes == 3
    # the cut was real: many parts stood alone, and the ones that meet were put together again (the
    # fixtures share names and hubs on purpose: "app" repositories, roles, pull-through caches)
    assert batches > 100 and again > 0 and batches - again >= 20, (batches, again)


def test_sarif_and_junit_reports_are_the_same(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    for jobs in ("1", "2"):
        _run(capsys, "--jobs", jobs, "--output", str(tmp_path / f"r{jobs}.sarif"),
             "--output", str(tmp_path / f"r{jobs}.xml"), "fixtures")
    assert (tmp_path / "r1.sarif").read_bytes() == (tmp_path / "r2.sarif").read_bytes()
    assert (tmp_path / "r1.xml").read_bytes() == (tmp_path / "r2.xml").read_bytes()


def test_verbose_lines_are_the_same_but_for_the_processes(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    one = _run(capsys, "--jobs", "1", "--verbose", "fixtures", "tests")
    two = _run(capsys, "--jobs", "2", "--verbose", "fixtures", "tests")
    assert one[:2] == two[:2]
    assert "skipped" in one[2]
    assert [line for line in two[2].splitlines() if "linted by" not in line] == one[2].splitlines()


# ------------------------------------------------------------------------------------------ one link at a time

def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _judged(capsys, root, *extra):
    """(one process on the whole, part by part on the whole), each as (code, stdout)."""
    one = _run(capsys, "--jobs", "1", "--no-config", *extra, str(root))[:2]
    code, out, err = _run(capsys, "--jobs", "2", "--no-config", "--verbose", *extra, str(root))
    return one, (code, out), _stats(err)


ROLE_TEMPLATE = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ExecRole:
        Type: AWS::IAM::Role
        Properties:
          RoleName: app-exec
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: logs-only
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: [logs:CreateLogStream, logs:PutLogEvents]
                    Resource: "*"
    """

TASK_DEFINITION = """\
    {
      "family": "app",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "awsvpc",
      "cpu": "256",
      "memory": "512",
      "executionRoleArn": "arn:aws:iam::123456789012:role/app-exec",
      "containerDefinitions": [
        {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0", "essential": true}
      ]
    }
    """


def test_a_role_named_in_another_folder(tmp_path, capsys, per_part):
    _write(tmp_path, {"iam/roles.yaml": ROLE_TEMPLATE, "svc/taskdef.json": TASK_DEFINITION})
    alone = _run(capsys, "--jobs", "1", "--no-config", str(tmp_path / "svc"))[:2]
    one, parts, (_, batches, again) = _judged(capsys, tmp_path)
    assert "IAM005" in one[1] and "IAM005" not in alone[1]  # the role's missing ECR permissions
    assert parts == one
    assert (batches, again) == (2, 2)


def test_a_data_source_selecting_subnets_of_another_folder(tmp_path, capsys, per_part):
    _write(tmp_path, {
        "network/main.tf": """\
            resource "aws_vpc" "main" {
              cidr_block = "10.0.0.0/16"
            }
            resource "aws_subnet" "private" {
              vpc_id     = aws_vpc.main.id
              cidr_block = "10.0.1.0/24"
              tags       = { Name = "private-a" }
            }
            resource "aws_route_table" "private" {
              vpc_id = aws_vpc.main.id
            }
            resource "aws_route_table_association" "private" {
              subnet_id      = aws_subnet.private.id
              route_table_id = aws_route_table.private.id
            }
            """,
        "service/main.tf": """\
            data "aws_subnets" "private" {
              filter {
                name   = "tag:Name"
                values = ["private-*"]
              }
            }
            resource "aws_ecs_task_definition" "app" {
              family                   = "app"
              requires_compatibilities = ["FARGATE"]
              network_mode             = "awsvpc"
              cpu                      = 256
              memory                   = 512
              execution_role_arn       = "arn:aws:iam::123456789012:role/unknown-here"
              container_definitions = jsonencode([{ name = "app", image = "nginx:1.25", essential = true }])
            }
            resource "aws_ecs_service" "app" {
              name            = "app"
              launch_type     = "FARGATE"
              task_definition = aws_ecs_task_definition.app.arn
              network_configuration {
                subnets = data.aws_subnets.private.ids
              }
            }
            """})
    alone = _run(capsys, "--jobs", "1", "--no-config", str(tmp_path / "service"))[:2]
    one, parts, (_, batches, again) = _judged(capsys, tmp_path)
    assert "NET002" in one[1] and "NET002" not in alone[1]  # no way out from the selected subnet
    assert parts == one
    assert (batches, again) == (2, 2)


def test_a_folder_another_folder_calls(tmp_path, capsys, per_part):
    _write(tmp_path, {
        "root/main.tf": """\
            module "task" {
              source = "../task"
              image  = "app"
            }
            """,
        "task/main.tf": """\
            variable "image" {
              default = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
            }
            resource "aws_ecs_task_definition" "t" {
              family                   = "t"
              requires_compatibilities = ["FARGATE"]
              network_mode             = "awsvpc"
              cpu                      = 256
              memory                   = 512
              container_definitions    = jsonencode([{ name = "t", image = var.image, essential = true,
                                                       logConfiguration = { logDriver = "awslogs" } }])
            }
            """})
    alone = _run(capsys, "--jobs", "1", "--no-config", str(tmp_path / "task"))[:2]
    one, parts, (_, batches, again) = _judged(capsys, tmp_path)
    # on its own the module is judged with its default (an ECR image without a role); called, as the call
    # says only: the whole run does not lint it on its own
    assert "IAM001" in alone[1] and "IAM001" not in one[1], (alone, one)
    assert parts == one
    assert (batches, again) == (2, 1)  # the called folder's batch, again without it


def test_parts_that_do_not_meet_stay_apart(tmp_path, capsys, per_part):
    _write(tmp_path, {f"svc{i}/taskdef.json": TASK_DEFINITION.replace('"app"', f'"app{i}"').replace(
        "role/app-exec", f"role/exec{i}") for i in range(4)})
    one, parts, (processes, batches, again) = _judged(capsys, tmp_path)
    assert parts == one
    assert (processes, batches, again) == (2, 4, 0)


def test_exports_and_imports_are_linted_together(tmp_path, capsys, per_part):
    _write(tmp_path, {
        "net/vpc.yaml": """\
            Resources:
              Vpc:
                Type: AWS::EC2::VPC
                Properties: {CidrBlock: 10.0.0.0/16}
              Private:
                Type: AWS::EC2::Subnet
                Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
            Outputs:
              PrivateSubnet:
                Value: !Ref Private
                Export: {Name: private-subnet}
            """,
        "svc/service.yaml": """\
            Resources:
              Service:
                Type: AWS::ECS::Service
                Properties:
                  LaunchType: FARGATE
                  TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/app:1
                  NetworkConfiguration:
                    AwsvpcConfiguration:
                      Subnets: [!ImportValue private-subnet]
            """})
    alone = _run(capsys, "--jobs", "1", "--no-config", str(tmp_path / "svc"))[:2]
    one, parts, (_, batches, again) = _judged(capsys, tmp_path)
    assert "NET002" in one[1] and "NET002" not in alone[1]
    assert parts == one
    assert (batches, again) == (2, 2)


# ------------------------------------------------------------------------------------------ when and how

def test_small_runs_use_one_process_unless_asked(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    assert "linted by" not in _run(capsys, "--verbose", "fixtures/NET001")[2]  # 20 files / 1 MB: not worth it
    assert _stats(_run(capsys, "--verbose", "--jobs", "2", "fixtures/NET001")[2])[0] == 2


def test_runs_that_need_the_whole_graph_use_one_process(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    for extra in (["--explain"], ["--format", "markdown"], ["--output", str(tmp_path / "r.md")]):
        assert "linted by" not in _run(capsys, "--verbose", "--jobs", "2", *extra, "fixtures/NET001")[2]


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_number_of_processes_is_a_usage_error(value, capsys):
    code, _, err = _run(capsys, "--jobs", value, FIXTURES)
    assert code == 2 and "--jobs" in err


def test_a_killed_worker_leaves_the_run_to_one_process(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    one = _run(capsys, "--jobs", "1", "fixtures")
    monkeypatch.setenv("PULLCHECK_TEST_FAULT", "worker")  # each worker kills itself at its first batch
    code, out, err = _run(capsys, "--jobs", "2", "--verbose", "fixtures")
    assert (code, out) == one[:2]
    assert "linted by" not in err and "Traceback" not in err


def test_fix_in_several_processes(tmp_path, monkeypatch, capsys):
    import shutil

    for jobs in ("1", "2"):
        shutil.copytree(os.path.join(FIXTURES, "NET001"), tmp_path / jobs)
        shutil.copytree(os.path.join(FIXTURES, "IMG002"), tmp_path / jobs / "IMG002")
    monkeypatch.chdir(tmp_path / "1")
    one = _run(capsys, "--jobs", "1", "--fix", "--no-config", ".")
    monkeypatch.chdir(tmp_path / "2")
    two = _run(capsys, "--jobs", "2", "--fix", "--no-config", ".")
    assert two == one and "fixed" in one[2]
    for path in sorted((tmp_path / "1").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "2" / path.relative_to(tmp_path / "1")).read_bytes(), path


def test_a_report_is_never_written_over_a_file_a_worker_read(tmp_path, monkeypatch, capsys):
    import shutil

    shutil.copytree(os.path.join(FIXTURES, "NET001"), tmp_path / "in")
    target = sorted((tmp_path / "in").glob("*.yaml"))[0]
    before = target.read_bytes()
    code, _, err = _run(capsys, "--jobs", "2", "--no-config", "--output", str(target), str(tmp_path / "in"))
    assert code == 2 and "one of the files being linted" in err
    assert target.read_bytes() == before


def test_a_report_is_never_written_over_a_file_read_by_a_batch_linted_again(tmp_path, capsys):
    """Batches whose links meet are linted again together, in workers that may have read a file in an earlier
    batch: every batch says every file it read, so the parent still refuses a report over any of them."""
    import shutil

    shutil.copytree(FIXTURES, tmp_path / "in")
    for target in (tmp_path / "in" / "IAM006" / "bad_no_logs_actions.yaml",
                   sorted((tmp_path / "in" / "NET001").glob("*.yaml"))[-1]):
        before = target.read_bytes()
        code, _, err = _run(capsys, "--jobs", "2", "--no-config", "--output", f"json:{target}", str(tmp_path / "in"))
        assert code == 2 and "one of the files being linted" in err, (target, err)
        assert target.read_bytes() == before


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(int(os.environ.get("PULLCHECK_JOBS_RUNS", "30"))))
def test_random_runs_give_the_same_bytes(seed, monkeypatch, capsys, per_part):
    """Runs of random parts of fixtures and corpus together (names and hubs meet in ever other ways),
    part by part in three processes against one process."""
    import random as rnd

    from pullcheck.engine.stages import discover

    roots = [FIXTURES] + ([CORPUS] if os.path.isdir(CORPUS) else [])
    files, tf_dirs, _ = discover(roots)
    rng = rnd.Random(seed)
    chosen = rng.sample(files, min(len(files), rng.randint(10, 60))) + rng.sample(tf_dirs, min(len(tf_dirs), 8))
    paths = sorted(os.path.abspath(p) for p in chosen)
    monkeypatch.chdir(ROOT)
    one = _run(capsys, "--jobs", "1", "--no-config", "--format", "json", *paths)
    assert _run(capsys, "--jobs", "3", "--no-config", "--format", "json", *paths)[:2] == one[:2]
