# Expressions Terraform rejects: out of range, missing keys and attributes, wrong types.
locals {
  l       = [1, 2, 3]
  m       = { a = 1, b = 2 }
  obj     = { name = "web", port = 80 }
  nullval = null
}
