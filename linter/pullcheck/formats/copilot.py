"""AWS Copilot manifests (``copilot/<name>/manifest.yml``), which pullcheck does not read.

A Copilot workload runs on Fargate, but where its tasks run and what they pull is decided by Copilot when it
renders its own CloudFormation (the environment's VPC and subnets, the image it builds and pushes): the
manifest alone does not say enough to judge a pull. Such a file is named, so that a launch site the run
cannot see is never passed over in silence; the template Copilot renders (``copilot svc package`` or
``copilot job package`` with ``--output-dir``) can be linted instead.
"""
from __future__ import annotations

import os
import re
from typing import Optional

# the workload types whose tasks ECS runs on Fargate, and the command that renders each one's template;
# a Request-Driven Web Service runs on App Runner and a Static Site on S3 and CloudFront: no task pulls
FARGATE_WORKLOADS = {"Load Balanced Web Service": "svc", "Backend Service": "svc", "Worker Service": "svc",
                     "Scheduled Job": "job"}
_TYPE = re.compile(r"^type:[ \t]*([\"']?)([A-Za-z -]+?)\1[ \t]*(?:#.*)?$", re.MULTILINE)
_NAMES = ("manifest.yml", "manifest.yaml")


def workload(path: str, text: str) -> Optional[str]:
    """The Copilot workload type of a manifest whose tasks run on Fargate, or None: a file named
    ``manifest.yml`` in a folder of ``copilot/`` whose top-level ``type`` is one of FARGATE_WORKLOADS."""
    if os.path.basename(path) not in _NAMES:
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.basename(os.path.dirname(folder)) != "copilot":
        return None
    m = _TYPE.search(text)
    return m.group(2) if m and m.group(2) in FARGATE_WORKLOADS else None


def notice(shown: str, kind: str) -> str:
    """What a run says of a Copilot workload manifest it does not read."""
    command = FARGATE_WORKLOADS[kind]
    return (f"{shown} is an AWS Copilot manifest ({kind}), which pullcheck does not read: its tasks' network "
            f"and image are not judged; lint the CloudFormation Copilot renders for it instead "
            f"(copilot {command} package --output-dir DIR)")
