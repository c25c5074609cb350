include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path           = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/service.hcl"
  expose         = true
  merge_strategy = "deep"
}

inputs = {
  image            = include.envcommon.locals.image
  assign_public_ip = false
  tags = {
    env = "prod"
  }
}
