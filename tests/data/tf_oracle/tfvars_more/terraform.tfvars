obj = {
  name  = "svc"
  flags = ["b", "a", "b"]
  inner = { n = "3" }
  extra = "dropped"
}
lst         = ["1", 2.5, "-3"]
mp          = { x = ["a"], y = [] }
untyped_obj = { a = 1, b = ["x", 2] }
heredoc     = <<-EOT
  line one
    line two
  EOT
num_text    = 12.50
shadowed    = "from terraform.tfvars"
tuple_like  = ["x", "true"]
