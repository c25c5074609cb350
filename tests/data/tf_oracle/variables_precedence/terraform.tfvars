# read first among the files
tfvars            = "terraform.tfvars"
tfvars_json       = "terraform.tfvars"
auto_a            = "terraform.tfvars"
auto_b_json       = "terraform.tfvars"
auto_c            = "terraform.tfvars"
required          = "terraform.tfvars"
nullable_default  = null
not_nullable      = null
not_nullable_list = null
untyped_number    = "2"
port              = 8080
subnets           = ["subnet-0a", "subnet-0b"]
