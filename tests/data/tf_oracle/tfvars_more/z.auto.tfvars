shadowed = "from z.auto.tfvars"
