# optional() attributes of object types filled as Terraform fills them, nested too, in the shapes real
# modules use (terraform-aws-modules/ecs's service takes maps of objects full of optional attributes).
variable "network" {
  type = object({
    subnets          = list(string)
    assign_public_ip = optional(bool, false)
    security_groups  = optional(list(string), [])
    description      = optional(string)
  })
  default = { subnets = ["subnet-a"] }
}

variable "containers" {
  type = map(object({
    image     = string
    essential = optional(bool, true)
    cpu       = optional(number, 256)
    port_mappings = optional(list(object({
      containerPort = number
      protocol      = optional(string, "tcp")
    })), [])
    log = optional(object({
      driver  = optional(string, "awslogs")
      options = optional(map(string), {})
    }), {})
  }))
  default = {}
}

variable "nested_default" {
  type = object({
    settings = optional(object({
      retries = optional(number, 3)
      delay   = optional(number)
    }), { delay = 5 })
  })
  default = {}
}

variable "null_attribute" {
  type    = object({ mode = optional(string, "awsvpc") })
  default = { mode = null }
}

variable "whole_null" {
  type    = object({ mode = optional(string, "awsvpc") })
  default = null
}

variable "in_a_list" {
  type    = list(object({ name = string, weight = optional(number, 1), base = optional(number, 0) }))
  default = [{ name = "FARGATE" }, { name = "FARGATE_SPOT", weight = 4 }]
}

variable "converted_default" {
  type    = object({ port = optional(number, "8080"), label = optional(string, 7) })
  default = {}
}

variable "from_tfvars" {
  type = object({
    cluster = string
    service = optional(object({
      desired   = optional(number, 1)
      public_ip = optional(bool, false)
    }), {})
  })
}
