"""Data sources answered from resources declared elsewhere in the run, when the match is exact."""
import os

from conftest import lint_paths

NETWORK = '''resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "core" }
}

resource "aws_subnet" "private" {
  for_each   = { a = "10.0.1.0/24", b = "10.0.2.0/24" }
  vpc_id     = aws_vpc.main.id
  cidr_block = each.value
  tags       = { Name = "core-private-${each.key}", Tier = "private" }
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
  tags       = { Name = "core-public-a" }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "private" {
  for_each       = aws_subnet.private
  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}
'''
SERVICE = '''data "aws_subnets" "private" {
  filter {
    name   = "tag:Name"
    values = ["%s"]
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = jsonencode([{ name = "app", image = "nginx:1.27" }])
}

resource "aws_ecs_service" "app" {
  name            = "app"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {
    subnets = data.aws_subnets.private.ids
  }
}
'''


def _run(tmp_path, rules, pattern, with_network=True):
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "main.tf").write_text(NETWORK)
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "main.tf").write_text(SERVICE % pattern)
    paths = [str(tmp_path / "service")] + ([str(tmp_path / "network")] if with_network else [])
    return [(os.path.relpath(f.file, tmp_path), f.line, f.rule_id, f.message) for f in lint_paths(paths, rules, "NET")]


def test_tag_filter_selects_subnets_declared_elsewhere(tmp_path, rules):
    found = _run(tmp_path, rules, "core-private-*")
    assert [f[:3] for f in found] == [("service/main.tf", 22, "NET002")]
    assert "subnet aws_subnet.private[\"a\"]" in found[0][3]


def test_no_match_stays_unknown(tmp_path, rules):
    assert _run(tmp_path, rules, "other-*") == []


def test_without_the_network_in_the_run_it_is_unknown(tmp_path, rules):
    assert _run(tmp_path, rules, "core-private-*", with_network=False) == []
