"""The registry modules pullcheck reads from its models (``tfmodels`` beside this file) when they have not
been downloaded: which sources name them, and where a modelled resource's attribute is set in the call."""
from __future__ import annotations

import os
import re
from typing import Optional

_GITHUB = re.compile(r"^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-"
                     r"([a-z0-9-]+?)(?:\.git)?(//.*)?$")


def model_folder(source: str) -> Optional[str]:
    """The folder of pullcheck's model of the registry module ``source`` names (as a module block writes it,
    Terragrunt's ``tfr://`` form, or the module's GitHub repository), or None."""
    path = source.split("?", 1)[0].strip()
    for prefix in ("tfr:///", "tfr://registry.terraform.io/", "registry.terraform.io/"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    found = _GITHUB.match(path)
    if found:  # terraform-aws-modules/terraform-aws-<name>: the registry module <org>/<name>/aws
        path = f"terraform-aws-modules/{found.group(1)}/aws{found.group(2) or ''}"
    path = path[:-3] if path.endswith("//.") else path  # "//." names the repository's root module
    model = MODELS.get(path.rstrip("/"))
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfmodels", model) if model else None


# Registry modules read from a model when they are not downloaded (tfmodels beside this file)
MODELS = {"terraform-aws-modules/vpc/aws": "vpc",
          "terraform-aws-modules/vpc/aws//modules/vpc-endpoints": "vpc-endpoints",
          "terraform-aws-modules/ecs/aws": "ecs",
          "terraform-aws-modules/ecs/aws//modules/cluster": "ecs-cluster",
          "terraform-aws-modules/ecs/aws//modules/service": "ecs-service"}
# where a modelled resource's attribute is set in the module call
MODEL_INPUTS = {"subnets": "subnet_ids", "assign_public_ip": "assign_public_ip",
                "security_groups": "security_group_ids", "launch_type": "launch_type",
                "platform_version": "platform_version",
                "containers": "container_definitions", "cpu": "cpu", "memory": "memory",
                "private_dns": "endpoints", "service_name": "endpoints", "policy": "endpoints",
                "enable_dns_hostnames": "enable_dns_hostnames", "enable_dns_support": "enable_dns_support"}

