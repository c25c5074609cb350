# regex(), regexall() and replace() (RE2 syntax, Go's replacement syntax).
locals {
  image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2.3"
  arn   = "arn:aws:ecr:eu-west-1:123456789012:repository/team/app"
}
