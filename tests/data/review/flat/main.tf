data "aws_subnets" "p" {
  filter {
    name   = "tag:Tier"
    values = ["private"]
  }
}
locals {
  subnets = flatten([data.aws_subnets.p.ids])
}
resource "aws_ecs_service" "svc" {
  name            = "x"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.t.arn
  network_configuration {
    subnets = [try(local.subnets[1], aws_subnet.fallback.id)]
  }
}
resource "aws_ecs_task_definition" "t" {
  family                   = "t"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = jsonencode([{ name = "a", image = "public.ecr.aws/x/y:1", essential = true }])
}
output "n" { value = length(local.subnets) }

resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "aws_default_route_table" "main" { default_route_table_id = aws_vpc.v.default_route_table_id }
resource "aws_subnet" "fallback" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.9.0/24"
}
