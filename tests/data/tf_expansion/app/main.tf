# A public subnet (its route table sends 0.0.0.0/0 to an internet gateway) and two Fargate services made by
# one module call with for_each, as terraform-aws-modules/ecs calls its service module.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.${count.index}.0/24"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  count          = length(aws_subnet.public)
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

locals {
  services = {
    api    = { image = "public.ecr.aws/nginx/nginx:1.27", cpu = 256 }
    worker = { image = "public.ecr.aws/docker/library/busybox:1.36", cpu = 512 }
  }
}

module "service" {
  source   = "../service"
  for_each = local.services

  name    = each.key
  image   = each.value.image
  cpu     = each.value.cpu
  subnets = aws_subnet.public[*].id
}

output "service_names" {
  value = [for k, s in module.service : s.name]
}
