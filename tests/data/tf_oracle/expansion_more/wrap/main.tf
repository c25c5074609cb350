variable "names" {
  type = list(string)
}

module "inner" {
  source   = "../svc"
  for_each = toset(var.names)
  name     = "in-${each.key}"
}

output "names" {
  value = [for k in sort(keys(module.inner)) : module.inner[k].name]
}

output "inner" {
  value = module.inner
}
