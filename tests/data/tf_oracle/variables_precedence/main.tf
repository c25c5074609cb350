# Which of a root module's variables files wins: defaults, then terraform.tfvars, then terraform.tfvars.json,
# then *.auto.tfvars and *.auto.tfvars.json together in the lexical order of their names.
variable "only_default" {
  default = "default"
}

variable "tfvars" {
  default = "default"
}

variable "tfvars_json" {
  default = "default"
}

variable "auto_a" {
  default = "default"
}

variable "auto_b_json" {
  default = "default"
}

variable "auto_c" {
  default = "default"
}

variable "auto_upper" {
  default = "default"
}

variable "port" {
  type    = number
  default = 80
}

variable "required" {
  type = string
}

variable "nullable_default" {
  type    = string
  default = "default"
}

variable "not_nullable" {
  type     = string
  default  = "default"
  nullable = false
}

variable "not_nullable_list" {
  type     = list(string)
  default  = ["a"]
  nullable = false
}

variable "untyped_number" {
  default = 1
}

variable "subnets" {
  type    = list(string)
  default = []
}

locals {
  from_variables = "${var.tfvars}-${var.auto_c}-${var.port}"
}
