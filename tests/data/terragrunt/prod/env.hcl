locals {
  environment = get_env("PULLCHECK_TEST_ENVIRONMENT", "prod")
}
