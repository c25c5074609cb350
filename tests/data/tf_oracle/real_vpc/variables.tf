# Reduced from terraform-aws-modules/terraform-aws-vpc v6.6.0, variables.tf and modules/vpc-endpoints/variables.tf
# (Apache-2.0): the variables the locals below read, with their types and defaults.
variable "create_vpc" {
  type    = bool
  default = true
}

variable "putin_khuylo" {
  type    = bool
  default = true
}

variable "name" {
  type    = string
  default = ""
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "azs" {
  type    = list(string)
  default = []
}

variable "public_subnets" {
  type    = list(string)
  default = []
}

variable "public_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "public_subnet_names" {
  type    = list(string)
  default = []
}

variable "public_subnet_suffix" {
  type    = string
  default = "public"
}

variable "create_multiple_public_route_tables" {
  type    = bool
  default = false
}

variable "private_subnets" {
  type    = list(string)
  default = []
}

variable "private_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "private_subnet_ipv6_native" {
  type    = bool
  default = false
}

variable "private_subnet_names" {
  type    = list(string)
  default = []
}

variable "private_subnet_suffix" {
  type    = string
  default = "private"
}

variable "private_subnet_tags" {
  type    = map(string)
  default = {}
}

variable "private_subnet_tags_per_az" {
  type    = map(map(string))
  default = {}
}

variable "database_subnets" {
  type    = list(string)
  default = []
}

variable "database_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "create_database_subnet_route_table" {
  type    = bool
  default = false
}

variable "elasticache_subnets" {
  type    = list(string)
  default = []
}

variable "elasticache_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "redshift_subnets" {
  type    = list(string)
  default = []
}

variable "redshift_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "intra_subnets" {
  type    = list(string)
  default = []
}

variable "intra_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "create_multiple_intra_route_tables" {
  type    = bool
  default = false
}

variable "outpost_subnets" {
  type    = list(string)
  default = []
}

variable "outpost_subnet_ipv6_prefixes" {
  type    = list(string)
  default = []
}

variable "enable_nat_gateway" {
  type    = bool
  default = false
}

variable "single_nat_gateway" {
  type    = bool
  default = false
}

variable "one_nat_gateway_per_az" {
  type    = bool
  default = false
}

variable "enable_flow_log" {
  type    = bool
  default = false
}

variable "flow_log_destination_type" {
  type    = string
  default = "cloud-watch-logs"
}

variable "create_flow_log_cloudwatch_log_group" {
  type    = bool
  default = false
}

variable "flow_log_cloudwatch_log_group_name_suffix" {
  type    = string
  default = ""
}

# modules/vpc-endpoints
variable "create" {
  type    = bool
  default = true
}

variable "endpoints" {
  type    = any
  default = {}
}
