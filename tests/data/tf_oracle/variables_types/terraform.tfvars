from_tfvars        = "3"
list_from_tfvars   = [1, true, "x"]
object_from_tfvars = { enabled = "true", count = "2", ignored = [] }
