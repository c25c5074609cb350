import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from pullcheck import LAUNCH_KINDS, Graph, Hit, Ref, Resource, Unknown, fixes, rule
from pullcheck.facts import network as net


@rule("NET017", "launch-without-network-configuration", "error", kinds=("ecs.run_task",), once_per="resource",
      fix="unsafe")
def check(graph: Graph) -> Iterator[Hit]:
    """Launch site of an `awsvpc` task definition without a network configuration.

    ## What it does
    Flags an EventBridge rule's ECS target (`EcsParameters`, `ecs_target`), an EventBridge Scheduler
    schedule, a pipe or a Step Functions `ecs:runTask` state that starts a task whose task definition uses
    the `awsvpc` network mode (every Fargate task does), and gives no network configuration. It fires only
    when the files prove both: a launch whose settings are chosen at run time (a state that reads
    `NetworkConfiguration.$` or its whole request from its input, a JSONata expression) or whose task
    definition is not in the scanned files and not on Fargate is left alone. The input an EventBridge target
    passes (`Input`, `InputTransformer`) becomes the task's overrides, which hold no network configuration, so
    it does not make up for one.

    ## Why is this bad?
    RunTask refuses the request: "Network Configuration must be provided when networkMode 'awsvpc' is
    specified". The template deploys and the schedule or rule looks fine, but no task ever starts: the
    failure shows only as failed invocations of the rule or schedule, or as an `ECS.InvalidParameterException`
    of the state. ECS services need the same setting, but CloudFormation and Terraform refuse to create a
    service without it, so this rule is about the launches that fail later, at run time.

    ## How to fix
    Give the launch the subnets (and security groups) its tasks run in: `NetworkConfiguration:
    AwsVpcConfiguration: Subnets: [...]` in an EventBridge target's `EcsParameters` (`AwsvpcConfiguration` in a
    schedule's `EcsParameters`, a pipe's `EcsTaskParameters` and a state's `Parameters`), or a
    `network_configuration` block in Terraform's `ecs_target` / `ecs_parameters`. When another launch site
    of the same task definition (its ECS service, say) names its subnets, the fix (unsafe: a choice of
    placement) copies that network configuration.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-networkConfiguration
    - https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_EcsParameters.html
    - https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html
    - https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
    """
    for launch in graph.of_kind("ecs.run_task"):
        if launch.get("conditional") or launch.get("has_network_configuration") is not False:
            continue  # present, or only known at run time
        td = net.task_definition(graph, launch)
        why = _awsvpc(graph, launch, td)
        if why is None:
            continue
        path = ("task_definition",) if ("task_definition",) in launch.spans else ()
        yield Hit(launch, path,
                  f"{launch.name} starts {why} without a network configuration, so RunTask refuses it (\"Network "
                  f"Configuration must be provided when networkMode 'awsvpc' is specified\") and no task starts; "
                  f"add {_how(launch)} with the subnets (and security groups) the task runs in",
                  fix=_fix(graph, launch, td, path) if td is not None else None)


def _awsvpc(graph: Graph, launch: Resource, td: Optional[Resource]) -> Optional[str]:
    """What proves the task runs in awsvpc mode, in words, or None: its task definition says so, or the
    launch is on Fargate (which runs nothing else) and its task definition, or its network mode, is not
    known (one that says another mode, or none, fails on Fargate for that reason first)."""
    if td is not None and td.get("conditional"):
        return None
    mode = td.get("network_mode") if td is not None else None
    if isinstance(mode, str) and mode.lower() == "awsvpc":
        return f"task definition {td.label(launch)}, whose network mode is awsvpc,"  # type: ignore[union-attr]
    if (td is None or isinstance(mode, Unknown)) and net.is_fargate(launch, graph) is True:
        return "a task on Fargate, which runs only awsvpc task definitions,"
    return None


# where the setting goes, per launch site type: the block that holds it, and how its awsvpc key is spelt
_BLOCK = {"AWS::Events::Rule": ("EcsParameters", "AwsVpcConfiguration"),
          "AWS::Scheduler::Schedule": ("EcsParameters", "AwsvpcConfiguration"),
          "AWS::Pipes::Pipe": ("EcsTaskParameters", "AwsvpcConfiguration"),
          "AWS::StepFunctions::StateMachine": ("the state's Parameters", "AwsvpcConfiguration"),
          "AWS::Serverless::StateMachine": ("the state's Parameters", "AwsvpcConfiguration"),
          "aws_cloudwatch_event_target": ("ecs_target", ""), "aws_scheduler_schedule": ("ecs_parameters", ""),
          "aws_pipes_pipe": ("ecs_task_parameters", "aws_vpc_configuration"),
          "aws_sfn_state_machine": ("the state's Parameters", "AwsvpcConfiguration")}


def _how(launch: Resource) -> str:
    holder, vpc = _BLOCK.get(launch.rtype, ("the launch", "AwsvpcConfiguration"))
    if launch.rtype.startswith("aws_") and launch.rtype != "aws_sfn_state_machine":
        block = f"network_configuration {{ {vpc} {{ ... }} }}" if vpc else "a network_configuration block"
        return f"{block} to {holder}"
    return f"NetworkConfiguration.{vpc} to {holder}"


# -- the fix: the network configuration of the task definition's other launch sites ----------------------

def _fix(graph: Graph, launch: Resource, td: Resource, path: Tuple[Any, ...]) -> Any:
    """The network configuration another launch site of the same task definition gives (the same in each
    of them), written beside the launch's task definition: unsafe, as where tasks run is a choice. None
    when there is none, they differ, a value cannot be written here, or the launch is a state."""
    if not path or launch.rtype not in _KEYS:
        return None
    model = _model(graph, launch, td)
    if model is None:
        return None
    subnets, groups, public = model
    kind = fixes.fmt(launch)
    spelt = [_spell(graph, launch, kind, v) for v in subnets + groups]
    if kind not in ("cfn-yaml", "cfn-json", "terraform") or any(s is None for s in spelt):
        return None
    names = [s for s in spelt if s is not None]
    block = _block(kind, launch.rtype, names[:len(subnets)], names[len(subnets):], public)
    key = _KEYS[launch.rtype].get(kind, "")
    title = f"add the network configuration of {model_name(graph, launch, td)}"
    return fixes.insert_block_before(launch, path, key, block, title, safe=False) if key else None


_KEYS = {rtype: {"cfn-yaml": rf"{name}\s*:", "cfn-json": rf'"{name}"\s*:'}
         for rtype, name in (("AWS::Events::Rule", "TaskDefinitionArn"), ("AWS::Scheduler::Schedule", "TaskDefinitionArn"),
                             ("AWS::Pipes::Pipe", "TaskDefinitionArn"))}
_KEYS.update({rtype: {"terraform": r"task_definition_arn\s*="}
              for rtype in ("aws_cloudwatch_event_target", "aws_scheduler_schedule", "aws_pipes_pipe")})


def _others(graph: Graph, launch: Resource, td: Resource) -> List[Resource]:
    """The launch sites of ``td`` in the same template or module as ``launch`` that give a network
    configuration of subnets."""
    home = _home(launch)
    return [o for o in graph.of_kind(*LAUNCH_KINDS) if o is not launch and not o.get("conditional")
            and o.get("has_network_configuration") is True and isinstance(o.get("subnets"), list)
            and o.get("subnets") and _home(o) == home and net.task_definition(graph, o) is td]


def model_name(graph: Graph, launch: Resource, td: Resource) -> str:
    return ", ".join(sorted({o.name for o in _others(graph, launch, td)}))


def _model(graph: Graph, launch: Resource, td: Resource) -> Optional[Tuple[list, list, Optional[bool]]]:
    """(subnets, security groups, public IP or None) that every other launch site of ``td`` gives, or None."""
    found = set()
    for o in _others(graph, launch, td):
        groups = o.get("security_groups")
        if groups is not None and not isinstance(groups, list):
            return None
        public = o.get("assign_public_ip")
        if public is not None and not isinstance(public, (bool, str)):
            return None
        flag = None if public is None else (public if isinstance(public, bool) else public.upper() == "ENABLED")
        found.add((tuple(o.get("subnets")), tuple(groups or ()), flag))
    if len(found) != 1:
        return None
    subnets, groups, flag = found.pop()
    return list(subnets), list(groups), flag


def _home(res: Resource) -> str:
    """The template as one stack, or the Terraform root module, a resource is declared in."""
    if res.rtype.startswith("AWS::"):
        return res.key.split("#", 1)[0] if "#" in res.key else ""
    return res.key.split(":", 1)[0] if ":" in res.key and "module." not in res.name else ""


def _spell(graph: Graph, launch: Resource, kind: str, v: Any) -> Optional[str]:
    """A subnet or group as the launch's file writes it: a reference to a resource of the same template or
    module, or a literal ID; None for anything else."""
    if isinstance(v, str) and not isinstance(v, Unknown):
        return json.dumps(v) if kind != "cfn-yaml" else v
    if not isinstance(v, Ref):
        return None
    target = graph.resources.get(v.target)
    if target is None or _home(target) != _home(launch) or not _home(launch):
        return None
    if kind == "terraform":
        return f"{target.name}.{v.attr}" if v.attr else None
    logical = v.target.rsplit("#", 1)[-1]
    if kind == "cfn-yaml":
        return f"!Ref {logical}" if v.attr is None else f"!GetAtt {logical}.{v.attr}"
    return json.dumps({"Ref": logical} if v.attr is None else {"Fn::GetAtt": [logical, v.attr]})


def _block(kind: str, rtype: str, subnets: List[str], groups: List[str], public: Optional[bool]) -> List[str]:
    """The lines of a network configuration, relative to the key it goes above."""
    vpc = _BLOCK[rtype][1]
    if kind == "terraform":
        ip = None if public is None else (json.dumps("ENABLED" if public else "DISABLED") if vpc
                                          else ("true" if public else "false"))
        pairs = [("subnets", f"[{', '.join(subnets)}]")] + ([("security_groups", f"[{', '.join(groups)}]")] if groups
                                                           else []) + ([("assign_public_ip", ip)] if ip else [])
        width = max(len(k) for k, _ in pairs)  # aligned as terraform fmt aligns them
        body = [f"{k.ljust(width)} = {v}" for k, v in pairs]
        if vpc:  # a pipe: the settings sit one block further in
            body = [f"{vpc} {{"] + [f"  {x}" for x in body] + ["}"]
        return ["network_configuration {"] + [f"  {x}" for x in body] + ["}"]
    ip_text = None if public is None else ("ENABLED" if public else "DISABLED")
    if kind == "cfn-json":
        cfg: Dict[str, Any] = {"Subnets": [json.loads(s) for s in subnets]}
        if groups:
            cfg["SecurityGroups"] = [json.loads(g) for g in groups]
        if ip_text:
            cfg["AssignPublicIp"] = ip_text
        return [f'"NetworkConfiguration": {json.dumps({vpc: cfg})},']
    out = ["NetworkConfiguration:", f"  {vpc}:", "    Subnets:"] + [f"      - {s}" for s in subnets]
    if groups:
        out += ["    SecurityGroups:"] + [f"      - {g}" for g in groups]
    return out + ([f"    AssignPublicIp: {ip_text}"] if ip_text else [])
