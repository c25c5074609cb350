# the root module tests/tf_fuzz.py evaluates its random expressions in: variables of each kind of type
# (optional attributes, nullable, sensitive), locals of mixed types, and terraform_data whose output is unknown
variable "n" {
  type    = number
  default = "7"
}
variable "s" {
  type    = string
  default = 12
}
variable "l" {
  type    = list(string)
  default = ["b", "a", "b", 1]
}
variable "st" {
  type    = set(string)
  default = ["z", "x", "y", "x"]
}
variable "m" {
  type    = map(number)
  default = { b = 2, a = "1", "B" = 3 }
}
variable "o" {
  type = object({
    name = string
    port = optional(number, 80)
    tags = optional(map(string), {})
    subs = optional(list(object({ id = string, w = optional(number) })), [])
  })
  default = { name = "svc", subs = [{ id = "s1" }, { id = "s2", w = 2 }] }
}
variable "nn" {
  type     = string
  default  = null
  nullable = true
}
variable "nonnull" {
  type     = list(number)
  default  = [1, 2]
  nullable = false
}
variable "anyv" {
  type    = any
  default = { a = [1, "x"], b = { c = true } }
}
variable "sec" {
  type      = string
  default   = "hush"
  sensitive = true
}
variable "secmap" {
  type      = map(string)
  default   = { k = "v", j = "w" }
  sensitive = true
}
resource "terraform_data" "u" {
  input = "u"
}
locals {
  nums   = [3, -1, 2.5, 10, 0]
  strs   = ["b", "A", "a", "é", "10", "9"]
  objs   = [{ name = "x", port = 80 }, { name = "y", port = 443 }, { name = "z", port = null }]
  omap   = { one = { v = 1 }, two = { v = 2 } }
  tmap   = { a = ["x", "y"], b = ["y"], c = [] }
  mixed  = [1, "a", true, null]
  sens   = sensitive("s")
  senl   = [sensitive(1), 2]
  unk    = terraform_data.u.output
  unkl   = [terraform_data.u.output, "k"]
  unkm   = { a = terraform_data.u.output, b = "b" }
  nul    = null
  emptyl = []
  emptym = {}
  big    = 18446744073709551616
  frac   = 0.1
  neg    = -3
  text   = "Hello, Wörld"
  cidr   = "10.0.0.0/16"
  cidr6  = "fd00::/56"
  json   = "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\",\"n\":1.50}"
  yaml   = "a: 1\nb: [x, 'y', 2.0]\nc: {d: null, e: yes}\n"
  csv    = "a,b\n1,x\n2,\"y,z\"\n"
}
