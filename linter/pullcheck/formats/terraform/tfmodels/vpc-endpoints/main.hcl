# terraform-aws-modules/vpc/aws//modules/vpc-endpoints: one endpoint per entry of var.endpoints, and the
# security group the module creates when asked (create_security_group), with var.security_group_rules
variable "vpc_id" { default = null }
variable "endpoints" { default = {} }
variable "security_group_ids" { default = [] }
variable "subnet_ids" { default = [] }
variable "create" { default = true }
variable "create_security_group" { default = false }
variable "security_group_name" { default = null }
variable "security_group_name_prefix" { default = null }
variable "security_group_description" { default = null }
variable "security_group_rules" { default = {} }

locals {
  # as the module writes it: `var.create ? var.endpoints : {}` is an error in Terraform when the endpoints differ in shape
  endpoints          = { for k, v in var.endpoints : k => v if var.create && try(v.create, true) }
  security_group_ids = var.create && var.create_security_group ? concat(var.security_group_ids, [aws_security_group.this[0].id]) : var.security_group_ids
}

resource "aws_vpc_endpoint" "this" {
  for_each            = local.endpoints
  vpc_id              = var.vpc_id
  service_name        = lookup(each.value, "service_endpoint", "com.amazonaws.${data.aws_region.current.name}.${each.value.service}")
  vpc_endpoint_type   = lookup(each.value, "service_type", "Interface")
  private_dns_enabled = lookup(each.value, "service_type", "Interface") == "Interface" ? lookup(each.value, "private_dns_enabled", null) : null
  subnet_ids          = lookup(each.value, "service_type", "Interface") == "Interface" ? distinct(concat(var.subnet_ids, lookup(each.value, "subnet_ids", []))) : null
  security_group_ids  = lookup(each.value, "service_type", "Interface") == "Interface" ? length(distinct(concat(local.security_group_ids, lookup(each.value, "security_group_ids", [])))) > 0 ? distinct(concat(local.security_group_ids, lookup(each.value, "security_group_ids", []))) : null : null
  route_table_ids     = lookup(each.value, "service_type", "Interface") == "Gateway" ? lookup(each.value, "route_table_ids", null) : null
  policy              = lookup(each.value, "policy", null)
}

# no egress block: Terraform removes the rule that lets everything out, as the module's group has it
resource "aws_security_group" "this" {
  count       = var.create && var.create_security_group ? 1 : 0
  name        = var.security_group_name
  name_prefix = var.security_group_name_prefix
  description = var.security_group_description
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "this" {
  for_each                 = { for k, v in var.security_group_rules : k => v if var.create && var.create_security_group }
  security_group_id        = aws_security_group.this[0].id
  protocol                 = try(each.value.protocol, "tcp")
  from_port                = try(each.value.from_port, 443)
  to_port                  = try(each.value.to_port, 443)
  type                     = try(each.value.type, "ingress")
  cidr_blocks              = lookup(each.value, "cidr_blocks", null)
  ipv6_cidr_blocks         = lookup(each.value, "ipv6_cidr_blocks", null)
  prefix_list_ids          = lookup(each.value, "prefix_list_ids", null)
  self                     = try(each.value.self, null)
  source_security_group_id = lookup(each.value, "source_security_group_id", null)
}

output "endpoints" { value = aws_vpc_endpoint.this }
output "security_group_id" { value = try(aws_security_group.this[0].id, null) }
output "security_group_arn" { value = try(aws_security_group.this[0].arn, null) }
