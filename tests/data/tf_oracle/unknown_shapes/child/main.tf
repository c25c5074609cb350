variable "s" {
  type = string
}

variable "o" {
  type = object({ a = string })
}

output "s_attr" {
  value = try(var.s.x, "fallback")
}

output "o_a" {
  value = var.o.a
}

output "o_b" {
  value = try(var.o.b, "no b")
}
