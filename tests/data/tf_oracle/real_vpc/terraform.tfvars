name = "main"
azs  = ["eu-west-1a", "eu-west-1b", "euw1-az3"]

public_subnets               = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]
private_subnets              = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
private_subnet_ipv6_prefixes = [0, 1, 2, 3]
private_subnet_names         = ["Private Subnet One"]
database_subnets             = ["10.0.21.0/24", "10.0.22.0/24"]
intra_subnets                = ["10.0.51.0/24"]

enable_nat_gateway     = true
one_nat_gateway_per_az = true

tags = {
  Terraform   = "true"
  Environment = "dev"
  Replicas    = 3
}
private_subnet_tags_per_az = {
  "eu-west-1a" = { Tier = "a" }
}

endpoints = {
  s3 = {
    service         = "s3"
    service_type    = "Gateway"
    route_table_ids = ["rtb-1", "rtb-2"]
  }
  "ecr.api" = {
    service             = "ecr.api"
    private_dns_enabled = true
  }
  "ecr.dkr" = {
    service             = "ecr.dkr"
    private_dns_enabled = true
    tags                = { Name = "ecr-dkr-endpoint" }
  }
  logs = {
    service = "logs"
    create  = false
  }
}
