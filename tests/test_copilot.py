"""AWS Copilot workload manifests: not read, but named, so that the tasks they run are never passed over in
silence."""
import textwrap

from conftest import run_cli

SCHEDULED = textwrap.dedent("""\
    # nightly export
    name: export
    type: Scheduled Job
    on:
      schedule: "@daily"
    image:
      build: ./export/Dockerfile
    cpu: 256
    memory: 512
    """)
BACKEND = textwrap.dedent("""\
    name: api
    type: 'Backend Service'   # reached only from inside the environment
    image:
      location: public.ecr.aws/docker/library/nginx:1.27
    network:
      vpc:
        placement: private
    """)
APP_RUNNER = "name: web\ntype: Request-Driven Web Service\nimage:\n  location: nginx:1.27\n"
ENVIRONMENT = "name: prod\ntype: Environment\nnetwork:\n  vpc:\n    cidr: 10.0.0.0/16\n"


def _workspace(tmp_path, **manifests):
    (tmp_path / "copilot").mkdir()
    (tmp_path / "copilot" / ".workspace").write_text("application: shop\n")
    for name, text in manifests.items():
        (tmp_path / "copilot" / name).mkdir(parents=True)
        (tmp_path / "copilot" / name / "manifest.yml").write_text(text)


def test_each_fargate_workload_is_named_in_the_default_output(tmp_path):
    _workspace(tmp_path, export=SCHEDULED, api=BACKEND, web=APP_RUNNER, environments__prod=ENVIRONMENT)
    r = run_cli(".", cwd=str(tmp_path))
    assert r.returncode == 0 and r.stdout == ""
    said = [line for line in r.stderr.splitlines() if "Copilot" in line]
    assert said == [
        "pullcheck: warning: copilot/api/manifest.yml is an AWS Copilot manifest (Backend Service), which "
        "pullcheck does not read: its tasks' network and image are not judged; lint the CloudFormation Copilot "
        "renders for it instead (copilot svc package --output-dir DIR)",
        "pullcheck: warning: copilot/export/manifest.yml is an AWS Copilot manifest (Scheduled Job), which "
        "pullcheck does not read: its tasks' network and image are not judged; lint the CloudFormation "
        "Copilot renders for it instead (copilot job package --output-dir DIR)"]


def test_several_processes_name_them_as_one_does(tmp_path):
    _workspace(tmp_path, **{f"job{i}": SCHEDULED for i in range(4)})
    one = run_cli("--jobs", "1", ".", cwd=str(tmp_path))
    two = run_cli("--jobs", "2", "--verbose", ".", cwd=str(tmp_path))
    assert "linted by 2 processes" in two.stderr
    def named(r):
        return [line for line in r.stderr.splitlines() if line.startswith("pullcheck: warning:")]

    assert named(two) == named(one) and len(named(one)) == 4


def test_a_manifest_outside_a_copilot_folder_is_other_yaml(tmp_path):
    (tmp_path / "deploy" / "export").mkdir(parents=True)
    (tmp_path / "deploy" / "export" / "manifest.yml").write_text(SCHEDULED)
    r = run_cli("--verbose", ".", cwd=str(tmp_path))
    assert "Copilot" not in r.stderr and "no CloudFormation, task-definition or plan marker" in r.stderr
