# Override files merged into this module after it, one after another in the lexical order of their names
# (a_override.tf, b_override.tf.json, override.tf), each block into the block of the same header.
variable "image_tag" {
  type    = string
  default = "1.0"
}

variable "retries" {
  type    = string
  default = "5"
}

variable "subnets" {
  type    = list(string)
  default = []
}

variable "mode" {
  type    = string
  default = "awsvpc"
}

variable "only_described" {
  default = "kept"
}

variable "public_ip" {
  type    = bool
  default = false
}

locals {
  name   = "main"
  chain  = "main"
  region = "eu-west-1"
}

locals {
  image = "nginx:${var.image_tag}"
}

output "name" {
  value = local.name
}
