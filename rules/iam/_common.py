"""Fargate task definitions without an execution role."""
import os

from pullcheck import Graph, spell
from pullcheck.facts import network as net


def fargate_task_definitions_without_role(graph: Graph):
    for td in graph.of_kind("ecs.task_definition"):
        if td.get("conditional") or td.get("execution_role") is not None:
            continue
        if net.runs_on_fargate(graph, td) and isinstance(td.get("containers"), list):
            yield td


def message(td, container, what: str) -> str:
    return (f"Fargate task definition {td.name} has no execution role, but container {container!s} {what}; "
            f"registration fails (\"Fargate requires task definition to have execution role ARN\"): set "
            f"{spell(td, 'execution_role')} to a role trusted by "
            f"ecs-tasks.amazonaws.com with AmazonECSTaskExecutionRolePolicy")


def execution_sites(graph: Graph):
    """(task definition, execution role, task role or None) for Fargate task definitions (Batch jobs on
    Fargate included) whose execution role is declared in the scanned files."""
    from pullcheck.facts import iam

    for td in graph.of_kind("ecs.task_definition"):
        if td.get("conditional") or not net.runs_on_fargate(graph, td):
            continue
        role = iam.role_for(graph, td.get("execution_role"))
        if role is None:
            continue
        yield td, role, iam.role_for(graph, td.get("task_role"))


def missing_permissions(graph: Graph, td, role, task_role):
    """{group: ([needs the execution role lacks], whether the task role holds all of them)}.

    Only needs the role's complete policy set provably lacks are listed; unknown ones are left out.
    """
    from pullcheck.facts import iam

    cache = graph.facts.table(missing_permissions)
    if td.key in cache:
        return cache[td.key]
    out = {}
    needs = iam.needs(graph, td)
    if needs:
        pset = iam.role_policies(graph, role)
        tset = iam.role_policies(graph, task_role) if task_role is not None and task_role is not role else None
        for need in needs:
            if iam.check(pset, need).allowed is not False:
                continue
            group = out.setdefault(need.group, ([], True))
            on_task = tset is not None and iam.check(tset, need).allowed is True
            out[need.group] = (group[0] + [need], group[1] and on_task)
    cache[td.key] = out
    return out


def missing_message(td, role, needs, why: str) -> str:
    actions = sorted({n.action for n in needs})
    targets = sorted({n.what for n in needs})
    return (f"execution role {role.name} of {td.name} does not allow {', '.join(actions)} ({'; '.join(targets)}), "
            f"which the agent needs {why}; allow them on the execution role (service-role/"
            f"AmazonECSTaskExecutionRolePolicy covers ECR and logs), and remove any Deny that matches them")


def missing_permission_hits(graph: Graph, groups, why: str):
    """IAM005-IAM007: one finding per task definition whose execution role provably lacks the permissions
    of these groups, unless the task role holds them all (IAM008)."""
    from pullcheck import Hit

    for td, role, task_role in execution_sites(graph):
        missing = missing_permissions(graph, td, role, task_role)
        needs = [n for g in groups if g in missing and not missing[g][1] for n in missing[g][0]]
        if not needs:
            continue
        yield Hit(role, (), missing_message(td, role, needs, why))


MAX_CANDIDATES = 20  # roles ECS tasks can assume in one folder, past which none is offered


def _task_roles(graph: Graph):
    """Roles ECS tasks can assume, by folder (computed once per run)."""
    from pullcheck.facts import iam

    out: dict = {}
    for role in graph.of_kind("iam.role"):
        if iam.trusts_ecs_tasks(graph, role) is True:
            out.setdefault(os.path.dirname(role.file), []).append(role)
    return out


def role_fix(graph: Graph, td):
    """An unsafe fix for a task definition without an execution role: point it at the one role the fix can
    name (declared in the same template, or in the same Terraform module) that ECS tasks can assume and that
    allows everything the task definition needs (its registry, logs and secrets). None when there is no
    such role or more than one (a choice to make)."""
    from pullcheck import fixes
    from pullcheck.facts import iam

    kind = fixes.fmt(td)
    if kind == "terraform":
        if "module." in td.name:
            return None
        root = td.key.split(":", 1)[0]
        candidates = [r for r in graph.facts.index(_task_roles).get(os.path.dirname(td.file), [])
                      if r.key.split(":", 1)[0] == root and "module." not in r.name]
    elif kind in ("cfn-yaml", "cfn-json"):
        stack = td.key.rsplit("#", 1)[0]  # the template as one stack (a stacks file may deploy it twice)
        candidates = [r for r in graph.facts.index(_task_roles).get(os.path.dirname(td.file), [])
                      if r.key.rsplit("#", 1)[0] == stack]
    else:
        return None
    if not candidates or len(candidates) > MAX_CANDIDATES:
        return None  # no role, or many to choose from: a choice, not a fix
    needs = iam.needs(graph, td)
    if needs is None:
        return None
    fit = []
    for role in candidates:
        pset = iam.role_policies(graph, role)
        if all(iam.check(pset, need).allowed is True for need in needs):
            fit.append(role)
            if len(fit) > 1:
                return None
    if len(fit) != 1:
        return None
    role = fit[0]
    if kind == "terraform":
        line, key = f"execution_role_arn = {role.name}.arn", r"\s*container_definitions\s*="
    else:
        logical = role.key.rsplit("#", 1)[-1]
        line, key = (f"ExecutionRoleArn: !GetAtt {logical}.Arn", r"\s*ContainerDefinitions\s*:") if kind == "cfn-yaml" \
            else (f'"ExecutionRoleArn": {{"Fn::GetAtt": ["{logical}", "Arn"]}},', r'\s*"ContainerDefinitions"\s*:')
    return fixes.insert_line_before(td, ("containers",), key, line, f"use {role.name} as the execution role",
                                    safe=False)
