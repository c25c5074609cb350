# The live repository's root configuration: every unit includes it. Its remote state and generated provider
# are Terragrunt's business; pullcheck reads neither.
locals {
  region = "eu-west-1"
}

remote_state {
  backend = "s3"
  config = {
    bucket = "example-terraform-state"
    key    = "${path_relative_to_include()}/terraform.tfstate"
    region = local.region
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-PROVIDER
    provider "aws" {
      region = "${local.region}"
    }
  PROVIDER
}

inputs = {
  region = local.region
}
