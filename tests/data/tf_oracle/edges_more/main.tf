locals {
  words = ["b", "A", "a", "B", "é", "e"]
  deep  = { a = { b = { c = [1, { d = "x" }] } } }
}
