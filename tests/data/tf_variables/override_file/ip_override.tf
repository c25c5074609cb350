# merged into service.tf after it (override files come last, whatever their names), as Terraform
# merges them: the default becomes true, the type stays bool
variable "public_ip" {
  default = true
}
