locals {
  when   = "2024-02-29T23:30:00Z"
  names  = { name = "x" }
  t_name = "Hello, $${name}!"
  t_for  = "%%{ for x in xs }$${x},%%{ endfor }"
  t_one  = "$${n}"
  t_out  = "$${local.when}"
  t_bad  = "$${"
}
