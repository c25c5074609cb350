"""Which template is deployed as which stack, with which parameters: ``--stacks FILE`` or the ``stacks``
table of the configuration.

```toml
[stacks.production]
template = "fargate-networking-stacks/public-private-vpc.yml"
[stacks.nat-a]
template = "vpc/vpc-nat-gateway.yaml"
parameters = { ParentVPCStack = "vpc", SubnetZone = "A" }   # or a path to a parameters file
account = "123456789012"       # the stack's AWS::AccountId and AWS::Region (optional; the partition
region = "eu-west-1"           # and URL suffix follow from the Region)
[stacks.prod]
terraform = "envs/prod"        # a Terraform root module
plan = "plans/prod.json"       # the terraform show -json plan made from it (optional)
var-files = ["prod.tfvars"]    # as terraform -chdir=envs/prod apply -var-file=prod.tfvars (optional)
vars = { image_tag = "1.4" }   # as -var, after the var-files (optional)
```
Variables files are relative to the Terraform folder, as ``-chdir`` makes them.
Parameter files may be the CloudFormation CLI list (``[{"ParameterKey": ..., "ParameterValue": ...}]``)
or the CodePipeline template configuration (``{"Parameters": {...}}``). Paths are relative to the file
that names them. A template is read under that folder or the paths the run reads, a parameters file under
that folder only (a pull request's configuration cannot name a file of the machine); a stack whose files lie
elsewhere is left out, with a warning.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple


class StacksError(Exception):
    pass


@dataclass
class Stack:
    name: str
    template: str  # absolute path; "" for a Terraform configuration
    parameters: Dict[str, Any] = field(default_factory=dict)
    terraform: str = ""  # absolute path of a Terraform root module
    plan: str = ""  # absolute path of the plan made from it
    parameters_file: str = ""  # absolute path of the parameters file the parameters come from
    skipped: str = ""  # why the stack is left out
    base: str = ""  # the folder of the file that names the stack: its files may lie under it
    origin: str = ""  # where a stack the repository's deploy inputs imply comes from ("deploy.sh:12"); "" if named
    also: List[str] = field(default_factory=list)  # other commands that deploy it the same way
    name_known: bool = True  # False when the deploy command's stack name depends on what the shell is given
    var_files: List[str] = field(default_factory=list)  # absolute paths, for a Terraform root module
    variables: Dict[str, str] = field(default_factory=dict)  # -var NAME=VALUE, after the var-files

    def tf_assignments(self) -> List[Tuple[str, str]]:
        """What this stack gives its Terraform root module, as -var-file and -var in their order."""
        return [("file", f) for f in self.var_files] + [("var", f"{k}={v}") for k, v in self.variables.items()]

    def may_read(self, path: str) -> bool:
        """A file of this stack that the run may read: in the run's scope, or under the folder of the file
        that names the stack (a configuration at the repository's root names templates beside the linted
        paths)."""
        from pullcheck.sources import scope

        if "\x00" in path:
            return False
        return scope.readable(path) or self.under_base(path)

    def under_base(self, path: str) -> bool:
        from pullcheck.sources import scope

        return bool(self.base) and "\x00" not in path and scope.under(os.path.realpath(path),
                                                                       os.path.realpath(self.base))


def parameters_from(value: Any, base: str, where: str) -> Dict[str, Any]:
    """Parameters as a table, or read from a parameters file (``value`` relative to ``base``): the CLI list,
    the CodePipeline template configuration, or the list of ``"K=V"`` that ``cloudformation deploy`` takes."""
    if isinstance(value, dict):
        return {str(k): (",".join(map(str, v)) if isinstance(v, list) else v) for k, v in value.items()}
    if not isinstance(value, str):
        raise StacksError(f"{where}: parameters must be a table or the path of a parameters file")
    path = os.path.join(base, value)
    from pullcheck.sources.errors import ParseError, read_text

    try:
        data = json.loads(read_text(path))
    except (ParseError, ValueError, RecursionError) as e:
        raise StacksError(f"{where}: cannot read parameters file {value}: {e}") from None
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):  # CodePipeline template configuration
        return {str(k): v for k, v in data["Parameters"].items()}
    if isinstance(data, list) and all(isinstance(x, dict) and "ParameterKey" in x for x in data):  # CLI list
        return {str(x["ParameterKey"]): x.get("ParameterValue", "") for x in data if not x.get("UsePreviousValue")}
    if isinstance(data, list) and all(isinstance(x, str) and "=" in x for x in data):  # deploy's K=V list
        return dict(x.split("=", 1) for x in data)
    raise StacksError(f"{where}: {value} is neither a CloudFormation parameters list nor a template configuration")


def parse(table: Any, base: str, source: str) -> List[Stack]:
    if not isinstance(table, dict):
        raise StacksError(f"{source}: stacks must be a table of stack name = {{template = ..., parameters = ...}}")
    out = []
    for name, spec in table.items():
        where = f"{source}: stacks.{name}"
        if isinstance(spec, dict) and ("terraform" in spec or "plan" in spec):
            out.append(_terraform(str(name), spec, base, where))
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("template"), str):
            raise StacksError(f"{where}: needs template = \"path/to/template.yaml\" (or terraform = \"folder\" "
                              f"and plan = \"plan.json\")")
        unknown = sorted(set(spec) - {"template", "parameters", "account", "region"})
        if unknown:
            raise StacksError(f"{where}: unknown key {', '.join(unknown)}")
        pseudo = _place(spec, where)
        template = os.path.normpath(os.path.join(base, spec["template"]))
        params = spec.get("parameters", {})
        stack = Stack(str(name), os.path.abspath(template), base=os.path.abspath(base))
        if isinstance(params, str):
            stack.parameters_file = os.path.abspath(os.path.join(base, params))
        # a template elsewhere is judged by the run's scope when the templates are read; whether it exists is
        # not this reader's to tell. A parameters file is read now: only under the folder.
        if stack.parameters_file and not stack.under_base(stack.parameters_file):
            stack.skipped = (f"stack {name} is not linted: its parameters file lies outside the paths this run "
                             f"reads (the folder of {source})")
            _warn(stack.skipped)
        else:
            if stack.under_base(stack.template) and not os.path.isfile(template):
                raise StacksError(f"{where}: no such template {spec['template']}")
            stack.parameters = parameters_from(params, base, where)
            stack.parameters.update(pseudo)
        out.append(stack)
    return out


_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")


def _place(spec: Dict[str, Any], where: str) -> Dict[str, str]:
    """The stack's ``account`` and ``region`` as the pseudo parameters its template reads."""
    account, region = spec.get("account", ""), spec.get("region", "")
    if not isinstance(account, str) or (account and not _ACCOUNT.fullmatch(account)):
        raise StacksError(f"{where}: account must be a 12-digit AWS account ID")
    if not isinstance(region, str) or (region and not _REGION.fullmatch(region)):
        raise StacksError(f"{where}: region must be a Region name such as eu-west-1")
    if not account and not region:
        return {}
    from pullcheck.formats.cloudformation.resolver import pseudo_parameters

    return pseudo_parameters(account, region)


def _warn(message: str) -> None:
    import sys

    from pullcheck.outputs.safetext import printable

    print(f"pullcheck: warning: {printable(message)}", file=sys.stderr)


def _terraform(name: str, spec: Dict[str, Any], base: str, where: str) -> Stack:
    """A Terraform configuration, and the plan made from it (its values apply to that folder only) and the
    variables it is applied with (``var-files`` relative to the folder, as ``-chdir`` makes them, and ``vars``),
    each optional. A variables file lies under the stacks file's folder or the paths the run reads."""
    unknown = sorted(set(spec) - {"terraform", "plan", "var-files", "vars"})
    if unknown:
        raise StacksError(f"{where}: unknown key {', '.join(unknown)} (a Terraform stack has terraform, plan, "
                          f"var-files and vars)")
    folder, plan = spec.get("terraform"), spec.get("plan", "")
    files, values = spec.get("var-files", []), spec.get("vars", {})
    if not isinstance(folder, str) or not isinstance(plan, str):
        raise StacksError(f"{where}: needs terraform = \"folder\" (and plan = \"plan.json\")")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise StacksError(f"{where}: var-files must be a list of paths")
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise StacksError(f"{where}: vars must be a table of name = \"value\" (text, as -var takes it)")
    folder_path = os.path.normpath(os.path.join(base, folder))
    if not os.path.isdir(folder_path):
        raise StacksError(f"{where}: no such folder {folder}")
    plan_path = os.path.normpath(os.path.join(base, plan)) if plan else ""
    if plan and not os.path.isfile(plan_path):
        raise StacksError(f"{where}: no such plan {plan}")
    stack = Stack(name, "", terraform=os.path.abspath(folder_path), plan=os.path.abspath(plan_path) if plan else "",
                  base=os.path.abspath(base), variables={str(k): v for k, v in values.items()})
    for f in files:
        path = os.path.abspath(os.path.join(folder_path, f))
        if not os.path.isfile(path):
            raise StacksError(f"{where}: no such variables file {f} (relative to {folder})")
        if not stack.may_read(path):
            raise StacksError(f"{where}: variables file {f} lies outside the paths this run reads")
        stack.var_files.append(path)
    return stack


def load(path: str) -> List[Stack]:
    from pullcheck.engine.config import ConfigError, load_toml

    try:
        data = load_toml(path)
    except ConfigError as e:
        raise StacksError(str(e)) from None
    table = data.get("stacks", data.get("tool", {}).get("pullcheck", {}).get("stacks"))
    if table is None:
        if "network" in data:
            return []  # only the account's snapshot
        raise StacksError(f"{path}: no [stacks] table")
    return parse(table, os.path.dirname(os.path.abspath(path)), path)


def account(path: str) -> Tuple[str, str]:
    """(the snapshot of the account, its Region) a stacks file names at its top (``network = "network.json"``,
    ``region = "eu-west-1"``), each "" when not named. The snapshot lies under the stacks file's folder."""
    from pullcheck.engine.config import ConfigError, load_toml
    from pullcheck.sources import scope

    try:
        data = load_toml(path)
    except ConfigError as e:
        raise StacksError(str(e)) from None
    out = []
    for key in ("network", "region"):
        v = data.get(key, "")
        if not isinstance(v, str):
            raise StacksError(f"{path}: {key} must be text")
        out.append(v)
    network, region = out
    if network:
        base = os.path.dirname(os.path.abspath(path))
        network = os.path.normpath(os.path.join(base, network))
        if not scope.under(os.path.realpath(network), os.path.realpath(base)):
            raise StacksError(f"{path}: network {out[0]} lies outside the stacks file's folder: not read")
    return network, region
