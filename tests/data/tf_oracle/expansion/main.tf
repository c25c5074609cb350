# Modules and resources expanded by count and for_each. Resources (terraform_data, built into Terraform)
# have no state here, so their attributes are unknown to terraform console; module outputs are known.
locals {
  envs  = ["dev", "prod"]
  sizes = { small = 1, large = 3 }
  from_single = module.single.label
  from_counted = [for m in module.counted : m.label]
  from_each    = { for k, m in module.each : k => m.doubled }
}

module "single" {
  source = "./svc"
  name   = "one"
}

module "counted" {
  source = "./svc"
  count  = 2
  name   = "c${count.index}"
}

module "each" {
  source   = "./svc"
  for_each = local.sizes
  name     = each.key
  size     = each.value
}

module "none" {
  source = "./svc"
  count  = 0
  name   = "never"
}

resource "terraform_data" "counted" {
  count = 3
  input = "r${count.index}"
}

resource "terraform_data" "each" {
  for_each = toset(local.envs)
  input    = each.key
}

resource "terraform_data" "single" {
  input = "s"
}
