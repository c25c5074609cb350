# "B" sorts before "a": capitals come first in the byte order Terraform sorts names by
auto_upper = "B.auto.tfvars"
auto_a     = "B.auto.tfvars"
