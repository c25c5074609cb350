name        = "web"
region      = "eu-west-1"
cluster_arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"

subnet_ids         = ["subnet-a", "subnet-b"]
security_group_ids = ["sg-1"]

deployment_controller = { type = "ECS" }
scheduling_strategy   = "REPLICA"

container_definitions = {
  web = {
    image        = "public.ecr.aws/nginx/nginx:1.27"
    cpu          = 256
    memory       = "512"
    essential    = true
    portMappings = [{ name = "http", containerPort = 80, protocol = "tcp" }]
    environment  = [{ name = "MODE", value = "prod" }, { name = "WORKERS", value = 4 }]
    healthCheck  = { command = ["CMD-SHELL", "true"], retries = 5 }
  }
  sidecar = {
    name                        = "log-router"
    image                       = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
    user                        = "0"
    readonlyRootFilesystem      = false
    create_cloudwatch_log_group = false
    logConfiguration            = { logDriver = "awsfirelens" }
  }
  disabled = {
    create = false
    image  = "busybox"
  }
}
