# Reduced from terraform-aws-modules/terraform-aws-ecs v7.5.0, modules/container-definition (Apache-2.0): see
# ../README.md. data.aws_region.current.region is var.region, and the log group resource's name is the
# name the resource would be given.
locals {
  is_not_windows = contains(["LINUX"], var.operating_system_family)

  service        = var.service != null ? "/${var.service}" : ""
  name           = var.name != null ? "/${var.name}" : ""
  log_group_name = try(coalesce(var.cloudwatch_log_group_name, "/aws/ecs${local.service}${local.name}"), "")

  # tflint-ignore: terraform_naming_convention
  logConfiguration = merge(
    { for k, v in {
      logDriver = "awslogs",
      options = {
        awslogs-region        = var.region,
        awslogs-group         = var.create_cloudwatch_log_group && var.enable_cloudwatch_logging ? local.log_group_name : "",
        awslogs-stream-prefix = "ecs"
      },
    } : k => v if var.create_cloudwatch_log_group },
    { for k, v in var.logConfiguration : k => v if v != null }
  )

  # tflint-ignore: terraform_naming_convention
  trimedLinuxParameters = { for k, v in var.linuxParameters : k => v if v != null }
  # tflint-ignore: terraform_naming_convention
  linuxParameters = var.enable_execute_command ? merge({ "initProcessEnabled" : true }, local.trimedLinuxParameters) : merge({ "initProcessEnabled" : false }, local.trimedLinuxParameters)

  # tflint-ignore: terraform_naming_convention
  trimmedRestartPolicy = { for k, v in var.restartPolicy : k => v if v != null }

  definition = {
    command                = var.command
    cpu                    = var.cpu
    dockerLabels           = var.dockerLabels
    environment            = var.environment != null ? var.environment : null
    essential              = var.essential
    healthCheck            = var.healthCheck != null ? { for k, v in var.healthCheck : k => v if v != null } : null
    image                  = var.image
    interactive            = var.interactive
    linuxParameters        = local.is_not_windows ? local.linuxParameters : null
    logConfiguration       = length(local.logConfiguration) > 0 ? local.logConfiguration : null
    memory                 = var.memory
    name                   = var.name
    portMappings           = var.portMappings != null ? [for p in var.portMappings : { for k, v in p : k => v if v != null }] : null
    privileged             = local.is_not_windows ? var.privileged : null
    readonlyRootFilesystem = local.is_not_windows ? var.readonlyRootFilesystem : null
    restartPolicy          = local.trimmedRestartPolicy.enabled ? local.trimmedRestartPolicy : null
    startTimeout           = var.startTimeout
    stopTimeout            = var.stopTimeout
    user                   = local.is_not_windows ? var.user : null
    versionConsistency     = var.versionConsistency
  }

  # Strip out all null values, ECS API will provide defaults in place of null/empty values
  container_definition = { for k, v in local.definition : k => v if v != null }
}

output "container_definition" {
  value = local.container_definition
}

output "container_definition_json" {
  value = jsonencode(local.container_definition)
}

output "log_group_name" {
  value = local.log_group_name
}
