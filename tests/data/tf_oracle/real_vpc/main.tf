# Reduced from terraform-aws-modules/terraform-aws-vpc v6.6.0 (Apache-2.0): see README.md. The first locals
# are the module's own, as written; those after "from resource arguments" are arguments of its resources,
# with count.index made a for expression's index, so that no provider is needed.
locals {
  len_public_subnets      = max(length(var.public_subnets), length(var.public_subnet_ipv6_prefixes))
  len_private_subnets     = max(length(var.private_subnets), length(var.private_subnet_ipv6_prefixes))
  len_database_subnets    = max(length(var.database_subnets), length(var.database_subnet_ipv6_prefixes))
  len_elasticache_subnets = max(length(var.elasticache_subnets), length(var.elasticache_subnet_ipv6_prefixes))
  len_redshift_subnets    = max(length(var.redshift_subnets), length(var.redshift_subnet_ipv6_prefixes))
  len_intra_subnets       = max(length(var.intra_subnets), length(var.intra_subnet_ipv6_prefixes))
  len_outpost_subnets     = max(length(var.outpost_subnets), length(var.outpost_subnet_ipv6_prefixes))

  max_subnet_length = max(
    local.len_private_subnets,
    local.len_public_subnets,
    local.len_elasticache_subnets,
    local.len_database_subnets,
    local.len_redshift_subnets,
  )

  create_vpc = var.create_vpc && var.putin_khuylo

  create_public_subnets   = local.create_vpc && local.len_public_subnets > 0
  num_public_route_tables = var.create_multiple_public_route_tables ? local.len_public_subnets : 1

  create_private_subnets = local.create_vpc && local.len_private_subnets > 0

  create_database_subnets     = local.create_vpc && local.len_database_subnets > 0
  create_database_route_table = local.create_database_subnets && var.create_database_subnet_route_table

  create_intra_subnets   = local.create_vpc && local.len_intra_subnets > 0
  num_intra_route_tables = var.create_multiple_intra_route_tables ? local.len_intra_subnets : 1

  nat_gateway_count = var.single_nat_gateway ? 1 : var.one_nat_gateway_per_az ? length(var.azs) : local.max_subnet_length

  enable_flow_log                      = var.create_vpc && var.enable_flow_log
  create_flow_log_cloudwatch_log_group = local.enable_flow_log && var.flow_log_destination_type != "s3" && var.create_flow_log_cloudwatch_log_group

  # modules/vpc-endpoints
  endpoints = { for k, v in var.endpoints : k => v if var.create && try(v.create, true) }
}

locals {
  # from resource arguments: aws_subnet.public's count
  public_subnet_count = local.create_public_subnets && (!var.one_nat_gateway_per_az || local.len_public_subnets >= length(var.azs)) ? local.len_public_subnets : 0

  # aws_subnet.private: availability_zone, availability_zone_id, cidr_block and tags per instance
  private_azs = [
    for i in range(local.create_private_subnets ? local.len_private_subnets : 0) :
    length(regexall("^[a-z]{2}-", element(var.azs, i))) > 0 ? element(var.azs, i) : null
  ]
  private_az_ids = [
    for i in range(local.create_private_subnets ? local.len_private_subnets : 0) :
    length(regexall("^[a-z]{2}-", element(var.azs, i))) == 0 ? element(var.azs, i) : null
  ]
  private_cidr_blocks = [
    for i in range(local.create_private_subnets ? local.len_private_subnets : 0) :
    var.private_subnet_ipv6_native ? null : element(concat(var.private_subnets, [""]), i)
  ]
  private_subnet_tags = [
    for i in range(local.create_private_subnets ? local.len_private_subnets : 0) : merge(
      {
        Name = try(
          var.private_subnet_names[i],
          format("${var.name}-${var.private_subnet_suffix}-%s", element(var.azs, i))
        )
      },
      var.tags,
      var.private_subnet_tags,
      lookup(var.private_subnet_tags_per_az, element(var.azs, i), {})
    )
  ]

  # aws_eip.nat: count and Name tags
  nat_eip_count = local.create_vpc && var.enable_nat_gateway ? local.nat_gateway_count : 0
  nat_eip_names = [
    for i in range(local.nat_eip_count) : format("${var.name}-%s", element(var.azs, var.single_nat_gateway ? 0 : i))
  ]

  # modules/vpc-endpoints, aws_vpc_endpoint.this per endpoint
  endpoint_types       = { for k, v in local.endpoints : k => try(v.service_type, "Interface") }
  endpoint_private_dns = { for k, v in local.endpoints : k => try(v.service_type, "Interface") == "Interface" ? try(v.private_dns_enabled, null) : null }
  endpoint_route_tables = {
    for k, v in local.endpoints : k => try(v.service_type, "Interface") == "Gateway" ? lookup(v, "route_table_ids", null) : null
  }
  endpoint_tags = { for k, v in local.endpoints : k => merge(var.tags, { "Name" = replace(k, ".", "-") }, try(v.tags, {})) }
}
