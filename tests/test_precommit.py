"""The pre-commit hook, for real: `pre-commit run` with this repository's hook in a throw-away git repo."""
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")


def _run(cmd, cwd, env):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _release_tag():
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return "v" + tomllib.load(f)["project"]["version"]


def _readme_configuration(repo):
    """The README's .pre-commit-config.yaml, as written, but for the repository's address (``repo``)."""
    import re

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.S).group(1)
    assert block.count("https://github.com/your-org/pullcheck") == 1, block
    return block.replace("https://github.com/your-org/pullcheck", repo)


def _snapshot(tmp_path_factory, env):
    """This working tree (uncommitted changes included) as a clean git repository of its own, tagged as the
    release process tags a release (RELEASING.md).

    `pre-commit try-repo` builds the hook's environment in a new store for every call; a configuration that
    names this repository at a tag builds it once for all the tests."""
    src = tmp_path_factory.mktemp("hook-repo")
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT, env)
    for rel in filter(None, listed.stdout.split("\0")):
        if os.path.isfile(os.path.join(ROOT, rel)) and not rel.startswith(("fixtures/", "tests/")):
            os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, rel), os.path.join(src, rel))
    tag = _release_tag()
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "snapshot"],
                ["git", "tag", "-a", tag, "-m", f"pullcheck {tag[1:]}"]):
        assert _run(cmd, src, env).returncode == 0
    return str(src)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A git repository holding a bad and a good template and a bad Terraform module."""
    d = tmp_path_factory.mktemp("project")
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), d / "bad.yaml")
    shutil.copy(os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml"), d / "good.yaml")
    (d / "network").mkdir()
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), d / "network" / "main.tf")
    (d / "network" / "variables.tf").write_text('variable "unused" {\n  default = 1\n}\n')
    (d / "network" / "terraform.tfvars").write_text('unused = 2\n')
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), d / "service.template")
    (d / "tsconfig.json").write_text('{\n  // comments are fine here\n  "compilerOptions": {},\n}\n')
    _vpc_and_service(d / "stacks")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # the README's configuration, as a user copies it: its rev is the release's tag
    (d / ".pre-commit-config.yaml").write_text(_readme_configuration(_snapshot(tmp_path_factory, env)))
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "init"]):
        assert _run(cmd, d, env).returncode == 0
    return d, env


def _vpc_and_service(folder):
    """A public subnet exported by a VPC template, and a service template that imports it and gives its tasks
    no public IP (NET001, seen only with both templates)."""
    folder.mkdir()
    with open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), encoding="utf-8") as f:
        whole = f.read()
    head, service = whole.split("  TaskDefinition:\n", 1)
    (folder / "vpc.yaml").write_text(
        head + "Outputs:\n  PublicSubnet:\n    Value: !Ref PublicSubnet\n    Export: {Name: shop-public-subnet}\n")
    service = service.replace("!Ref PublicSubnet", "!ImportValue shop-public-subnet")
    (folder / "service.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  TaskDefinition:\n'
                                         + service)


def _try(project, *files):
    d, env = project
    return _run([sys.executable, "-m", "pre_commit", "run", "pullcheck", "--files", *files], d, env)


def test_hook_fails_on_a_bad_template(project):
    r = _try(project, "bad.yaml")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "bad.yaml:53:15: NET001" in r.stdout


def test_hook_passes_a_good_template(project):
    r = _try(project, "good.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed" in r.stdout


def test_hook_lints_a_changed_tf_file_with_its_folder(project):
    # only variables.tf changed, but the service in main.tf of the same module is what fails
    r = _try(project, "network/variables.tf")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "network/main.tf:" in r.stdout and "NET002" in r.stdout


def test_hook_sees_a_template_with_the_template_extension(project):
    r = _try(project, "service.template")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "service.template:53:15: NET001" in r.stdout


def test_hook_lints_the_folder_of_a_changed_tfvars(project):
    r = _try(project, "network/terraform.tfvars")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "network/main.tf:" in r.stdout and "NET002" in r.stdout


def test_hook_leaves_other_json_alone(project):
    r = _try(project, "tsconfig.json", "good.yaml")
    assert r.returncode == 0, r.stdout + r.stderr


def test_hook_judges_a_changed_service_with_the_vpc_it_imports_from(project):
    r = _try(project, "stacks/service.yaml")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "stacks/service.yaml:" in r.stdout and "NET001" in r.stdout
    # bad.yaml and network/main.tf are broken too, but not changed and not linked: not this commit's
    assert "bad.yaml" not in r.stdout and "network/main.tf" not in r.stdout


def test_hook_reports_what_a_changed_vpc_breaks_in_a_service_that_did_not_change(project):
    r = _try(project, "stacks/vpc.yaml")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [x for x in r.stdout.splitlines() if "NET0" in x]
    assert len(lines) == 1 and lines[0].startswith("stacks/service.yaml:") and "NET001" in lines[0], r.stdout
