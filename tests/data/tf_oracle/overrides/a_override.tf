locals {
  chain = "a_override.tf"
  name  = "a_override.tf"
}

# a new type: the default, written in main.tf, is converted to it
variable "retries" {
  type = number
}

# a new default, converted to the type main.tf gives
variable "subnets" {
  default = [1, 2]
}
