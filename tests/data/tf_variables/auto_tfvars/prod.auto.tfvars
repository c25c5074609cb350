# read after terraform.tfvars: this wins
public_ip = true
