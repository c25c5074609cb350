resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
  tags = { Name = "core" }
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
  tags = { Name = "private" }
}
resource "aws_internet_gateway" "g" { vpc_id = aws_vpc.v.id }
resource "aws_subnet" "pub" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_route_table" "pub" {
  vpc_id = aws_vpc.v.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.g.id
  }
}
resource "aws_route_table_association" "pub" {
  subnet_id      = aws_subnet.pub.id
  route_table_id = aws_route_table.pub.id
}
resource "aws_nat_gateway" "n" {
  subnet_id     = aws_subnet.pub.id
  allocation_id = "eipalloc-123"
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.v.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.n.id
  }
}
data "aws_vpc" "core" {
  filter {
    name   = "tag:Name"
    values = ["core"]
  }
}
data "aws_subnet" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.core.id]
  }
  filter {
    name   = "tag:Name"
    values = ["private"]
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = data.aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "sg" {
  vpc_id = aws_vpc.v.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_ecs_service" "svc" {
  name            = "x"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.t.arn
  network_configuration {
    subnets         = [aws_subnet.s.id]
    security_groups = [aws_security_group.sg.id]
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
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.v.default_route_table_id
}
