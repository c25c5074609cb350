# replaces the service's network_configuration block whole; its other arguments stay
resource "aws_ecs_service" "app" {
  network_configuration {
    subnets          = aws_subnet.public[*].id
    assign_public_ip = true
  }
}
