locals {
  names = ["web", "api", "worker"]
  ports = [80, 443, 8080]
  tags  = { env = "prod", team = "core" }
}
