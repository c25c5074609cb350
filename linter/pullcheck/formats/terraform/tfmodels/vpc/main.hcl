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

locals {
  nat_gateway_count = var.single_nat_gateway ? 1 : var.one_nat_gateway_per_az ? length(var.azs) : length(var.private_subnets)
  private_tables    = var.single_nat_gateway ? 1 : length(var.private_subnets)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = var.enable_dns_hostnames
  enable_dns_support   = var.enable_dns_support
}

resource "aws_internet_gateway" "this" {
  count  = var.create_igw && length(var.public_subnets) > 0 ? 1 : 0
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "public" {
  count      = length(var.public_subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = element(var.public_subnets, count.index)
  tags       = { Name = "${var.name}-${var.public_subnet_suffix}-${element(var.azs, count.index)}" }
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
  tags       = { Name = "${var.name}-${var.private_subnet_suffix}-${element(var.azs, count.index)}" }
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
  tags       = { Name = "${var.name}-${var.intra_subnet_suffix}-${element(var.azs, count.index)}" }
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

output "vpc_id" { value = aws_vpc.this.id }
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
