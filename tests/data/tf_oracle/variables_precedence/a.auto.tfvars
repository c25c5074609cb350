auto_a      = "a.auto.tfvars"
auto_b_json = "a.auto.tfvars"
auto_c      = "a.auto.tfvars"
