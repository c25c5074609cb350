variable "name" {
  type = string
}

variable "image" {
  type = string
}

variable "subnets" {
  type = list(string)
}

variable "assign_public_ip" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "region" {
  type = string
}

provider "aws" {
  region = var.region
}

resource "aws_ecs_task_definition" "app" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions = jsonencode([
    {
      name  = "app"
      image = var.image
    }
  ])
  tags = var.tags
}

resource "aws_ecs_service" "app" {
  name            = var.name
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.app.arn
  network_configuration {
    subnets          = var.subnets
    assign_public_ip = var.assign_public_ip
  }
}
