containers = {
  app = {
    image = "nginx:1.27"
    port_mappings = [{ containerPort = "80" }, { containerPort = 443, protocol = "udp" }]
  }
  sidecar = {
    image     = "fluent-bit"
    essential = false
    log       = { options = { region = "eu-west-1" } }
  }
}

from_tfvars = {
  cluster = "main"
  service = { public_ip = "true" }
}
