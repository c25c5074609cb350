"""--format markdown: the report for a pull request, read back as a Markdown parser (CommonMark) reads it: its
links, and its Mermaid pictures held to a grammar (the subset of Mermaid's flowchart syntax the report
writes), with what each picture must show. ``-m slow`` also has Mermaid itself parse every picture, when node
and the packages of tests/mermaid are installed (``npm install --prefix tests/mermaid``)."""
import glob
import json
import os
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from conftest import FIXTURES, ROOT, run_cli

_LABEL = r'"((?:[^"\[\]{}|<>#&`]|#[0-9]+;|<br>)*)"'
_NODE = re.compile(r"^  ([A-Z][0-9]*|K)\[" + _LABEL + r"\]$")
_EDGE = re.compile(r"^  ([A-Z][0-9]*) (-->|-\.->)(?:\|" + _LABEL + r"\|)? ([A-Z][0-9]*)$")
_STYLE = re.compile(r"^  linkStyle (\d+) stroke:red,stroke-width:3px$")
_CLASSDEF = {"  classDef broken stroke:red,stroke-width:3px", "  classDef missing stroke-dasharray:5 5",
             "  classDef legend fill:none,stroke:none"}
_CLASS = re.compile(r"^  class ([A-Z][0-9]*(?:,[A-Z][0-9]*)*) (broken|missing|legend)$")
LEGEND = "solid: in the files\ndashed: missing\nred: where the pull breaks"


def decoded(label):
    """A label as Mermaid shows it: its entities decoded, a <br> a new line."""
    return re.sub(r"#([0-9]+);", lambda m: chr(int(m.group(1))), label.replace("<br>", "\n"))


class Chart:
    """One chart parsed: nodes (id -> shown text), their classes, edges (from, to, shown label, dashed) and
    which edges are red."""

    def __init__(self, text):
        lines = text.splitlines()
        assert lines[0] == "flowchart LR", lines[0]
        self.nodes, self.classes, self.edges, self.red = {}, {}, [], []
        for line in lines[1:]:
            if _NODE.match(line):
                nid, label = _NODE.match(line).groups()
                assert nid not in self.nodes, f"a node defined twice: {line}"
                self.nodes[nid] = decoded(label)
            elif _EDGE.match(line):
                a, arrow, label, b = _EDGE.match(line).groups()
                assert a in self.nodes and b in self.nodes, f"edge to an undefined node: {line}"
                self.edges.append((a, b, decoded(label or ""), arrow == "-.->"))
            elif _STYLE.match(line):
                self.red.append(int(_STYLE.match(line).group(1)))
            elif _CLASS.match(line):
                ids, cls = _CLASS.match(line).groups()
                for nid in ids.split(","):
                    assert nid in self.nodes, line
                    self.classes.setdefault(nid, set()).add(cls)
            elif line not in _CLASSDEF:
                raise AssertionError(f"not in the grammar: {line!r}")
        assert all(0 <= i < len(self.edges) for i in self.red), "a link style names no edge"
        assert self.nodes.get("K") == LEGEND and self.classes.get("K") == {"legend"}, "no legend"

    def named(self, start):
        found = [nid for nid, text in self.nodes.items() if text.startswith(start)]
        assert len(found) == 1, (start, self.nodes)
        return found[0]

    def broken(self):
        return {nid for nid, cls in self.classes.items() if "broken" in cls}

    def red_edges(self):
        return [self.edges[i] for i in self.red]


def _charts(markdown):
    """The charts of the report, without the two spaces that put them in their list item."""
    found = re.findall(r"```mermaid\n(.*?)\n  ```", markdown, re.S)
    return ["\n".join(line[2:] for line in chart.splitlines()) for chart in found]


def check_flowchart(text):
    chart = Chart(text)
    return chart.nodes, chart.edges, chart.red


def _tokens(markdown):
    """The inline tokens of the report as a CommonMark parser reads it (tables as GitHub's Markdown has them)."""
    from markdown_it import MarkdownIt

    out = []

    def walk(tokens):
        for t in tokens:
            out.append(t)
            walk(t.children or [])

    walk(MarkdownIt("commonmark").enable("table").parse(markdown))
    return out


def _links(markdown):
    """(text, href) of each link the parsed report holds."""
    links, tokens = [], _tokens(markdown)
    for i, t in enumerate(tokens):
        if t.type == "link_open":
            text = ""
            for u in tokens[i + 1:]:
                if u.type == "link_close":
                    break
                text += u.content if u.type in ("text", "code_inline") else ""
            links.append((text, t.attrs["href"]))
    return links


def test_markdown_report_counts_fixes_and_draws_the_broken_part():
    paths = [os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"),
             os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml")]
    r = run_cli("--no-config", "--format", "markdown", *paths)
    assert r.returncode == 1
    md = r.stdout
    assert "| NET001 | public-subnet-without-public-ip | error | 1 |" in md
    assert "fix (safe): set AssignPublicIp: ENABLED" in md
    net001, net002 = [Chart(c) for c in _charts(md)]
    assert [e[2] for e in net001.red_edges()] == ["no public IP"]  # NET001: the task has no public IP
    assert net001.nodes[net001.named("internet gateway")] == "internet gateway InternetGateway"
    # NET002: no default route is said on the table, in red, not drawn as an edge to a box
    table = net002.named("route table PrivateRouteTable")
    assert net002.nodes[table] == "route table PrivateRouteTable\nno 0.0.0.0/0 route"
    assert net002.broken() == {table} and not net002.red_edges()
    assert not [e for e in net002.edges if e[0] == table]
    assert not any("no 0.0.0.0/0" in text for nid, text in net002.nodes.items() if nid != table)


def test_the_demo_draws_a_shared_table_once_the_endpoints_it_needs_and_indexes_as_written():
    md = run_cli("--no-config", "--format", "markdown", os.path.join(ROOT, "fixtures", "demo")).stdout
    [_, chart] = [Chart(c) for c in _charts(md)]
    assert '["subnet aws_subnet.private#91;0#93;"]' in md  # Mermaid's entities for the brackets
    s0, s1 = chart.named("subnet aws_subnet.private[0]"), chart.named("subnet aws_subnet.private[1]")
    table = chart.named("route table aws_route_table.private")  # one box for both subnets
    assert (s0, table, "", False) in chart.edges and (s1, table, "", False) in chart.edges
    assert chart.broken() == {table}
    # no way out and an ECR image (by name): the endpoints it would need are drawn, all missing, dashed
    needed = {chart.named(f"{svc} endpoint"): svc for svc in ("ecr.dkr", "ecr.api", "S3 gateway", "logs")}
    for nid in needed:
        assert chart.nodes[nid].endswith("\nmissing") and chart.classes[nid] == {"missing"}
        assert all(dashed for a, b, _, dashed in chart.edges if b == nid)
    s3 = chart.named("S3 gateway endpoint")
    assert {a for a, b, _, _ in chart.edges if b == s3} == {table}  # a gateway endpoint is on the table
    assert {a for a, b, _, _ in chart.edges if b == chart.named("ecr.dkr")} == {s0, s1}


def test_endpoints_in_the_files_are_solid_and_the_missing_ones_dashed_and_red():
    md = run_cli("--no-config", "--format", "markdown",
                 os.path.join(FIXTURES, "NET005", "bad_only_dkr_endpoint.yaml")).stdout
    [chart] = [Chart(c) for c in _charts(md)]
    dkr, api, s3 = chart.named("ecr.dkr endpoint"), chart.named("ecr.api endpoint"), chart.named("S3 gateway")
    assert chart.nodes[dkr] == "ecr.dkr endpoint DkrEndpoint" and dkr not in chart.classes
    edge = {b: (a, dashed) for a, b, _, dashed in chart.edges}
    assert edge[dkr][1] is False and edge[api][1] is True and edge[s3][1] is True
    assert {b for _, b, _, _ in chart.red_edges()} == {api, s3}
    assert not chart.broken()  # an endpoint-only VPC: its table has no default route by design


def test_a_finding_on_what_the_path_goes_through_is_drawn_on_that_path():
    """An endpoint (NET009), the task's groups (NET010), the network ACL (NET011): the launch site's picture,
    with that part red."""
    md = run_cli("--no-config", "--format", "markdown",
                 os.path.join(FIXTURES, "NET009", "bad_ingress_from_other_range.yaml"),
                 os.path.join(FIXTURES, "NET010", "bad_egress_only_to_vpc.yaml"),
                 os.path.join(FIXTURES, "NET011", "bad_deny_before_allow.yaml")).stdout
    charts = [Chart(c) for c in _charts(md)]
    endpoints = [c for c in charts if any(e[1].startswith("E") for e in c.red_edges())]
    assert sorted(c.nodes[c.red_edges()[0][1]] for c in endpoints) == [
        "ecr.api endpoint EcrApiEndpoint", "ecr.dkr endpoint EcrDkrEndpoint", "logs endpoint LogsEndpoint"]
    assert all(len(c.red_edges()) == 1 for c in endpoints)  # only the endpoint the finding is on
    groups = [c for c in charts if any(c.nodes[n].endswith("no TCP 443 out") for n in c.broken())]
    acls = [c for c in charts if any(c.nodes[n].startswith("network ACL ") for n in c.broken())]
    assert len(groups) == 1 and len(acls) == 1


def test_every_network_fixture_draws_a_chart_in_the_grammar():
    paths = sorted(glob.glob(os.path.join(FIXTURES, "NET0*")))
    md = run_cli("--no-config", "--format", "markdown", *paths).stdout  # one run: one start-up, every folder
    charts = _charts(md)
    assert len(charts) >= 25
    for c in charts:
        chart = Chart(c)
        assert chart.edges and (chart.red or chart.broken()), c
        assert len(chart.nodes) - 1 <= 20  # small: shown open
    assert "<details><summary>path of the pull" not in md


_MANY_SUBNETS = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "s" {
  count  = 12
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "t" {
  count  = 12
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table_association" "a" {
  count          = 12
  subnet_id      = aws_subnet.s[count.index].id
  route_table_id = aws_route_table.t[count.index].id
}
resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = jsonencode([{ name = "app", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1" }])
}
resource "aws_ecs_service" "app" {
  name            = "app"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {
    subnets = aws_subnet.s[*].id
  }
}
"""


def test_only_a_large_picture_is_folded(tmp_path):
    (tmp_path / "main.tf").write_text(_MANY_SUBNETS, encoding="utf-8")
    md = run_cli("--no-config", "--format", "markdown", ".", cwd=str(tmp_path)).stdout
    [c] = _charts(md)
    chart = Chart(c)
    boxes = len(chart.nodes) - 1  # the legend is not counted
    assert boxes > 20 and f"<details><summary>path of the pull ({boxes} boxes)</summary>" in md
    assert len([n for n in chart.nodes.values() if n.startswith("subnet ")]) == 8
    assert chart.nodes[chart.named("4 more subnets")] == "4 more subnets"


_GITHUB = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/infra",
           "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567"}


def _report(cwd, *args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full.update(env)
    r = subprocess.run([os.sys.executable, "-m", "pullcheck", "--no-config", "--format", "markdown", *args],
                       capture_output=True, text=True, cwd=cwd, env=full, timeout=120)
    assert r.returncode == 1, r.stderr
    return r.stdout


def test_each_place_links_to_its_line_on_github():
    md = _report(ROOT, "fixtures/demo", **_GITHUB)
    links = _links(md)
    places = re.findall(r"^- \*\*\[(.*?)\]\(", md, re.M)
    assert len(links) == len(places) == 5
    blob = "https://github.com/octo/infra/blob/0123456789abcdef0123456789abcdef01234567/"
    for text, href in links:
        path, line, _ = text.rsplit(":", 2)
        assert href == f"{blob}{path}#L{line}", (text, href)
        assert os.path.isfile(os.path.join(ROOT, path))
    # a place is still bold text with its link inside
    assert "- **[fixtures/demo/service-stack.yaml:53:15](" + blob + "fixtures/demo/service-stack.yaml#L53)** " in md


def test_no_link_without_githubs_variables_or_with_ones_not_of_their_form():
    assert _links(_report(ROOT, "fixtures/demo")) == []
    for bad in ({"GITHUB_SHA": ""}, {"GITHUB_SERVER_URL": "javascript:alert(1)//"},
                {"GITHUB_REPOSITORY": "octo/infra) [x](http://evil"}, {"GITHUB_SHA": "main"}):
        assert _links(_report(ROOT, "fixtures/demo", **{**_GITHUB, **bad})) == [], bad


def test_a_link_is_relative_to_the_checkout_and_its_path_percent_encoded(tmp_path):
    (tmp_path / "repo" / "in fra").mkdir(parents=True)
    name = "a#b (c) [d]%.yaml"
    shutil.copy(os.path.join(FIXTURES, "NET002", "bad_private_subnet_no_route.yaml"), tmp_path / "repo" / "in fra" / name)
    md = _report(str(tmp_path / "repo" / "in fra"), ".", GITHUB_WORKSPACE=str(tmp_path / "repo"), **_GITHUB)
    [(text, href)] = _links(md)
    # the text as the file is named here (a zero-width joiner after # keeps it from linking an issue)
    assert text == f"{name.replace('#', '#' + chr(0x200d))}:39:15"
    assert href.endswith("/in%20fra/a%23b%20%28c%29%20%5Bd%5D%25.yaml#L39") and unquote(href).count("#") == 2


def test_the_report_drawn_in_docs_is_of_the_chart_the_report_writes():
    """docs/pull-path.svg was rendered from docs/pull-path.mmd with Mermaid in a browser (not in CI); the
    source must still be what the report writes for the demo."""
    md = run_cli("--no-config", "--format", "markdown", os.path.join(ROOT, "fixtures", "demo")).stdout
    with open(os.path.join(ROOT, "docs", "pull-path.mmd"), encoding="utf-8") as f:
        assert f.read().rstrip("\n") == _charts(md)[0]
    assert os.path.getsize(os.path.join(ROOT, "docs", "pull-path.svg")) > 1000


def test_markdown_output_file_and_clean_run(tmp_path):
    good = os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml")
    out = tmp_path / "report.md"
    r = run_cli("--no-config", "--output", str(out), good)
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == "## pullcheck\n\nNo problems found.\n"


_MERMAID = os.path.join(ROOT, "tests", "mermaid")


@pytest.mark.slow
def test_mermaid_parses_every_picture():
    """Mermaid's own parser (in node, with jsdom for the DOM it wants) reads each chart the report draws for the
    fixtures and the demo as a flowchart."""
    if shutil.which("node") is None or not os.path.isdir(os.path.join(_MERMAID, "node_modules", "mermaid")):
        pytest.skip("node and tests/mermaid's packages (npm install --prefix tests/mermaid) are not installed")
    paths = sorted(glob.glob(os.path.join(FIXTURES, "NET0*"))) + [os.path.join(ROOT, "fixtures", "demo")]
    charts = [c for p in paths for c in _charts(run_cli("--no-config", "--format", "markdown", p).stdout)]
    r = subprocess.run(["node", os.path.join(_MERMAID, "parse.mjs")], input=json.dumps(charts), capture_output=True,
                       text=True, cwd=_MERMAID, timeout=300)
    assert r.returncode == 0, r.stderr
    verdicts = json.loads(r.stdout)
    assert len(verdicts) == len(charts) >= 25
    failed = [(c, v["error"]) for c, v in zip(charts, verdicts) if not v["ok"]]
    assert not failed, failed[0]
    assert {v["type"] for v in verdicts} == {"flowchart-v2"}


def test_the_launch_sites_not_judged_are_listed_with_what_they_wait_on(tmp_path):
    bad = os.path.join("fixtures", "NET002", "bad_private_subnet_no_route.yaml")
    unjudged = os.path.join("fixtures", "NET002", "good_subnet_parameter_without_default.yaml")
    out = run_cli("--no-config", "--format", "markdown", bad, unjudged).stdout
    section = out[out.index("### Not judged"):]
    assert "pullcheck judged 1 of 2 launch sites" in section
    lines = section.splitlines()
    site = next(x for x in lines if x.startswith("- "))
    assert "good\\_subnet\\_parameter\\_without\\_default.yaml:34**" in site and " Service (ecs.service)" in site
    waits = [x for x in lines if x.startswith("  - ")]
    assert len(waits) == 1 and "SubnetId" in waits[0] and "supply a parameter file or a stacks-file entry" in waits[0]
    # a run with nothing to report still lists them: "No problems found." is not "every task can pull"
    alone = run_cli("--no-config", "--format", "markdown", unjudged).stdout
    assert alone.index("No problems found.") < alone.index("### Not judged")
    # and a run that judged every launch site has no such section
    assert "Not judged" not in run_cli("--no-config", "--format", "markdown", bad).stdout
