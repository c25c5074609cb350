"""Facts derived from the graph for the network rules, under one name: launch sites (``launches``), routes
(``routing``) and VPC endpoints (``endpoints``). Rules and ``--explain`` import them from here; each lives in
the module of its concern, whose functions are the facts' memo keys (``graph.facts``), the same object
whichever name reaches it.

Every answer is three-valued: a fact the graph proves, or None / "unknown" when it depends on
something the scanned files do not show.
"""
from __future__ import annotations

from pullcheck.facts.endpoints import (
    Endpoints,
    endpoints,
    has_ecr_endpoints,
    missing_endpoints,
    needs,
    needs_ecr_api,
    needs_internet,
    region,
    relied_endpoints,
    s3_gateway_endpoints,
    s3_on_table,
    task_internet,
)
from pullcheck.facts.launches import (
    batch_launches,
    cluster_default_strategy,
    container_images,
    family_of,
    fargate_launches,
    images,
    is_fargate,
    launch_subnets,
    public_ip,
    runs_on_fargate,
    task_definition,
    used_by_fargate,
)
from pullcheck.facts.routing import (
    Egress,
    egress4,
    egress6,
    internet_kind,
    ipv6_only,
    may_route_cfn_main_tables,
    route_table,
    route_target,
    vpc_of,
)
from pullcheck.graph.model import LAUNCH_KINDS

__all__ = [
    "LAUNCH_KINDS",
    # launches
    "batch_launches", "cluster_default_strategy", "container_images", "family_of", "fargate_launches", "images",
    "is_fargate", "launch_subnets", "public_ip", "runs_on_fargate", "task_definition", "used_by_fargate",
    # routing
    "Egress", "egress4", "egress6", "internet_kind", "ipv6_only", "may_route_cfn_main_tables", "route_table",
    "route_target", "vpc_of",
    # endpoints
    "Endpoints", "endpoints", "has_ecr_endpoints", "missing_endpoints", "needs", "needs_ecr_api", "needs_internet",
    "region", "relied_endpoints", "s3_gateway_endpoints", "s3_on_table", "task_internet",
]
