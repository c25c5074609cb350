"""TD002 by what the repository says registers the file: quiet on what ecspresso or the ECS deploy action take
out, a warning for what they send on and for --cli-input-json, information when nothing says; the deploy
configuration read only inside the run's scope and within its bounds, never run."""
import os
import shutil
import textwrap

import pytest
from conftest import ROOT, lint_paths

DATA = os.path.join(ROOT, "tests", "data", "deploys")
STARTER_TD = os.path.join(".aws", "task-definition.json")
DESCRIBE_KEYS = ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
                 "registeredBy"]


def _repo(tmp_path, case):
    dest = tmp_path / case
    shutil.copytree(os.path.join(DATA, case), dest)
    return dest


def _td002(paths, rules, roots=None):
    """(file relative to the first path's folder, path of the finding, severity) of each TD002 finding."""
    base = str(paths[0]) if os.path.isdir(paths[0]) else os.path.dirname(str(paths[0]))
    return sorted((os.path.relpath(f.file, base), f.path, f.severity)
                  for f in lint_paths([str(p) for p in paths], rules, select="TD002", roots=roots))


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_starter_workflow_registers_its_task_definition_with_the_deploy_action(tmp_path, rules):
    repo = _repo(tmp_path, "starter-workflow")
    assert _td002([repo], rules) == []
    # the file is linted: a key the action sends on is still reported, at the deploy step's place
    td = repo / STARTER_TD
    td.write_text(td.read_text(encoding="utf-8").replace('"tags": []', '"deleteRequestedAt": "x",\n  "tags": []'),
                  encoding="utf-8")
    found = lint_paths([str(repo)], rules, select="TD002")
    assert [(f.path, f.severity) for f in found] == [("raw.deleteRequestedAt", "warning")]
    assert "the amazon-ecs-deploy-task-definition action (" in found[0].message
    assert found[0].message.split(" (", 1)[1].startswith(f"{repo}/.github/workflows/aws.yml:41)")


def test_without_the_workflow_nothing_says_and_it_is_information(tmp_path, rules):
    repo = _repo(tmp_path, "starter-workflow")
    shutil.rmtree(repo / ".github")
    found = lint_paths([str(repo)], rules, select="TD002")
    assert sorted(f.path for f in found) == sorted(f"raw.{k}" for k in DESCRIBE_KEYS)
    assert {f.severity for f in found} == {"info"}
    assert ("ecspresso accept it, register-task-definition --cli-input-json and the SDKs reject it"
            in found[0].message.replace("the amazon-ecs-deploy-task-definition action and ", ""))


def test_a_script_that_passes_it_to_cli_input_json_keeps_every_warning(tmp_path, rules):
    repo = _repo(tmp_path, "starter-workflow")
    _write(repo / "scripts" / "deploy.sh", """\
        #!/bin/sh
        set -e
        aws ecs register-task-definition \\
          --cli-input-json file://.aws/task-definition.json
        """)
    found = lint_paths([str(repo)], rules, select="TD002")
    assert sorted(f.path for f in found) == sorted(f"raw.{k}" for k in DESCRIBE_KEYS)
    assert {f.severity for f in found} == {"warning"}
    assert "scripts/deploy.sh:4 registers the file with register-task-definition --cli-input-json" in found[0].message


def test_the_workflow_out_of_scope_is_not_read_unless_the_root_says(tmp_path, rules):
    repo = _repo(tmp_path, "starter-workflow")
    td = repo / STARTER_TD
    assert {s for _, _, s in _td002([td], rules)} == {"info"}  # the named file's folder is the scope
    assert _td002([td], rules, roots=[str(repo)]) == []  # --root: the repository


def test_ecspresso_takes_the_wrapper_and_every_describe_key_off(tmp_path, rules):
    repo = _repo(tmp_path, "ecspresso-wrapped")
    assert _td002([repo], rules) == []
    td = repo / "td.json"
    td.write_text(td.read_text(encoding="utf-8").replace(
        '"cpu": "1024"', '"cpu": "1024", "revision": 4, "status": "ACTIVE", "deleteRequestedAt": "x"'), encoding="utf-8")
    assert _td002([repo], rules) == []
    os.remove(repo / "ecspresso.yml")
    assert {(p, s) for _, p, s in _td002([repo], rules)} == {
        ("wrapper", "info"), ("raw.revision", "info"), ("raw.status", "info"), ("raw.deleteRequestedAt", "info")}


def test_every_world_of_a_templates_parameters_knows_what_registers_the_file(tmp_path, rules):
    """A template with undecided parameters is judged in each world of them, over a copy of the graph: the
    task definition beside it is registered by ecspresso in every one."""
    repo = _repo(tmp_path, "ecspresso-wrapped")
    shutil.copy(os.path.join(ROOT, "tests", "data", "worlds", "conditional_fargate_service.yaml"), repo)
    assert _td002([repo], rules) == []


def test_an_ecspresso_configuration_of_another_name_reads_like_one(tmp_path, rules):
    """ecspresso --config takes any name (ecspresso's own tests name theirs test.yaml)."""
    repo = _repo(tmp_path, "ecspresso-wrapped")
    shutil.move(str(repo / "ecspresso.yml"), repo / "test.yaml")
    assert _td002([repo], rules) == []
    _write(repo / "test.yaml", "task_definition: td.json\n")  # no cluster, no service: not ecspresso's
    assert {p for _, p, _ in _td002([repo], rules)} == {"wrapper"}
    _write(repo / "test.yaml", "cluster: default\ntask_definition: td.json\n" + "# padding\n" * 2000)
    assert {p for _, p, _ in _td002([repo], rules)} == {"wrapper"}  # past the bound of a file not named so
    shutil.move(str(repo / "test.yaml"), repo / "ecspresso-prod.yml")
    assert _td002([repo], rules) == []  # named so: read up to the bound of any deploy file


def test_an_ecspresso_configuration_above_names_the_file_from_its_own_folder(tmp_path, rules):
    repo = _repo(tmp_path, "ecspresso-wrapped")
    (repo / "deploy").mkdir()
    shutil.move(str(repo / "td.json"), repo / "deploy" / "td.json")
    assert {p for _, p, _ in _td002([repo], rules)} == {"wrapper"}  # td.json beside the configuration is gone
    _write(repo / "ecspresso.yml", "region: ap-northeast-1\ncluster: default\nservice: test\n"
                                   "task_definition: ./deploy/td.json\n")
    assert _td002([repo], rules) == []
    _write(repo / "ecspresso.yml", 'task_definition: "{{ must_env `TD` }}"\n')  # a value filled in later: unknown
    assert {s for _, _, s in _td002([repo], rules)} == {"info"}


def test_the_deploy_action_keeps_the_wrapper(tmp_path, rules):
    repo = _repo(tmp_path, "ecspresso-wrapped")
    os.remove(repo / "ecspresso.yml")
    _write(repo / ".github" / "workflows" / "deploy.yml", """\
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
                with:
                  task-definition: td.json
        """)
    found = _td002([repo], rules)
    assert found == [("td.json", "wrapper", "warning")]


def test_workflow_values_are_followed(tmp_path, rules):
    """env at every level, matrix values, the workspace, render steps chained, several workflows and jobs."""
    body = open(os.path.join(DATA, "starter-workflow", STARTER_TD), encoding="utf-8").read()
    for svc in ("api", "web", "worker", "cron"):
        _write(tmp_path / "deploy" / svc / "task-definition.json", body)
    _write(tmp_path / ".github" / "workflows" / "services.yaml", """\
        on: push
        env:
          FOLDER: deploy
        jobs:
          deploy:
            strategy:
              matrix:
                service: [api, web]
                include:
                  - service: worker
            runs-on: ubuntu-latest
            env:
              FILE: task-definition.json
            steps:
              - id: first
                uses: aws-actions/amazon-ecs-render-task-definition@v1
                env:
                  TD: ${{ env.FOLDER }}/${{ matrix.service }}/${{ env.FILE }}
                with:
                  task-definition: ${{ env.TD }}
              - id: second
                uses: aws-actions/amazon-ecs-render-task-definition@v1
                with:
                  task-definition: ${{ steps.first.outputs.task-definition }}
              - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
                with:
                  task-definition: ${{steps.second.outputs.task-definition}}
          other:
            runs-on: ubuntu-latest
            steps:
              - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
                with:
                  task-definition: ${{ inputs.unknown }}
        """)
    found = _td002([tmp_path], rules)
    assert {f for f, _, _ in found} == {"deploy/cron/task-definition.json"}
    _write(tmp_path / ".github" / "workflows" / "cron.yml", """\
        jobs:
          cron:
            steps:
              - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
                with:
                  task-definition: ${{ github.workspace }}/deploy/cron/task-definition.json
        """)
    assert _td002([tmp_path], rules) == []


def test_what_is_not_read(tmp_path, rules):
    """Nothing outside the scope (a link out of it), nothing past the size bound, nothing that does not
    parse; nothing is run."""
    repo = _repo(tmp_path / "in", "starter-workflow")
    workflow = repo / ".github" / "workflows" / "aws.yml"
    text = workflow.read_text(encoding="utf-8")
    outside = tmp_path / "outside.yml"
    outside.write_text(text, encoding="utf-8")
    workflow.unlink()
    os.symlink(outside, workflow)
    assert {s for _, _, s in _td002([repo], rules)} == {"info"}
    workflow.unlink()
    from pullcheck.formats.taskdef.deploys import MAX_BYTES

    workflow.write_text(text + "#" * MAX_BYTES, encoding="utf-8")
    assert {s for _, _, s in _td002([repo], rules)} == {"info"}
    workflow.write_text(text + "\n  - [\n", encoding="utf-8")
    assert {s for _, _, s in _td002([repo], rules)} == {"info"}
    workflow.write_text(text.replace("task-definition: ${{ steps", "run: touch ran\n          task-definition: ${{ steps"),
                        encoding="utf-8")
    assert _td002([repo], rules) == [] and not os.path.exists("ran") and not (repo / "ran").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_same_with_any_number_of_processes(tmp_path, jobs):
    from conftest import run_cli

    repo = _repo(tmp_path, "starter-workflow")
    body = (repo / STARTER_TD).read_text(encoding="utf-8")
    for i in range(24):  # enough parts to cut into batches
        _write(repo / "other" / f"td{i}.json", body)
    r = run_cli("--no-config", "--jobs", jobs, "--select", "TD002", "--format", "parseable", str(repo))
    lines = r.stdout.splitlines()
    assert len(lines) == 24 * len(DESCRIBE_KEYS) and all(" info TD002 " in line for line in lines)
    assert not any(".aws/task-definition.json" in line for line in lines)


def test_td003_leaves_values_the_deploy_tool_fills_in(tmp_path, rules):
    """``"cpuArchitecture": "{{ must_env `ARCH` }}"`` is ecspresso's to fill in before it registers: no
    enumeration error about the placeholder; a wrong value written out is still one."""
    import json

    td = {"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
          "memory": "512", "runtimePlatform": {"cpuArchitecture": "{{ must_env `ARCH` }}",
                                               "operatingSystemFamily": "LINUX"},
          "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": True}]}
    (tmp_path / "ecspresso.yml").write_text("region: eu-west-1\ncluster: c\nservice: s\n"
                                            "task_definition: ecs-task-def.json\n")
    (tmp_path / "ecs-task-def.json").write_text(json.dumps(td))
    assert lint_paths([str(tmp_path)], rules, "TD003") == []
    td["runtimePlatform"]["cpuArchitecture"] = "X86"
    (tmp_path / "ecs-task-def.json").write_text(json.dumps(td))
    assert [f.rule_id for f in lint_paths([str(tmp_path)], rules, "TD003")] == ["TD003"]
