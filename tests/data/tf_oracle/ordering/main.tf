# Orders Terraform gives: maps by key, sets by value, sort() and the collection functions.
locals {
  m      = { b = 1, a = 2, c = 3 }
  mixed  = { "B" = 1, "a" = 2, "_" = 3, "10" = 4, "9" = 5 }
  words  = ["pear", "apple", "fig"]
  envset = toset(["prod", "dev", "stage"])
}
