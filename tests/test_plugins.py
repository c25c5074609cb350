"""Third-party rules register through the same entry-point group as the built-in ones."""
import os
import subprocess
import sys

from conftest import FIXTURES

PLUGIN = '''
from typing import Iterator

from pullcheck import Graph, Hit, rule


@rule("{rid}", "every-task-definition", "warning", kinds=("ecs.task_definition",))
def check(graph: Graph) -> Iterator[Hit]:
    """Flags every task definition (a plugin used by the tests)."""
    for td in graph.of_kind("ecs.task_definition"):
        yield Hit(td, ("family",), f"seen {{td.name}}")
'''


def _install(tmp_path, rid):
    site = tmp_path / "site"
    (site / "acme_rules-1.0.dist-info").mkdir(parents=True)
    (site / "acme_rules.py").write_text(PLUGIN.format(rid=rid), encoding="utf-8")
    (site / "acme_rules-1.0.dist-info" / "entry_points.txt").write_text(
        f"[pullcheck.rules]\n{rid} = acme_rules:check\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


def _run(env, *args):
    return subprocess.run([sys.executable, "-m", "pullcheck", *args], capture_output=True, text=True, env=env)


def test_third_party_rule_is_found_and_runs(tmp_path):
    env = _install(tmp_path, "ACME001")
    listed = _run(env, "--list-rules").stdout
    assert "ACME001" in listed and "NET001" in listed
    td = os.path.join(FIXTURES, "TD003", "good_register_form.json")
    r = _run(env, "--select", "ACME", td)
    assert r.returncode == 1 and "ACME001 warning: seen web" in r.stdout
    # a second run reads the remembered entry points and finds the same rules
    assert _run(env, "--list-rules").stdout == listed


def test_duplicate_rule_id_fails_loudly(tmp_path):
    env = _install(tmp_path, "NET001")
    r = _run(env, "--list-rules")
    assert r.returncode == 2
    assert "duplicate rule ID NET001" in r.stderr and "acme_rules:check" in r.stderr


def test_a_failing_rule_is_reported_and_the_others_still_run(tmp_path):
    site = tmp_path / "site"
    (site / "broken_rules-1.0.dist-info").mkdir(parents=True)
    (site / "broken_rules.py").write_text(
        "from pullcheck.engine.registry import rule\n\n\n@rule('BRK001', 'always-fails', 'error')\ndef rule(graph):\n"
        "    \"\"\"Raises (a plugin used by the tests).\"\"\"\n    raise KeyError('boom')\n", encoding="utf-8")
    (site / "broken_rules-1.0.dist-info" / "entry_points.txt").write_text(
        "[pullcheck.rules]\nBRK001 = broken_rules:rule\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp_path / "cache"))
    td = os.path.join(FIXTURES, "IAM002", "bad_awslogs_no_role.json")
    r = _run(env, td)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip() == ("pullcheck: error: rule BRK001 failed (KeyError: 'boom'); its findings are missing "
                                "from this run, please report it")
    assert "IAM002" in r.stdout


def test_the_documented_plugin_example_runs(tmp_path):
    """The plugin in the README's "Writing a rule" works as written, spelling names per format."""
    import re

    from conftest import ROOT

    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = readme[readme.index("## Writing a rule"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    site = tmp_path / "site"
    (site / "acme_rules-1.0.dist-info").mkdir(parents=True)
    (site / "acme_rules.py").write_text(code, encoding="utf-8")
    (site / "acme_rules-1.0.dist-info" / "entry_points.txt").write_text(
        "[pullcheck.rules]\nACME001 = acme_rules:check\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = _run(env, "--select", "ACME001", "--format", "parseable", os.path.join(FIXTURES, "demo"))
    assert r.returncode == 1, r.stderr
    assert "set TaskRoleArn" in r.stdout
    assert "set task_role_arn" in r.stdout and "set taskRoleArn" in r.stdout
