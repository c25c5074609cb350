variable "name" {
  type = string
}

variable "size" {
  type    = number
  default = 1
}

locals {
  label = "${var.name}-${var.size}"
}

output "label" {
  value = local.label
}

output "doubled" {
  value = var.size * 2
}

output "tags" {
  value = { Name = var.name, Size = var.size }
}
