"""SARIF for GitHub code scanning: the SARIF 2.1.0 schema, and each thing GitHub's "SARIF support for code
scanning" asks of a file, one check each; GitHub's own line hash (``primaryLocationLineHash``) against the
values its upload step computes; file URIs relative to ``%SRCROOT%`` and percent-encoded."""
import json
import os
import re
import shutil
from urllib.parse import unquote, urljoin, urlparse

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, run_cli

from pullcheck.graph.model import Finding
from pullcheck.outputs.linehash import line_hashes

# The codeql-action's own expectations (src/fingerprints.test.ts): a text, and the hash of each of its lines.
GITHUB_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1",
      "e6ceba753e1a442:1"]),
]
_ENDED = ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1", "b3edc88f2938467e:1",
          "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]
GITHUB_VECTORS += [
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", _ENDED),
    (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", _ENDED),
    (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", _ENDED),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", _ENDED),
    ("Lorem ipsum dolor sit amet.\n" * 10,
     ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4", "a7f2ff13bc495cf2:5",
      "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1",
      "c129715d7a2bc9a3:1"]),
    ("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
     ["e54938cc54b302f1:1", "bb609acbe9138d60:1", "1131fd5871777f34:1", "5c482a0f8b35ea28:1", "54517377da7028d2:1",
      "2c644846cb18d53e:1", "f1b89f20de0d133:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize("text,expected", GITHUB_VECTORS)
def test_line_hash_is_githubs(text, expected):
    got = line_hashes(text)
    assert [got[n] for n in range(1, len(got) + 1)] == expected
    # the lines up to one are the same whatever follows them
    assert line_hashes(text, upto=2) == {n: got[n] for n in (1, 2) if n in got}


def _reference_hash(text):
    """The upload step's loop, transcribed literally (a window of 100, the line numbers in it, a signed 64-bit
    hash), for texts the published values do not cover."""
    window, starts = [0] * 100, [-1] * 100
    state = {"h": 0, "i": 0, "line": 0, "start": True, "cr": False}
    first, out, counts = pow(37, 100, 1 << 64), {}, {}

    def emit():
        value = format(state["h"] & ((1 << 64) - 1), "x")
        counts[value] = counts.get(value, 0) + 1
        out[starts[state["i"]]] = f"{value}:{counts[value]}"
        starts[state["i"]] = -1

    def update(c):
        begin, window[state["i"]] = window[state["i"]], c
        state["h"] = (37 * state["h"] + c - first * begin) % (1 << 64)
        state["i"] = (state["i"] + 1) % 100

    def char(c):
        if c in (32, 9) or (state["cr"] and c == 10):
            state["cr"] = False
            return
        state["cr"] = c == 13
        c = 10 if c == 13 else c
        if starts[state["i"]] != -1:
            emit()
        if state["start"]:
            state["start"], state["line"] = False, state["line"] + 1
            starts[state["i"]] = state["line"]
        if c == 10:
            state["start"] = True
        update(c)

    raw = text.encode("utf-16-le", "surrogatepass")
    for k in range(0, len(raw), 2):
        char(raw[k] | raw[k + 1] << 8)
    char(65535)
    for _ in range(100):
        if starts[state["i"]] != -1:
            emit()
        update(0)
    return out


@pytest.mark.parametrize("text", [
    "\ufeffa: 1\r\n  b: 2\r\n", "\r \n\r\r\n\n\t\n", "caf\u00e9 \U0001F600 \u4e2d\n" * 3, "x" * 250 + "\n" + "y\n" * 120,
    "same\n" * 205, "no newline at the end", "\n\n\n",
])
def test_line_hash_agrees_with_the_upload_steps_loop(text):
    assert line_hashes(text) == _reference_hash(text)
    assert _reference_hash(GITHUB_VECTORS[1][0]) == {n + 1: h for n, h in enumerate(GITHUB_VECTORS[1][1])}


# A run's SARIF, against the schema and GitHub's requirements

BAD = os.path.join("fixtures", "NET002", "bad_private_subnet_no_route.yaml")
_SCHEMA = os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json")
# a URI reference (RFC 3986) as pullcheck writes a path: unreserved characters, / and percent-encoded bytes
_URI_PATH = re.compile(r"(?:[A-Za-z0-9._~/-]|%[0-9A-F]{2})+")


def _validated(out):
    doc = json.loads(out)
    with open(_SCHEMA, encoding="utf-8") as f:
        jsonschema.validate(doc, json.load(f))
    return doc


@pytest.fixture(scope="module")
def demo_run():
    """Every rule (the default selection) and findings in each format: CloudFormation, Terraform, task
    definitions, an unreadable file."""
    r = run_cli("--no-config", "--format", "sarif", "fixtures/demo", BAD,
                os.path.join("fixtures", "PARSE001", "bad_unclosed_flow_sequence.yaml"))
    assert r.returncode == 1, r.stderr
    return _validated(r.stdout)


def test_the_log_has_what_github_requires(demo_run):
    assert demo_run["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert demo_run["version"] == "2.1.0"
    assert 1 <= len(demo_run["runs"]) <= 20  # runs per file
    driver = demo_run["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pullcheck" and driver["version"]
    assert isinstance(driver["rules"], list)


def test_every_rule_has_what_github_requires_within_its_limits(demo_run, rules):
    descriptors = demo_run["runs"][0]["tool"]["driver"]["rules"]
    assert {d["id"] for d in descriptors} >= set(rules) and len(descriptors) <= 25_000
    for d in descriptors:
        assert d["id"] and 0 < len(d["name"]) <= 255, d["id"]
        assert 0 < len(d["shortDescription"]["text"]) <= 1024, d["id"]
        assert 0 < len(d["fullDescription"]["text"]) <= 1024, d["id"]
        assert d["help"]["text"] and d["help"]["markdown"], d["id"]
        assert d["defaultConfiguration"]["level"] in ("note", "warning", "error"), d["id"]
        assert len(d.get("properties", {}).get("tags", [])) <= 20, d["id"]


def test_the_full_description_is_the_summary_and_what_the_rule_does_and_help_is_the_whole_page(demo_run, rules):
    from pullcheck.engine.registry import rule_doc

    by_id = {d["id"]: d for d in demo_run["runs"][0]["tool"]["driver"]["rules"]}
    assert len([rid for rid in rules if len(rule_doc(rules[rid])) > 1024]) >= 11  # these would not fit whole
    for rid, rule in rules.items():
        doc, full = rule_doc(rule), by_id[rid]["fullDescription"]["text"]
        assert by_id[rid]["help"] == {"text": doc, "markdown": doc}
        assert by_id[rid]["shortDescription"]["text"] == " ".join(rule.summary.split())
        what = doc.split("\n## What it does\n", 1)[1].split("\n## ", 1)[0]
        expected = " ".join(f"{rule.summary} {what}".split())
        said = " ".join(full.split())
        assert said == expected or (said.endswith("\u2026") and expected.startswith(said[:-1])), rid
        assert len(said) > 200 or said == expected, rid  # a cut keeps most of it


def test_every_result_has_what_github_requires(demo_run):
    run = demo_run["runs"][0]
    results, descriptors = run["results"], run["tool"]["driver"]["rules"]
    assert 0 < len(results) <= 25_000
    assert {"NET001", "NET002", "IAM002", "IMG002", "PARSE001"} <= {x["ruleId"] for x in results}
    for res in results:
        assert descriptors[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        assert 1 <= len(res["locations"]) <= 1000
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"]
        region = loc["region"]
        assert all(region[k] >= 1 for k in ("startLine", "startColumn", "endLine", "endColumn")), region
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
        fingerprints = res["partialFingerprints"]
        assert re.fullmatch(r"[0-9a-f]{32}", fingerprints["pullcheck/v1"])
        assert re.fullmatch(r"[0-9a-f]{1,16}:[1-9][0-9]*", fingerprints["primaryLocationLineHash"])


def _path_of(run, location):
    """The file a location names: its URI resolved against the run's base URI, as a path."""
    base = run["originalUriBaseIds"][location["uriBaseId"]]["uri"] if "uriBaseId" in location else ""
    return unquote(urlparse(urljoin(base, location["uri"])).path)


def test_uris_are_percent_encoded_relative_to_the_source_root(demo_run):
    run = demo_run["runs"][0]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == "file://" + ROOT + "/"  # an absolute file URI, ending in /
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc["uriBaseId"] == "%SRCROOT%" and _URI_PATH.fullmatch(loc["uri"]) and not loc["uri"].startswith("/")
        assert os.path.isfile(_path_of(run, loc))


def test_the_line_hash_is_that_of_the_line_in_the_file(demo_run):
    run = demo_run["runs"][0]
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        with open(_path_of(run, loc["artifactLocation"]), encoding="utf-8", newline="") as f:
            expected = _reference_hash(f.read())[loc["region"]["startLine"]]
        assert res["partialFingerprints"]["primaryLocationLineHash"] == expected


def test_the_line_hash_follows_the_line_when_lines_are_added_above(tmp_path):
    """What the line hash is for: a finding that moves down keeps its hash (and pullcheck's fingerprint);
    a byte-order mark and CRLF line endings are read as GitHub reads them."""
    with open(os.path.join(ROOT, BAD), encoding="utf-8") as f:
        text = f.read()
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    before = json.loads(run_cli("--no-config", "--format", "sarif", "t.yaml", cwd=str(tmp_path)).stdout)
    (tmp_path / "t.yaml").write_bytes(b"\xef\xbb\xbf# a comment\r\n\r\n" + text.replace("\n", "\r\n").encode())
    after = _validated(run_cli("--no-config", "--format", "sarif", "t.yaml", cwd=str(tmp_path)).stdout)
    [old], [new] = before["runs"][0]["results"], after["runs"][0]["results"]
    assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == \
        old["locations"][0]["physicalLocation"]["region"]["startLine"] + 2
    assert new["partialFingerprints"] == old["partialFingerprints"]
    raw = (tmp_path / "t.yaml").read_bytes().decode("utf-8")  # the mark kept, as the upload step reads it
    line = new["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert new["partialFingerprints"]["primaryLocationLineHash"] == _reference_hash(raw)[line]


@pytest.mark.parametrize("name", ["a b#c%d?.yaml", "caf\u00e9 [x].yaml", "c:d.yaml", "100%.yaml"])
def test_a_file_name_is_percent_encoded(tmp_path, name):
    (tmp_path / "in dir").mkdir()
    shutil.copy(os.path.join(ROOT, BAD), tmp_path / "in dir" / name)
    doc = _validated(run_cli("--no-config", "--format", "sarif", ".", cwd=str(tmp_path)).stdout)
    run = doc["runs"][0]
    [res] = run["results"]
    loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
    assert _URI_PATH.fullmatch(loc["uri"]) and unquote(loc["uri"]) == f"in dir/{name}"
    assert _path_of(run, loc) == str(tmp_path / "in dir" / name)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file://" + str(tmp_path).replace(" ", "%20") + "/"
    assert "primaryLocationLineHash" in res["partialFingerprints"]


def test_the_source_root_is_the_github_workspace_holding_the_current_folder(tmp_path):
    """A step with a working-directory below the checkout: URIs are still relative to the checkout, as code
    scanning reads them; a file outside the root has its absolute file URI and no base."""
    (tmp_path / "repo" / "infra").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(os.path.join(ROOT, BAD), tmp_path / "repo" / "infra" / "t.yaml")
    shutil.copy(os.path.join(ROOT, BAD), tmp_path / "elsewhere" / "o.yaml")
    env = dict(os.environ, GITHUB_WORKSPACE=str(tmp_path / "repo"))
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "sarif", ".",
                        str(tmp_path / "elsewhere" / "o.yaml")], capture_output=True, text=True,
                       cwd=str(tmp_path / "repo" / "infra"), env=env, timeout=120)
    run = _validated(r.stdout)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == f"file://{tmp_path}/repo/"
    places = [res["locations"][0]["physicalLocation"]["artifactLocation"] for res in run["results"]]
    assert {"uri": "infra/t.yaml", "uriBaseId": "%SRCROOT%"} in places
    assert {"uri": f"file://{tmp_path}/elsewhere/o.yaml"} in places
    # a workspace that does not hold the current folder is not the root
    env["GITHUB_WORKSPACE"] = str(tmp_path / "elsewhere")
    r = subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "sarif", "."],
                       capture_output=True, text=True, cwd=str(tmp_path / "repo" / "infra"), env=env, timeout=120)
    run = json.loads(r.stdout)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == f"file://{tmp_path}/repo/infra/"


def test_fixes_and_configuration_notes_name_files_as_results_do(tmp_path):
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), tmp_path / "s p.yaml")
    (tmp_path / ".pullcheck.toml").write_text('ignore = ["IAM"]\n', encoding="utf-8")
    run = _validated(run_cli("--format", "sarif", ".", cwd=str(tmp_path)).stdout)["runs"][0]
    [res] = [x for x in run["results"] if x["ruleId"] == "NET001"]
    [change] = res["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "s%20p.yaml", "uriBaseId": "%SRCROOT%"}
    [note] = run["invocations"][0]["toolConfigurationNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": ".pullcheck.toml",
                                                                           "uriBaseId": "%SRCROOT%"}


def test_past_githubs_limit_the_most_severe_results_are_kept_and_the_rest_counted():
    from pullcheck.outputs.sarif import MAX_RESULTS, sarif

    severities = ["info", "warning", "error"]
    findings = [Finding("x.yaml", n + 1, 1, n + 1, 2, "NET001", severities[n % 3], f"m{n}", "n")
                for n in range(MAX_RESULTS + 2)]
    run = json.loads(sarif(findings, {}))["runs"][0]
    results = run["results"]
    assert len(results) == MAX_RESULTS
    assert sum(x["level"] == "note" for x in results) == (MAX_RESULTS + 2) // 3 - 2  # two notes left out
    lines = [x["locations"][0]["physicalLocation"]["region"]["startLine"] for x in results]
    assert lines == sorted(lines)  # the order of the findings is kept
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("2 results left out") and run["invocations"][0]["executionSuccessful"]


def test_no_line_hash_from_a_file_outside_the_named_paths(tmp_path):
    """A .tf that links out of the tree is PARSE001, and its target is not read to hash a line of it."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.tf").write_text('variable "x" {\n  default = "s3cr3t"\n}\n', encoding="utf-8")
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), tmp_path / "repo" / "main.tf")
    os.symlink(tmp_path / "outside" / "secret.tf", tmp_path / "repo" / "vars.tf")
    r = run_cli("--no-config", "--format", "sarif", "repo", cwd=str(tmp_path))
    results = {x["ruleId"]: x for x in _validated(r.stdout)["runs"][0]["results"]}
    assert results["PARSE001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "repo/vars.tf"
    assert "primaryLocationLineHash" not in results["PARSE001"]["partialFingerprints"]
    assert "primaryLocationLineHash" in results["NET002"]["partialFingerprints"]


def test_the_report_is_the_same_in_one_process_and_several():
    one = run_cli("--no-config", "--jobs", "1", "--format", "sarif", "fixtures").stdout
    two = run_cli("--no-config", "--jobs", "2", "--format", "sarif", "fixtures").stdout
    assert one == two
    results = json.loads(one)["runs"][0]["results"]
    assert len(results) > 100 and all("primaryLocationLineHash" in x["partialFingerprints"] for x in results)


def test_a_link_in_the_tree_is_named_by_the_file_it_leads_to(tmp_path):
    """Code scanning shows no result on a link: a named link to a file in the tree is reported at that file."""
    (tmp_path / "real").mkdir()
    shutil.copy(os.path.join(ROOT, BAD), tmp_path / "real" / "t.yaml")
    os.symlink(tmp_path / "real" / "t.yaml", tmp_path / "link.yaml")
    run = _validated(run_cli("--no-config", "--format", "sarif", "link.yaml", cwd=str(tmp_path)).stdout)["runs"][0]
    [res] = run["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "real/t.yaml",
                                                                          "uriBaseId": "%SRCROOT%"}
    assert "primaryLocationLineHash" in res["partialFingerprints"]  # of the file the link leads to


UNJUDGED = os.path.join("fixtures", "NET002", "good_subnet_parameter_without_default.yaml")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_run_carries_the_verdict_account(jobs):
    """The run's property bag counts the launch sites, those judged and those not, in one process or several."""
    run = _validated(run_cli("--no-config", "--jobs", jobs, "--format", "sarif", BAD, UNJUDGED).stdout)["runs"][0]
    assert run["properties"] == {"launchSites": 2, "judged": 1, "notJudged": 1}
    judged = _validated(run_cli("--no-config", "--format", "sarif", BAD).stdout)["runs"][0]
    assert judged["properties"] == {"launchSites": 1, "judged": 1, "notJudged": 0}
    none = _validated(run_cli("--no-config", "--format", "sarif", os.path.join("fixtures", "TD001",
                                                                           "bad_numeric_sizes.json")).stdout)
    assert none["runs"][0]["properties"]["launchSites"] == 0
