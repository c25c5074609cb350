# terraform-aws-modules/ecs/aws//modules/service: the service (unless create_service is false; on its
# cluster, with its capacity provider strategy), its task definition (unless create_task_definition is false:
# then task_definition_arn) and execution role (with the policy the module writes for it), and the
# security group it creates (create_security_group), with the rules of either version of its inputs:
# security_group_rules (up to 5.x) or security_group_ingress_rules / security_group_egress_rules (6.x on).
# An input that 6.x declares nullable = false takes its default when given null; launch_type does not, as
# up to 5.x, so that a null one leaves the choice to the cluster's default strategy.
variable "name" { default = null }
variable "create" {
  default  = true
  nullable = false
}
variable "create_service" {
  default  = true
  nullable = false
}
variable "create_task_definition" {
  default  = true
  nullable = false
}
variable "task_definition_arn" { default = null }
variable "launch_type" { default = "FARGATE" }
variable "capacity_provider_strategy" { default = {} }
variable "cluster_arn" { default = null }
variable "subnet_ids" {
  default  = []
  nullable = false
}
variable "assign_public_ip" {
  default  = false
  nullable = false
}
variable "security_group_ids" {
  default  = []
  nullable = false
}
variable "create_security_group" {
  default  = true
  nullable = false
}
variable "vpc_id" { default = null }
variable "security_group_rules" {
  default  = {}
  nullable = false
}
variable "security_group_ingress_rules" {
  default  = {}
  nullable = false
}
variable "security_group_egress_rules" {
  default  = {}
  nullable = false
}
variable "requires_compatibilities" {
  default  = ["FARGATE"]
  nullable = false
}
variable "network_mode" {
  default  = "awsvpc"
  nullable = false
}
variable "cpu" {
  default  = 1024
  nullable = false
}
variable "memory" {
  default  = 2048
  nullable = false
}
variable "container_definitions" {
  default  = {}
  nullable = false
}
variable "create_task_exec_iam_role" {
  default  = true
  nullable = false
}
variable "task_exec_iam_role_arn" { default = null }
variable "platform_version" { default = null }
variable "create_task_exec_policy" {
  default  = true
  nullable = false
}
variable "task_exec_iam_role_name" { default = null }
variable "task_exec_iam_role_policies" {
  default  = {}
  nullable = false
}
variable "task_exec_ssm_param_arns" {
  default  = []
  nullable = false
}
variable "task_exec_secret_arns" {
  default  = []
  nullable = false
}
variable "task_exec_iam_statements" { default = null }

locals {
  create_service         = var.create && var.create_service
  create_task_definition = var.create && var.create_task_definition
}

resource "aws_ecs_task_definition" "this" {
  count                    = local.create_task_definition ? 1 : 0
  family                   = var.name
  requires_compatibilities = var.requires_compatibilities
  network_mode             = var.network_mode
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = try(aws_iam_role.task_exec[0].arn, var.task_exec_iam_role_arn)
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
  count            = local.create_service ? 1 : 0
  name             = var.name
  cluster          = var.cluster_arn
  launch_type      = try(length(var.capacity_provider_strategy) > 0, false) ? null : var.launch_type
  task_definition  = local.create_task_definition ? aws_ecs_task_definition.this[0].arn : var.task_definition_arn
  platform_version = var.platform_version
  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy != null ? var.capacity_provider_strategy : {}
    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      base              = try(capacity_provider_strategy.value.base, null)
      weight            = try(capacity_provider_strategy.value.weight, null)
    }
  }
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

# the execution role the module creates: trusted by ECS tasks, with what AmazonECSTaskExecutionRolePolicy
# allows (logs and ECR), the parameters and secrets it is given, the statements and policies added
resource "aws_iam_role" "task_exec" {
  count              = local.create_task_definition && var.create_task_exec_iam_role ? 1 : 0
  name               = coalesce(var.task_exec_iam_role_name, "${var.name}-task-exec")
  assume_role_policy = data.aws_iam_policy_document.task_exec_assume.json
}

# the policy documents without the module's count: a document has no effect of its own, and one that is
# not counted is read through its reference
data "aws_iam_policy_document" "task_exec_assume" {
  statement {
    sid     = "ECSTaskExecutionAssumeRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "task_exec" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["*"]
  }
  statement {
    sid       = "ECR"
    actions   = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = length(var.task_exec_ssm_param_arns) > 0 ? [1] : []
    content {
      sid       = "GetSSMParams"
      actions   = ["ssm:GetParameters"]
      resources = var.task_exec_ssm_param_arns
    }
  }
  dynamic "statement" {
    for_each = length(var.task_exec_secret_arns) > 0 ? [1] : []
    content {
      sid       = "GetSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.task_exec_secret_arns
    }
  }
  dynamic "statement" {
    for_each = var.task_exec_iam_statements != null ? var.task_exec_iam_statements : []
    content {
      sid           = try(statement.value.sid, null)
      actions       = try(statement.value.actions, null)
      not_actions   = try(statement.value.not_actions, null)
      effect        = try(statement.value.effect, null)
      resources     = try(statement.value.resources, null)
      not_resources = try(statement.value.not_resources, null)
    }
  }
}

resource "aws_iam_policy" "task_exec" {
  count  = local.create_task_definition && var.create_task_exec_iam_role && var.create_task_exec_policy ? 1 : 0
  policy = data.aws_iam_policy_document.task_exec.json
}

resource "aws_iam_role_policy_attachment" "task_exec" {
  count      = local.create_task_definition && var.create_task_exec_iam_role && var.create_task_exec_policy ? 1 : 0
  role       = aws_iam_role.task_exec[0].name
  policy_arn = aws_iam_policy.task_exec[0].arn
}

resource "aws_iam_role_policy_attachment" "task_exec_additional" {
  for_each   = { for k, v in var.task_exec_iam_role_policies : k => v if local.create_task_definition && var.create_task_exec_iam_role }
  role       = aws_iam_role.task_exec[0].name
  policy_arn = each.value
}

output "id" { value = try(aws_ecs_service.this[0].id, null) }
output "name" { value = try(aws_ecs_service.this[0].name, null) }
output "task_definition_arn" { value = try(aws_ecs_task_definition.this[0].arn, null) }
output "task_definition_family" { value = try(aws_ecs_task_definition.this[0].family, null) }
output "task_exec_iam_role_arn" { value = try(aws_iam_role.task_exec[0].arn, var.task_exec_iam_role_arn) }
output "task_exec_iam_role_name" { value = try(aws_iam_role.task_exec[0].name, null) }
output "security_group_id" { value = try(aws_security_group.this[0].id, null) }
output "security_group_arn" { value = try(aws_security_group.this[0].arn, null) }
