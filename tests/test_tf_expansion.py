"""Module calls with count and for_each expanded into their instances, counted resources read as the list or
map Terraform makes of them, and the errors Terraform reports (an undeclared variable, a missing file): the
real evaluator on real files, and a Terraform folder linted end to end (tests/data/tf_expansion)."""
import os

import pytest
from conftest import ROOT, lint_paths

from pullcheck.formats.terraform.console import evaluate
from pullcheck.formats.terraform.declared import ModuleGroup
from pullcheck.formats.terraform.hcl import parse_expression
from pullcheck.formats.terraform.modules import MAX_MODULE_INSTANCES, load_module, root_module
from pullcheck.graph.model import Graph
from pullcheck.graph.values import Missing, Ref, Template, Undeclared, Unknown
from pullcheck.sources import scope
from pullcheck.sources.session import current

SVC = '''variable "name" {
  type = string
}
variable "size" {
  type    = number
  default = 1
}
output "label" {
  value = "${var.name}-${var.size}"
}
resource "aws_iam_role" "this" {
  name = var.name
}
'''


def _write(folder, files):
    for name, text in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return str(folder)


@pytest.fixture
def scoped():
    """Values of expressions in the root module of a folder, the folder being the run's scope."""
    session = current()
    before = (session.roots, session.also)

    def values(folder, *exprs):
        scope.set_roots([folder])
        module, errors = root_module(folder, Graph())
        assert errors == []
        return [module.evaluator({}).eval(parse_expression(e)) for e in exprs]

    yield values
    session.roots, session.also = before


def _project(tmp_path, main):
    return _write(tmp_path, {"main.tf": main, "svc/main.tf": SVC})


CALLS = '''module "single" {
  source = "./svc"
  name   = "one"
}
module "counted" {
  source = "./svc"
  count  = 2
  name   = "c${count.index}"
}
module "each" {
  source   = "./svc"
  for_each = { small = 1, large = 3 }
  name     = each.key
  size     = each.value
}
module "none" {
  source = "./svc"
  count  = 0
  name   = "never"
}
'''


def test_instances_of_count_and_for_each_are_read_as_terraform_reads_them(tmp_path, scoped):
    folder = _project(tmp_path, CALLS)
    got = scoped(folder, 'module.counted[1].label', 'module.each["large"].label', 'length(module.counted)',
                 'keys(module.each)', 'module.none', '[for k, m in module.each : m.label]',
                 'module.counted[*].label', 'one(module.none)', 'module.single.label')
    assert got == ["c1-1", "large-3", 2, ["large", "small"], [], ["large-3", "small-1"], ["c0-1", "c1-1"],
                   None, "one-1"]


def test_an_index_or_output_that_is_not_there_is_terraform_s_error(tmp_path, scoped):
    folder = _project(tmp_path, CALLS)
    past, key, attr, output, undeclared, tried = scoped(
        folder, 'module.counted[2]', 'module.each["medium"]', 'module.counted.label', 'module.single.missing',
        'module.missing.label', 'try(module.counted[5].label, "d")')
    for v in (past, key, attr, output):
        assert isinstance(v, Missing) and not isinstance(v, Undeclared), v
    assert isinstance(undeclared, Undeclared)
    assert tried == "d"


def test_an_unknown_count_leaves_the_module_unknown(tmp_path, scoped):
    folder = _project(tmp_path, 'variable "n" {\n  type = number\n}\n'
                                'module "m" {\n  source = "./svc"\n  count  = var.n\n  name   = "x"\n}\n')
    whole, indexed = scoped(folder, 'module.m', 'module.m[0].label')
    assert isinstance(whole, Unknown) and not isinstance(whole, Missing)
    assert isinstance(indexed, Unknown) and not isinstance(indexed, Missing)


def test_a_count_may_read_a_module_declared_after_it(tmp_path, scoped):
    folder = _write(tmp_path, {
        "main.tf": 'module "uses" {\n  source = "./svc"\n  count  = module.sizes.n\n  name = "u"\n}\n'
                   'module "sizes" {\n  source = "./n"\n}\n',
        "svc/main.tf": SVC, "n/main.tf": 'output "n" {\n  value = 3\n}\n'})
    assert scoped(folder, 'length(module.uses)', 'module.uses[2].label') == [3, "u-1"]


def test_each_instance_builds_its_resources_under_its_address(tmp_path):
    folder = _write(tmp_path, {
        "main.tf": 'module "outer" {\n  source   = "./outer"\n  for_each = toset(["a", "b"])\n'
                   '  name     = each.key\n}\n',
        "outer/main.tf": 'variable "name" {}\nmodule "inner" {\n  source = "../svc"\n  count  = 2\n'
                         '  name   = "${var.name}${count.index}"\n}\n',
        "svc/main.tf": SVC})
    graph = Graph()
    session = current()
    before = (session.roots, session.also)
    scope.set_roots([folder])
    try:
        assert load_module(folder, graph) == []
    finally:
        session.roots, session.also = before
    names = sorted(r.name for r in graph.resources.values())
    assert names == [f'module.outer["{k}"].module.inner[{i}].aws_iam_role.this' for k in "ab" for i in (0, 1)]


def test_instances_are_bounded_by_the_module_instances_of_a_configuration(tmp_path, scoped):
    folder = _project(tmp_path, f'module "many" {{\n  source = "./svc"\n  count  = {MAX_MODULE_INSTANCES + 1}\n'
                                f'  name   = "m"\n}}\n')
    (got,) = scoped(folder, 'module.many')
    assert isinstance(got, Unknown) and "module instances" in got.origin
    module, _ = root_module(folder, Graph())
    assert not isinstance(module.children["many"], ModuleGroup)


COUNTED = '''resource "aws_iam_role" "r" {
  count = 2
  name  = "r${count.index}"
}
resource "aws_iam_role" "m" {
  for_each = toset(["x", "y"])
  name     = each.key
}
'''


def test_a_counted_resource_named_bare_is_a_list_of_its_instances(tmp_path, scoped):
    folder = _write(tmp_path, {"main.tf": COUNTED})
    n, arns, legacy, joined, keys, past = scoped(
        folder, 'length(aws_iam_role.r)', 'aws_iam_role.r[*].arn', 'aws_iam_role.r.*.arn',
        'join("", aws_iam_role.r.*.arn)', 'keys(aws_iam_role.m)', 'aws_iam_role.r[2]')
    assert n == 2 and keys == ["x", "y"]
    assert [(type(a), a.attr) for a in arns] == [(Ref, "arn"), (Ref, "arn")]
    assert arns[0].target != arns[1].target and legacy == arns
    assert isinstance(joined, (Template, Unknown)) and not isinstance(joined, Missing)
    assert isinstance(past, Missing)


def test_pullcheck_console_keeps_resources_unknown_as_terraform_console_does(tmp_path):
    folder = _write(tmp_path, {"main.tf": COUNTED})
    assert all(line.startswith("(unknown: ") for line in evaluate(folder, ['length(aws_iam_role.r)',
                                                                           'aws_iam_role.r[5].name']))


def test_errors_where_terraform_errs(tmp_path, scoped):
    (tmp_path / "here.txt").write_text("hi")
    folder = _write(tmp_path / "root", {"main.tf": 'variable "unset" {\n  type = string\n}\n'})
    nope, tried, missing, past, outside, unset, workspace = scoped(
        folder, 'var.nope', 'try(var.nope, 1)', 'file("nope.txt")', 'try(file("nope.txt"), "")',
        'file("../here.txt")', 'var.unset', 'terraform.workspace')
    assert isinstance(nope, Undeclared) and isinstance(tried, Undeclared)
    assert isinstance(missing, Missing) and past == ""
    assert isinstance(outside, Unknown) and not isinstance(outside, Missing)  # outside the scanned tree
    assert isinstance(unset, Unknown) and not isinstance(unset, Missing)
    assert workspace == "default"


def test_a_fargate_service_in_a_module_with_for_each_is_reported_once_per_instance(rules):
    data = os.path.join(ROOT, "tests", "data", "tf_expansion")
    found = lint_paths([os.path.join(data, "app")], rules, "NET001", roots=[data])
    assert sorted((os.path.relpath(f.file, data), f.line, f.resource) for f in found) == [
        ("service/main.tf", 37, 'module.service["api"].aws_ecs_service.this'),
        ("service/main.tf", 37, 'module.service["worker"].aws_ecs_service.this')]
    assert all(f.message.startswith(f.resource + " runs on Fargate in public subnet") for f in found)


def test_a_suppression_on_a_call_with_for_each_covers_its_instances(rules, tmp_path):
    data = os.path.join(ROOT, "tests", "data", "tf_expansion")
    for part in ("app", "service"):
        _write(tmp_path / part, {"main.tf": open(os.path.join(data, part, "main.tf"), encoding="utf-8").read()})
    app = tmp_path / "app" / "main.tf"
    app.write_text(app.read_text().replace('module "service" {',
                                           '# pullcheck: ignore[NET001] public by design\nmodule "service" {'))
    found = lint_paths([str(tmp_path / "app")], rules, "NET001", roots=[str(tmp_path)])
    assert [f.rule_id for f in found] == []


def test_the_registry_service_module_with_for_each_makes_a_launch_site_per_instance(tmp_path, rules):
    # terraform-aws-modules/ecs calls its service module with for_each; read from pullcheck's model here
    (tmp_path / "main.tf").write_text('''module "vpc" {
  source          = "terraform-aws-modules/vpc/aws"
  name            = "demo"
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b"]
  private_subnets = ["10.0.11.0/24", "10.0.12.0/24"]
}

module "service" {
  source   = "terraform-aws-modules/ecs/aws//modules/service"
  for_each = { web = "nginx:1.27", api = "nginx:1.26" }

  name       = each.key
  subnet_ids = module.vpc.private_subnets
  container_definitions = {
    (each.key) = { image = each.value }
  }
  security_group_egress_rules = { all = { ip_protocol = "-1", cidr_ipv4 = "0.0.0.0/0" } }
}
''')
    found = lint_paths([str(tmp_path)], rules, "NET")
    assert sorted((f.line, f.rule_id, f.resource) for f in found) == [
        (14, "NET002", f'module.service["{k}"].aws_ecs_service.this[0]') for k in ("api", "web")]


# subnets counted from a slice of the zones a data source gives: Terraform reads the data source while
# planning, so the slice is as long as it asks (or Terraform's error), and the subnets are three
ZONES = '''data "aws_availability_zones" "up" {
  state = "available"
}
locals {
  zones = slice(data.aws_availability_zones.up.names, 0, 3)
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "private" {
  count             = length(local.zones)
  vpc_id            = aws_vpc.v.id
  availability_zone = local.zones[count.index]
  cidr_block        = cidrsubnet("10.0.0.0/16", 8, count.index)
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.v.id
}
resource "aws_route_table_association" "private" {
  count          = length(aws_subnet.private)
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}
resource "aws_ecs_service" "s" {
  name        = "s"
  launch_type = "FARGATE"
  network_configuration {
    subnets = aws_subnet.private[*].id
  }
}
'''


def test_a_slice_of_a_data_source_s_list_keeps_its_length(tmp_path, scoped):
    folder = _write(tmp_path, {"main.tf": ZONES})
    zones, n, names, listed, joined, bounded, wrong, deduplicated = scoped(
        folder, 'local.zones', 'length(local.zones)', '[for z in local.zones : "zone ${z}"]',
        'length(concat(tolist(local.zones), ["x"]))', 'join(",", aws_subnet.private[*].id)',
        'range(length(aws_subnet.private))', 'slice(data.aws_availability_zones.up.names, 2, 1)',
        'length(toset(local.zones))')
    assert len(zones) == 3 and all(isinstance(z, Unknown) for z in zones) and n == 3
    assert len(names) == 3 and all(isinstance(x, Template) for x in names) and listed == 4
    assert isinstance(joined, Template) and [p for p in joined.parts if isinstance(p, str)] == [",", ","]
    assert bounded == [0, 1, 2] and isinstance(wrong, Missing)
    # equal elements of a set are one: the length of a set of unknowns is not known
    assert isinstance(deduplicated, Unknown) and not isinstance(deduplicated, Missing)


def test_a_fargate_service_in_subnets_counted_from_the_zones_is_judged(tmp_path, rules):
    folder = _write(tmp_path, {"main.tf": ZONES})
    found = lint_paths([folder], rules, "NET002")
    assert [(f.rule_id, f.resource) for f in found] == [("NET002", "aws_ecs_service.s")]
    # a whole data source's list, of a length not known: the subnets are not known, nor is the service judged
    whole = ZONES.replace("slice(data.aws_availability_zones.up.names, 0, 3)", "data.aws_availability_zones.up.names")
    _write(tmp_path, {"main.tf": whole})
    assert lint_paths([folder], rules, "NET002") == []
