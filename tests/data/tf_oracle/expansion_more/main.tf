variable "apps" {
  type = map(object({
    ports  = optional(list(number), [443])
    public = optional(bool)
  }))
  default = {
    api = { ports = [8080, 8443], public = true }
    web = {}
  }
}

variable "count_of" {
  type    = number
  default = 3
}

locals {
  zone_list = ["a", "b", "c", "d"]
}

module "by_count" {
  source = "./svc"
  count  = var.count_of
  name   = "n${count.index}"
  ports  = [count.index, count.index + 100]
}

module "by_length" {
  source = "./svc"
  count  = length(slice(local.zone_list, 1, 3))
  name   = local.zone_list[count.index]
}

module "one_of" {
  source = "./svc"
  count  = 1
  name   = "only"
}

module "zero" {
  source = "./svc"
  count  = 0
  name   = "none"
}

module "by_map" {
  source   = "./svc"
  for_each = var.apps
  name     = each.key
  ports    = each.value.ports
  opts     = { public = each.value.public }
}

module "by_set" {
  source   = "./svc"
  for_each = toset(["z", "y"])
  name     = upper(each.value)
}

module "by_for" {
  source   = "./svc"
  for_each = { for i, z in local.zone_list : z => i if i % 2 == 0 }
  name     = "${each.key}${each.value}"
  opts     = { zones = [each.key] }
}

module "switched" {
  source = "./svc"
  count  = var.count_of > 2 ? 1 : 0
  name   = "switched"
}

module "wrapped" {
  source = "./wrap"
  names  = ["p", "q"]
}
