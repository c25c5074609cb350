# What every environment's service unit shares: the module, the VPC it runs in, the image.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  image = "nginx:1.27"
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//service"
}

dependency "vpc" {
  config_path = "${get_terragrunt_dir()}/../vpc"

  mock_outputs = {
    public_subnets = ["subnet-00000000000000000"]
  }
}

inputs = {
  name    = "app-${local.env.locals.environment}"
  subnets = dependency.vpc.outputs.public_subnets
  tags = {
    team = "web"
  }
}
