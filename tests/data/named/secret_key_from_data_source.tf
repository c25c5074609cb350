data "aws_secretsmanager_secret" "db" { name = "dev/db" }
resource "aws_iam_role" "exec" {
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ecs-tasks.amazonaws.com"}}]})
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}
resource "aws_iam_role_policy" "s" {
  role   = aws_iam_role.exec.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = data.aws_secretsmanager_secret.db.arn}]})
}
resource "aws_ecs_task_definition" "t" {
  family = "t"
  requires_compatibilities = ["FARGATE"]
  network_mode = "awsvpc"
  cpu = 256
  memory = 512
  execution_role_arn = aws_iam_role.exec.arn
  container_definitions = jsonencode([{name = "app", image = "public.ecr.aws/nginx/nginx:latest",
    secrets = [{name = "PW", valueFrom = "${data.aws_secretsmanager_secret.db.arn}:password::"}]}])
}
