variable "typed_list" {
  type    = list(string)
  default = [1, true, "x"]
}

variable "typed_map" {
  type    = map(number)
  default = { a = "1", b = 2.5 }
}

variable "typed_set" {
  type    = set(string)
  default = ["b", "a", "b"]
}

variable "nested" {
  type = list(object({
    name = string
    tags = optional(map(string), {})
    port = optional(number)
  }))
  default = [{ name = "x" }, { name = "y", port = "80", tags = { k = 1 } }]
}

variable "anyval" {
  type    = any
  default = { a = [1, "two"], b = { c = true } }
}

variable "list_any" {
  type    = list(any)
  default = [1, "a"]
}

variable "nullable_no" {
  type     = string
  default  = "d"
  nullable = false
}

locals {
  s      = toset(["b", "a", "c"])
  nset   = toset([10, 9, 100])
  m      = { z = 1, a = 2, "B" = 3, "b" = 4 }
  mixed  = [1, "a", true]
  objs   = { one = { v = 1 }, two = { v = 2 } }
  n      = null
  big    = 9007199254740993
  frac   = 1 / 3
}
