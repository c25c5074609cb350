# Reduced from terraform-aws-modules/terraform-aws-ecs v7.5.0, modules/service (Apache-2.0): see README.md.
# The service's locals that read variables only, and its call of the container-definition module, once
# for each container (as the service calls it) and once on its own.
locals {
  is_external_deployment = try(var.deployment_controller.type, null) == "EXTERNAL"
  is_daemon              = var.scheduling_strategy == "DAEMON"
  is_fargate             = var.launch_type == "FARGATE"

  network_configuration = {
    assign_public_ip = var.assign_public_ip
    security_groups  = flatten(concat([try(var.created_security_group_id, [])], var.security_group_ids))
    subnets          = var.subnet_ids
  }

  create_service = var.create && var.create_service

  needs_iam_role = var.network_mode != "awsvpc" && var.load_balancer != null
  iam_role_name  = try(coalesce(var.iam_role_name, var.name), "")

  create_task_definition  = var.create && var.create_task_definition
  task_exec_iam_role_name = coalesce(var.task_exec_iam_role_name, "${var.name}${var.disable_v7_default_name_description ? "" : "-task-exec"}")
  tasks_iam_role_name     = coalesce(var.tasks_iam_role_name, "${var.name}${var.disable_v7_default_name_description ? "" : "-tasks"}")

  enable_autoscaling = local.create_service && var.enable_autoscaling && !local.is_daemon
  cluster_name       = try(element(split("/", var.cluster_arn), 1), "")

  # aws_ecs_task_definition.this: container_definitions
  container_definitions = jsonencode([for k, v in module.container_definition : v.container_definition])
}

module "container_definition" {
  source = "./container-definition"

  region = var.region

  for_each = { for k, v in var.container_definitions : k => v if local.create_task_definition && v.create }

  enable_execute_command = var.enable_execute_command

  command                = each.value.command
  cpu                    = each.value.cpu
  environment            = each.value.environment
  essential              = each.value.essential
  healthCheck            = each.value.healthCheck
  image                  = each.value.image
  linuxParameters        = each.value.linuxParameters
  logConfiguration       = each.value.logConfiguration
  memory                 = each.value.memory
  name                   = coalesce(each.value.name, each.key)
  portMappings           = each.value.portMappings
  readonlyRootFilesystem = each.value.readonlyRootFilesystem
  user                   = each.value.user

  service                     = var.name
  create_cloudwatch_log_group = each.value.create_cloudwatch_log_group
}

module "app" {
  source = "./container-definition"

  region                 = var.region
  enable_execute_command = true
  name                   = "app"
  image                  = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0"
  cpu                    = "256"
  essential              = true
  portMappings = [
    { containerPort = 8080, protocol = "tcp" },
    { name = "metrics", containerPort = "9090" },
  ]
  environment = [{ name = "PORT", value = 8080 }]
  healthCheck = { command = ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"] }
  service     = var.name
}
