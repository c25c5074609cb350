# given on the command line: pullcheck --var-file env/prod.tfvars, as terraform plan -var-file
public_ip = true
