locals {
  third   = 1 / 3
  tenth   = 0.1
  big     = 123456789012345678901234567890
  huge    = 1e400
  ports   = [80, 443, 8080]
  cpu     = "256"
  memory  = 512
  ratio   = 0.25
  repunit = 1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111
}

variable "scale" {
  type    = number
  default = 1.5
}
