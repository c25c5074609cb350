locals {
  image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1.2.3"
  arn   = "arn:aws:iam::123456789012:role/ecs-task-execution"
}
