locals {
  quarter = 0.25
}
