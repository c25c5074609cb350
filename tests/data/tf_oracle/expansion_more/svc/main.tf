variable "name" {
  type = string
}

variable "ports" {
  type    = list(number)
  default = [80]
}

variable "opts" {
  type = object({
    public = optional(bool, false)
    zones  = optional(list(string), [])
  })
  default = {}
}

output "name" {
  value = var.name
}

output "ports" {
  value = var.ports
}

output "first_port" {
  value = var.ports[0]
}

output "public" {
  value = var.opts.public
}

output "zones" {
  value = var.opts.zones
}

output "nothing" {
  value = null
}
