# format() and formatlist(): verbs, widths, precision and flags.
locals {
  name  = "web"
  port  = 8080
  ratio = 3.14159
}
