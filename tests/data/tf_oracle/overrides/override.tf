locals {
  chain = "override.tf"
}

variable "mode" {
  nullable = false
}

variable "public_ip" {
  default = true
}
