# try() and can(): which failures they catch, and what they give back.
variable "novalue" {
  type = string
}
locals {
  l       = [1, 2, 3]
  m       = { a = 1, b = 2 }
  obj     = { name = "web", inner = { port = 80 } }
  nullval = null
  objs    = [{ name = "a" }, { name = "b" }]
}
