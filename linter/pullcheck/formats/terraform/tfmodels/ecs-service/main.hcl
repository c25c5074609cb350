# terraform-aws-modules/ecs/aws//modules/service: the service, its task definition and execution role
variable "name" { default = null }
variable "create" { default = true }
variable "launch_type" { default = "FARGATE" }
variable "capacity_provider_strategy" { default = {} }
variable "subnet_ids" { default = [] }
variable "assign_public_ip" { default = false }
variable "security_group_ids" { default = [] }
variable "create_security_group" { default = true }
variable "requires_compatibilities" { default = ["FARGATE"] }
variable "network_mode" { default = "awsvpc" }
variable "cpu" { default = 1024 }
variable "memory" { default = 2048 }
variable "container_definitions" { default = {} }
variable "create_task_exec_iam_role" { default = true }
variable "task_exec_iam_role_arn" { default = null }
variable "platform_version" { default = null }

resource "aws_ecs_task_definition" "this" {
  count                    = var.create ? 1 : 0
  family                   = var.name
  requires_compatibilities = var.requires_compatibilities
  network_mode             = var.network_mode
  cpu                      = var.cpu
  memory                   = var.memory
  # the module creates the role when asked to; what it allows is not modelled, so it stays unknown
  execution_role_arn = var.create_task_exec_iam_role ? "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${var.name}-exec" : var.task_exec_iam_role_arn
  container_definitions = jsonencode([for k, v in var.container_definitions : {
    name  = lookup(v, "name", k)
    image = lookup(v, "image", null)
    logConfiguration = lookup(v, "enable_cloudwatch_logging", true) ? {
      logDriver = "awslogs"
      options   = { "awslogs-stream-prefix" = "ecs" }
    } : lookup(v, "log_configuration", null)
  }])
}

resource "aws_ecs_service" "this" {
  count            = var.create ? 1 : 0
  name             = var.name
  launch_type      = length(var.capacity_provider_strategy) > 0 ? null : var.launch_type
  task_definition  = aws_ecs_task_definition.this[0].arn
  platform_version = var.platform_version
  network_configuration {
    subnets          = var.subnet_ids
    assign_public_ip = var.assign_public_ip
    # the group the module creates has the rules of var.security_group_rules, not modelled: unknown
    security_groups = var.create_security_group ? concat(var.security_group_ids, [data.aws_security_group.module.id]) : var.security_group_ids
  }
}
