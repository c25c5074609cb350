# terraform-aws-modules/ecs/aws//modules/service: the service, its task definition and execution role, and
# the security group it creates (create_security_group), with the rules of either version of its inputs:
# security_group_rules (up to 5.x) or security_group_ingress_rules / security_group_egress_rules (6.x on)
variable "name" { default = null }
variable "create" { default = true }
variable "launch_type" { default = "FARGATE" }
variable "capacity_provider_strategy" { default = {} }
variable "subnet_ids" { default = [] }
variable "assign_public_ip" { default = false }
variable "security_group_ids" { default = [] }
variable "create_security_group" { default = true }
variable "vpc_id" { default = null }
variable "security_group_rules" { default = {} }
variable "security_group_ingress_rules" { default = {} }
variable "security_group_egress_rules" { default = {} }
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
    security_groups  = flatten(concat([try(aws_security_group.this[0].id, [])], var.security_group_ids))
  }
}

locals {
  create_security_group = var.create && var.create_security_group && var.network_mode == "awsvpc"
}

data "aws_subnet" "this" {
  count = local.create_security_group ? 1 : 0
  id    = element(var.subnet_ids, 0)
}

# no egress block: Terraform removes the rule that lets everything out, so the group lets out only what
# its rules say (none by default)
resource "aws_security_group" "this" {
  count  = local.create_security_group ? 1 : 0
  vpc_id = var.vpc_id != null ? var.vpc_id : data.aws_subnet.this[0].vpc_id
}

resource "aws_security_group_rule" "this" {
  for_each                 = { for k, v in var.security_group_rules : k => v if local.create_security_group }
  security_group_id        = aws_security_group.this[0].id
  protocol                 = each.value.protocol
  from_port                = each.value.from_port
  to_port                  = each.value.to_port
  type                     = each.value.type
  cidr_blocks              = lookup(each.value, "cidr_blocks", null)
  ipv6_cidr_blocks         = lookup(each.value, "ipv6_cidr_blocks", null)
  prefix_list_ids          = lookup(each.value, "prefix_list_ids", null)
  self                     = lookup(each.value, "self", null)
  source_security_group_id = lookup(each.value, "source_security_group_id", null)
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each                     = { for k, v in var.security_group_ingress_rules : k => v if local.create_security_group }
  security_group_id            = aws_security_group.this[0].id
  cidr_ipv4                    = lookup(each.value, "cidr_ipv4", null)
  cidr_ipv6                    = lookup(each.value, "cidr_ipv6", null)
  from_port                    = lookup(each.value, "from_port", null)
  to_port                      = try(coalesce(lookup(each.value, "to_port", null), lookup(each.value, "from_port", null)), null)
  ip_protocol                  = lookup(each.value, "ip_protocol", "tcp")
  prefix_list_id               = lookup(each.value, "prefix_list_id", null)
  referenced_security_group_id = lookup(each.value, "referenced_security_group_id", null) == "self" ? aws_security_group.this[0].id : lookup(each.value, "referenced_security_group_id", null)
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each                     = { for k, v in var.security_group_egress_rules : k => v if local.create_security_group }
  security_group_id            = aws_security_group.this[0].id
  cidr_ipv4                    = lookup(each.value, "cidr_ipv4", null)
  cidr_ipv6                    = lookup(each.value, "cidr_ipv6", null)
  from_port                    = try(coalesce(lookup(each.value, "from_port", null), lookup(each.value, "to_port", null)), null)
  to_port                      = lookup(each.value, "to_port", null)
  ip_protocol                  = lookup(each.value, "ip_protocol", "tcp")
  prefix_list_id               = lookup(each.value, "prefix_list_id", null)
  referenced_security_group_id = lookup(each.value, "referenced_security_group_id", null) == "self" ? aws_security_group.this[0].id : lookup(each.value, "referenced_security_group_id", null)
}

output "id" { value = try(aws_ecs_service.this[0].id, null) }
output "name" { value = try(aws_ecs_service.this[0].name, null) }
output "task_definition_arn" { value = try(aws_ecs_task_definition.this[0].arn, null) }
output "task_definition_family" { value = try(aws_ecs_task_definition.this[0].family, null) }
output "task_exec_iam_role_arn" { value = var.create_task_exec_iam_role ? aws_ecs_task_definition.this[0].execution_role_arn : var.task_exec_iam_role_arn }
output "security_group_id" { value = try(aws_security_group.this[0].id, null) }
output "security_group_arn" { value = try(aws_security_group.this[0].arn, null) }
