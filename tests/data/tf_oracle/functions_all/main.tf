locals {
  m    = { b = 2, a = 1, c = 3 }
  l    = ["x", "y", "x"]
  nums = [3, 1.5, -2]
  objs = [{ n = "a", v = 1 }, { n = "b", v = 2 }]
}
