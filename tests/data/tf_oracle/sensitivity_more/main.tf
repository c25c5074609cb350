resource "terraform_data" "a" {
  input = "a"
}
variable "secret" {
  default = "s"
  sensitive = true
}
locals { m = { a = sensitive(1), b = 2 } }
