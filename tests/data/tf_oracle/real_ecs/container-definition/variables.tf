# Reduced from terraform-aws-modules/terraform-aws-ecs v7.5.0, modules/container-definition/variables.tf
# (Apache-2.0): the variables the locals read, with their types and defaults (descriptions left out).
variable "region" {
  type    = string
  default = null
}

variable "operating_system_family" {
  type     = string
  default  = "LINUX"
  nullable = false
}

variable "command" {
  type    = list(string)
  default = null
}

variable "cpu" {
  type    = number
  default = null
}

variable "dockerLabels" {
  type    = map(string)
  default = null
}

variable "enable_execute_command" {
  type     = bool
  default  = false
  nullable = false
}

variable "environment" {
  type = list(object({
    name  = string
    value = string
  }))
  default = null
}

variable "essential" {
  type    = bool
  default = null
}

variable "healthCheck" {
  type = object({
    command     = optional(list(string), [])
    interval    = optional(number, 30)
    retries     = optional(number, 3)
    startPeriod = optional(number)
    timeout     = optional(number, 5)
  })
  default = null
}

variable "image" {
  type    = string
  default = null
}

variable "interactive" {
  type     = bool
  default  = false
  nullable = false
}

variable "linuxParameters" {
  type = object({
    capabilities = optional(object({
      add  = optional(list(string))
      drop = optional(list(string))
    }))
    initProcessEnabled = optional(bool)
    maxSwap            = optional(number)
    sharedMemorySize   = optional(number)
    swappiness         = optional(number)
  })
  default  = {}
  nullable = false
}

variable "logConfiguration" {
  type = object({
    logDriver = optional(string)
    options   = optional(map(string))
    secretOptions = optional(list(object({
      name      = string
      valueFrom = string
    })))
  })
  default  = {}
  nullable = false
}

variable "memory" {
  type    = number
  default = null
}

variable "name" {
  type    = string
  default = null
}

variable "portMappings" {
  type = list(object({
    appProtocol        = optional(string)
    containerPort      = optional(number)
    containerPortRange = optional(string)
    hostPort           = optional(number)
    name               = optional(string)
    protocol           = optional(string)
  }))
  default = null
}

variable "privileged" {
  type     = bool
  default  = false
  nullable = false
}

variable "readonlyRootFilesystem" {
  type     = bool
  default  = true
  nullable = false
}

variable "restartPolicy" {
  type = object({
    enabled              = optional(bool, true)
    ignoredExitCodes     = optional(list(number))
    restartAttemptPeriod = optional(number)
  })
  default = {
    enabled = true
  }
  nullable = false
}

variable "startTimeout" {
  type    = number
  default = 30
}

variable "stopTimeout" {
  type    = number
  default = 120
}

variable "user" {
  type    = string
  default = null
}

variable "versionConsistency" {
  type     = string
  default  = "disabled"
  nullable = false
}

variable "service" {
  type    = string
  default = null
}

variable "enable_cloudwatch_logging" {
  type     = bool
  default  = true
  nullable = false
}

variable "create_cloudwatch_log_group" {
  type     = bool
  default  = true
  nullable = false
}

variable "cloudwatch_log_group_name" {
  type    = string
  default = null
}
