"""What an installed pullcheck puts into site-packages: one import package, whole rule pages, no cfn-lint."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import FIXTURES, ROOT, SHARED


def _owner_wheel(folder):
    """A wheel of another distribution that owns the top-level import name `rules` (as django-rules does)."""
    path = os.path.join(folder, "rules_owner-1.0-py3-none-any.whl")
    files = {
        "rules/__init__.py": "def predicate(fn):\n    return fn\n",
        "rules_owner-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: rules-owner\nVersion: 1.0\n",
        "rules_owner-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "rules_owner-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
        z.writestr("rules_owner-1.0.dist-info/RECORD", record)
    return path


def _run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheels")
    # built from a copy: an in-tree build reuses the checkout's build/ folder, which may hold modules that no
    # longer exist and which two test workers would write at once
    source = tmp_path_factory.mktemp("source") / "pullcheck"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info",
                                                                  "__pycache__", ".pytest_cache", "dist"))
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)], cwd=str(out))
    _owner_wheel(str(out))
    found = {name.split("-")[0]: str(out / name) for name in os.listdir(out) if name.endswith(".whl")}
    assert set(found) == {"pullcheck", "rules_owner"}, found
    return found


def test_wheel_installs_only_the_pullcheck_package(wheels):
    with zipfile.ZipFile(wheels["pullcheck"]) as z:
        tops = {n.split("/", 1)[0] for n in z.namelist()}
        names = set(z.namelist())
    assert {t for t in tops if not t.endswith(".dist-info")} == {"pullcheck"}, tops
    assert "pullcheck/rules/network/net001_public_subnet_without_public_ip.py" in names
    assert "pullcheck/ruledocs/NET001.md" in names and "pullcheck/rules/taskdef/schema/taskdef.schema.json" in names


def test_wheel_beside_a_package_that_owns_rules(wheels, tmp_path):
    """Installed into one environment, both import; removing pullcheck leaves the other package whole."""
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", py]
    _run([*pip, "install", "-q", "--no-deps", "--no-index", wheels["rules_owner"], wheels["pullcheck"]])
    probe = ("import rules, pullcheck, pullcheck.rules; from rules import predicate; "
             "print(rules.__file__); print(pullcheck.rules.__file__)")
    out = _run([py, "-c", probe], cwd=str(tmp_path)).stdout.splitlines()
    assert out[0].endswith(os.path.join("site-packages", "rules", "__init__.py"))
    assert out[1].endswith(os.path.join("site-packages", "pullcheck", "rules", "__init__.py"))
    _run([*pip, "uninstall", "-q", "-y", "pullcheck"])
    _run([py, "-c", "from rules import predicate"], cwd=str(tmp_path))


def test_installed_rule_page_is_the_whole_page(wheels, tmp_path):
    """`pullcheck rule NET001` from the wheel prints docs/rules/NET001.md, examples included."""
    target = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
          wheels["pullcheck"]])
    # the installed copy first on the path; its dependencies come from this environment
    env = dict(os.environ, PYTHONPATH=str(target))
    r = _run([sys.executable, "-m", "pullcheck", "rule", "NET001"], cwd=str(tmp_path), env=env)
    with open(os.path.join(ROOT, "docs", "rules", "NET001.md"), encoding="utf-8") as f:
        assert r.stdout == f.read()
    assert "## Examples" in r.stdout


# Runs pullcheck with every cfnlint module made unimportable, as in an environment without the extra.
_WITHOUT_CFNLINT = """
import sys
class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name == "cfnlint" or name.startswith("cfnlint."):
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, _Blocked())
from pullcheck.cli import main
code = main()
assert not [m for m in sys.modules if m.startswith("cfnlint")]
raise SystemExit(code)
"""


def test_output_is_byte_identical_without_cfn_lint(tmp_path):
    """Text on the console, JSON and SARIF reports: the same bytes whether cfn-lint can be imported or not."""
    paths = [FIXTURES]
    if os.path.isdir(os.path.join(SHARED, "corpus")):
        paths.append(os.path.join(SHARED, "corpus"))
    outputs = {}
    for label, cmd in (("with", [sys.executable, "-m", "pullcheck"]), ("without", [sys.executable, "-c", _WITHOUT_CFNLINT])):
        json_out, sarif_out = tmp_path / f"{label}.json", tmp_path / f"{label}.sarif"
        r = subprocess.run([*cmd, "--no-config", "--output", f"json:{json_out}", "--output", f"sarif:{sarif_out}",
                            *paths], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert r.returncode == 1, r.stderr
        outputs[label] = (r.stdout, r.stderr, json_out.read_bytes(), sarif_out.read_bytes())
    assert outputs["with"] == outputs["without"]
    assert len(json.loads(outputs["with"][2])) > 50


def test_the_bridge_says_what_to_install():
    r = subprocess.run([sys.executable, "-c", _WITHOUT_CFNLINT.replace(
        "from pullcheck.cli import main\ncode = main()", "import pullcheck.cfnlint_plugin\ncode = 0")],
        capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "pip install 'pullcheck[cfn-lint]'" in r.stderr
