# Lists, maps and the ways to walk them: for expressions, splats, flatten(), range().
locals {
  objs = [
    { name = "a", size = 1, group = "x", on = true, tags = { env = "dev" } },
    { name = "b", size = 2, group = "y", on = false, tags = { env = "prod" } },
    { name = "c", size = 3, group = "x", on = true, tags = { env = "dev" } },
  ]
  single  = { name = "only" }
  nothing = null
  list    = ["p", "q", "r"]
  nested  = { a = { b = [10, 20, 30] } }
}
