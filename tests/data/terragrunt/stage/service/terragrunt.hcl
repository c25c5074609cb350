include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "tfr:///cloudposse/ecs-alb-service-task/aws?version=0.76.0"
}

inputs = {
  name = "app-stage"
}
