# Numbers: literals, operators and their precedence, and how a result is written.
locals {
  big     = 12345678901234567890
  tenth   = 0.1
  seven   = 7
  text12  = "12"
  half    = 0.5
  maxsafe = 9007199254740993
}
