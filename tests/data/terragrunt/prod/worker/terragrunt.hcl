include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "${get_terragrunt_dir()}/../../modules//worker"
}

dependency "vpc" {
  config_path = "../vpc"
}

inputs = {
  subnets = dependency.vpc.outputs.public_subnets
}
