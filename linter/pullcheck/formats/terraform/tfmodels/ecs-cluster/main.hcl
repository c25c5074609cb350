# terraform-aws-modules/ecs/aws//modules/cluster: the cluster and its capacity-provider association with the
# default strategy, which a service that sets neither launch type nor strategy runs on. Both versions of the
# inputs are read: up to 5.x, fargate_capacity_providers (every entry in the default strategy while
# default_capacity_provider_use_fargate, else autoscaling_capacity_providers) and cluster_name; from 6.x,
# default_capacity_provider_strategy (a provider's name, or its key) and name.
variable "create" { default = true }
variable "name" { default = "" }
variable "cluster_name" { default = "" }
variable "default_capacity_provider_use_fargate" { default = true }
variable "fargate_capacity_providers" { default = {} }
variable "autoscaling_capacity_providers" { default = {} }
variable "default_capacity_provider_strategy" { default = {} }
variable "cluster_capacity_providers" { default = [] }
variable "capacity_providers" { default = null }

locals {
  name = var.name != null && var.name != "" ? var.name : var.cluster_name
  autoscaling = var.autoscaling_capacity_providers != null ? var.autoscaling_capacity_providers : {}
  fargate = var.fargate_capacity_providers != null ? var.fargate_capacity_providers : {}
  strategy = var.default_capacity_provider_strategy != null ? var.default_capacity_provider_strategy : {}
  # the providers of the default strategy, by name
  default_providers = merge(
    { for k, v in local.fargate : try(coalesce(v.name, k), k) => v if var.default_capacity_provider_use_fargate },
    { for k, v in local.autoscaling : try(coalesce(v.name, k), k) => v if !var.default_capacity_provider_use_fargate },
    { for k, v in local.strategy : try(coalesce(v.name, k), k) => v },
  )
}

resource "aws_ecs_cluster" "this" {
  count = var.create ? 1 : 0
  name  = local.name
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  count              = var.create ? 1 : 0
  cluster_name       = aws_ecs_cluster.this[0].name
  capacity_providers = distinct(concat(keys(local.default_providers), var.cluster_capacity_providers))
  dynamic "default_capacity_provider_strategy" {
    for_each = local.default_providers
    content {
      capacity_provider = default_capacity_provider_strategy.key
    }
  }
}

output "arn" { value = try(aws_ecs_cluster.this[0].arn, null) }
output "id" { value = try(aws_ecs_cluster.this[0].id, null) }
output "name" { value = try(aws_ecs_cluster.this[0].name, null) }
