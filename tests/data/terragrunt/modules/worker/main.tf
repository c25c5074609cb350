variable "subnets" {
  type = list(string)
}

variable "region" {
  type = string
}

module "worker_sg" {
  source = "git::https://example.com/platform/terraform-aws-sg.git?ref=v2.1.0"
  name   = "worker"
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions = jsonencode([
    {
      name  = "worker"
      image = "nginx:1.27"
    }
  ])
}

resource "aws_ecs_service" "worker" {
  name            = "worker"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.worker.arn
  network_configuration {
    subnets          = var.subnets
    security_groups  = [module.worker_sg.security_group_id]
    assign_public_ip = true
  }
}
