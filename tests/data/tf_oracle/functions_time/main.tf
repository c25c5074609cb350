locals {
  when  = "2024-02-29T23:30:00Z"
  names = { name = "x" }
}
