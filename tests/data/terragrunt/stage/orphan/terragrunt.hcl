include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "../../modules//service"
}

dependency "vpc" {
  config_path = "../vpc"

  mock_outputs = {
    public_subnets = ["subnet-11111111111111111"]
  }
}

inputs = {
  name             = "orphan"
  image            = "nginx:1.27"
  subnets          = dependency.vpc.outputs.public_subnets
  assign_public_ip = false
}
