"""A Terraform folder (one module) into graph resources, with a small evaluator for expressions.

What the evaluator cannot know (variables without value, data sources, module outputs, functions it
does not model, unknown counts) becomes an Unknown naming its origin.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, List, Optional, Tuple

from pullcheck import mapping, policy, suppress
from pullcheck.model import Graph, Resource, Span
from pullcheck.parsers import common
from pullcheck.parsers.errors import ParseError, read_text
from pullcheck.parsers.marked import MDict, MList, load_json
from pullcheck.values import Ref, Template, Unknown, make_template

MAX_INSTANCES = 10_000
_INTERPOLATION = re.compile(r"\$?\$\{([^{}]*)\}")

KINDS = {
    "aws_ecs_service": "ecs.service", "aws_ecs_task_set": "ecs.task_set",
    "aws_ecs_task_definition": "ecs.task_definition", "aws_vpc": "ec2.vpc", "aws_subnet": "ec2.subnet",
    "aws_route_table": "ec2.route_table", "aws_default_route_table": "ec2.route_table", "aws_route": "ec2.route",
    "aws_route_table_association": "ec2.route_table_association",
    "aws_main_route_table_association": "ec2.route_table_association",
    "aws_internet_gateway": "ec2.internet_gateway", "aws_nat_gateway": "ec2.nat_gateway",
    "aws_vpc_endpoint": "ec2.vpc_endpoint",
    "aws_vpc_endpoint_route_table_association": "ec2.vpc_endpoint_route_table_association",
    "aws_security_group": "ec2.security_group", "aws_egress_only_internet_gateway": "ec2.egress_only_internet_gateway",
    "aws_ec2_transit_gateway": "ec2.transit_gateway", "aws_vpc_peering_connection": "ec2.vpc_peering_connection",
    "aws_iam_role": "iam.role", "aws_ecr_repository": "ecr.repository", "aws_ecs_cluster": "ecs.cluster",
    "aws_default_security_group": "ec2.security_group", "aws_security_group_rule": "ec2.security_group_rule",
    "aws_vpc_security_group_egress_rule": "ec2.security_group_rule",
    "aws_vpc_security_group_ingress_rule": "ec2.security_group_rule",
    "aws_network_acl": "ec2.network_acl", "aws_default_network_acl": "ec2.network_acl",
    "aws_network_acl_rule": "ec2.network_acl_entry", "aws_network_acl_association": "ec2.network_acl_association",
    "aws_vpc_dhcp_options": "ec2.dhcp_options", "aws_vpc_dhcp_options_association": "ec2.dhcp_options_association",
    "aws_ecr_pull_through_cache_rule": "ecr.pull_through_cache_rule",
    "aws_cloudwatch_event_target": "ecs.run_task", "aws_scheduler_schedule": "ecs.run_task",
    "aws_pipes_pipe": "ecs.run_task", "aws_sfn_state_machine": "launch.state_machine",
    "aws_batch_job_definition": "ecs.task_definition", "aws_batch_compute_environment": "batch.compute_environment",
    "aws_iam_role_policy": "iam.policy", "aws_iam_policy": "iam.policy",
    "aws_iam_role_policy_attachment": "iam.attachment", "aws_iam_policy_attachment": "iam.attachment",
    "data.aws_iam_policy_document": "iam.policy_document", "data.aws_subnets": "data.subnets",
    "data.aws_subnet": "data.subnet", "data.aws_vpc": "data.vpc", "aws_ecr_repository_policy": "ecr.repository_policy",
    "aws_ecr_registry_policy": "ecr.registry_policy", "aws_secretsmanager_secret": "secretsmanager.secret",
}
DATA_KINDS = ("aws_iam_policy_document", "aws_subnets", "aws_subnet", "aws_vpc")
ROUTE_TARGETS = {"gateway_id": "gateway", "nat_gateway_id": "nat", "transit_gateway_id": "tgw",
                 "vpc_peering_connection_id": "pcx", "network_interface_id": "eni", "vpc_endpoint_id": "vpce",
                 "egress_only_gateway_id": "eigw", "carrier_gateway_id": "cagw", "local_gateway_id": "lgw",
                 "core_network_arn": "core", "instance_id": "instance"}


def _edge(tree: Any, last: bool) -> Any:
    """The first (or last) token of a subtree, or None."""
    node = tree
    while hasattr(node, "children"):
        nxt = None
        for c in (reversed(node.children) if last else node.children):
            if c is not None:
                nxt = c
                break
        if nxt is None:
            return None
        node = nxt
    return node


def _pos(tree: Any) -> Tuple[int, int, int, int]:
    """The range of a subtree: whole when it ends on the line it starts, else its first token.

    Read from the tokens rather than from Lark's propagated positions, which double the parse time.
    """
    first = _edge(tree, False)
    line, col = (getattr(first, "line", None) or 1, getattr(first, "column", None) or 1)
    end = _edge(tree, True)
    if end is not None and getattr(end, "end_line", None) == line and end.end_column:
        return (line, col, line, end.end_column)
    if first is not None and getattr(first, "end_line", None) == line and first.end_column:
        return (line, col, line, first.end_column)
    return (line, col, line, col + 1)


class Known:
    """An attribute whose value is already known (a plan's planned value), with where it is written."""

    __slots__ = ("value", "line", "column")

    def __init__(self, value: Any, pos: Tuple[int, int]) -> None:
        self.value, self.line, self.column = value, pos[0], pos[1]


def _children(tree: Any) -> List[Any]:
    return [c for c in tree.children if not (hasattr(c, "data") and c.data == "new_line_or_comment")
            and c is not None]


def _ident(tree: Any) -> str:
    return str(tree.children[0])


class Body:
    """Attributes and nested blocks of one HCL body."""

    def __init__(self, tree: Any, file: str) -> None:
        self.file = file
        self.attrs: Dict[str, Any] = {}
        self.blocks: List[Tuple[str, List[str], "Body", Tuple[int, int]]] = []
        for c in _children(tree):
            if c.data == "attribute":
                kids = c.children
                self.attrs[_ident(kids[0])] = kids[-1]
            elif c.data == "block":
                kids = _children(c)
                labels = []
                for k in kids[1:-1]:
                    labels.append(_ident(k) if k.data == "identifier" else _string_literal(k))
                self.blocks.append((_ident(kids[0]), labels, Body(kids[-1], file), _pos(c)))

    def block_list(self, name: str) -> List["Body"]:
        return [b for n, _, b, _ in self.blocks if n == name]


def _string_literal(tree: Any) -> str:
    out = []
    for part in tree.children:
        for t in part.children:
            out.append(str(t) if not hasattr(t, "data") else "")
    return "".join(out)


class _Resource:
    def __init__(self, rtype: str, name: str, body: Body, pos: Tuple[int, int], module: "Module") -> None:
        self.rtype, self.name, self.body, self.pos, self.module = rtype, name, body, pos, module
        self.address = f"{rtype}.{name}"
        self._instances: Any = None

    def instances(self) -> Any:
        """[(suffix, context)] or an Unknown when count / for_each cannot be evaluated."""
        if self._instances is not None:
            return self._instances
        self._instances = Unknown(f"{self.address} refers to itself")
        ev = self.module.evaluator({})
        result: Any
        if "count" in self.body.attrs:
            n = ev.eval(self.body.attrs["count"])
            if isinstance(n, bool) or not isinstance(n, (int, float)):
                result = Unknown(f"count of {self.address} cannot be evaluated")
            else:
                result = [(f"[{i}]", {"count.index": i}) for i in range(min(int(n), MAX_INSTANCES))]
        elif "for_each" in self.body.attrs:
            fe = ev.eval(self.body.attrs["for_each"])
            if isinstance(fe, _Counted):  # for_each over another resource's instances
                insts = fe.res.instances()
                fe = insts if isinstance(insts, Unknown) else {
                    s[2:-2] if s.startswith('["') else s[1:-1]: _Instance(fe.res, s) for s, _ in insts}
            if isinstance(fe, dict) and all(isinstance(k, str) for k in fe):
                result = [(f'["{k}"]', {"each.key": k, "each.value": v}) for k, v in fe.items()]
            elif isinstance(fe, list) and all(isinstance(k, str) for k in fe):
                result = [(f'["{k}"]', {"each.key": k, "each.value": k}) for k in fe]
            else:
                result = Unknown(f"for_each of {self.address} cannot be evaluated")
        else:
            result = [("", {})]
        self._instances = result
        return result

    def key(self, suffix: str) -> str:
        return f"{self.module.dir}:{self.address}{suffix}"


class _Instance:
    def __init__(self, res: _Resource, suffix: str) -> None:
        self.res, self.suffix = res, suffix

    def attr(self, name: str) -> Any:
        return Ref(self.res.key(self.suffix), self.res.rtype, name)


class _Counted:
    """A resource or data source with count / for_each, before it is indexed."""

    def __init__(self, res: _Resource) -> None:
        self.res = res


class Module:
    def __init__(self, folder: str, instance: str = "") -> None:
        self.folder = folder.replace(os.sep, "/")
        # the instance id: the folder for a root module, "<parent>/module.<name>" for a called one
        self.dir = instance or self.folder
        self.prefix = ""  # "module.network." for resources of a called module, in messages
        self.calls: Dict[str, Tuple[Body, Tuple[int, int], str]] = {}  # name -> (body, position, file)
        self.outputs: Dict[str, Any] = {}
        self.children: Dict[str, Any] = {}  # name -> Module, or Unknown when it cannot be instantiated
        self.inputs: Dict[str, Any] = {}  # variable -> expression tree in the caller, for a called module
        self.caller: Any = None
        self.model_call: Any = None  # (file, position, {attribute: span}) for a modelled registry module
        self.resources: Dict[str, _Resource] = {}
        self.variables: Dict[str, Any] = {}
        self.var_values: Dict[str, Any] = {}
        self.locals: Dict[str, Any] = {}
        self._local_values: Dict[str, Any] = {}
        self.data: set = set()
        self.provider: Any = None

    def output(self, name: str) -> Any:
        if name not in self.outputs:
            return Unknown(f"output {name} of {self.prefix.rstrip('.') or self.folder}")
        key = f"output.{name}"
        if key in self._local_values:
            return self._local_values[key]
        self._local_values[key] = Unknown(f"output {name} refers to itself")
        v = self.evaluator({}).eval(self.outputs[name])
        self._local_values[key] = v
        return v

    def region(self) -> Any:
        """The default AWS provider's region, when it is written down."""
        if self.provider is None or "region" not in self.provider.attrs:
            if self.caller is not None:
                return self.caller.region()
            return Unknown("the provider's region is not set in the module")
        return self.evaluator({}).eval(self.provider.attrs["region"])

    def add_body(self, body: Body) -> None:
        for name, labels, b, pos in body.blocks:
            if name == "resource" and len(labels) == 2:
                r = _Resource(labels[0], labels[1], b, pos, self)
                self.resources[r.address] = r
            elif name == "data" and len(labels) == 2:
                self.data.add(f"{labels[0]}.{labels[1]}")
                if labels[0] in DATA_KINDS:  # data sources that are facts of the module itself
                    r = _Resource(f"data.{labels[0]}", labels[1], b, pos, self)
                    self.resources[r.address] = r
            elif name == "variable" and labels:
                self.variables[labels[0]] = b
            elif name == "locals":
                self.locals.update(b.attrs)
            elif name == "provider" and labels == ["aws"] and "alias" not in b.attrs:
                self.provider = b
            elif name == "module" and labels:
                self.calls[labels[0]] = (b, pos, body.file)
            elif name == "output" and labels and "value" in b.attrs:
                self.outputs[labels[0]] = b.attrs["value"]

    def evaluator(self, ctx: Dict[str, Any]) -> "Evaluator":
        return Evaluator(self, ctx)

    def var(self, name: str) -> Any:
        if name in self.var_values:
            return self.var_values[name]
        if name in self.inputs and self.caller is not None:
            self.var_values[name] = Unknown(f"variable {name} refers to itself")
            v = self.caller.evaluator({}).eval(self.inputs[name])
            self.var_values[name] = v
            return v
        b = self.variables.get(name)
        if b is not None and "default" in b.attrs:
            return self.evaluator({}).eval(b.attrs["default"])
        return Unknown(f"variable {name} has no value")

    def local(self, name: str, depth: int) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        if name not in self.locals or depth > 40:
            return Unknown(f"local.{name} cannot be evaluated")
        self._local_values[name] = Unknown(f"local.{name} refers to itself")
        v = Evaluator(self, {}, depth + 1).eval(self.locals[name])
        self._local_values[name] = v
        return v


class _NS:
    def __init__(self, kind: str, name: str = "") -> None:
        self.kind, self.name = kind, name


class _ModuleValue:
    """A called module used as a value (``module.x``): its outputs, wherever the value travels (an output
    of another module, a local), are read from that module instance."""

    def __init__(self, module: "Module") -> None:
        self.module = module


class Evaluator:
    def __init__(self, module: Module, ctx: Dict[str, Any], depth: int = 0) -> None:
        self.m, self.ctx, self.depth = module, ctx, depth

    def eval(self, t: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > 150:
                return Unknown("expression nested too deeply")
            return self._eval(t)
        finally:
            self.depth -= 1

    def _eval(self, t: Any) -> Any:
        if isinstance(t, Known):
            return t.value
        if not hasattr(t, "data"):
            return str(t)
        d = t.data
        kids = _children(t)
        if d == "expr_term":
            inner = [k for k in kids if hasattr(k, "data")]
            return self.eval(inner[0]) if inner else Unknown("empty expression")
        if d == "int_lit":
            return int("".join(str(k) for k in t.children))
        if d == "float_lit":
            try:
                return float("".join(str(k) for k in t.children))
            except ValueError:
                return Unknown("number")
        if d == "string":
            return self._string(t)
        if d in ("heredoc_template", "heredoc_template_trim"):
            raw = str(t.children[0])
            body = raw.split("\n", 1)[1] if "\n" in raw else ""
            body = body.rsplit("\n", 2)[0] if body.count("\n") >= 1 else body
            if "%{" in body:
                return Unknown("heredoc with a template directive")
            if "${" in body:
                return self._heredoc_template(body)
            return body
        if d == "identifier":
            name = _ident(t)
            if name == "true":
                return True
            if name == "false":
                return False
            if name == "null":
                return None
            return self._root(name)
        if d == "tuple":
            out = MList()
            out.pos = _pos(t)
            out.ipos = []
            for k in kids:
                out.append(self.eval(k))
                out.ipos.append(_pos(k))
            return out
        if d == "object":
            out = MDict()
            out.pos = _pos(t)
            out.kpos = {}
            for elem in kids:
                if not hasattr(elem, "data") or elem.data != "object_elem":
                    continue
                ek = elem.children[0]
                key = self._object_key(ek)
                if not isinstance(key, str):
                    return Unknown("object with computed keys")
                out[key] = self.eval(elem.children[-1])
                out.kpos[key] = _pos(elem)
            return out
        if d == "get_attr_expr_term":
            return self._get_attr(self.eval(kids[0]), _ident(kids[1].children[0]))
        if d == "index_expr_term":
            base = self.eval(kids[0])
            idx_tree = kids[1]
            inner = [k for k in idx_tree.children if hasattr(k, "data") and k.data != "new_line_or_comment"]
            idx = self.eval(inner[0]) if inner else int("".join(str(k) for k in idx_tree.children))
            return self._index(base, idx)
        if d in ("full_splat_expr_term", "attr_splat_expr_term"):
            base = self._splat_base(self.eval(kids[0]))
            if isinstance(base, Unknown):
                return base
            for op in _children(kids[1]):
                if op.data == "get_attr":
                    base = [self._get_attr(b, _ident(op.children[0])) for b in base]
                else:
                    inner = [k for k in op.children if hasattr(k, "data")]
                    idx = self.eval(inner[0]) if inner else int("".join(str(k) for k in op.children))
                    base = [self._index(b, idx) for b in base]
            return base
        if d == "function_call":
            name = _ident(kids[0])
            args = []
            if len(kids) > 1:
                args = [self.eval(a) for a in _children(kids[1])]
            return _call(name, args)
        if d in ("for_tuple_expr", "for_object_expr"):
            return self._for(t, d == "for_object_expr")
        if d == "conditional":
            cond = self.eval(kids[0])
            if isinstance(cond, bool):
                return self.eval(kids[1] if cond else kids[2])
            return Unknown("conditional on a value that cannot be known")
        if d == "binary_op":
            left = self.eval(kids[0])
            op_tree = kids[1]
            op = str(_children(op_tree)[0].children[0])
            right_tree = _children(op_tree)[-1]
            if getattr(right_tree, "data", None) == "conditional":
                # python-hcl2's grammar reads `a == b ? x : y` as `a == (b ? x : y)`; in HCL the conditional
                # binds loosest, so it is `(a == b) ? x : y`
                ck = _children(right_tree)
                cond = _binary(op, left, self.eval(ck[0]))
                if isinstance(cond, bool):
                    return self.eval(ck[1] if cond else ck[2])
                return Unknown("conditional on a value that cannot be known")
            return _binary(op, left, self.eval(right_tree))
        if d == "unary_op":
            v = self.eval(t.children[-1])
            op = str(t.children[0])
            if op == "!" and isinstance(v, bool):
                return not v
            if op == "-" and isinstance(v, (int, float)) and not isinstance(v, bool):
                return -v
            return Unknown("unary operation")
        return Unknown(f"{d.replace('_', ' ')} is not evaluated")

    def _object_key(self, ek: Any) -> Any:
        inner = ek.children[0]
        if inner.data == "identifier":
            return _ident(inner)
        if inner.data == "string":
            return self._string(inner)
        if inner.data in ("int_lit", "float_lit"):
            return str(self.eval(inner))
        return Unknown("computed key")

    def _heredoc_template(self, body: str) -> Any:
        """A heredoc's ``${...}`` interpolations, each parsed as an expression of its own."""
        from pullcheck.parsers import hcl

        parts: List[Any] = []
        last = 0
        for m in _INTERPOLATION.finditer(body):
            parts.append(body[last:m.start()].replace("$${", "${"))
            last = m.end()
            if m.group(0).startswith("$$"):
                parts.append(m.group(0)[1:])
                continue
            try:
                tree = hcl.parse(f"x = {m.group(1)}\n")
                attr = Body(tree.children[0], "").attrs.get("x")
            except (ParseError, hcl.GrammarError, IndexError, AttributeError):
                attr = None
            parts.append(Unknown("heredoc interpolation") if attr is None else self.eval(attr))
        parts.append(body[last:].replace("$${", "${"))
        flat: List[Any] = []
        for p in parts:
            if isinstance(p, Template):
                flat.extend(p.parts)
            elif isinstance(p, (list, dict)):
                flat.append(Unknown("collection inside a heredoc"))
            else:
                flat.append(p)
        return make_template(flat)

    def _string(self, t: Any) -> Any:
        parts: List[Any] = []
        for part in t.children:
            for c in part.children:
                if hasattr(c, "data"):  # interpolation
                    parts.append(self.eval(c.children[0]))
                else:
                    s = str(c)
                    if s.startswith("$${"):
                        s = s[1:]
                    parts.append(_unescape(s))
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]  # "${x}" is x itself (Terraform 0.11 style)
        flat: List[Any] = []
        for p in parts:
            if isinstance(p, Template):
                flat.extend(p.parts)
            elif isinstance(p, (list, dict)):
                flat.append(Unknown("collection inside a string"))
            elif isinstance(p, bool):
                flat.append("true" if p else "false")
            elif p is None:
                flat.append("")
            else:
                flat.append(p)
        return make_template(flat)

    def _for(self, t: Any, as_object: bool) -> Any:
        """``[for k, v in coll : expr if cond]`` and ``{for k, v in coll : key => value}``."""
        trees = [c for c in t.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        intro, rest = trees[0], trees[1:]
        cond = rest.pop() if rest and rest[-1].data == "for_cond" else None
        parts = [c for c in intro.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        names = [_ident(c) for c in parts[:-1] if c.data == "identifier"]
        coll = self.eval(parts[-1])
        if isinstance(coll, dict):
            items = list(coll.items())
        elif isinstance(coll, list):
            items = list(enumerate(coll))
        else:
            return coll if isinstance(coll, Unknown) else Unknown("for expression over a value that cannot be known")
        out_list: List[Any] = []
        out_map: Dict[Any, Any] = {}
        for k, v in items[:MAX_INSTANCES]:
            ctx = dict(self.ctx)
            if len(names) == 2:
                ctx[("for", names[0])], ctx[("for", names[1])] = k, v
            elif names:
                ctx[("for", names[0])] = v
            sub = Evaluator(self.m, ctx, self.depth)
            if cond is not None:
                keep = sub.eval([c for c in cond.children if hasattr(c, "data")][-1])
                if not isinstance(keep, bool):
                    return Unknown("for expression with a condition that cannot be known")
                if not keep:
                    continue
            if as_object:
                key = sub.eval(rest[0])
                if not isinstance(key, str):
                    return Unknown("for expression with a key that cannot be known")
                out_map[key] = sub.eval(rest[1])
            else:
                out_list.append(sub.eval(rest[0]))
        return out_map if as_object else out_list

    def _root(self, name: str) -> Any:
        if ("for", name) in self.ctx:
            return self.ctx[("for", name)]
        if name == "data":
            return _NS("dataroot")
        if name in ("var", "local", "module", "count", "each", "path", "terraform", "self"):
            return _NS(name)
        return _NS("type", name)

    def _get_attr(self, base: Any, name: str) -> Any:
        if isinstance(base, _NS):
            if base.kind == "var":
                return self.m.var(name)
            if base.kind == "local":
                return self.m.local(name, self.depth)
            if base.kind == "count":
                return self.ctx.get(f"count.{name}", Unknown(f"count.{name} outside a counted resource"))
            if base.kind == "each":
                return self.ctx.get(f"each.{name}", Unknown(f"each.{name} outside a for_each resource"))
            if base.kind == "dataroot":
                return _NS("datatype", name)
            if base.kind == "datatype":
                return _NS("data", f"{base.name}.{name}")
            if base.kind == "data":
                return Ref(f"{self.m.dir}:data.{base.name}", f"data.{base.name.split('.')[0]}", name)
            if base.kind == "module":
                child = self.m.children.get(name)
                if isinstance(child, Module):
                    return _ModuleValue(child)
                return child if isinstance(child, Unknown) else Unknown(f"output of module {name}")
            if base.kind == "type":
                res = self.m.resources.get(f"{base.name}.{name}")
                if res is None:
                    return Unknown(f"{base.name}.{name} is not declared in the module")
                insts = res.instances()
                if isinstance(insts, list) and insts == [("", {})]:
                    return _Instance(res, "")
                return _Counted(res)
            return Unknown(f"{base.kind}.{name}")
        if isinstance(base, _ModuleValue):
            return base.module.output(name)
        if isinstance(base, _Instance):
            return base.attr(name)
        if isinstance(base, _Counted):
            return Unknown(f"attribute {name} of {base.res.address} without an index")
        if isinstance(base, dict):
            return base.get(name, Unknown(f"attribute {name} is not set"))
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Ref):
            if base.rtype.startswith("data."):
                return Unknown(f"data source {base.target.split(':', 1)[-1]}")
            return Unknown(f"nested attribute {name} of {base}")
        return Unknown(f"attribute {name} of a value that has none")

    def _splat_base(self, base: Any) -> Any:
        if isinstance(base, _Counted):
            insts = base.res.instances()
            if isinstance(insts, Unknown):
                return insts
            return [_Instance(base.res, s) for s, _ in insts]
        if isinstance(base, _Instance):
            return [base]
        if isinstance(base, list):
            return list(base)
        if isinstance(base, _NS) and base.kind == "data":
            return Unknown(f"data source {base.name}")
        if isinstance(base, Unknown):
            return base
        return Unknown("splat over a value that cannot be known")

    def _index(self, base: Any, idx: Any) -> Any:
        if isinstance(base, _Counted):
            insts = base.res.instances()
            if isinstance(insts, Unknown):
                return insts
            want = f"[{idx}]" if isinstance(idx, int) else f'["{idx}"]'
            for s, _ in insts:
                if s == want:
                    return _Instance(base.res, s)
            return Unknown(f"{base.res.address}{want} does not exist or cannot be known")
        if isinstance(base, list) and isinstance(idx, int) and not isinstance(idx, bool):
            return base[idx] if -len(base) <= idx < len(base) else Unknown("index out of range")
        if isinstance(base, dict) and isinstance(idx, str):
            return base.get(idx, Unknown(f"key {idx} is not set"))
        if isinstance(base, _NS) and base.kind == "data":
            return Unknown(f"data source {base.name}")
        return base if isinstance(base, Unknown) else Unknown("index of a value that cannot be known")


def _unescape(s: str) -> str:
    if "\\" not in s:
        return s
    try:
        return json.loads('"' + s.replace('"', '\\"').replace('\\\\"', '\\"') + '"')
    except ValueError:
        return s


def _binary(op: str, a: Any, b: Any) -> Any:
    known = not isinstance(a, (Unknown, Ref, Template, _NS)) and not isinstance(b, (Unknown, Ref, Template, _NS))
    if not known:
        return Unknown(f"operation {op} on a value that cannot be known")
    try:
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "&&" and isinstance(a, bool) and isinstance(b, bool):
            return a and b
        if op == "||" and isinstance(a, bool) and isinstance(b, bool):
            return a or b
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                    "/": lambda: a / b, "%": lambda: a % b, "<": lambda: a < b, ">": lambda: a > b,
                    "<=": lambda: a <= b, ">=": lambda: a >= b}[op]()
    except (KeyError, ZeroDivisionError, TypeError):
        pass
    return Unknown(f"operation {op}")


class JsonEncoded(str):
    """The result of jsonencode(): keeps the encoded structure (with its positions) for the parser."""

    value: Any = None


def _known(v: Any) -> bool:
    if isinstance(v, (Unknown, Ref, Template, _NS, _Counted, _Instance)):
        return False
    if isinstance(v, list):
        return all(_known(x) for x in v)
    if isinstance(v, dict):
        return all(_known(x) for x in v.values())
    return True


def _call(name: str, args: List[Any]) -> Any:
    def unknown() -> Unknown:
        return Unknown(f"function {name}() is not evaluated")

    try:
        if name == "jsonencode" and len(args) == 1:
            out = JsonEncoded("<jsonencode>")
            out.value = args[0]
            return out
        if name == "jsondecode" and len(args) == 1 and isinstance(args[0], str):
            return load_json(args[0])
        if name == "element" and len(args) == 2 and isinstance(args[0], list) and isinstance(args[1], int):
            return args[0][args[1] % len(args[0])] if args[0] else unknown()
        if name == "length" and len(args) == 1 and isinstance(args[0], (list, dict, str)) \
                and not isinstance(args[0], Template):
            return len(args[0])
        if name in ("tolist", "toset", "distinct") and len(args) >= 1:
            return args[0] if isinstance(args[0], (list, Unknown)) else unknown()
        if name == "concat" and all(isinstance(a, list) for a in args):
            return [x for a in args for x in a]
        if name == "flatten" and len(args) == 1 and isinstance(args[0], list):
            out: List[Any] = []
            for x in args[0]:
                if isinstance(x, list):
                    out.extend(x)
                else:
                    out.append(x)
            return out
        if name == "lookup" and len(args) in (2, 3) and isinstance(args[0], dict) and isinstance(args[1], str):
            if args[1] in args[0]:
                return args[0][args[1]]
            return args[2] if len(args) == 3 else unknown()
        if name == "merge" and all(isinstance(a, dict) for a in args):
            out_d: Dict[str, Any] = {}
            for a in args:
                out_d.update(a)
            return out_d
        if name == "coalesce":
            for a in args:
                if isinstance(a, (Unknown, Ref, Template)):
                    return unknown()
                if a not in (None, ""):
                    return a
            return unknown()
        if name == "try":
            return args[0] if args and not isinstance(args[0], Unknown) else unknown()
        if name in ("tostring",) and len(args) == 1:
            return args[0]
        if name == "tonumber" and len(args) == 1 and isinstance(args[0], (str, int, float)):
            return float(args[0]) if "." in str(args[0]) else int(args[0])
        if name == "join" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list) \
                and all(isinstance(x, str) for x in args[1]):
            return args[0].join(args[1])
        if name in ("lower", "upper") and len(args) == 1 and isinstance(args[0], str) \
                and not isinstance(args[0], JsonEncoded):
            return args[0].lower() if name == "lower" else args[0].upper()
        if name in ("keys", "values") and len(args) == 1 and isinstance(args[0], dict):
            return list(args[0].keys() if name == "keys" else args[0].values())
        if name == "compact" and len(args) == 1 and isinstance(args[0], list):
            return [x for x in args[0] if x not in (None, "")]
    except (TypeError, ValueError, ParseError, IndexError, ZeroDivisionError):
        return unknown()
    return unknown()


# --------------------------------------------------------------------------- module loading

MAX_MODULE_DEPTH = 10


def _parse_folder(folder: str, graph: Graph, errors: Optional[List[Tuple[str, ParseError]]], ext: str = ".tf"
                  ) -> Any:
    """(bodies of the .tf files, bodies of the .tfvars files) of a folder, parsed once per run. Its parse
    errors go to the first caller that collects them (``errors`` not None)."""
    cache = graph.inputs.tf_folders
    key = os.path.abspath(folder)
    if key not in cache:
        found: List[Tuple[str, ParseError]] = []
        cache[key] = [_read_folder(folder, graph, found, ext), found, False]
    entry = cache[key]
    if errors is not None and not entry[2]:
        errors.extend(entry[1])
        entry[2] = True
    return entry[0]


def _read_folder(folder: str, graph: Graph, errors: List[Tuple[str, ParseError]], ext: str = ".tf") -> Any:
    from pullcheck.parsers import hcl

    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        errors.append((folder, ParseError(f"cannot read folder: {e.strerror}")))
        return None
    bodies, tfvars = [], []
    for n in names:
        path = os.path.join(folder, n)
        if n.endswith(ext) and os.path.isfile(path):
            try:
                text = read_text(path)
                suppress.scan_text(graph, _norm(path), text)
                bodies.append(Body(hcl.parse(text).children[0], _norm(path)))
            except hcl.GrammarError as e:
                errors.append((path, ParseError(str(e))))
                return None
            except ParseError as e:
                errors.append((path, e))
        elif (n == "terraform.tfvars" or n.endswith(".auto.tfvars")) and os.path.isfile(path):
            tfvars.append(path)
    tfvar_bodies = []
    for path in tfvars:  # terraform.tfvars first, then *.auto.tfvars in name order, as Terraform does
        try:
            tfvar_bodies.append(Body(hcl.parse(read_text(path)).children[0], _norm(path)))
        except ParseError as e:
            errors.append((path, e))
    return bodies, tfvar_bodies


def _source(module: Module, body: Body) -> Any:
    """A module call's ``source``, evaluated in the calling module."""
    src = body.attrs.get("source")
    return module.evaluator({}).eval(src) if src is not None else None


def _is_local(source: Any) -> bool:
    return isinstance(source, str) and source.startswith(("./", "../"))


def _module_source(module: Module, name: str, body: Body, root: str) -> Any:
    """The folder a module call loads: a local path, or what `terraform init` downloaded (modules.json)."""
    source = _source(module, body)
    if not isinstance(source, str):
        return Unknown(f"source of module {name} cannot be evaluated")
    if _is_local(source):
        return os.path.normpath(os.path.join(module.folder, source))
    key = (module.prefix.replace("module.", "") + name).rstrip(".")
    installed = _installed_modules(root).get(key)
    if installed:
        return installed
    model = MODELS.get(source.split("?", 1)[0].replace("registry.terraform.io/", "").rstrip("/"))
    if model:
        return ("model", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tfmodels", model))
    return Unknown(f"module {name} comes from {source}, which is not downloaded here")


# Registry modules read from a model when they are not downloaded (linter/tfmodels)
MODELS = {"terraform-aws-modules/vpc/aws": "vpc",
          "terraform-aws-modules/vpc/aws//modules/vpc-endpoints": "vpc-endpoints",
          "terraform-aws-modules/ecs/aws//modules/service": "ecs-service"}
# where a modelled resource's attribute is set in the module call
MODEL_INPUTS = {"subnets": "subnet_ids", "assign_public_ip": "assign_public_ip", "security_groups": "security_group_ids",
                "launch_type": "launch_type", "platform_version": "platform_version",
                "containers": "container_definitions", "cpu": "cpu", "memory": "memory",
                "private_dns": "endpoints", "service_name": "endpoints", "policy": "endpoints",
                "enable_dns_hostnames": "enable_dns_hostnames", "enable_dns_support": "enable_dns_support"}


def _installed_modules(root: str) -> Dict[str, str]:
    """Key -> folder from .terraform/modules/modules.json, written by `terraform init`."""
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return {m["Key"]: os.path.normpath(os.path.join(root, m["Dir"])) for m in data.get("Modules", [])
                if isinstance(m, dict) and m.get("Key") and m.get("Dir")}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def called_folders(folder: str, graph: Graph) -> List[str]:
    """Absolute folders that the module in ``folder`` calls with a local source."""
    parsed = _parse_folder(folder, graph, None)
    module = Module(folder)
    out = []
    for body in (parsed[0] if parsed else []):
        for name, _, b, _ in body.blocks:
            source = _source(module, b) if name == "module" else None
            if _is_local(source):
                out.append(os.path.abspath(os.path.join(folder, source)))
    return out


def load_module(folder: str, graph: Graph) -> List[Tuple[str, ParseError]]:
    """Parse every .tf file of a folder as one root module, with the local modules it calls, and add their
    resources to the graph."""
    errors: List[Tuple[str, ParseError]] = []
    module = Module(folder)
    # the whole tree of module instances first, then their resources: a value can then be read from any
    # module of the tree, whatever order the calls are written in (Terraform does not care either)
    _instantiate(module, folder, graph, errors, 0, (os.path.abspath(folder),))
    _build_resources(module, graph)
    return errors


def _instantiate(module: Module, root: str, graph: Graph, errors: List[Tuple[str, ParseError]], depth: int,
                 chain: Tuple[str, ...]) -> None:
    parsed = _parse_folder(module.folder, graph, errors, ".hcl" if module.model_call else ".tf")
    if parsed is None:
        return
    bodies, tfvars = parsed
    for body in bodies:
        module.add_body(body)
    if module.caller is None:
        for body in tfvars:
            ev = module.evaluator({})
            for k, t in body.attrs.items():
                module.var_values[k] = ev.eval(t)
    for name, (body, pos, file) in module.calls.items():
        if "count" in body.attrs or "for_each" in body.attrs:
            module.children[name] = Unknown(f"module {name} has count or for_each")
            continue
        where = _module_source(module, name, body, root)
        if isinstance(where, Unknown):
            module.children[name] = where
            continue
        model = isinstance(where, tuple)
        if model:
            where = where[1]
        if os.path.abspath(where) in chain or depth >= MAX_MODULE_DEPTH or not os.path.isdir(where):
            module.children[name] = Unknown(f"module {name} cannot be followed")
            continue
        child = Module(where, f"{module.dir}/module.{name}")
        if model:  # findings on a modelled module point at its call, at the input that sets the attribute
            child.model_call = (file, pos, {out: Span.at(_pos(body.attrs[i])) for out, i in MODEL_INPUTS.items()
                                            if i in body.attrs})
        child.prefix = f"{module.prefix}module.{name}."
        child.caller = module
        child.inputs = {k: v for k, v in body.attrs.items() if k not in ("source", "version", "providers",
                                                                          "depends_on")}
        module.children[name] = child
        _instantiate(child, root, graph, errors, depth + 1, chain + (os.path.abspath(where),))


def _build_resources(module: Module, graph: Graph) -> None:
    """The resources of a module instance and of the instances it calls, into the graph."""
    for child in module.children.values():
        if isinstance(child, Module):
            _build_resources(child, graph)
    for res in module.resources.values():
        kind = KINDS.get(res.rtype)
        if kind is None:
            continue
        insts = res.instances()
        if isinstance(insts, Unknown):
            # How many there are is unknown (maybe none): one stand-in marked conditional, so that a route,
            # association or endpoint that may exist makes the verdicts that depend on it unknown.
            origin = Unknown(insts.origin)
            _build(module, res, kind, "[?]", {"count.index": origin, "each.key": origin, "each.value": origin},
                   graph, conditional=True)
            continue
        for suffix, ctx in insts:
            _build(module, res, kind, suffix, ctx, graph)
    if module.model_call is not None:
        file, pos, inputs = module.model_call
        prefix = module.dir + ":"
        for r in graph.resources.values():
            if r.key.startswith(prefix):
                r.file, r.span = file, Span.at(pos)
                r.spans = {k: inputs.get(k[0], r.span) for k in r.spans}
                for out, span in inputs.items():
                    r.spans.setdefault((out,), span)


def _norm(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def _file_of(res: _Resource) -> str:
    return res.body.file


class _Ctx:
    """What a builder needs: the resource being built, the evaluator and the HCL body."""

    def __init__(self, r: Resource, ev: "Evaluator", body: Body, module: Module) -> None:
        self.r, self.ev, self.body, self.module = r, ev, body, module

    def attr(self, name: str, out: str, b: Any = None, path: Tuple[Any, ...] = ()) -> Any:
        b = self.body if b is None else b
        t = b.attrs.get(name)
        r = self.r
        if t is None:
            r.attrs[out] = None
            return None
        v = self.ev.eval(t)
        r.attrs[out] = v
        whole = Span.at(_pos(t))
        r.spans[path + (out,)] = whole
        if isinstance(v, MList):
            # item positions only where the list is written here: a list read from a local, an output or
            # another file has its items elsewhere, and the finding belongs at this attribute
            last = _edge(t, True)
            end = getattr(last, "end_line", None) or whole.line
            for i, p in enumerate(v.ipos):
                r.spans[path + (out, i)] = Span.at(p) if isinstance(t, Known) or whole.line <= p[0] <= end else whole
        return v

    def value(self, b: Body, name: str) -> Any:
        t = b.attrs.get(name)
        return None if t is None else self.ev.eval(t)

    def blocks(self, b: Body, name: str) -> Any:
        """Nested blocks by name; an Unknown when a dynamic block of that name may add more."""
        if any(n == "dynamic" and labels == [name] for n, labels, _, _ in b.blocks) or name in b.attrs:
            return Unknown(f"dynamic {name} blocks")
        return b.block_list(name)


def _build(module: Module, res: _Resource, kind: str, suffix: str, ctx: Dict[str, Any], graph: Graph,
           conditional: bool = False) -> None:
    ev = module.evaluator(ctx)
    body = res.body
    r = Resource(key=res.key(suffix), kind=kind, rtype=res.rtype, name=f"{module.prefix}{res.address}{suffix}",
                 file=_file_of(res), span=Span.at(res.pos))
    c = _Ctx(r, ev, body, module)
    attr = c.attr
    r.attrs["conditional"] = conditional
    for name, arg, parse in mapping.table(kind, "tf"):
        v = attr(arg, name)
        if parse == "policy":
            r.attrs[name] = policy.parse(v) if v is not None else None
    builder = _BUILDERS.get(res.rtype)
    if builder is not None:
        extra = builder(c)
        if extra is None:
            graph.add(r)
        else:
            for sub in extra:
                sub.attrs["conditional"] = conditional
                graph.add(sub)
        return
    if kind in ("ecs.service", "ecs.task_set"):
        _launch(c, body, "task_definition", body.block_list("network_configuration"))
    elif kind == "ecs.task_definition":
        for name, out in (("execution_role_arn", "execution_role"), ("task_role_arn", "task_role"),
                          ("requires_compatibilities", "requires_compatibilities"),
                          ("network_mode", "network_mode"), ("cpu", "cpu"), ("memory", "memory"),
                          ("family", "family")):
            attr(name, out)
        t = body.attrs.get("container_definitions")
        defs: Any = None
        if t is not None:
            v = ev.eval(t)
            r.spans[("containers",)] = Span.at(_pos(t))
            if isinstance(v, JsonEncoded):
                defs = v.value
            elif isinstance(v, str):
                try:
                    # heredoc JSON starts on the line after the attribute; a quoted string on its line
                    defs = _shift(load_json(v), _pos(t)[0] - (0 if _is_heredoc(t) else 1))
                except ParseError:
                    defs = Unknown("container_definitions is not valid JSON")
            else:
                defs = v if isinstance(v, Unknown) else Unknown("container_definitions cannot be evaluated")
        r.attrs["containers"] = common.normalise_containers(defs, False, r.spans) if defs is not None else []
    elif kind == "ec2.route_table":
        if res.rtype == "aws_default_route_table":
            v = attr("default_route_table_id", "vpc")
            if isinstance(v, Ref):
                r.attrs["vpc"] = Ref(v.target, v.rtype, None)
            r.attrs["main"] = True
        else:
            attr("vpc_id", "vpc")
            r.attrs["main"] = False
        routes = []
        for i, rb in enumerate(body.block_list("route")):
            rec: Dict[str, Any] = {"destination": ev.eval(rb.attrs["cidr_block"]) if "cidr_block" in rb.attrs
                                   else None,
                                   "destination_ipv6": c.value(rb, "ipv6_cidr_block"),
                                   "destination_prefix_list": ev.eval(rb.attrs["destination_prefix_list_id"])
                                   if "destination_prefix_list_id" in rb.attrs else None,
                                   "target": None, "target_attr": None}
            for name, tk in ROUTE_TARGETS.items():
                if name in rb.attrs:
                    rec["target"] = ev.eval(rb.attrs[name])
                    rec["target_attr"] = tk
                    r.spans[("routes", i, "target")] = Span.at(_pos(rb.attrs[name]))
                    break
            routes.append(rec)
        if ("route" in body.attrs and not isinstance(body.attrs["route"], Known)) or any(
                n == "dynamic" and labels == ["route"] for n, labels, _, _ in body.blocks):
            routes.append({"destination": Unknown("route attribute"), "target": None, "target_attr": None})
        r.attrs["routes"] = routes
    elif kind == "ec2.route":
        r.attrs["target"] = None
        r.attrs["target_attr"] = None
        for name, tk in ROUTE_TARGETS.items():
            if name in body.attrs:
                attr(name, "target")
                r.attrs["target_attr"] = tk
                break
    elif kind == "ec2.route_table_association":
        if res.rtype == "aws_main_route_table_association":
            attr("vpc_id", "main_for_vpc")
            r.attrs["subnet"] = None
        else:
            attr("subnet_id", "subnet")
            r.attrs["main_for_vpc"] = None
            if r.attrs["subnet"] is None:
                return  # a gateway association
    elif kind == "ec2.vpc_endpoint":
        if attr("vpc_endpoint_type", "type") is None:
            r.attrs["type"] = "Gateway"
    elif kind == "ec2.vpc_endpoint_route_table_association":
        attr("vpc_endpoint_id", "vpc_endpoint")
        attr("route_table_id", "route_table")
    elif kind == "ecr.repository":
        r.attrs["policy"] = None
    elif kind == "iam.role":
        blocks = c.blocks(body, "inline_policy")
        r.attrs["inline"] = None
        if isinstance(blocks, Unknown):
            r.attrs["inline"] = blocks
        elif blocks:
            r.attrs["inline"] = [(c.value(b, "name"), policy.parse(c.value(b, "policy"))) for b in blocks]
            for i, b in enumerate(blocks):
                if "policy" in b.attrs:
                    r.spans[("inline", i)] = Span.at(_pos(b.attrs["policy"]))
    r.attrs["conditional"] = conditional
    graph.add(r)


def _launch(c: _Ctx, body: Body, task_definition: str, nets: List[Body], vpc_block: str = "") -> None:
    """Launch type, task definition, capacity providers and awsvpc settings from HCL blocks."""
    r, attr = c.r, c.attr
    attr("launch_type", "launch_type", body)
    attr(task_definition, "task_definition", body)
    attr("platform_version", "platform_version", body)
    strategies = body.block_list("capacity_provider_strategy")
    r.attrs["capacity_providers"] = [c.value(s, "capacity_provider") for s in strategies] if strategies else None
    r.attrs["has_network_configuration"] = bool(nets)
    if nets and vpc_block:
        inner = nets[0].block_list(vpc_block)
        nets = inner
    if nets:
        n = nets[0]
        subnets = attr("subnets", "subnets", n)
        if isinstance(subnets, list):
            r.attrs["subnets"] = _flatten_refs(subnets)
        groups = attr("security_groups", "security_groups", n)
        if isinstance(groups, list):
            r.attrs["security_groups"] = _flatten_refs(groups)
        attr("assign_public_ip", "assign_public_ip", n)
    else:
        r.attrs.update(subnets=None, security_groups=None, assign_public_ip=None)
    r.attrs["region"] = c.module.region()


def _one(c: _Ctx, b: Body, name: str) -> List[Any]:
    v = c.value(b, name)
    return [] if v is None else [v]


def _rules(c: _Ctx, direction: str) -> None:
    blocks = c.blocks(c.body, direction)
    if isinstance(blocks, Unknown):
        c.r.attrs[direction] = blocks
        return
    out = []
    for i, b in enumerate(blocks):
        out.append({"protocol": c.value(b, "protocol"), "from": c.value(b, "from_port"),
                    "to": c.value(b, "to_port"), "cidr4": c.value(b, "cidr_blocks") or [],
                    "cidr6": c.value(b, "ipv6_cidr_blocks") or [], "prefix_lists": c.value(b, "prefix_list_ids") or [],
                    "groups": c.value(b, "security_groups") or [], "self": c.value(b, "self") is True})
        for name in ("protocol", "from_port"):
            if name in b.attrs:
                c.r.spans[(direction, i)] = Span.at(_pos(b.attrs[name]))
                break
    c.r.attrs[direction] = out if blocks else None


def _b_security_group(c: _Ctx) -> None:
    default = c.r.rtype == "aws_default_security_group"
    _rules(c, "ingress")
    _rules(c, "egress")
    # Terraform removes the allow-all egress rule EC2 creates; an adopted default group loses all its rules
    c.r.attrs["egress_default"] = "none"
    c.r.attrs["default"] = default


def _b_security_group_rule(c: _Ctx) -> None:
    r, b = c.r, c.body
    if r.rtype == "aws_security_group_rule":
        direction = c.value(b, "type")
        r.attrs["direction"] = direction if direction in ("ingress", "egress") else Unknown("rule type")
        peer = c.value(b, "source_security_group_id")
        r.attrs["rule"] = {"protocol": c.value(b, "protocol"), "from": c.value(b, "from_port"),
                           "to": c.value(b, "to_port"), "cidr4": c.value(b, "cidr_blocks") or [],
                           "cidr6": c.value(b, "ipv6_cidr_blocks") or [],
                           "prefix_lists": c.value(b, "prefix_list_ids") or [],
                           "groups": [] if peer is None else [peer], "self": c.value(b, "self") is True}
    else:
        r.attrs["direction"] = "egress" if r.rtype.endswith("egress_rule") else "ingress"
        r.attrs["rule"] = {"protocol": c.value(b, "ip_protocol"), "from": c.value(b, "from_port"),
                           "to": c.value(b, "to_port"), "cidr4": _one(c, b, "cidr_ipv4"),
                           "cidr6": _one(c, b, "cidr_ipv6"), "prefix_lists": _one(c, b, "prefix_list_id"),
                           "groups": _one(c, b, "referenced_security_group_id"), "self": False}
    c.attr("security_group_id", "group")


def _acl_entries(c: _Ctx) -> Any:
    out = []
    for direction in ("egress", "ingress"):
        blocks = c.blocks(c.body, direction)
        if isinstance(blocks, Unknown):
            return blocks
        for b in blocks:
            out.append({"egress": direction == "egress", "number": c.value(b, "rule_no"),
                        "protocol": c.value(b, "protocol"), "action": c.value(b, "action"),
                        "cidr4": c.value(b, "cidr_block"), "cidr6": c.value(b, "ipv6_cidr_block"),
                        "from": c.value(b, "from_port"), "to": c.value(b, "to_port")})
    return out


def _b_network_acl(c: _Ctx) -> None:
    default = c.r.rtype == "aws_default_network_acl"
    if default:
        v = c.attr("default_network_acl_id", "vpc")
        c.r.attrs["vpc"] = Ref(v.target, v.rtype, None) if isinstance(v, Ref) else v
    else:
        c.attr("vpc_id", "vpc")
    subnets = c.attr("subnet_ids", "subnets")
    if isinstance(subnets, list):
        c.r.attrs["subnets"] = _flatten_refs(subnets)
    elif subnets is None:
        c.r.attrs["subnets"] = []
    c.r.attrs["entries"] = _acl_entries(c)
    c.r.attrs["default"] = default


def _b_network_acl_rule(c: _Ctx) -> None:
    b = c.body
    c.attr("network_acl_id", "acl")
    c.attr("rule_number", "rule_number")
    c.r.attrs["entry"] = {"egress": c.value(b, "egress") or False, "number": c.value(b, "rule_number"),
                          "protocol": c.value(b, "protocol"), "action": c.value(b, "rule_action"),
                          "cidr4": c.value(b, "cidr_block"), "cidr6": c.value(b, "ipv6_cidr_block"),
                          "from": c.value(b, "from_port"), "to": c.value(b, "to_port")}


def _b_table_only(c: _Ctx) -> None:
    """A kind whose attributes all come from the mapping table."""


def _nested(b: Body, *names: str) -> List[Body]:
    found = [b]
    for n in names:
        found = [x for f in found for x in f.block_list(n)]
    return found


def _b_event_target(c: _Ctx) -> Any:
    targets = _nested(c.body, "ecs_target")
    if not targets:
        return []
    t = targets[0]
    _launch(c, t, "task_definition_arn", t.block_list("network_configuration"))
    return None


def _b_schedule(c: _Ctx) -> Any:
    params = _nested(c.body, "target", "ecs_parameters")
    if not params:
        return []
    _launch(c, params[0], "task_definition_arn", params[0].block_list("network_configuration"))
    v = c.r.attrs.get("assign_public_ip")
    if isinstance(v, bool):  # the provider sends ENABLED / DISABLED
        c.r.attrs["assign_public_ip"] = "ENABLED" if v else "DISABLED"
    return None


def _b_pipe(c: _Ctx) -> Any:
    params = _nested(c.body, "target_parameters", "ecs_task_parameters")
    if not params:
        return []
    _launch(c, params[0], "task_definition_arn", params[0].block_list("network_configuration"),
            vpc_block="aws_vpc_configuration")
    return None


def _b_state_machine(c: _Ctx) -> Any:
    from pullcheck.parsers import statemachine

    t = c.body.attrs.get("definition")
    if t is None:
        return []
    v = c.ev.eval(t)
    shifted = False
    if isinstance(v, JsonEncoded):
        v = v.value
        shifted = True
    definition = statemachine.definition_value(v)
    if isinstance(v, (str, Template)) and not isinstance(definition, Unknown):
        definition = _shift(definition, _pos(t)[0] - (0 if _is_heredoc(t) else 1))
        shifted = True
    out = []
    for name, params, pos in statemachine.run_task_states(definition):
        sub = Resource(key=f"{c.r.key}/{name}", kind="ecs.run_task", rtype=c.r.rtype, name=f"{c.r.name}.{name}",
                       file=c.r.file, span=Span.at(pos if shifted else _pos(t)))
        common.normalise_launch(params if isinstance(params, dict) else MDict(), True, sub.spans, sub.attrs)
        if isinstance(params, Unknown):
            sub.attrs["launch_type"] = params
        if not shifted:
            sub.spans = {k: Span.at(_pos(t)) for k in sub.spans}
        sub.attrs["region"] = c.module.region()
        out.append(sub)
    return out


def _json_attr(c: _Ctx, name: str) -> Any:
    t = c.body.attrs.get(name)
    if t is None:
        return None
    v = c.ev.eval(t)
    if isinstance(v, JsonEncoded):
        return v.value
    if isinstance(v, str):
        try:
            return _shift(load_json(v), _pos(t)[0] - (0 if _is_heredoc(t) else 1))
        except ParseError:
            return Unknown(f"{name} is not valid JSON")
    return v if isinstance(v, Unknown) else Unknown(f"{name} cannot be evaluated")


def _b_batch_job(c: _Ctx) -> None:
    c.attr("platform_capabilities", "platform_capabilities")
    c.r.attrs.update(common.normalise_batch_job(c.r.attrs["platform_capabilities"], _json_attr(c, "container_properties"),
                                                _json_attr(c, "ecs_properties"), False, c.r.spans))


def _b_compute_environment(c: _Ctx) -> None:
    crs = c.body.block_list("compute_resources")
    if not crs:
        c.r.attrs.update(fargate=False, subnets=None, security_groups=None)
        return
    ctype = c.value(crs[0], "type")
    c.r.attrs["fargate"] = ctype.upper() in ("FARGATE", "FARGATE_SPOT") if isinstance(ctype, str) else None
    for name, out in (("subnets", "subnets"), ("security_group_ids", "security_groups")):
        v = c.attr(name, out, crs[0])
        if isinstance(v, list):
            c.r.attrs[out] = _flatten_refs(v)


def _b_policy(c: _Ctx) -> None:
    doc = c.attr("policy", "document")
    c.r.attrs["document"] = policy.parse(doc)
    c.attr("name", "policy_name")
    if c.r.rtype == "aws_iam_role_policy":
        c.r.attrs["roles"] = [c.value(c.body, "role")]
        c.r.attrs["managed"] = False
    else:
        c.r.attrs["roles"] = []
        c.r.attrs["managed"] = True


def _b_attachment(c: _Ctx) -> None:
    if c.r.rtype == "aws_iam_role_policy_attachment":
        c.r.attrs["roles"] = [c.value(c.body, "role")]
    else:
        roles = c.value(c.body, "roles")
        c.r.attrs["roles"] = roles if isinstance(roles, (list, Unknown)) else []
    c.attr("policy_arn", "policy_arn")


def _b_policy_document(c: _Ctx) -> None:
    b = c.body
    if any(k in b.attrs for k in ("source_policy_documents", "override_policy_documents", "source_json",
                                  "override_json")):
        c.r.attrs["document"] = Unknown("the policy document merges other documents")
        return
    blocks = c.blocks(b, "statement")
    if isinstance(blocks, Unknown):
        c.r.attrs["document"] = blocks
        return
    stmts = []
    for sb in blocks:
        rec: Dict[str, Any] = {k: c.value(sb, k) for k in ("effect", "actions", "not_actions", "resources",
                                                            "not_resources")}
        rec["principals"] = [{"type": c.value(p, "type"), "identifiers": c.value(p, "identifiers")}
                             for p in sb.block_list("principals")]
        rec["conditions"] = [{"test": c.value(x, "test"), "variable": c.value(x, "variable"),
                              "values": c.value(x, "values")} for x in sb.block_list("condition")]
        if sb.block_list("not_principals"):
            rec["principals"] = [{"type": "?", "identifiers": Unknown("not_principals")}]
        stmts.append(rec)
    c.r.attrs["document"] = policy.from_statements(stmts)


def _b_query(c: _Ctx) -> None:
    """A data source that selects resources: its filters, tags and IDs as (name, [values]) criteria."""
    b = c.body
    criteria: List[Any] = []
    for f in b.block_list("filter"):
        name, values = c.value(f, "name"), c.value(f, "values")
        if not isinstance(name, str):
            c.r.attrs["criteria"] = Unknown("a filter name cannot be known")
            return
        criteria.append((name, values if isinstance(values, list) else Unknown("filter values")))
    tags = c.value(b, "tags")
    if isinstance(tags, dict):
        criteria.extend((f"tag:{k}", [v]) for k, v in tags.items())
    elif tags is not None:
        c.r.attrs["criteria"] = Unknown("tags cannot be known")
        return
    for attr, name in (("vpc_id", "vpc-id"), ("cidr_block", "cidr-block")):
        v = c.value(b, attr)
        if v is not None:
            criteria.append((name, [v]))
    if any(k in b.attrs for k in ("id", "default", "state", "availability_zone", "availability_zone_id")):
        criteria = []  # selectors this does not model: leave the answer unknown
    c.r.attrs["criteria"] = criteria


def _b_repository_policy(c: _Ctx) -> None:
    c.attr("repository", "repository")
    doc = c.attr("policy", "document")
    c.r.attrs["document"] = policy.parse(doc)




_BUILDERS = {
    "aws_security_group": _b_security_group, "aws_default_security_group": _b_security_group,
    "aws_security_group_rule": _b_security_group_rule, "aws_vpc_security_group_egress_rule": _b_security_group_rule,
    "aws_vpc_security_group_ingress_rule": _b_security_group_rule,
    "aws_network_acl": _b_network_acl, "aws_default_network_acl": _b_network_acl,
    "aws_network_acl_rule": _b_network_acl_rule, "aws_network_acl_association": _b_table_only,
    "aws_vpc_dhcp_options": _b_table_only, "aws_vpc_dhcp_options_association": _b_table_only,
    "aws_ecr_pull_through_cache_rule": _b_table_only,
    "aws_cloudwatch_event_target": _b_event_target, "aws_scheduler_schedule": _b_schedule,
    "aws_pipes_pipe": _b_pipe, "aws_sfn_state_machine": _b_state_machine,
    "aws_batch_job_definition": _b_batch_job, "aws_batch_compute_environment": _b_compute_environment,
    "aws_iam_role_policy": _b_policy, "aws_iam_policy": _b_policy,
    "aws_iam_role_policy_attachment": _b_attachment, "aws_iam_policy_attachment": _b_attachment,
    "data.aws_iam_policy_document": _b_policy_document, "aws_ecr_repository_policy": _b_repository_policy,
    "aws_ecr_registry_policy": lambda c: None, "aws_secretsmanager_secret": _b_table_only,
    "data.aws_subnets": _b_query, "data.aws_subnet": _b_query, "data.aws_vpc": _b_query,
}


def _flatten_refs(v: List[Any]) -> Any:
    """Terraform 0.11 wrote ``["${aws_subnet.x.*.id}"]``: a list inside a list means the inner list."""
    out = MList()
    out.pos = getattr(v, "pos", (1, 1))
    out.ipos = []
    ipos = getattr(v, "ipos", [])
    for i, item in enumerate(v):
        p = ipos[i] if i < len(ipos) else out.pos
        if isinstance(item, list):
            for x in item:
                out.append(x)
                out.ipos.append(p)
        else:
            out.append(item)
            out.ipos.append(p)
    return out


def _is_heredoc(t: Any) -> bool:
    node = t
    while hasattr(node, "children") and node.children:
        if node.data in ("heredoc_template", "heredoc_template_trim"):
            return True
        node = node.children[0]
    return False


def _moved(p: Tuple[int, ...], lines: int) -> Tuple[int, ...]:
    return (p[0] + lines, p[1], p[2] + lines, p[3]) if len(p) >= 4 else (p[0] + lines, p[1])


def _shift(v: Any, lines: int) -> Any:
    """Move the positions of JSON parsed from a string to where the string sits in the .tf file."""
    if isinstance(v, MDict):
        v.kpos = {k: _moved(p, lines) for k, p in v.kpos.items()}
        for x in v.values():
            _shift(x, lines)
    elif isinstance(v, MList):
        v.ipos = [_moved(p, lines) for p in v.ipos]
        for x in v:
            _shift(x, lines)
    return v
