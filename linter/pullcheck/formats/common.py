"""Normalisation shared by the parsers: ECS task definitions and launch sites in one shape."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from pullcheck.graph.model import Path
from pullcheck.sources.marked import MDict, MList
from pullcheck.graph.values import Unknown

Spans = Dict[Path, Any]  # a Span, or a reader's position tuple (see put)


def _key(name: str, pascal: bool) -> str:
    return name[0].upper() + name[1:] if pascal else name


def field(d: Any, name: str, pascal: bool) -> Tuple[Any, Optional[Tuple[int, int]]]:
    """Value and position of ``name`` (given in camelCase) in a marked mapping."""
    if not isinstance(d, dict):
        return None, None
    k = _key(name, pascal)
    if k not in d:
        return None, None
    pos = d.kpos.get(k) if isinstance(d, MDict) else None
    return d[k], pos


def put(spans: Spans, path: Path, pos: Optional[Tuple[int, int]]) -> None:
    """Record where an attribute is: the reader's position tuple itself, made a Span only when a finding
    asks for it (``Resource.locate``); a large template has hundreds of thousands of them."""
    if pos is not None:
        spans[path] = pos  # type: ignore[assignment]


def normalise_containers(defs: Any, pascal: bool, spans: Spans, base: Path = ("containers",)) -> Any:
    """Container definitions as a list of plain records, or an Unknown."""
    if isinstance(defs, Unknown) or not isinstance(defs, list):
        return defs if isinstance(defs, Unknown) else Unknown("container definitions cannot be read")
    out = []
    for i, c in enumerate(defs):
        if isinstance(defs, MList) and i < len(defs.ipos):
            put(spans, base + (i,), defs.ipos[i])
        if not isinstance(c, dict):
            out.append(Unknown("container definition cannot be read"))
            continue
        rec: Dict[str, Any] = {}
        name, _ = field(c, "name", pascal)
        rec["name"] = name
        image, pos = field(c, "image", pascal)
        rec["image"] = image
        put(spans, base + (i, "image"), pos)
        log, lpos = field(c, "logConfiguration", pascal)
        rec["log_driver"] = None
        rec["log_options"] = None
        rec["secret_options"] = False
        if isinstance(log, dict):
            drv, dpos = field(log, "logDriver", pascal)
            rec["log_driver"] = drv
            put(spans, base + (i, "log_driver"), dpos or lpos)
            opts, _ = field(log, "options", pascal)
            rec["log_options"] = opts
            so, spos = field(log, "secretOptions", pascal)
            rec["secret_options"] = bool(so) if not isinstance(so, Unknown) else True
            put(spans, base + (i, "secret_options"), spos)
        elif log is not None:
            rec["log_driver"] = Unknown("log configuration cannot be read")
        secrets, spos = field(c, "secrets", pascal)
        put(spans, base + (i, "secrets"), spos)
        if isinstance(secrets, list):
            vals = []
            for s in secrets:
                v, _ = field(s, "valueFrom", pascal)
                vals.append(v)
            rec["secrets"] = vals
        else:
            rec["secrets"] = secrets if isinstance(secrets, Unknown) else []
        creds, cpos = field(c, "repositoryCredentials", pascal)
        put(spans, base + (i, "repository_credentials"), cpos)
        rec["repository_credentials"] = field(creds, "credentialsParameter", pascal)[0] if creds else None
        if creds is not None and rec["repository_credentials"] is None:
            rec["repository_credentials"] = Unknown("repository credentials")
        out.append(rec)
    return out


def normalise_task_definition(props: Any, pascal: bool, spans: Spans) -> Dict[str, Any]:
    attrs: Dict[str, Any] = {}
    for attr, name in (("execution_role", "executionRoleArn"), ("task_role", "taskRoleArn"),
                       ("requires_compatibilities", "requiresCompatibilities"), ("network_mode", "networkMode"),
                       ("cpu", "cpu"), ("memory", "memory"), ("family", "family")):
        v, pos = field(props, name, pascal)
        attrs[attr] = v
        put(spans, (attr,), pos)
    defs, pos = field(props, "containerDefinitions", pascal)
    put(spans, ("containers",), pos)
    attrs["containers"] = normalise_containers(defs, pascal, spans) if defs is not None else []
    return attrs


def normalise_awsvpc(cfg: Any, pascal: bool, spans: Spans, attrs: Dict[str, Any]) -> None:
    """Subnets, security groups and public IP from an awsvpc configuration mapping."""
    if isinstance(cfg, Unknown):
        for a in ("subnets", "security_groups", "assign_public_ip"):
            attrs[a] = cfg
        return
    for attr, name in (("subnets", "subnets"), ("security_groups", "securityGroups"),
                       ("assign_public_ip", "assignPublicIp")):
        v, pos = field(cfg, name, pascal)
        attrs[attr] = v
        put(spans, (attr,), pos)
        if isinstance(v, MList):
            for i, p in enumerate(v.ipos):
                put(spans, (attr, i), p)


def capacity_providers(strategy: Any, pascal: bool) -> Any:
    if strategy is None:
        return None
    if isinstance(strategy, Unknown) or not isinstance(strategy, list):
        return Unknown("capacity provider strategy")
    return [field(s, "capacityProvider", pascal)[0] for s in strategy]


def normalise_launch(props: Any, pascal: bool, spans: Spans, attrs: Dict[str, Any],
                     task_definition: str = "taskDefinition") -> None:
    """Launch type, task definition, capacity providers and awsvpc settings of an ECS service, task set or
    RunTask parameters (CloudFormation PascalCase or API camelCase; the awsvpc key is spelt two ways in
    CloudFormation; EventBridge, Scheduler and Pipes name the task definition ``TaskDefinitionArn``)."""
    for attr, name in (("launch_type", "launchType"), ("task_definition", task_definition),
                       ("platform_version", "platformVersion"), ("cluster", "cluster")):
        v, pos = field(props, name, pascal)
        attrs[attr] = v
        put(spans, (attr,), pos)
    strategy, pos = field(props, "capacityProviderStrategy", pascal)
    put(spans, ("capacity_providers",), pos)
    attrs["capacity_providers"] = capacity_providers(strategy, pascal)
    net, npos = field(props, "networkConfiguration", pascal)
    put(spans, ("network",), npos)
    cfg = None
    if isinstance(net, dict):
        for name in ("awsvpcConfiguration", "awsVpcConfiguration"):
            value, pos = field(net, name, pascal)
            if value is not None:
                cfg = value
                put(spans, ("network",), pos)
    elif isinstance(net, Unknown):
        cfg = net
    attrs["has_network_configuration"] = net is not None
    if cfg is None:
        attrs.update(subnets=None, security_groups=None, assign_public_ip=None)
    else:
        normalise_awsvpc(cfg, pascal, spans, attrs)


def is_fargate_platform(platforms: Any) -> Any:
    """Batch ``PlatformCapabilities``: True / False, or None when it cannot be known (case-insensitive)."""
    if platforms is None:
        return False  # the default is EC2
    if not isinstance(platforms, list) or not all(isinstance(p, str) for p in platforms):
        return None
    return any(p.upper() == "FARGATE" for p in platforms)


def normalise_batch_job(platforms: Any, container: Any, ecs: Any, pascal: bool, spans: Spans) -> Dict[str, Any]:
    """A Batch job definition in the shape of a task definition, plus its public-IP and platform settings.

    Batch puts the image, roles, logging and secrets in ``containerProperties`` (one container) or in
    ``ecsProperties.taskProperties[0]`` (several), and ``networkConfiguration.assignPublicIp`` beside them.
    """
    fargate = is_fargate_platform(platforms)
    attrs: Dict[str, Any] = {"batch": True, "family": None, "cpu": None, "memory": None, "task_role": None}
    attrs["requires_compatibilities"] = (["FARGATE"] if fargate else ["EC2"]) if fargate is not None else \
        Unknown("platform capabilities")
    attrs["network_mode"] = "awsvpc" if fargate else None
    holder, defs, base = None, None, ("containers",)
    if isinstance(container, dict):
        holder, defs = container, MList([container])
        defs.pos = getattr(container, "pos", (1, 1))
        defs.ipos = [defs.pos]
    elif isinstance(ecs, dict):
        tasks, _ = field(ecs, "taskProperties", pascal)
        if isinstance(tasks, list) and tasks and isinstance(tasks[0], dict):
            holder = tasks[0]
            defs, pos = field(holder, "containers", pascal)
            put(spans, base, pos)
    elif isinstance(container, Unknown) or isinstance(ecs, Unknown):
        defs = Unknown("job container properties cannot be evaluated")
    for attr, name in (("execution_role", "executionRoleArn"), ("task_role", "jobRoleArn"),
                       ("task_role", "taskRoleArn")):
        v, pos = field(holder, name, pascal)
        if v is not None or attr not in attrs or attrs[attr] is None:
            attrs[attr] = v
            put(spans, (attr,), pos)
    net, _ = field(holder, "networkConfiguration", pascal)
    ip, pos = field(net, "assignPublicIp", pascal)
    attrs["assign_public_ip"] = Unknown("network configuration") if isinstance(net, Unknown) else ip
    put(spans, ("assign_public_ip",), pos)
    fpc, _ = field(holder, "fargatePlatformConfiguration", pascal)
    pv, pos = field(fpc, "platformVersion", pascal)
    if pv is None:
        pv, pos = field(holder, "platformVersion", pascal)
    attrs["platform_version"] = pv
    put(spans, ("platform_version",), pos)
    if defs is None:
        attrs["containers"] = []
    else:
        attrs["containers"] = normalise_containers(defs, pascal, spans)
    return attrs
