locals {
  tags    = { zeta = "z", alpha = "a", Mid = "m", "10" = "ten", "9" = "nine" }
  names   = ["zeta", "alpha", "beta", "alpha"]
  numbers = [10, 9, 1, 100, 2.5]
  nested  = [[1, [2, [3]]], [[4]], 5]
}
