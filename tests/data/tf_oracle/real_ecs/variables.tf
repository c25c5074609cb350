# Reduced from terraform-aws-modules/terraform-aws-ecs v7.5.0, modules/service/variables.tf (Apache-2.0): the
# variables the locals read, with their types and defaults (descriptions left out). container_definitions
# keeps the attributes this reduced call passes on.
variable "create" {
  type     = bool
  default  = true
  nullable = false
}

variable "create_service" {
  type     = bool
  default  = true
  nullable = false
}

variable "create_task_definition" {
  type     = bool
  default  = true
  nullable = false
}

variable "region" {
  type    = string
  default = null
}

variable "name" {
  type    = string
  default = ""
}

variable "disable_v7_default_name_description" {
  type    = bool
  default = false
}

variable "cluster_arn" {
  type     = string
  default  = ""
  nullable = false
}

variable "deployment_controller" {
  type = object({
    type = optional(string)
  })
  default = null
}

variable "scheduling_strategy" {
  type    = string
  default = null
}

variable "launch_type" {
  type     = string
  default  = "FARGATE"
  nullable = false
}

variable "assign_public_ip" {
  type     = bool
  default  = false
  nullable = false
}

variable "security_group_ids" {
  type     = list(string)
  default  = []
  nullable = false
}

# stands for aws_security_group.this[0].id, a resource of the service module
variable "created_security_group_id" {
  type    = string
  default = null
}

variable "subnet_ids" {
  type     = list(string)
  default  = []
  nullable = false
}

variable "network_mode" {
  type     = string
  default  = "awsvpc"
  nullable = false
}

variable "load_balancer" {
  type = map(object({
    container_name   = string
    container_port   = number
    target_group_arn = optional(string)
  }))
  default = null
}

variable "iam_role_name" {
  type    = string
  default = null
}

variable "task_exec_iam_role_name" {
  type    = string
  default = null
}

variable "tasks_iam_role_name" {
  type    = string
  default = null
}

variable "enable_autoscaling" {
  type     = bool
  default  = true
  nullable = false
}

variable "enable_execute_command" {
  type     = bool
  default  = false
  nullable = false
}

variable "container_definitions" {
  type = map(object({
    create                      = optional(bool, true)
    command                     = optional(list(string))
    cpu                         = optional(number)
    environment                 = optional(list(object({ name = string, value = string })))
    essential                   = optional(bool)
    healthCheck                 = optional(object({ command = optional(list(string), []), interval = optional(number, 30), retries = optional(number, 3), startPeriod = optional(number), timeout = optional(number, 5) }))
    image                       = optional(string)
    linuxParameters             = optional(object({ initProcessEnabled = optional(bool), sharedMemorySize = optional(number) }), {})
    logConfiguration            = optional(object({ logDriver = optional(string), options = optional(map(string)) }), {})
    memory                      = optional(number)
    name                        = optional(string)
    portMappings                = optional(list(object({ containerPort = optional(number), hostPort = optional(number), name = optional(string), protocol = optional(string) })))
    readonlyRootFilesystem      = optional(bool, true)
    user                        = optional(string)
    create_cloudwatch_log_group = optional(bool, true)
  }))
  default  = {}
  nullable = false
}
