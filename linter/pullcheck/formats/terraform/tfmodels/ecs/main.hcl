# terraform-aws-modules/ecs/aws (the root module): the cluster (the ecs-cluster model) and one service of
# the ecs-service model for each entry of `services`, given the entry's attributes of the same names (one
# left out, or null, takes the service module's default, as from 6.x on). launch_type stays null when the
# entry sets it to null, as up to 5.x: the cluster's default strategy then decides. The cluster's own
# execution role (create_task_exec_iam_role, 6.x on) is not modelled: a service that uses it has an unknown one.
variable "create" { default = true }
variable "cluster_name" { default = "" }
variable "default_capacity_provider_use_fargate" { default = true }
variable "fargate_capacity_providers" { default = {} }
variable "autoscaling_capacity_providers" { default = {} }
variable "default_capacity_provider_strategy" { default = null }
variable "cluster_capacity_providers" { default = [] }
variable "capacity_providers" { default = null }
variable "create_task_exec_iam_role" { default = false }
variable "services" { default = {} }

module "cluster" {
  source = "../ecs-cluster"

  create                                = var.create
  name                                  = var.cluster_name
  default_capacity_provider_use_fargate = var.default_capacity_provider_use_fargate
  fargate_capacity_providers            = var.fargate_capacity_providers
  autoscaling_capacity_providers        = var.autoscaling_capacity_providers
  default_capacity_provider_strategy    = var.default_capacity_provider_strategy
  cluster_capacity_providers            = var.cluster_capacity_providers
  capacity_providers                    = var.capacity_providers
}

module "service" {
  source   = "../ecs-service"
  for_each = var.create && var.services != null ? var.services : {}

  create                     = try(each.value.create, null)
  create_service             = try(each.value.create_service, null)
  name                       = try(coalesce(each.value.name, each.key), each.key)
  cluster_arn                = module.cluster.arn
  launch_type                = try(each.value.launch_type, "FARGATE")
  capacity_provider_strategy = try(each.value.capacity_provider_strategy, {})
  platform_version           = try(each.value.platform_version, null)
  subnet_ids                 = try(each.value.subnet_ids, null)
  assign_public_ip           = try(each.value.assign_public_ip, null)
  security_group_ids         = try(each.value.security_group_ids, null)

  create_task_definition   = try(each.value.create_task_definition, null)
  task_definition_arn      = try(each.value.task_definition_arn, null)
  container_definitions    = try(each.value.container_definitions, null)
  cpu                      = try(each.value.cpu, null)
  memory                   = try(each.value.memory, null)
  network_mode             = try(each.value.network_mode, null)
  requires_compatibilities = try(each.value.requires_compatibilities, null)

  # the execution role: the service's own, else the one given, else (6.x on) the cluster's
  create_task_exec_iam_role   = try(each.value.create_task_exec_iam_role, null)
  task_exec_iam_role_arn      = var.create_task_exec_iam_role ? try(coalesce(each.value.task_exec_iam_role_arn, module.cluster.task_exec_iam_role_arn), null) : try(each.value.task_exec_iam_role_arn, null)
  task_exec_iam_role_name     = try(each.value.task_exec_iam_role_name, null)
  create_task_exec_policy     = try(each.value.create_task_exec_policy, null)
  task_exec_iam_role_policies = try(each.value.task_exec_iam_role_policies, null)
  task_exec_ssm_param_arns    = try(each.value.task_exec_ssm_param_arns, null)
  task_exec_secret_arns       = try(each.value.task_exec_secret_arns, null)
  task_exec_iam_statements    = try(each.value.task_exec_iam_statements, null)

  create_security_group        = try(each.value.create_security_group, null)
  vpc_id                       = try(each.value.vpc_id, null)
  security_group_rules         = try(each.value.security_group_rules, null)
  security_group_ingress_rules = try(each.value.security_group_ingress_rules, null)
  security_group_egress_rules  = try(each.value.security_group_egress_rules, null)
}

output "cluster_arn" { value = module.cluster.arn }
output "cluster_id" { value = module.cluster.id }
output "cluster_name" { value = module.cluster.name }
output "services" { value = module.service }
