variable "name" {
  type = string
}

variable "image" {
  type = string
}

variable "cpu" {
  type = number
}

variable "subnets" {
  type = list(string)
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = 1024
  container_definitions = jsonencode([
    {
      name  = var.name
      image = var.image
    }
  ])
}

resource "aws_ecs_service" "this" {
  name            = var.name
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.this.arn
  network_configuration {
    subnets          = var.subnets
    assign_public_ip = false
  }
}

output "name" {
  value = aws_ecs_service.this.name
}
