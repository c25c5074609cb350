variable "s" {
  type    = string
  default = "x"
}
locals {
  t_name = "hello $${name}"
  t_ok   = "hi $${who}"
  t_list = "v $${v}"
  t_null = "n $${v}"
  t_bad  = "oops $${"
  t_fn   = "$${nosuch(1)}"
  l      = [1, 2]
}
