# terraform-aws-modules/vpc/aws: the parts that decide egress (inputs, defaults and outputs as documented)
variable "name" { default = "" }
variable "cidr" { default = "10.0.0.0/16" }
variable "azs" { default = [] }
variable "public_subnets" { default = [] }
variable "private_subnets" { default = [] }
variable "intra_subnets" { default = [] }
variable "database_subnets" { default = [] }
variable "enable_nat_gateway" { default = false }
variable "single_nat_gateway" { default = false }
variable "one_nat_gateway_per_az" { default = false }
variable "create_igw" { default = true }
variable "create_private_nat_gateway_route" { default = true }
variable "create_database_nat_gateway_route" { default = false }
variable "enable_dns_hostnames" { default = true }
variable "enable_dns_support" { default = true }
variable "public_subnet_suffix" { default = "public" }
variable "private_subnet_suffix" { default = "private" }
variable "intra_subnet_suffix" { default = "intra" }
variable "database_subnet_suffix" { default = "db" }
variable "create_database_subnet_route_table" { default = false }
variable "manage_default_security_group" { default = true }
variable "default_security_group_ingress" { default = [] }
variable "default_security_group_egress" { default = [] }
variable "manage_default_route_table" { default = true }
variable "default_route_table_routes" { default = [] }
variable "tags" { default = {} }
variable "vpc_tags" { default = {} }
variable "public_subnet_tags" { default = {} }
variable "private_subnet_tags" { default = {} }
variable "intra_subnet_tags" { default = {} }
variable "database_subnet_tags" { default = {} }
variable "public_subnet_tags_per_az" { default = {} }
variable "private_subnet_tags_per_az" { default = {} }
variable "intra_subnet_tags_per_az" { default = {} }
variable "public_subnet_names" { default = [] }
variable "private_subnet_names" { default = [] }
variable "intra_subnet_names" { default = [] }
variable "database_subnet_names" { default = [] }

locals {
  nat_gateway_count = var.single_nat_gateway ? 1 : var.one_nat_gateway_per_az ? length(var.azs) : length(var.private_subnets)
  private_tables    = var.single_nat_gateway ? 1 : length(var.private_subnets)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = var.enable_dns_hostnames
  enable_dns_support   = var.enable_dns_support
  tags                 = merge({ Name = var.name }, var.tags, var.vpc_tags)
}

resource "aws_internet_gateway" "this" {
  count  = var.create_igw && length(var.public_subnets) > 0 ? 1 : 0
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "public" {
  count      = length(var.public_subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = element(var.public_subnets, count.index)
  tags = merge(
    { Name = try(var.public_subnet_names[count.index],
      "${var.name}-${var.public_subnet_suffix}-${element(var.azs, count.index)}") },
    var.tags,
    var.public_subnet_tags,
    lookup(var.public_subnet_tags_per_az, element(var.azs, count.index), {})
  )
}

resource "aws_route_table" "public" {
  count  = length(var.public_subnets) > 0 ? 1 : 0
  vpc_id = aws_vpc.this.id
}

resource "aws_route" "public_internet_gateway" {
  count                  = var.create_igw && length(var.public_subnets) > 0 ? 1 : 0
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count          = length(var.public_subnets)
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_subnet" "private" {
  count      = length(var.private_subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = element(var.private_subnets, count.index)
  tags = merge(
    { Name = try(var.private_subnet_names[count.index],
      "${var.name}-${var.private_subnet_suffix}-${element(var.azs, count.index)}") },
    var.tags,
    var.private_subnet_tags,
    lookup(var.private_subnet_tags_per_az, element(var.azs, count.index), {})
  )
}

resource "aws_route_table" "private" {
  count  = length(var.private_subnets) > 0 ? local.private_tables : 0
  vpc_id = aws_vpc.this.id
}

resource "aws_route_table_association" "private" {
  count          = length(var.private_subnets)
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = element(aws_route_table.private[*].id, var.single_nat_gateway ? 0 : count.index)
}

resource "aws_nat_gateway" "this" {
  count     = var.enable_nat_gateway ? local.nat_gateway_count : 0
  subnet_id = element(aws_subnet.public[*].id, var.single_nat_gateway ? 0 : count.index)
}

resource "aws_route" "private_nat_gateway" {
  count                  = var.enable_nat_gateway && var.create_private_nat_gateway_route ? local.private_tables : 0
  route_table_id         = element(aws_route_table.private[*].id, count.index)
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = element(aws_nat_gateway.this[*].id, count.index)
}

resource "aws_subnet" "intra" {
  count      = length(var.intra_subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = element(var.intra_subnets, count.index)
  tags = merge(
    { Name = try(var.intra_subnet_names[count.index],
      "${var.name}-${var.intra_subnet_suffix}-${element(var.azs, count.index)}") },
    var.tags,
    var.intra_subnet_tags,
    lookup(var.intra_subnet_tags_per_az, element(var.azs, count.index), {})
  )
}

# intra subnets never get a NAT route
resource "aws_route_table" "intra" {
  count  = length(var.intra_subnets) > 0 ? 1 : 0
  vpc_id = aws_vpc.this.id
}

resource "aws_route_table_association" "intra" {
  count          = length(var.intra_subnets)
  subnet_id      = aws_subnet.intra[count.index].id
  route_table_id = aws_route_table.intra[0].id
}

# database subnets take the private route tables unless they are given their own
resource "aws_subnet" "database" {
  count      = length(var.database_subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = element(var.database_subnets, count.index)
  tags = merge(
    { Name = try(var.database_subnet_names[count.index],
      "${var.name}-${var.database_subnet_suffix}-${element(var.azs, count.index)}") },
    var.tags,
    var.database_subnet_tags
  )
}

resource "aws_route_table" "database" {
  count  = var.create_database_subnet_route_table && length(var.database_subnets) > 0 ? 1 : 0
  vpc_id = aws_vpc.this.id
}

resource "aws_route_table_association" "database" {
  count          = length(var.database_subnets)
  subnet_id      = element(aws_subnet.database[*].id, count.index)
  route_table_id = element(coalescelist(aws_route_table.database[*].id, aws_route_table.private[*].id), var.create_database_subnet_route_table ? 0 : count.index)
}

# the module adopts the VPC's default group and keeps only the rules it is given (none by default)
resource "aws_default_security_group" "this" {
  count  = var.manage_default_security_group ? 1 : 0
  vpc_id = aws_vpc.this.id

  dynamic "ingress" {
    for_each = var.default_security_group_ingress
    content {
      self             = lookup(ingress.value, "self", null)
      cidr_blocks      = compact(split(",", lookup(ingress.value, "cidr_blocks", "")))
      ipv6_cidr_blocks = compact(split(",", lookup(ingress.value, "ipv6_cidr_blocks", "")))
      prefix_list_ids  = compact(split(",", lookup(ingress.value, "prefix_list_ids", "")))
      security_groups  = compact(split(",", lookup(ingress.value, "security_groups", "")))
      from_port        = lookup(ingress.value, "from_port", 0)
      to_port          = lookup(ingress.value, "to_port", 0)
      protocol         = lookup(ingress.value, "protocol", "-1")
    }
  }

  dynamic "egress" {
    for_each = var.default_security_group_egress
    content {
      self             = lookup(egress.value, "self", null)
      cidr_blocks      = compact(split(",", lookup(egress.value, "cidr_blocks", "")))
      ipv6_cidr_blocks = compact(split(",", lookup(egress.value, "ipv6_cidr_blocks", "")))
      prefix_list_ids  = compact(split(",", lookup(egress.value, "prefix_list_ids", "")))
      security_groups  = compact(split(",", lookup(egress.value, "security_groups", "")))
      from_port        = lookup(egress.value, "from_port", 0)
      to_port          = lookup(egress.value, "to_port", 0)
      protocol         = lookup(egress.value, "protocol", "-1")
    }
  }
}

# and the VPC's main route table, with the routes it is given (none by default)
resource "aws_default_route_table" "default" {
  count                  = var.manage_default_route_table ? 1 : 0
  default_route_table_id = aws_vpc.this.default_route_table_id

  dynamic "route" {
    for_each = var.default_route_table_routes
    content {
      cidr_block                = route.value.cidr_block
      ipv6_cidr_block           = lookup(route.value, "ipv6_cidr_block", null)
      egress_only_gateway_id    = lookup(route.value, "egress_only_gateway_id", null)
      gateway_id                = lookup(route.value, "gateway_id", null)
      nat_gateway_id            = lookup(route.value, "nat_gateway_id", null)
      network_interface_id      = lookup(route.value, "network_interface_id", null)
      transit_gateway_id        = lookup(route.value, "transit_gateway_id", null)
      vpc_endpoint_id           = lookup(route.value, "vpc_endpoint_id", null)
      vpc_peering_connection_id = lookup(route.value, "vpc_peering_connection_id", null)
    }
  }
}

output "vpc_id" { value = aws_vpc.this.id }
output "vpc_arn" { value = aws_vpc.this.arn }
output "default_security_group_id" { value = aws_vpc.this.default_security_group_id }
output "default_route_table_id" { value = aws_vpc.this.default_route_table_id }
output "vpc_main_route_table_id" { value = aws_vpc.this.main_route_table_id }
output "public_subnets_cidr_blocks" { value = compact(aws_subnet.public[*].cidr_block) }
output "private_subnets_cidr_blocks" { value = compact(aws_subnet.private[*].cidr_block) }
output "intra_subnets_cidr_blocks" { value = compact(aws_subnet.intra[*].cidr_block) }
output "database_subnets" { value = aws_subnet.database[*].id }
output "database_subnets_cidr_blocks" { value = compact(aws_subnet.database[*].cidr_block) }
output "database_route_table_ids" { value = length(aws_route_table.database[*].id) > 0 ? aws_route_table.database[*].id : aws_route_table.private[*].id }
output "azs" { value = var.azs }
output "name" { value = var.name }
output "vpc_cidr_block" { value = var.cidr }
output "public_subnets" { value = aws_subnet.public[*].id }
output "private_subnets" { value = aws_subnet.private[*].id }
output "intra_subnets" { value = aws_subnet.intra[*].id }
output "public_route_table_ids" { value = aws_route_table.public[*].id }
output "private_route_table_ids" { value = aws_route_table.private[*].id }
output "intra_route_table_ids" { value = aws_route_table.intra[*].id }
output "natgw_ids" { value = aws_nat_gateway.this[*].id }
output "igw_id" { value = element(concat(aws_internet_gateway.this[*].id, [""]), 0) }
output "vpc_enable_dns_hostnames" { value = var.enable_dns_hostnames }
