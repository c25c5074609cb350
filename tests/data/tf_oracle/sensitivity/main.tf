variable "secret" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}
variable "plain" {
  type    = string
  default = "open"
}
variable "flagged_off" {
  default   = "x"
  sensitive = false
}
locals {
  hidden  = sensitive("h")
  shown   = "v"
  mixed   = "${local.shown}-${var.secret}"
  listed  = [var.secret, "b"]
  mapped  = { a = sensitive(1), b = 2 }
  through = local.hidden
  undone  = nonsensitive(var.secret)
}
