"""CloudFormation templates (YAML or JSON, already loaded with positions) into graph resources."""
from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.graph import mapping
from pullcheck.facts import policy
from pullcheck.sources import scope
from pullcheck.engine import suppress
from pullcheck.graph.model import Graph, Resource, Span
from pullcheck.formats import common
from pullcheck.sources import marked
from pullcheck.sources.marked import MDict, MList
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Ref, Template, Unknown, make_template, text_of, text_size

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_NOVALUE = object()

KINDS = {
    "AWS::ECS::Service": "ecs.service",
    "AWS::ECS::TaskSet": "ecs.task_set",
    "AWS::ECS::TaskDefinition": "ecs.task_definition",
    "AWS::EC2::VPC": "ec2.vpc",
    "AWS::EC2::Subnet": "ec2.subnet",
    "AWS::EC2::RouteTable": "ec2.route_table",
    "AWS::EC2::Route": "ec2.route",
    "AWS::EC2::SubnetRouteTableAssociation": "ec2.route_table_association",
    "AWS::EC2::InternetGateway": "ec2.internet_gateway",
    "AWS::EC2::VPCGatewayAttachment": "ec2.gateway_attachment",
    "AWS::EC2::NatGateway": "ec2.nat_gateway",
    "AWS::EC2::VPCEndpoint": "ec2.vpc_endpoint",
    "AWS::EC2::SecurityGroup": "ec2.security_group",
    "AWS::EC2::EgressOnlyInternetGateway": "ec2.egress_only_internet_gateway",
    "AWS::EC2::TransitGateway": "ec2.transit_gateway",
    "AWS::EC2::VPCPeeringConnection": "ec2.vpc_peering_connection",
    "AWS::IAM::Role": "iam.role",
    "AWS::ECR::Repository": "ecr.repository",
    "AWS::ECS::Cluster": "ecs.cluster",
    "AWS::ECS::ClusterCapacityProviderAssociations": "ecs.cluster_capacity_providers",
    "AWS::EC2::SecurityGroupIngress": "ec2.security_group_rule",
    "AWS::EC2::SecurityGroupEgress": "ec2.security_group_rule",
    "AWS::EC2::NetworkAcl": "ec2.network_acl",
    "AWS::EC2::NetworkAclEntry": "ec2.network_acl_entry",
    "AWS::EC2::SubnetNetworkAclAssociation": "ec2.network_acl_association",
    "AWS::EC2::DHCPOptions": "ec2.dhcp_options",
    "AWS::EC2::VPCDHCPOptionsAssociation": "ec2.dhcp_options_association",
    "AWS::ECR::PullThroughCacheRule": "ecr.pull_through_cache_rule",
    "AWS::Events::Rule": "launch.events_rule",
    "AWS::Scheduler::Schedule": "launch.schedule",
    "AWS::Pipes::Pipe": "launch.pipe",
    "AWS::StepFunctions::StateMachine": "launch.state_machine",
    "AWS::Batch::JobDefinition": "ecs.task_definition",
    "AWS::Batch::ComputeEnvironment": "batch.compute_environment",
    "AWS::IAM::Policy": "iam.policy",
    "AWS::IAM::ManagedPolicy": "iam.policy",
    "AWS::IAM::RolePolicy": "iam.policy",
    "AWS::ECR::RegistryPolicy": "ecr.registry_policy",
    "AWS::SecretsManager::Secret": "secretsmanager.secret",
}

ROUTE_TARGETS = {
    "GatewayId": "gateway", "NatGatewayId": "nat", "InstanceId": "instance", "TransitGatewayId": "tgw",
    "VpcPeeringConnectionId": "pcx", "EgressOnlyInternetGatewayId": "eigw", "NetworkInterfaceId": "eni",
    "VpcEndpointId": "vpce", "CarrierGatewayId": "cagw", "LocalGatewayId": "lgw", "CoreNetworkArn": "core",
}


def is_template(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "AWSTemplateFormatVersion" in doc or isinstance(doc.get("Resources"), dict))


class Exports:
    """``Outputs.*.Export.Name`` of every stack in the run, for ``Fn::ImportValue``."""

    def __init__(self, assignment: Optional[Dict[Any, Any]] = None) -> None:
        self.by_name: Dict[str, Tuple["_Resolver", Any]] = {}
        self.ambiguous: set = set()
        self._busy: set = set()
        # parameters with AllowedValues and undecided conditions met while resolving, and the values
        # they take in the world being built
        self.choices: Dict[Any, List[Any]] = {}
        self.assignment: Dict[Any, Any] = assignment or {}
        self.budget = [0]
        self.imported = False  # a template of the run evaluated Fn::ImportValue
        self.text: Dict[str, List[int]] = {}  # text built so far, per template file (see MAX_TEXT)

    def add(self, name: str, resolver: "_Resolver", value: Any) -> None:
        if name in self.by_name and self.by_name[name][0] is not resolver:
            self.ambiguous.add(name)
        self.by_name[name] = (resolver, value)

    def value(self, name: str, depth: int) -> Any:
        if name in self.ambiguous:
            return Unknown(f"export {name} is declared by several stacks")
        if name not in self.by_name or name in self._busy:
            return Unknown(f"Fn::ImportValue {name}")
        resolver, value = self.by_name[name]
        self._busy.add(name)
        try:
            return resolver.resolve(value, depth + 1)
        finally:
            self._busy.discard(name)


class _Resolver:
    def __init__(self, doc: MDict, file: str, stack: Optional[str] = None, given: Optional[Dict[str, Any]] = None,
                 exports: Optional[Exports] = None) -> None:
        self.doc = doc
        self.file = file
        self.stack = stack
        self.given = given or {}  # parameter name -> value, or a callable giving it (nested stacks)
        self.exports = exports
        # one evaluation budget for every template of the run (ImportValue chains cross templates)
        self.budget = exports.budget if exports is not None else [0]
        # text the template builds, shared by every stack made of it
        self.text = exports.text.setdefault(os.path.abspath(file), [0]) if exports is not None else [0]
        self.children: Dict[str, "_Resolver"] = {}
        self.unread: Dict[str, Unknown] = {}  # nested stacks whose template is not evaluated, and why
        self.resources = doc.get("Resources") if isinstance(doc.get("Resources"), dict) else {}
        self.params = doc.get("Parameters") if isinstance(doc.get("Parameters"), dict) else {}
        self.mappings = doc.get("Mappings") if isinstance(doc.get("Mappings"), dict) else {}
        self.conditions = doc.get("Conditions") if isinstance(doc.get("Conditions"), dict) else {}
        self.outputs = doc.get("Outputs") if isinstance(doc.get("Outputs"), dict) else {}
        self._cond_cache: Dict[str, Optional[bool]] = {}
        self._given_cache: Dict[str, Any] = {}
        self.stack_known = stack is not None

    def key(self, logical: str) -> str:
        return f"{self.file}@{self.stack}#{logical}" if self.stack else f"{self.file}#{logical}"

    def output(self, name: str, depth: int) -> Any:
        out = self.outputs.get(name)
        if not isinstance(out, dict) or "Value" not in out:
            return Unknown(f"output {name} of stack {self.stack or self.file}")
        return self.resolve(out["Value"], depth + 1)

    def _given(self, name: str, ptype: str) -> Any:
        if name not in self._given_cache:
            self._given_cache[name] = Unknown(f"parameter {name} refers to itself")
            v = self.given[name]
            v = v() if callable(v) else v
            if isinstance(v, str) and (ptype.startswith("List<") or ptype == "CommaDelimitedList"):
                v = self._list_of(v, f"parameter {name}")
            elif isinstance(v, Template) and (ptype.startswith("List<") or ptype == "CommaDelimitedList"):
                v = self._split(v, ",", f"parameter {name}")
            self._given_cache[name] = v
        return self._given_cache[name]

    def _spent(self, size: int, what: str, items: int = 0) -> Optional[Unknown]:
        """None when ``what`` may build ``size`` characters of text (in a list of ``items``), else an unknown
        naming the bound it passes: one value's length, one list's items, or all the text one template builds
        (a thousand substitutions of a megabyte parameter would hold a gigabyte)."""
        if size > MAX_STRING:
            return Unknown(f"{what} builds a string over {MAX_STRING} characters")
        if items > MAX_ITEMS:
            return Unknown(f"{what} builds more than {MAX_ITEMS} items")
        self.text[0] += size
        if self.text[0] > MAX_TEXT:
            return Unknown(f"{what}: past {MAX_TEXT} characters of text built by one template")
        return None

    def _list_of(self, text: str, what: str) -> Any:
        """A comma-delimited list parameter's items."""
        over = self._spent(len(text), what, text.count(","))
        return over if over is not None else [x.strip() for x in text.split(",") if x.strip()]

    def _split(self, v: Any, delim: str, what: str) -> Any:
        """``Fn::Split`` of a string, or of a value with references in it."""
        if isinstance(v, str):
            over = self._spent(len(v), what, v.count(delim))
            return over if over is not None else v.split(delim)
        over = self._spent(text_size(v.parts), what, sum(p.count(delim) for p in v.parts if isinstance(p, str)))
        return over if over is not None else _split_template(v, delim)

    def _joined(self, parts: List[Any], what: str) -> Any:
        """The text of ``parts`` joined (a template if some are references), within the bounds."""
        over = self._spent(text_size(parts), what)
        return over if over is not None else make_template(parts)

    def rtype(self, logical: str) -> str:
        r = self.resources.get(logical)
        t = r.get("Type") if isinstance(r, dict) else None
        return t if isinstance(t, str) else ""

    # --- Ref / parameters
    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref to a computed name")
        if name in self.resources:
            return Ref(self.key(name), self.rtype(name), None)
        if name == "AWS::NoValue":
            return _NOVALUE
        if name == "AWS::StackName" and self.stack and self.stack_known:
            return self.stack
        if name.startswith("AWS::"):
            return Unknown(f"pseudo parameter {name}")
        p = self.params.get(name)
        if isinstance(p, dict):
            ptype = p.get("Type") if isinstance(p.get("Type"), str) else ""
            if name in self.given:
                return self._given(name, ptype)
            allowed = p.get("AllowedValues")
            if self.exports is not None and isinstance(allowed, list) and allowed and all(
                    isinstance(a, (str, int, float)) and not isinstance(a, bool) for a in allowed):
                # the stack may be deployed with any allowed value: each is a world of its own
                key = ("param", self.file, self.stack or "", name)
                if key in self.exports.assignment:
                    return self.exports.assignment[key]
                self.exports.choices.setdefault(key, [str(a) for a in allowed])
            if "Default" not in p or ptype.startswith("AWS::SSM::"):
                return Unknown(f"parameter {name} has no value in the template")
            default = p["Default"]
            if ptype.startswith("List<") or ptype == "CommaDelimitedList":
                if isinstance(default, str):
                    return self._list_of(default, f"parameter {name}")
            return default
        return Unknown(f"Ref to {name}, which the template does not declare")

    def condition(self, name: Any, depth: int = 0) -> Optional[bool]:
        if not isinstance(name, str) or depth > 50:
            return None
        if name in self._cond_cache:
            return self._cond_cache[name]
        self._cond_cache[name] = None
        val = self._cond_expr(self.conditions.get(name), depth + 1)
        if val is None and self.exports is not None and name in self.conditions:
            # a condition on values nobody gave: each branch that can be taken is a world of its own
            key = ("cond", self.file, self.stack or "", name)
            if key in self.exports.assignment:
                val = self.exports.assignment[key]
            else:
                self.exports.choices.setdefault(key, [True, False])
        self._cond_cache[name] = val
        return val

    def _cond_expr(self, e: Any, depth: int) -> Optional[bool]:
        if isinstance(e, bool):
            return e
        if not isinstance(e, dict) or len(e) != 1:
            return None
        (fn, arg), = e.items()
        if fn == "Condition":
            return self.condition(arg, depth)
        if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            v = self._cond_expr(arg[0], depth)
            return None if v is None else not v
        if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            vals = [self._cond_expr(a, depth) for a in arg]
            if fn == "Fn::And":
                return False if False in vals else (None if None in vals else True)
            return True if True in vals else (None if None in vals else False)
        if fn == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = self.resolve(arg[0]), self.resolve(arg[1])
            if isinstance(a, (Unknown, Ref, Template)) or isinstance(b, (Unknown, Ref, Template)):
                return None
            norm = (lambda x: str(x).lower() if isinstance(x, bool) else str(x))
            return norm(a) == norm(b)
        return None

    # --- values
    def resolve(self, v: Any, depth: int = 0) -> Any:
        if depth > 100:
            return Unknown("expression nested too deeply")
        self.budget[0] += 1
        if self.budget[0] > MAX_STEPS:
            return Unknown(f"evaluation budget of {MAX_STEPS} steps spent")
        if isinstance(v, str):
            if "{{resolve:" in v:
                return Unknown("dynamic reference {{resolve:...}}")
            return v
        if isinstance(v, list):
            out = MList()
            out.pos = getattr(v, "pos", (1, 1))
            out.ipos = []
            ipos = getattr(v, "ipos", [])
            for i, item in enumerate(v):
                r = self.resolve(item, depth + 1)
                if r is _NOVALUE:
                    continue
                out.append(r)
                out.ipos.append(ipos[i] if i < len(ipos) else out.pos)
            return out
        if isinstance(v, dict):
            if len(v) == 1:
                (k, arg), = v.items()
                if k == "Ref" or (isinstance(k, str) and k.startswith("Fn::")):
                    return self._fn(k, arg, depth)
            out = MDict()
            out.pos = getattr(v, "pos", (1, 1))
            out.kpos = {}
            kpos = getattr(v, "kpos", {})
            for k, item in v.items():
                r = self.resolve(item, depth + 1)
                if r is _NOVALUE:
                    continue
                out[k] = r
                out.kpos[k] = kpos.get(k, out.pos)
            return out
        return v

    def _fn(self, fn: str, arg: Any, depth: int) -> Any:
        if fn == "Ref":
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0] in self.resources:
                attr = arg[1] if isinstance(arg[1], str) else None
                if attr is None:
                    return Unknown("Fn::GetAtt with a computed attribute")
                if attr.startswith("Outputs.") and arg[0] in self.children:
                    return self.children[arg[0]].output(attr[len("Outputs."):], depth)
                if attr.startswith("Outputs.") and arg[0] in self.unread:
                    return self.unread[arg[0]]
                return Ref(self.key(arg[0]), self.rtype(arg[0]), attr)
            return Unknown("Fn::GetAtt of a resource the template does not declare")
        if fn == "Fn::ImportValue":
            if self.exports is not None:
                self.exports.imported = True
            name = self.resolve(arg, depth + 1)
            if isinstance(name, str) and self.exports is not None:
                return self.exports.value(name, depth)
            return Unknown(f"Fn::ImportValue {name if isinstance(name, str) else '(computed name)'}")
        if fn == "Fn::Sub":
            return self._sub(arg, depth)
        if fn == "Fn::Join":
            if not (isinstance(arg, list) and len(arg) == 2):
                return Unknown("malformed Fn::Join")
            delim = self.resolve(arg[0], depth + 1)
            items = self.resolve(arg[1], depth + 1)
            if not isinstance(delim, str) or not isinstance(items, list):
                return Unknown("Fn::Join over values that cannot be known")
            parts: List[Any] = []
            for i, it in enumerate(items):
                if i:
                    parts.append(delim)
                parts.extend(it.parts if isinstance(it, Template) else [it])
            if any(isinstance(p, (list, dict)) for p in parts):
                return Unknown("Fn::Join over values that cannot be known")
            return self._joined(parts, "Fn::Join")
        if fn == "Fn::If":
            if not (isinstance(arg, list) and len(arg) == 3):
                return Unknown("malformed Fn::If")
            c = self.condition(arg[0])
            if c is None:
                return Unknown(f"Fn::If on condition {arg[0]}, which depends on unknown parameters")
            return self.resolve(arg[1] if c else arg[2], depth + 1)
        if fn == "Fn::Select":
            if isinstance(arg, list) and len(arg) == 2:
                idx = self.resolve(arg[0], depth + 1)
                items = self.resolve(arg[1], depth + 1)
                try:
                    idx = int(idx) if not isinstance(idx, bool) else None
                except (TypeError, ValueError, OverflowError):  # an infinite or NaN index too
                    idx = None
                if idx is None:
                    return Unknown("Fn::Select with an unknown index")
                if isinstance(items, list) and 0 <= idx < len(items):
                    return items[idx]
            return Unknown("Fn::Select over values that cannot be known")
        if fn == "Fn::Split":
            if isinstance(arg, list) and len(arg) == 2:
                d, s = self.resolve(arg[0], depth + 1), self.resolve(arg[1], depth + 1)
                if isinstance(d, str) and isinstance(s, (str, Template)) and d:
                    return self._split(s, d, "Fn::Split")
            return Unknown("Fn::Split over values that cannot be known")
        if fn == "Fn::FindInMap":
            if isinstance(arg, list) and len(arg) >= 3:
                keys = [self.resolve(a, depth + 1) for a in arg[:3]]
                node: Any = self.mappings
                for k in keys:
                    if isinstance(k, bool):
                        k = str(k).lower()
                    if not isinstance(k, (str, int)) or not isinstance(node, dict) or str(k) not in node:
                        return Unknown("Fn::FindInMap with keys that cannot be known")
                    node = node[str(k)]
                return self.resolve(node, depth + 1)
            return Unknown("malformed Fn::FindInMap")
        return Unknown(f"{fn} is not evaluated")

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: Dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], arg[1]
        else:
            text = arg
        if not isinstance(text, str):
            return Unknown("Fn::Sub with a computed template")
        parts: List[Any] = []
        last = 0
        for m in _SUB_VAR.finditer(text):
            parts.append(text[last:m.start()])
            last = m.end()
            name = m.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            if name in variables:
                val = self.resolve(variables[name], depth + 1)
            elif "." in name and name.split(".", 1)[0] in self.resources:
                res, attr = name.split(".", 1)
                val = Ref(self.key(res), self.rtype(res), attr)
            else:
                val = self.ref(name)
            if isinstance(val, Template):
                parts.extend(val.parts)
            elif isinstance(val, (list, dict)) or val is _NOVALUE:
                parts.append(Unknown(f"${{{name}}} in Fn::Sub"))
            else:
                parts.append(val)
        parts.append(text[last:])
        return self._joined(parts, "Fn::Sub")


def _split_template(t: Template, delim: str) -> List[Any]:
    """``Fn::Split`` over a value with references in it: ``Join(",", [Ref A, Ref B])`` gives [A, B]."""
    items: List[List[Any]] = [[]]
    for p in t.parts:
        if isinstance(p, str):
            pieces = p.split(delim)
            items[-1].append(pieces[0])
            for piece in pieces[1:]:
                items.append([piece])
        else:
            items[-1].append(p)
    out = []
    for parts in items:
        parts = [p for p in parts if p != ""]
        out.append(parts[0] if len(parts) == 1 else make_template(parts) if parts else "")
    return out


NESTED = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}
MAX_NESTING = 10
MAX_STEPS = 2_000_000  # intrinsic evaluations per run (per parameter combination): past it, values are unknown
# nested stacks evaluated per run, and the resources in them: a parent evaluates its child once per nested
# stack resource, so 8 children of 8 children ... ten deep would be 8^10 stacks made of a few small files
MAX_STACK_INSTANCES = 1_000
MAX_STACK_RESOURCES = 100_000
MAX_TEXT = 64 << 20  # characters Fn::Sub, Fn::Join and Fn::Split build from one template, in all its stacks


def _local_child(file: str, body: Any) -> Optional[str]:
    """The local template a nested stack resource points at, as an absolute path, or None."""
    if not isinstance(body, dict) or not isinstance(body.get("Type"), str) or body["Type"] not in NESTED:
        return None
    props = body.get("Properties")
    where = props.get(NESTED[body["Type"]]) if isinstance(props, dict) else None
    if not isinstance(where, str) or "://" in where or where.startswith("s3:") or "\x00" in where:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(file)), where))


def parse_all(templates: List[Tuple[MDict, str]], stacks: List[Any], graph: Graph, load: Callable[[str], Any],
              assignment: Optional[Dict[Any, Any]] = None) -> List[Tuple[str, Any]]:
    """Add every template of the run: as the stacks the stacks file names (with their parameters), as the
    children of nested stack resources (with the parameters their parent passes), and otherwise on its
    own; exports of all of them answer ``Fn::ImportValue``. Returns (file, ParseError) for templates that
    a stack or a parent names but that cannot be read."""
    exports = Exports(assignment)
    errors: List[Tuple[str, Any]] = []
    by_path = {os.path.abspath(f): (d, f) for d, f in templates}
    loaded: Dict[str, Any] = {}

    def fetch(path: str) -> Optional[Tuple[MDict, str]]:
        if path in by_path:
            return by_path[path]
        if path not in loaded:
            try:
                loaded[path] = load(path)
            except Exception as e:  # ParseError, or a file that is not a template
                from pullcheck.engine import interrupt

                interrupt.check()
                loaded[path] = None
                errors.append((path, e))
        return loaded[path]

    def skip(path: str, why: str) -> None:
        if (path, why) not in graph.inputs.skipped:
            graph.inputs.skipped.append((path, why))

    children = {c for d, f in templates if isinstance(d.get("Resources"), dict)
                for body in d["Resources"].values() for c in [_local_child(f, body)] if c}
    roots: List[_Resolver] = []
    configured = set()
    for spec in stacks:
        if not spec.template:
            continue  # a Terraform configuration and its plan
        # a stack from a stacks file was judged when it was read; one from a CDK assembly or a caller is here
        if spec.skipped:
            continue  # said when its stacks file was read
        if not spec.may_read(spec.template):
            why = f"stack {spec.name} is not linted: its template lies outside the paths this run reads"
            skip(spec.template, why)
            if why not in graph.inputs.warnings:
                graph.inputs.warnings.append(why)
            continue
        entry = fetch(spec.template)
        if entry is not None:
            roots.append(_Resolver(entry[0], entry[1], spec.name, dict(spec.parameters), exports))
            configured.add(spec.template)
    for d, f in templates:
        if os.path.abspath(f) not in configured and os.path.abspath(f) not in children:
            roots.append(_Resolver(d, f, None, None, exports))
    every: List[_Resolver] = []
    queue = deque((r, 0, (os.path.abspath(r.file),)) for r in roots)
    made = [0, 0]  # nested stacks, and the resources in them
    while queue:
        r, depth, chain = queue.popleft()
        every.append(r)
        for logical, body in r.resources.items():
            child = _local_child(r.file, body)
            if child is None:
                continue
            if child in chain or depth >= MAX_NESTING:
                r.unread[logical] = Unknown(f"nested stack {logical} is nested in itself or more than "
                                            f"{MAX_NESTING} deep")
                continue
            if not scope.readable(child):
                skip(child, "a nested stack's template outside the paths this run reads is not read")
                r.unread[logical] = Unknown(f"nested stack {logical}: its template lies outside the paths this "
                                            f"run reads")
                continue
            if made[0] >= MAX_STACK_INSTANCES or made[1] >= MAX_STACK_RESOURCES:
                r.unread[logical] = Unknown(f"nested stack {logical}: past {MAX_STACK_INSTANCES} nested stacks or "
                                            f"{MAX_STACK_RESOURCES} resources in them in one run")
                continue
            entry = fetch(child)
            if entry is None:
                r.unread[logical] = Unknown(f"nested stack {logical}: its template cannot be read")
                continue
            resources = entry[0].get("Resources")
            made[0] += 1
            made[1] += len(resources) if isinstance(resources, dict) else 0
            params = body.get("Properties", {}).get("Parameters") if isinstance(body.get("Properties"), dict) else None
            given = {k: (lambda expr=v, parent=r: parent.resolve(expr)) for k, v in params.items()} \
                if isinstance(params, dict) else {}
            sub = _Resolver(entry[0], entry[1], f"{r.stack or r.file}/{logical}", given, exports)
            sub.stack_known = False
            r.children[logical] = sub
            queue.append((sub, depth + 1, chain + (child,)))
    for r in every:
        for out in r.outputs.values():
            export = out.get("Export") if isinstance(out, dict) else None
            if isinstance(export, dict) and "Name" in export:
                name = r.resolve(export["Name"])
                if isinstance(name, str):
                    exports.add(name, r, out.get("Value"))
    for r in every:
        _add_resources(r, graph)
    graph.inputs.choices = exports.choices
    graph.inputs.cfn_steps = exports.budget[0]
    # values that cross templates: exports, imports, nested stacks (what --jobs must keep together)
    graph.inputs.cfn_linked = bool(exports.by_name or exports.ambiguous or exports.imported
                                   or any(r.children for r in every) or stacks)
    return errors


# The language server keeps each resource's evaluation (set to a dict there), while its mapping is the
# same parse and what it can read is the same: parameters, mappings, outputs, the transform, and the
# names and types of the template's resources. Templates with conditions, parameters with allowed values
# (both evaluated once per template and shared by its resources), nested stacks or stack parameters are
# evaluated whole every time. A run of the command keeps nothing.
BUILT: Any = None


def _reuse_context(r: "_Resolver") -> Optional[List[Any]]:
    """What every resource of the template can read besides its own mapping, or None when a resource's
    evaluation cannot be told apart from the others'."""
    doc = r.doc
    if BUILT is None or r.stack or r.given or r.children or (r.exports is not None and r.exports.assignment):
        return None
    if r.conditions or any(isinstance(p, dict) and "AllowedValues" in p for p in r.params.values()):
        return None
    types = tuple((k, b.get("Type") if isinstance(b, dict) else None) for k, b in r.resources.items())
    if any(t in NESTED for _, t in types):
        return None
    if r.budget[0] > MAX_STEPS // 2 or r.text[0] > MAX_TEXT // 2:
        return None
    # not the outputs: a stack cannot import its own exports, and a resource that imports is not kept
    return [doc.get("Parameters"), doc.get("Mappings"), doc.get("Transform"), r.file, types]


def _moved(res: Resource, lines: int) -> Resource:
    """A resource evaluated before, its positions in this file ``lines`` further down."""
    def span(x: Any) -> Any:
        if isinstance(x, Span):
            if x.file and x.file != res.file:
                return x
            return replace(x, line=x.line + lines, end_line=x.end_line + lines if x.end_line else 0)
        return marked.moved_pos(x, lines)

    return Resource(key=res.key, kind=res.kind, rtype=res.rtype, name=res.name, file=res.file,
                    span=span(res.span), attrs=marked.moved_value(res.attrs, lines),
                    spans={k: span(v) for k, v in res.spans.items()})


def _add_resources(r: "_Resolver", graph: Graph) -> None:
    file = r.file
    context = _reuse_context(r)
    # parameters and mappings by content and place (a list default's items carry their places into the
    # resources that read it), transform, file, names and types
    unchanged = marked.Unchanged(context or [])
    for logical, body in r.resources.items():
        if not isinstance(body, dict):
            continue
        rtype = body.get("Type")
        kind = KINDS.get(rtype) if isinstance(rtype, str) else None
        if isinstance(rtype, str) and (rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource"):
            graph.inputs.custom_resources = True  # code of its own: it could change anything, a main table too
        if kind is None:
            continue
        cond = body.get("Condition")
        present: Optional[bool] = True
        if cond is not None:
            present = r.condition(cond)
            if present is False:
                continue
        pos = r.resources.kpos.get(logical, (1, 1)) if isinstance(r.resources, MDict) else (1, 1)
        meta = body.get("Metadata")
        name = logical
        if isinstance(meta, dict) and isinstance(meta.get("aws:cdk:path"), str):
            name = meta["aws:cdk:path"]  # a CDK app's users know the construct path, not the logical ID
        if isinstance(meta, dict) and "pullcheck" in meta:
            suppress.note_metadata(graph, file, name, meta["pullcheck"], pos)
        if context is not None:
            kept = BUILT.get((file, logical))
            # the same parse of its mapping, evaluated where it was then: moved down by the lines between
            lines = pos[0] - kept[2][1][0] if kept is not None and kept[0] is body and kept[2][0] == present \
                else None
            if lines is not None and marked.moved_pos(kept[2][1], lines) == pos:
                if unchanged(kept[1]):
                    added = kept[3] if not lines else [_moved(one, lines) for one in kept[3]]
                    for one in added:
                        graph.add(one)
                    r.budget[0] += kept[4]
                    r.text[0] += kept[5]
                    if lines:
                        BUILT[(file, logical)] = (body, kept[1], (present, pos), added, kept[4], kept[5])
                    continue
        parsed = body
        moved = marked.MOVED.get(id(body))
        if moved is not None and moved[0] is body:  # read at other lines: evaluated where it is now
            body = marked.moved_value(body, moved[1])
        steps, text, imported = r.budget[0], r.text[0], r.exports is not None and r.exports.imported
        res = Resource(key=r.key(logical), kind=kind, rtype=rtype, name=name, file=file,
                       span=Span.at(pos))
        res.attrs["conditional"] = present is None
        raw_props = body.get("Properties")
        props = r.resolve(raw_props) if isinstance(raw_props, dict) else MDict()
        if not isinstance(props, dict):
            props = MDict()
        if not hasattr(props, "kpos"):
            props = MDict(props)
            props.kpos = {}
        for attr, prop, parse in mapping.table(kind, "cfn"):
            v = _p(res, props, attr, prop)
            if parse == "policy":
                res.attrs[attr] = policy.parse(v) if v is not None else None
        extra = _BUILDERS.get(kind, _generic)(res, props)
        added = [res] if extra is None else list(extra)  # several: launch sites inside it (targets, states)
        for one in added:
            graph.add(one)
        if context is not None and not (r.exports is not None and r.exports.imported and not imported):
            if len(BUILT) > 50_000:
                BUILT.clear()
            BUILT[(file, logical)] = (parsed, context, (present, pos), added, r.budget[0] - steps, r.text[0] - text)


def _p(res: Resource, props: MDict, attr: str, name: str) -> Any:
    v, pos = common.field(props, name, True)
    common.put(res.spans, (attr,), pos)
    if isinstance(v, MList):
        for i, p in enumerate(v.ipos):
            common.put(res.spans, (attr, i), p)
    res.attrs[attr] = v
    return v


def _generic(res: Resource, props: MDict) -> None:
    return None


def _whole(v: Any) -> Any:
    """An integer property (a port, a protocol or rule number) as written; a float there (``443.0``,
    ``.inf``, JSON's ``1e400``) is not an integer, and what CloudFormation would make of it is not known."""
    return Unknown(f"{v!r} where an integer is required") if isinstance(v, float) else v


def _rule_record(props: Any, direction: str) -> Dict[str, Any]:
    """One security group rule (inline or standalone) in the shape shared with Terraform."""
    peer = "Source" if direction == "ingress" else "Destination"
    def get(name: str) -> Any:
        return props.get(name) if isinstance(props, dict) else None
    def one(v: Any) -> List[Any]:
        return [] if v is None else [v]
    return {"protocol": _whole(get("IpProtocol")), "from": _whole(get("FromPort")), "to": _whole(get("ToPort")),
            "cidr4": one(get("CidrIp")), "cidr6": one(get("CidrIpv6")),
            "prefix_lists": one(get(f"{peer}PrefixListId")),
            "groups": one(get(f"{peer}SecurityGroupId")), "self": False}


def _rule_list(res: Resource, props: MDict, attr: str, name: str, direction: str) -> None:
    v = _p(res, props, attr, name)
    if v is None or isinstance(v, Unknown):
        return
    if not isinstance(v, list):
        res.attrs[attr] = Unknown(f"{name} cannot be read")
        return
    res.attrs[attr] = [_rule_record(x, direction) if isinstance(x, dict) else Unknown("rule") for x in v]


def _security_group(res: Resource, props: MDict) -> None:
    _rule_list(res, props, "ingress", "securityGroupIngress", "ingress")
    _rule_list(res, props, "egress", "securityGroupEgress", "egress")
    # CloudFormation keeps EC2's allow-all egress rule unless inline egress rules replace it
    res.attrs["egress_default"] = "all"
    res.attrs["default"] = False


def _security_group_rule(res: Resource, props: MDict) -> None:
    direction = "egress" if res.rtype.endswith("Egress") else "ingress"
    res.attrs["direction"] = direction
    _p(res, props, "group", "groupId")
    if res.attrs["group"] is None and props.get("GroupName") is not None:
        res.attrs["group"] = Unknown("a group given by name")
    res.attrs["rule"] = _rule_record(props, direction)


def _network_acl(res: Resource, props: MDict) -> None:
    _p(res, props, "vpc", "vpcId")
    res.attrs.update(default=False, entries=[], subnets=[])


def _network_acl_entry(res: Resource, props: MDict) -> None:
    _p(res, props, "acl", "networkAclId")
    ports = props.get("PortRange") if isinstance(props.get("PortRange"), dict) else {}
    _p(res, props, "rule_number", "ruleNumber")
    res.attrs["entry"] = {"egress": props.get("Egress", False), "number": _whole(props.get("RuleNumber")),
                          "protocol": _whole(props.get("Protocol")), "action": props.get("RuleAction"),
                          "cidr4": props.get("CidrBlock"), "cidr6": props.get("Ipv6CidrBlock"),
                          "from": _whole(ports.get("From")), "to": _whole(ports.get("To"))}


def _run_task(parent: Resource, suffix: str, params: Any, pos: Any, task_definition: str) -> Resource:
    """A launch site inside another resource (a rule target, a schedule, a pipe, a state)."""
    pos = pos or (parent.span.line, parent.span.col)
    sub = Resource(key=f"{parent.key}/{suffix}", kind="ecs.run_task", rtype=parent.rtype,
                   name=f"{parent.name}.{suffix}", file=parent.file, span=Span.at(pos))
    common.normalise_launch(params if isinstance(params, dict) else MDict(), True, sub.spans, sub.attrs,
                            task_definition)
    if isinstance(params, Unknown):
        sub.attrs["launch_type"] = params
    sub.attrs["conditional"] = parent.attrs.get("conditional", False)
    return sub


def _events_rule(res: Resource, props: MDict) -> List[Resource]:
    out = []
    targets = props.get("Targets")
    for i, t in enumerate(targets if isinstance(targets, list) else []):
        if not isinstance(t, dict) or "EcsParameters" not in t:
            continue
        tid = t.get("Id")
        suffix = f"Targets[{tid}]" if isinstance(tid, str) else f"Targets[{i}]"
        pos = targets.ipos[i] if isinstance(targets, MList) and i < len(targets.ipos) else None
        out.append(_run_task(res, suffix, t["EcsParameters"], pos, "taskDefinitionArn"))
    return out


def _schedule(res: Resource, props: MDict) -> List[Resource]:
    target = props.get("Target")
    params = target.get("EcsParameters") if isinstance(target, dict) else None
    if params is None:
        return []
    return [_run_task(res, "Target", params, props.kpos.get("Target"), "taskDefinitionArn")]


def _pipe(res: Resource, props: MDict) -> List[Resource]:
    target = props.get("TargetParameters")
    params = target.get("EcsTaskParameters") if isinstance(target, dict) else None
    if params is None:
        return []
    return [_run_task(res, "Target", params, props.kpos.get("TargetParameters"), "taskDefinitionArn")]


def _state_machine(res: Resource, props: MDict) -> List[Resource]:
    from pullcheck.formats import statemachine

    subs = props.get("DefinitionSubstitutions")
    subs = dict(subs) if isinstance(subs, dict) else {}
    if "Definition" in props:
        key, definition = "Definition", statemachine.definition_value(props["Definition"], subs)
    elif "DefinitionString" in props:
        key, definition = "DefinitionString", statemachine.definition_value(props["DefinitionString"], subs)
    else:
        return []
    out = []
    kpos = props.kpos.get(key)
    for name, params, pos in statemachine.run_task_states(definition):
        sub = _run_task(res, name, params, pos if key == "Definition" else kpos, "taskDefinition")
        if key == "DefinitionString" and kpos:  # positions inside a JSON string are not file positions
            sub.spans = {k: Span.at(kpos) for k in sub.spans}
        out.append(sub)
    return out


def _batch_job(res: Resource, props: MDict) -> None:
    res.attrs.update(common.normalise_batch_job(props.get("PlatformCapabilities"), props.get("ContainerProperties"),
                                                props.get("EcsProperties"), True, res.spans))


def _compute_environment(res: Resource, props: MDict) -> None:
    cr = props.get("ComputeResources")
    ctype, _ = common.field(cr, "type", True)
    res.attrs["fargate"] = ctype.upper() in ("FARGATE", "FARGATE_SPOT") if isinstance(ctype, str) else \
        (False if cr is None else None)
    for attr, name in (("subnets", "subnets"), ("security_groups", "securityGroupIds")):
        v, pos = common.field(cr, name, True)
        res.attrs[attr] = v
        common.put(res.spans, (attr,), pos)
        if isinstance(v, MList):
            for i, p in enumerate(v.ipos):
                common.put(res.spans, (attr, i), p)


def _cluster(res: Resource, props: MDict) -> None:
    v = _p(res, props, "default_strategy", "defaultCapacityProviderStrategy")
    res.attrs["default_strategy"] = common.capacity_providers(v, True)


def _launch(res: Resource, props: MDict) -> None:
    common.normalise_launch(props, True, res.spans, res.attrs)


def _task_definition(res: Resource, props: MDict) -> None:
    if res.rtype == "AWS::Batch::JobDefinition":
        return _batch_job(res, props)
    res.attrs.update(common.normalise_task_definition(props, True, res.spans))


def _subnet(res: Resource, props: MDict) -> None:
    if res.attrs["ipv6_cidr"] is None:
        _p(res, props, "ipv6_cidr", "ipv6CidrBlocks")


def _route_table(res: Resource, props: MDict) -> None:
    _p(res, props, "vpc", "vpcId")
    res.attrs["routes"] = []
    res.attrs["main"] = False


def _route(res: Resource, props: MDict) -> None:
    res.attrs["target"] = None
    res.attrs["target_attr"] = None
    for name, tk in ROUTE_TARGETS.items():
        if name in props:
            res.attrs["target"] = props[name]
            res.attrs["target_attr"] = tk
            common.put(res.spans, ("target",), props.kpos.get(name))
            break


def _association(res: Resource, props: MDict) -> None:
    _p(res, props, "subnet", "subnetId")
    res.attrs["main_for_vpc"] = None


def _endpoint(res: Resource, props: MDict) -> None:
    _p(res, props, "type", "vpcEndpointType")
    if res.attrs["type"] is None:
        res.attrs["type"] = "Gateway"


def _repository(res: Resource, props: MDict) -> None:
    if _p(res, props, "policy", "repositoryPolicyText") is not None:
        res.attrs["policy"] = policy.parse(res.attrs["policy"])


def _role(res: Resource, props: MDict) -> None:
    inline = _p(res, props, "inline", "policies")
    if isinstance(inline, list):
        res.attrs["inline"] = [(text_of(p.get("PolicyName")) if isinstance(p, dict) else None,
                                policy.parse(p.get("PolicyDocument")) if isinstance(p, dict) else Unknown("policy"))
                               for p in inline]
    elif inline is not None:
        res.attrs["inline"] = Unknown("inline policies cannot be read")


def _policy(res: Resource, props: MDict) -> None:
    doc = _p(res, props, "document", "policyDocument")
    res.attrs["document"] = policy.parse(doc)
    res.attrs["managed"] = res.rtype == "AWS::IAM::ManagedPolicy"
    if res.rtype == "AWS::IAM::RolePolicy":
        role = _p(res, props, "roles", "roleName")
        res.attrs["roles"] = [role]
    else:
        _p(res, props, "roles", "roles")
        if res.attrs["roles"] is None:
            res.attrs["roles"] = []
    _p(res, props, "policy_name", "policyName")


_BUILDERS = {
    "ecs.service": _launch,
    "ecs.task_set": _launch,
    "ecs.task_definition": _task_definition,
    "ecs.cluster": _cluster,
    "ecs.cluster_capacity_providers": _cluster,
    "ec2.subnet": _subnet,
    "ec2.route_table": _route_table,
    "ec2.route": _route,
    "ec2.route_table_association": _association,
    "ec2.vpc_endpoint": _endpoint,
    "ecr.repository": _repository,
    "iam.role": _role,
    "iam.policy": _policy,
    "ec2.security_group": _security_group,
    "ec2.security_group_rule": _security_group_rule,
    "ec2.network_acl": _network_acl,
    "ec2.network_acl_entry": _network_acl_entry,
    "launch.events_rule": _events_rule,
    "launch.schedule": _schedule,
    "launch.pipe": _pipe,
    "launch.state_machine": _state_machine,
    "batch.compute_environment": _compute_environment,
}
