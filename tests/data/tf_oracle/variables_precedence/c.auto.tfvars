auto_c = "c.auto.tfvars"
