from typing import Iterator

from pullcheck import TASK_DEFINITION_KINDS, Graph, Hit, Unknown, rule, spell, text_of
from pullcheck.facts import network as net
from pullcheck.rules.taskdef._common import fargate_task_definitions


@rule("TD001", "fargate-task-definition-basics", "error", kinds=TASK_DEFINITION_KINDS)
def check(graph: Graph) -> Iterator[Hit]:
    """Fargate task definition without awsvpc, task-level CPU and memory, or an awslogs stream prefix.

    ## What it does
    For task definitions that run on Fargate (`FARGATE` in `requiresCompatibilities`, or used by a Fargate
    launch site): flags a task definition a Fargate launch site runs without `FARGATE` among its
    compatibilities, a network mode other than `awsvpc` (the default is `bridge`), a missing task-level
    `cpu` or `memory`, an awslogs log configuration without `awslogs-stream-prefix`, and, in raw API JSON
    only, a numeric task-level `cpu` / `memory` (CloudFormation and Terraform turn numbers into strings).

    ## Why is this bad?
    RegisterTaskDefinition rejects the first three for Fargate ("Fargate only supports network mode
    'awsvpc'", "Fargate requires that 'cpu' be defined at the task level"; the stream prefix is required
    for Fargate), and the CLI rejects a number where the API wants a string (`Invalid type for parameter
    cpu`). The deployment stops before any task starts.

    ## How to fix
    Set `networkMode: awsvpc`, give task-level `cpu` and `memory` as strings (`"256"`, `"512"`), and add
    `awslogs-stream-prefix` to the awslogs options.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    """
    used = net.used_by_fargate(graph)
    for td in fargate_task_definitions(graph):
        compat = td.get("requires_compatibilities")
        if td.key in used and isinstance(compat, list) and compat and all(
                isinstance(c, str) and c.upper() != "FARGATE" for c in compat):
            yield Hit(td, ("requires_compatibilities",),
                      f"task definition {td.name} is run on Fargate but requires {', '.join(compat)} only; ECS "
                      f"refuses the launch: add FARGATE to {spell(td, 'requires_compatibilities')}")
        mode = td.get("network_mode")
        if mode is None or (isinstance(mode, str) and mode.lower() != "awsvpc"):
            path = ("network_mode",) if mode is not None else ("requires_compatibilities",)
            yield Hit(td, path, f"Fargate task definition {td.name} has network mode {mode or 'bridge (the default)'}; "
                                f"Fargate only runs awsvpc: set {spell(td, 'network_mode', 'awsvpc')}")
        missing = [k for k in ("cpu", "memory") if td.get(k) is None]
        if missing:
            yield Hit(td, (), f"Fargate task definition {td.name} has no task-level {' or '.join(missing)}; Fargate "
                              f"requires both (for example cpu \"256\" and memory \"512\")")
        raw = td.get("raw")
        if raw is not None:
            for k in ("cpu", "memory"):
                v = td.get(k)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    yield Hit(td, (k,), f"task definition {td.name} gives {k} as the number {v}; the API takes a "
                                        f"string: \"{v}\"")
        containers = td.get("containers")
        for i, c in enumerate(containers if isinstance(containers, list) else []):
            if not isinstance(c, dict) or text_of(c.get("log_driver")) != "awslogs":
                continue
            opts = c.get("log_options")
            if isinstance(opts, Unknown) or (opts is not None and not isinstance(opts, dict)):
                continue
            if "awslogs-stream-prefix" not in (opts or {}):
                yield Hit(td, ("containers", i, "log_driver"),
                          f"container {c.get('name')!s} of Fargate task definition {td.name} uses awslogs without "
                          f"awslogs-stream-prefix, which Fargate requires; add it to the log options")
