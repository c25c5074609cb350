"""Terragrunt live repositories: each folder with a ``terragrunt.hcl`` (a unit) is the Terraform module its
``terraform { source }`` names, used as a root module with the unit's ``inputs`` as its variables
(``units``); its files, includes, locals and Terragrunt's functions are evaluated by ``config``."""
