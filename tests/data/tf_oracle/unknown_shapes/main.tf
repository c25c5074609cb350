variable "s" {
  type = string
}

variable "l" {
  type = list(string)
}

variable "o" {
  type = object({ a = string, n = list(number), m = map(bool), t = tuple([string, number]) })
}

variable "free" {}

resource "terraform_data" "a" {
  input = "a"
}

resource "terraform_data" "b" {
  input = "b"
}

locals {
  pair  = [terraform_data.a.output, terraform_data.b.output]
  mixed = [terraform_data.a.output, "x", 1]
  obj   = { k = terraform_data.a.output, j = "y" }
}

module "child" {
  source = "./child"
  s      = terraform_data.a.output
  o      = terraform_data.b.output
}
