# terraform-aws-modules/vpc/aws//modules/vpc-endpoints: one endpoint per entry of var.endpoints
variable "vpc_id" { default = null }
variable "endpoints" { default = {} }
variable "security_group_ids" { default = [] }
variable "subnet_ids" { default = [] }
variable "create" { default = true }

resource "aws_vpc_endpoint" "this" {
  # as the module writes it: `var.create ? var.endpoints : {}` is an error in Terraform when the endpoints differ in shape
  for_each            = { for k, v in var.endpoints : k => v if var.create }
  vpc_id              = var.vpc_id
  service_name        = lookup(each.value, "service_endpoint", "com.amazonaws.${data.aws_region.current.name}.${each.value.service}")
  vpc_endpoint_type   = lookup(each.value, "service_type", "Interface")
  private_dns_enabled = lookup(each.value, "private_dns_enabled", null)
  subnet_ids          = lookup(each.value, "service_type", "Interface") == "Interface" ? distinct(concat(var.subnet_ids, lookup(each.value, "subnet_ids", []))) : null
  security_group_ids  = lookup(each.value, "service_type", "Interface") == "Interface" ? length(distinct(concat(var.security_group_ids, lookup(each.value, "security_group_ids", [])))) > 0 ? distinct(concat(var.security_group_ids, lookup(each.value, "security_group_ids", []))) : null : null
  route_table_ids     = lookup(each.value, "service_type", "Interface") == "Gateway" ? lookup(each.value, "route_table_ids", null) : null
  policy              = lookup(each.value, "policy", null)
}

output "endpoints" { value = aws_vpc_endpoint.this }
