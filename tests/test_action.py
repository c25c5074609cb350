"""The GitHub Action and the Dockerfile. No runner and no docker daemon here: the action's lint step is run as
the script it is, in a workspace, with the files GitHub gives a step; the action's wiring and the Dockerfile
are read and checked."""
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import FIXTURES, ROOT


def test_the_lint_step_writes_annotations_sarif_summary_and_the_exit_code(tmp_path):
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), work / "service.yaml")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output), PULLCHECK_PATHS=".",
               PULLCHECK_ARGS="--no-config", PULLCHECK_SARIF="true",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    r = subprocess.run(["bash", os.path.join(ROOT, ".ci", "action-lint.sh")], cwd=str(work), env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr  # the step itself passes; the last step fails the job
    assert r.stdout.startswith("::error file=service.yaml,line=52"), r.stdout
    sarif = json.loads((work / "pullcheck.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "NET001"
    assert "| NET001 | public-subnet-without-public-ip | error | 1 |" in summary.read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == "exit-code=1\n"


def test_the_action_wires_its_steps():
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        action = yaml.safe_load(f)
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    lint = next(s for s in steps if s.get("id") == "lint")
    assert ".ci/action-lint.sh" in lint["run"] and set(lint["env"]) == {"PULLCHECK_PATHS", "PULLCHECK_ARGS",
                                                                         "PULLCHECK_SARIF"}
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "pullcheck.sarif"
    assert steps[-1]["env"] == {"PULLCHECK_EXIT_CODE": "${{ steps.lint.outputs.exit-code }}"}
    assert set(action["inputs"]) == {"paths", "args", "sarif"}


def test_the_dockerfile_is_small_and_runs_as_a_user():
    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
        lines = [x.strip() for x in f if x.strip() and not x.startswith("#")]
    assert lines[0].startswith("FROM python:3") and "-slim" in lines[0]
    assert any(x.startswith("USER ") and x != "USER root" for x in lines)
    assert lines[-1] == 'ENTRYPOINT ["pullcheck"]'


def _lint_step(work, tmp_path, paths):
    env = dict(os.environ, GITHUB_OUTPUT=str(tmp_path / "output"), PULLCHECK_PATHS=paths,
               PULLCHECK_ARGS="--no-config", PULLCHECK_SARIF="false",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("GITHUB_STEP_SUMMARY", None)
    r = subprocess.run(["bash", os.path.join(ROOT, ".ci", "action-lint.sh")], cwd=str(work), env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _bad_service(folder):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), folder / "service.yaml")


def test_paths_one_per_line_may_hold_spaces(tmp_path):
    work = tmp_path / "repo"
    _bad_service(work / "my infra")
    _bad_service(work / "services")
    out = _lint_step(work, tmp_path, "my infra\n  services  \n\n")  # a `|` block, indented lines
    assert "::error file=my infra/service.yaml,line=52" in out, out
    assert "::error file=services/service.yaml,line=52" in out, out
    assert "PARSE001" not in out, out
    # one line stays split on blanks, as before
    out = _lint_step(work, tmp_path, "services services")
    assert out.count("::error file=services/service.yaml,line=52") == 1 and "PARSE001" not in out, out


def test_paths_are_passed_literally(tmp_path):
    """No command substitution, no globbing, no option: each path is a path, or says that it is not there."""
    work = tmp_path / "repo"
    _bad_service(work)
    for paths in ("$(touch pwned)\n*\n--select=IMG001\n", "*", "`touch pwned` ~"):
        out = _lint_step(work, tmp_path, paths)
        assert "NET001" not in out, (paths, out)  # service.yaml is not what `*` names
        named = {line.split(",")[0].partition("file=")[2] for line in out.splitlines() if "PARSE001" in line}
        assert named == set(paths.split("\n") if "\n" in paths else paths.split()) - {""}, (paths, out)
    assert not list(tmp_path.rglob("pwned"))


def _action():
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        text = f.read()
    return text, yaml.safe_load(text)


def test_the_action_expands_no_expression_in_a_script_and_pins_each_action_by_commit():
    import re

    text, action = _action()
    steps = action["runs"]["steps"]
    assert all("${{" not in s["run"] for s in steps if "run" in s)  # values reach scripts through env
    uses = [s["uses"] for s in steps if "uses" in s]
    assert len(uses) == 2
    for u in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u), u
        line = next(x for x in text.splitlines() if u in x)
        assert re.search(r"#\s*v\d+\.\d+\.\d+$", line), line  # the release it is, for whoever moves it


def test_the_result_step_fails_the_job_with_the_lint_exit_code(tmp_path):
    _, action = _action()
    result = action["runs"]["steps"][-1]
    assert result.get("env") == {"PULLCHECK_EXIT_CODE": "${{ steps.lint.outputs.exit-code }}"}
    for value, code in (("0", 0), ("1", 1), ("2", 2), ("", 2), ("1; touch pwned", 2), ("$(touch pwned)", 2)):
        r = subprocess.run(["bash", "-c", result["run"]], cwd=str(tmp_path), capture_output=True, text=True,
                           env=dict(os.environ, PULLCHECK_EXIT_CODE=value), timeout=30)
        assert r.returncode == code, (value, r.stderr)
    assert not list(tmp_path.iterdir())


def _pinned(path):
    """name -> (version, hashes) of a pip requirements file whose every entry is `name==version --hash ...`."""
    import re

    with open(path, encoding="utf-8") as f:
        text = f.read().replace("\\\n", " ")
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)((?:\s+--hash=sha256:[0-9a-f]{64})+)\s*", line)
        assert m, f"not pinned with hashes: {line}"
        out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = (m.group(2), m.group(3).split())
    return out


def test_the_image_installs_hashed_exact_versions_of_every_runtime_dependency():
    import re

    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    from packaging.requirements import Requirement

    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
        docker = f.read().replace("\\\n", " ")
    stages = re.split(r"^FROM ", docker, flags=re.M)[1:]
    assert len(stages) == 2
    for stage in stages:
        assert re.match(r"python:3\.12-slim@sha256:[0-9a-f]{64}\b", stage), stage.splitlines()[0]
    build, final = stages
    assert "COPY . /src" in build and "COPY . " not in final  # the sources stay in the build stage
    runs = " && ".join(x[4:] for x in final.splitlines() if x.startswith("RUN "))
    installs = [c.strip() for c in runs.split("&&") if c.strip().startswith("pip install")]
    assert installs == ["pip install --no-cache-dir --require-hashes --only-binary=:all: -r /tmp/requirements.txt",
                        "pip install --no-cache-dir --no-deps /tmp/wheels/pullcheck-*.whl"]
    assert "COPY docker/requirements.txt /tmp/requirements.txt" in final
    assert "COPY docker/build-requirements.txt /tmp/build-requirements.txt" in build
    assert "--require-hashes --only-binary=:all: -r /tmp/build-requirements.txt" in build

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)
    env = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux",
           "platform_system": "Linux", "implementation_name": "cpython"}
    for name, wanted in (("requirements.txt", project["project"]["dependencies"]),
                         ("build-requirements.txt", project["build-system"]["requires"])):
        pinned = _pinned(os.path.join(ROOT, "docker", name))
        for spec in map(Requirement, wanted):
            if spec.marker is not None and not spec.marker.evaluate(env):
                continue  # not for the image's Python
            key = re.sub(r"[-_.]+", "-", spec.name).lower()
            assert key in pinned, f"{spec.name} is not pinned in docker/{name}"
            assert spec.specifier.contains(pinned[key][0]), (spec, pinned[key][0])


def _step(work, tmp_path, args="--no-config", sarif="false"):
    """The lint step in ``work``: (its output file's text, the step's result)."""
    output = tmp_path / "output"
    if output.exists():
        output.unlink()
    env = dict(os.environ, GITHUB_OUTPUT=str(output), PULLCHECK_PATHS=".", PULLCHECK_ARGS=args,
               PULLCHECK_SARIF=sarif, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("GITHUB_STEP_SUMMARY", None)
    r = subprocess.run(["bash", os.path.join(ROOT, ".ci", "action-lint.sh")], cwd=str(work), env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return output.read_text(encoding="utf-8"), r


def test_args_may_be_given_one_per_line(tmp_path):
    """`args: |` gives options on several lines: each line's options are passed (the second line here makes
    the findings pass), split on blanks and never globbed."""
    work = tmp_path / "repo"
    _bad_service(work)
    out, r = _step(work, tmp_path, args="--no-config\n--fail-on never\n")
    assert out == "exit-code=0\n" and "::error file=service.yaml,line=52" in r.stdout, r.stdout + r.stderr
    out, r = _step(work, tmp_path, args="--no-config \r\n  --select\tIMG001\r\n")
    assert out == "exit-code=0\n" and r.stdout == "", r.stdout + r.stderr
    out, r = _step(work, tmp_path, args="--no-config\n--select *")  # `*` is a rule selection, not the files here
    assert out == "exit-code=2\n" and "unknown rule" in r.stderr and "service.yaml" not in r.stderr, r.stderr


@pytest.mark.parametrize("planted", ["file", "link", "folder"])
def test_a_committed_pullcheck_sarif_is_never_what_is_uploaded(tmp_path, planted):
    """The upload step sends the workspace's pullcheck.sarif: a committed file, a link to a file outside
    the checkout, or a folder of SARIF files of that name is removed before the run, so what is there
    afterwards is pullcheck's own report, and the link's target is left as it was."""
    work = tmp_path / "repo"
    _bad_service(work)
    outside = tmp_path / "outside.sarif"
    outside.write_text("planted")
    sarif = work / "pullcheck.sarif"
    if planted == "file":
        sarif.write_text("planted")
    elif planted == "link":
        sarif.symlink_to(outside)
    else:
        sarif.mkdir()
        (sarif / "x.sarif").write_text("planted")
    out, r = _step(work, tmp_path, sarif="true")
    assert out == "exit-code=1\n" and "Traceback" not in r.stderr and "error" not in r.stderr, r.stderr
    assert sarif.is_file() and not sarif.is_symlink(), planted
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    assert doc["runs"][0]["tool"]["driver"]["name"] == "pullcheck"
    assert doc["runs"][0]["results"][0]["ruleId"] == "NET001"
    assert outside.read_text() == "planted"
