# Terraform's automatic conversions: strings, numbers and bools, and the unification of types.
locals {
  n      = 80
  s      = "80"
  flag   = true
  mixed  = { a = 1, b = "x", c = true }
  nums   = [1, 2]
  nothing = null
}
