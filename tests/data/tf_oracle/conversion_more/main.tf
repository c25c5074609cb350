locals {
  mixed   = [1, "a", true]
  numbers = [3, 1, 2]
  objs    = [{ a = 1 }, { a = "x" }]
  labels  = { name = "web", port = 80, public = true }
  empty   = []
}

variable "enabled" {
  type    = bool
  default = true
}
