"""--format markdown: the report for a pull request, and its Mermaid pictures held to a grammar (the subset
of Mermaid's flowchart syntax the report writes; no browser in CI)."""
import glob
import os
import re

from conftest import FIXTURES, run_cli

_NODE = re.compile(r'^  [A-Z][0-9]*\["[^"\[\]{}|<>\n]*"\]$')
_EDGE = re.compile(r'^  ([A-Z][0-9]*) (-->|-\.->)(\|[^|"\n]+\|)? ([A-Z][0-9]*)$')
_STYLE = re.compile(r"^  linkStyle (\d+) stroke:red,stroke-width:3px$")


def check_flowchart(text):
    """Parse one chart: a header, node definitions, edges between defined nodes, link styles that name an
    edge. Returns (nodes, edges, red edge indexes)."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR", lines[0]
    nodes, edges, red = set(), [], []
    for line in lines[1:]:
        if _NODE.match(line):
            nodes.add(line.split("[", 1)[0].strip())
        elif _EDGE.match(line):
            m = _EDGE.match(line)
            assert m.group(1) in nodes and m.group(4) in nodes, f"edge to an undefined node: {line}"
            edges.append((m.group(1), m.group(4), (m.group(3) or "").strip("|")))
        elif _STYLE.match(line):
            red.append(int(_STYLE.match(line).group(1)))
        else:
            raise AssertionError(f"not in the grammar: {line!r}")
    assert all(0 <= i < len(edges) for i in red), "a link style names no edge"
    return nodes, edges, red


def _charts(markdown):
    """The charts of the report, without the two spaces that put them in their list item."""
    found = re.findall(r"```mermaid\n(.*?)\n  ```", markdown, re.S)
    return ["\n".join(line[2:] for line in chart.splitlines()) for chart in found]


def test_markdown_report_counts_fixes_and_draws_the_broken_edge():
    paths = [os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"),
             os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml")]
    r = run_cli("--no-config", "--format", "markdown", *paths)
    assert r.returncode == 1
    md = r.stdout
    assert "| NET001 | public-subnet-without-public-ip | error | 1 |" in md
    assert "fix (safe): set AssignPublicIp: ENABLED" in md
    charts = [check_flowchart(c) for c in _charts(md)]
    assert len(charts) == 2
    (_, edges1, red1), (_, edges2, red2) = charts
    assert [edges1[i][2] for i in red1] == ["no public IP"]  # NET001: the task has no public IP
    assert [edges2[i][2] for i in red2] == ["0.0.0.0/0"]  # NET002: no default route


def test_every_network_fixture_draws_a_chart_in_the_grammar():
    paths = sorted(glob.glob(os.path.join(FIXTURES, "NET0*", "bad_*.yaml")))
    md = run_cli("--no-config", "--format", "markdown", *paths).stdout
    charts = _charts(md)
    assert len(charts) >= 10
    for c in charts:
        _, edges, red = check_flowchart(c)
        assert edges and red, c


def test_markdown_output_file_and_clean_run(tmp_path):
    good = os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml")
    out = tmp_path / "report.md"
    r = run_cli("--no-config", "--output", str(out), good)
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == "## pullcheck\n\nNo problems found.\n"


def test_the_rendered_picture_in_docs_is_of_the_chart_the_report_writes():
    """docs/pull-path.svg was rendered from docs/pull-path.mmd with mermaid-cli (it needs a browser, so not
    in CI); the source must still be what the report writes for the demo."""
    from conftest import ROOT

    md = run_cli("--no-config", "--format", "markdown", os.path.join(ROOT, "fixtures", "demo")).stdout
    with open(os.path.join(ROOT, "docs", "pull-path.mmd"), encoding="utf-8") as f:
        assert f.read().rstrip("\n") == _charts(md)[0]
    assert os.path.getsize(os.path.join(ROOT, "docs", "pull-path.svg")) > 1000
