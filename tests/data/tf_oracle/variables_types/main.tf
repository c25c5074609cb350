# Type constraints applied as Terraform converts values to them: primitives to one another where text
# allows, collections element by element, objects keeping only their attributes, any unified.
variable "port" {
  type    = number
  default = "8080"
}

variable "fraction" {
  type    = number
  default = "1.50"
}

variable "exponent" {
  type    = number
  default = "1e3"
}

variable "text_from_number" {
  type    = string
  default = 42
}

variable "text_from_fraction" {
  type    = string
  default = 0.25
}

variable "text_from_bool" {
  type    = string
  default = true
}

variable "bool_from_text" {
  type    = bool
  default = "true"
}

variable "bool_from_one" {
  type    = bool
  default = "1"
}

variable "bool_from_zero" {
  type    = bool
  default = "0"
}

variable "tags" {
  type    = map(string)
  default = { port = 8080, public = false, name = "app" }
}

variable "ports" {
  type    = list(number)
  default = ["80", 443, "8080"]
}

variable "zones" {
  type    = set(string)
  default = ["b", "a", "b", "10", "9"]
}

variable "weights" {
  type    = set(number)
  default = [10, 9, 1.5, 9]
}

variable "flags" {
  type    = set(bool)
  default = [true, false, true]
}

variable "mixed_any" {
  type    = list(any)
  default = [1, "a", true]
}

variable "map_any" {
  type    = map(any)
  default = { a = 1, b = "x" }
}

variable "map_of_lists" {
  type    = map(list(any))
  default = { a = [1, "x"], b = [true] }
}

variable "objects_any" {
  type    = list(any)
  default = [{ a = 1 }, { b = "x" }]
}

variable "objects_same" {
  type    = list(any)
  default = [{ a = 1, b = true }, { a = "x", b = false }]
}

variable "tuples_any" {
  type    = list(any)
  default = [[1], ["x", "y"]]
}

variable "plain_any" {
  type    = any
  default = [1, "a", { b = true }]
}

variable "null_in_any" {
  type    = list(any)
  default = [null, 1]
}

variable "object" {
  type    = object({ name = string, port = number, extra = optional(bool) })
  default = { name = 1, port = "80", dropped = "not in the type" }
}

variable "objects" {
  type    = list(object({ name = string, ports = list(number) }))
  default = [{ name = "a", ports = ["1", 2] }, { name = 2, ports = [] }]
}

variable "by_name" {
  type    = map(object({ cidr = string, public = bool }))
  default = { a = { cidr = "10.0.0.0/24", public = "true" }, b = { cidr = "10.0.1.0/24", public = false } }
}

variable "pair" {
  type    = tuple([string, number, bool])
  default = [1, "2", "false"]
}

variable "legacy_list" {
  type    = list
  default = [1, "a"]
}

variable "legacy_map" {
  type    = map
  default = { a = 1 }
}

variable "null_list" {
  type    = list(string)
  default = null
}

variable "from_tfvars" {
  type    = number
  default = 0
}

variable "list_from_tfvars" {
  type    = list(string)
  default = []
}

variable "object_from_tfvars" {
  type    = object({ enabled = bool, count = number })
  default = { enabled = false, count = 0 }
}
