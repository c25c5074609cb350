# terraform-aws-modules/ecs/aws (the root module): the cluster (the ecs-cluster model) and one service of
# the ecs-service model for each entry of `services`, given the entry's attributes of the same names and
# the module's defaults for those it leaves out or sets to null (as 6.x on does; up to 5.x only a missing
# one took the default, and a null launch_type left the choice to the cluster's default strategy, as here).
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

  create                     = try(each.value.create, null) != null ? each.value.create : true
  name                       = try(coalesce(each.value.name, each.key), each.key)
  cluster_arn                = module.cluster.arn
  launch_type                = try(each.value.launch_type, "FARGATE")
  capacity_provider_strategy = try(each.value.capacity_provider_strategy, {})
  platform_version           = try(each.value.platform_version, null)
  subnet_ids                 = try(each.value.subnet_ids, null) != null ? each.value.subnet_ids : []
  assign_public_ip           = try(each.value.assign_public_ip, null) != null ? each.value.assign_public_ip : false
  security_group_ids         = try(each.value.security_group_ids, null) != null ? each.value.security_group_ids : []

  container_definitions    = try(each.value.container_definitions, null) != null ? each.value.container_definitions : {}
  cpu                      = try(each.value.cpu, null) != null ? each.value.cpu : 1024
  memory                   = try(each.value.memory, null) != null ? each.value.memory : 2048
  network_mode             = try(each.value.network_mode, null) != null ? each.value.network_mode : "awsvpc"
  requires_compatibilities = try(each.value.requires_compatibilities, null) != null ? each.value.requires_compatibilities : ["FARGATE"]

  # the execution role: the service's own, else the one given, else (6.x on) the cluster's
  create_task_exec_iam_role   = try(each.value.create_task_exec_iam_role, null) != null ? each.value.create_task_exec_iam_role : true
  task_exec_iam_role_arn      = try(each.value.task_exec_iam_role_arn, null) != null ? each.value.task_exec_iam_role_arn : var.create_task_exec_iam_role ? module.cluster.task_exec_iam_role_arn : null
  task_exec_iam_role_name     = try(each.value.task_exec_iam_role_name, null)
  create_task_exec_policy     = try(each.value.create_task_exec_policy, null) != null ? each.value.create_task_exec_policy : true
  task_exec_iam_role_policies = try(each.value.task_exec_iam_role_policies, null) != null ? each.value.task_exec_iam_role_policies : {}
  task_exec_ssm_param_arns    = try(each.value.task_exec_ssm_param_arns, null) != null ? each.value.task_exec_ssm_param_arns : []
  task_exec_secret_arns       = try(each.value.task_exec_secret_arns, null) != null ? each.value.task_exec_secret_arns : []
  task_exec_iam_statements    = try(each.value.task_exec_iam_statements, null)

  create_security_group        = try(each.value.create_security_group, null) != null ? each.value.create_security_group : true
  vpc_id                       = try(each.value.vpc_id, null)
  security_group_rules         = try(each.value.security_group_rules, null) != null ? each.value.security_group_rules : {}
  security_group_ingress_rules = try(each.value.security_group_ingress_rules, null) != null ? each.value.security_group_ingress_rules : {}
  security_group_egress_rules  = try(each.value.security_group_egress_rules, null) != null ? each.value.security_group_egress_rules : {}
}

output "cluster_arn" { value = module.cluster.arn }
output "cluster_id" { value = module.cluster.id }
output "cluster_name" { value = module.cluster.name }
output "services" { value = module.service }
