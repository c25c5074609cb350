# jsonencode() and jsondecode(), and the other encodings.
locals {
  obj     = { b = 1, a = "<x>", c = [true, null] }
  doc     = "{\"b\":1,\"a\":[1,2.5,\"x\"]}"
  policy  = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ecr:*", Resource = "*" }] })
  heredoc = <<-EOT
    {"name": "web", "ports": [80, 443]}
  EOT
}
