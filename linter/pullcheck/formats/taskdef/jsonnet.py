"""A bounded Jsonnet reader for ecspresso's task and service definitions (``.jsonnet``, ``.libsonnet``).

ecspresso evaluates a definition file with go-jsonnet, then fills in the ``{{ ... }}`` template functions of
the JSON it gives. This reader evaluates the subset such files use: objects (field names written, quoted or
computed, ``:``/``::``/``:::``, ``+:``, ``self``, ``super``, ``$``, locals, comprehensions), arrays and their
comprehensions, every string form, ``local`` values and functions (default and named arguments), ``if``,
the operators, ``%`` formatting, ``import`` and ``importstr`` of files inside the run's scope, and the std
functions of ``jsonnet_std``. What depends on the deploy is an explicit unknown that says what it waits on:
``std.extVar``, and ecspresso's native functions ``env`` (the environment's value or the default: unknown,
as ``{{ env }}`` is in a JSON definition), ``must_env``, ``ssm``, ``secretsmanager_arn``, ``cfn_output``...;
``tfstate('ADDR')`` is the ``{{ tfstate `ADDR` }}`` text a JSON definition holds, which
``pullcheck.engine.tfstate`` links to the run's Terraform. A construct outside the subset, a Jsonnet
``error``, or a bound passed makes the value it is in an unknown saying so ("not read: ... at line:col").

Every evaluated object's field keeps where its value expression is written: in the definition file itself,
or, for a value written in an imported file, the place in the definition that brings it in.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

from pullcheck.graph.values import Template, Unknown, make_template
from pullcheck.formats.taskdef import jsonnet_ops as ops
from pullcheck.formats.taskdef.jsonnet_syntax import Node, parse
from pullcheck.formats.taskdef.jsonnet_values import (Builtin, Field, Func, JList, JsonnetError, Layer, Limit,
                                                      NotRead, Obj, StateValue, is_unknown, unknown_of)
from pullcheck.sources.errors import ParseError, read_text
from pullcheck.sources.marked import MDict, MList

MAX_STEPS = 200_000  # expressions evaluated for one file
MAX_DEPTH = 120  # nested evaluations (calls, fields, operands)
MAX_IMPORTS = 64  # files imported by one definition, and their bytes
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000  # values in the output
MAX_OUT_DEPTH = 64  # nesting of the output


class TooLarge(Limit):
    """The output past its bounds: the whole value is not read."""


class Thunk:
    """A value evaluated when first asked for (locals, arguments)."""

    __slots__ = ("node", "env", "value", "state")

    def __init__(self, node: Any, env: Any, value: Any = None, state: int = 0) -> None:
        self.node, self.env, self.value, self.state = node, env, value, state


def ready(value: Any) -> Thunk:
    return Thunk(None, None, value, 2)


class Evaluator:
    """One definition file's evaluation: its steps, its imports (each read once) and the scope it may read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.main = os.path.normpath(path)
        self.steps = 0
        self.depth = 0
        self.imported: Dict[str, Any] = {}  # real path -> value (or the marker of an import under way)
        self.read_bytes = 0
        from pullcheck.formats.taskdef import jsonnet_std, jsonnet_values

        jsonnet_values.reset()

        self.std = jsonnet_std.library(self)

    # -- scopes
    def root_env(self) -> Dict[str, Thunk]:
        return {"std": ready(self.std)}

    def force(self, t: Thunk) -> Any:
        if t.state == 2:
            return t.value
        if t.state == 1:
            raise JsonnetError("a local that needs its own value", t.node.pos, t.node.file)
        t.state = 1
        try:
            t.value = self.eval(t.node, t.env)
        finally:
            t.state = 0
        t.state, t.node, t.env = 2, None, None
        return t.value

    def bind(self, binds: List[Tuple[str, Node]], env: Dict[str, Thunk]) -> Dict[str, Thunk]:
        """``env`` with ``binds`` added, each seeing all of them (a function can call itself)."""
        out = dict(env)
        for name, node in binds:
            out[name] = Thunk(node, out)
        return out

    # -- evaluation
    def eval(self, node: Node, env: Dict[str, Thunk]) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Limit(f"not read: more than {MAX_STEPS} evaluation steps", node.pos, node.file)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Limit(f"not read: nested deeper than {MAX_DEPTH} evaluations", node.pos, node.file)
            return getattr(self, "k_" + node.kind)(node, env)
        finally:
            self.depth -= 1

    def k_lit(self, node: Node, env: Dict[str, Thunk]) -> Any:
        return node.args[0]

    def k_var(self, node: Node, env: Dict[str, Thunk]) -> Any:
        t = env.get(node.args[0])
        if t is None:
            raise JsonnetError(f"unknown variable {node.args[0]}", node.pos, node.file)
        return self.force(t)

    def k_self(self, node: Node, env: Dict[str, Thunk]) -> Any:
        if "self" not in env:
            raise JsonnetError("self outside an object", node.pos, node.file)
        return self.force(env["self"])

    def k_dollar(self, node: Node, env: Dict[str, Thunk]) -> Any:
        if "$" not in env:
            raise JsonnetError("$ outside an object", node.pos, node.file)
        return self.force(env["$"])

    def k_super(self, node: Node, env: Dict[str, Thunk]) -> Any:
        key = self.eval(node.args[0], env)
        if "super" not in env:
            raise JsonnetError("super outside an object", node.pos, node.file)
        obj, below = self.force(env["super"])
        if is_unknown(key):
            return unknown_of(key)
        found = self.field(obj, str(key), below, node)
        return found

    def k_in_super(self, node: Node, env: Dict[str, Thunk]) -> Any:
        key = self.eval(node.args[0], env)
        if "super" not in env:
            return False
        obj, below = self.force(env["super"])
        return any(key in layer.fields for layer in obj.layers[:below + 1])

    def k_local(self, node: Node, env: Dict[str, Thunk]) -> Any:
        while node.kind == "local":  # a chain of locals, one scope after another, not nested evaluations
            env = self.bind(node.args[0], env)
            node = node.args[1]
        return self.eval(node, env)

    def k_if(self, node: Node, env: Dict[str, Thunk]) -> Any:
        cond = self.eval(node.args[0], env)
        if is_unknown(cond):
            return unknown_of(cond)
        if not isinstance(cond, bool):
            raise JsonnetError("if needs a boolean", node.args[0].pos, node.file)
        if cond:
            return self.eval(node.args[1], env)
        return self.eval(node.args[2], env) if node.args[2] is not None else None

    def k_func(self, node: Node, env: Dict[str, Thunk]) -> Any:
        return Func(node.args[0], node.args[1], env)

    def k_assert(self, node: Node, env: Dict[str, Thunk]) -> Any:
        cond = self.eval(node.args[0], env)
        if cond is False:
            raise JsonnetError("an assertion fails", node.pos, node.file)
        return self.eval(node.args[2], env)

    def k_error(self, node: Node, env: Dict[str, Thunk]) -> Any:
        msg = self.eval(node.args[0], env)
        said = msg if isinstance(msg, str) else "a value"
        raise JsonnetError(f"error {said[:80]!r}", node.pos, node.file)

    def k_arr(self, node: Node, env: Dict[str, Thunk]) -> Any:
        items = node.args[0]
        return JList([self.eval(x, env) for x in items], [(x.pos, x.file) for x in items])

    def k_arrcomp(self, node: Node, env: Dict[str, Thunk]) -> Any:
        out: List[Any] = []
        for scope in self.comprehension(node.args[1], env, node):
            if isinstance(scope, Unknown):
                return scope
            out.append(self.eval(node.args[0], scope))
            if len(out) > ops.MAX_ITEMS:
                raise Limit(f"not read: an array of more than {ops.MAX_ITEMS} items", node.pos, node.file)
        return JList(out, [(node.args[0].pos, node.file)] * len(out))

    def comprehension(self, specs: list, env: Dict[str, Thunk], node: Node) -> Any:
        """The scopes a comprehension's ``for`` and ``if`` clauses give, in order; an Unknown instead when
        what they range over or test cannot be known."""
        if not specs:
            yield env
            return
        kind, name, expr = specs[0]
        value = self.eval(expr, env)
        if is_unknown(value):
            yield unknown_of(value)
            return
        if kind == "if":
            if value is True:
                yield from self.comprehension(specs[1:], env, node)
            return
        if not isinstance(value, list):
            raise JsonnetError("for needs an array", expr.pos, expr.file)
        for item in value:
            yield from self.comprehension(specs[1:], {**env, name: ready(item)}, node)

    def k_obj(self, node: Node, env: Dict[str, Thunk]) -> Any:
        fields: Dict[str, Field] = {}
        locals_ = [(m[1], m[2]) for m in node.args[0] if m[0] == "local"]
        scope = self.bind(locals_, env) if locals_ and any(m[0] == "field" and m[6] for m in node.args[0]) else env
        for m in node.args[0]:
            if m[0] != "field":
                continue
            name = self.eval(m[1], scope) if m[6] else m[1].args[0]
            if name is None:
                continue  # a computed name that is null: no field
            if is_unknown(name):
                raise NotRead("not read: a field name that cannot be known", m[1].pos, node.file)
            if not isinstance(name, str):
                raise JsonnetError("a field name must be a string", m[1].pos, node.file)
            if name in fields:
                raise JsonnetError(f"field {name} written twice", m[5], node.file)
            fields[name] = Field(m[2], m[3], m[4], env)
        return Obj((Layer(fields, locals_, "$" not in env, (node.pos, node.file)),))

    def k_objcomp(self, node: Node, env: Dict[str, Thunk]) -> Any:
        locals_, member, specs = node.args
        fields: Dict[str, Field] = {}
        for scope in self.comprehension(specs, env, node):
            if isinstance(scope, Unknown):
                return scope
            named = self.bind(locals_, scope) if locals_ else scope
            name = self.eval(member[1], named)
            if is_unknown(name):
                return unknown_of(name)
            if name is None:
                continue
            if not isinstance(name, str) or name in fields:
                raise JsonnetError("an object comprehension's names must be distinct strings", member[1].pos,
                                   node.file)
            fields[name] = Field(member[2], member[3], member[4], scope)
            if len(fields) > ops.MAX_ITEMS:
                raise Limit(f"not read: an object of more than {ops.MAX_ITEMS} fields", node.pos, node.file)
        return Obj((Layer(fields, list(locals_), "$" not in env, (node.pos, node.file)),))

    def field(self, obj: Obj, name: str, top: int, node: Optional[Node]) -> Any:
        """The value of ``obj``'s field ``name`` as the layers up to ``top`` give it (``self`` is ``obj``)."""
        whole = top == len(obj.layers) - 1
        if whole and name in obj.cache:
            return obj.cache[name]
        for i in range(top, -1, -1):
            f = obj.layers[i].fields.get(name)
            if f is None:
                continue
            value = f.value if f.node is None else self.eval(f.node, self.field_env(obj, i, f))
            if f.plus and any(name in layer.fields for layer in obj.layers[:i]):
                value = ops.plus(self.field(obj, name, i - 1, node), value, node)
            if whole:
                obj.cache[name] = value
            return value
        where = node.pos if node is not None else None
        raise JsonnetError(f"no field {name}", where, node.file if node is not None else "")

    def field_env(self, obj: Obj, i: int, f: Field) -> Dict[str, Thunk]:
        layer = obj.layers[i]
        env = dict(f.env or {})
        env["self"] = ready(obj)
        env["super"] = ready((obj, i - 1))
        if layer.outer:
            env["$"] = ready(obj)
        return self.bind(layer.locals, env) if layer.locals else env

    def k_index(self, node: Node, env: Dict[str, Thunk]) -> Any:
        target = self.eval(node.args[0], env)
        key = self.eval(node.args[1], env)
        return ops.index(self, target, key, node)

    def k_slice(self, node: Node, env: Dict[str, Thunk]) -> Any:
        target = self.eval(node.args[0], env)
        bounds = [self.eval(x, env) if x is not None else None for x in node.args[1:]]
        return ops.slice_of(target, bounds, node)

    def k_binop(self, node: Node, env: Dict[str, Thunk]) -> Any:
        op, left_node, right_node = node.args
        left = self.eval(left_node, env)
        if op in ("&&", "||"):
            if left is (op == "||"):
                return left
            right = self.eval(right_node, env)
            if is_unknown(left):
                return right if right is (op == "||") else unknown_of(left)
            if not isinstance(left, bool):
                raise JsonnetError(f"{op} needs booleans", node.pos, node.file)
            return right
        return ops.binary(op, left, self.eval(right_node, env), node, self)

    def k_unop(self, node: Node, env: Dict[str, Thunk]) -> Any:
        return ops.unary(node.args[0], self.eval(node.args[1], env), node)

    def k_call(self, node: Node, env: Dict[str, Thunk]) -> Any:
        fn = self.eval(node.args[0], env)
        positional = [Thunk(a, env) for a in node.args[1]]
        named = [(n, Thunk(a, env)) for n, a in node.args[2]]
        return self.call(fn, positional, named, node)

    def call(self, fn: Any, positional: List[Thunk], named: List[Tuple[str, Thunk]], node: Node) -> Any:
        if is_unknown(fn):
            return unknown_of(fn)
        if isinstance(fn, Builtin):
            args = self.arguments(fn.name, [(p, None) for p in fn.params], positional, named, node)
            while args and args[-1] is None:
                args.pop()  # what is not given is left out, so that a function's own defaults apply
            return fn.fn(self, [self.force(a) if a is not None else None for a in args], node)
        if not isinstance(fn, Func):
            raise JsonnetError("only a function can be called", node.pos, node.file)
        env = dict(fn.env)
        args = self.arguments(fn.name, fn.params, positional, named, node)
        for (name, default), given in zip(fn.params, args):
            env[name] = given if given is not None else Thunk(default, env)
        return self.eval(fn.body, env)

    def arguments(self, name: str, params: list, positional: List[Thunk], named: List[Tuple[str, Thunk]],
                  node: Node) -> List[Optional[Thunk]]:
        """The argument given for each parameter (None: its default, or absent for a builtin)."""
        if len(positional) > len(params):
            raise JsonnetError(f"too many arguments to {name}", node.pos, node.file)
        out: List[Optional[Thunk]] = list(positional) + [None] * (len(params) - len(positional))
        names = [p for p, _ in params]
        for n, t in named:
            if n not in names or out[names.index(n)] is not None:
                raise JsonnetError(f"argument {n} of {name} not expected", node.pos, node.file)
            out[names.index(n)] = t
        for (p, default), given in zip(params, out):
            if given is None and default is None and not (name.startswith("std.") or name.startswith("native")):
                raise JsonnetError(f"argument {p} of {name} missing", node.pos, node.file)
        return out

    def k_import(self, node: Node, env: Dict[str, Thunk]) -> Any:
        return self.imported_value(node, False)

    def k_importstr(self, node: Node, env: Dict[str, Thunk]) -> Any:
        return self.imported_value(node, True)

    def k_importbin(self, node: Node, env: Dict[str, Thunk]) -> Any:
        raise NotRead("not read: importbin", node.pos, node.file)

    def imported_value(self, node: Node, as_text: bool) -> Any:
        """An imported file's value (or text): relative to the importing file, inside the run's scope only
        (a path or symlink that leads out is an unknown that says so), each file read once."""
        from pullcheck.sources import scope

        name = node.args[0]
        base = os.path.dirname(node.file)
        full = os.path.normpath(os.path.join(base, name))
        real = os.path.realpath(full)
        if os.path.isabs(name) or not scope.readable(full) or not os.path.isfile(real):
            return Unknown(f"not read: import of {name} (outside the scanned files, or no such file) "
                           f"at {node.pos[0]}:{node.pos[1]}")
        key = ("str:" if as_text else "") + real
        if key in self.imported:
            if self.imported[key] is _UNDER_WAY:
                raise JsonnetError(f"import cycle through {name}", node.pos, node.file)
            return self.imported[key]
        if len(self.imported) >= MAX_IMPORTS:
            raise Limit(f"not read: more than {MAX_IMPORTS} imports", node.pos, node.file)
        try:
            text = read_text(full)
        except (OSError, ParseError) as e:
            return Unknown(f"not read: import of {name} ({getattr(e, 'message', e)}) at {node.pos[0]}:{node.pos[1]}")
        self.read_bytes += len(text)
        if self.read_bytes > MAX_IMPORT_BYTES:
            raise Limit("not read: imports larger than 2 MB in all", node.pos, node.file)
        if as_text:
            self.imported[key] = text
            return text
        self.imported[key] = _UNDER_WAY
        try:
            tree = parse(text, full)
        except ParseError as e:
            raise JsonnetError(f"not read: {name} does not parse ({e.message} at {e.line}:{e.col})", node.pos,
                               node.file) from None
        try:
            value = self.eval(tree, self.root_env())
        except BaseException:
            del self.imported[key]
            raise
        self.imported[key] = value
        return value


_UNDER_WAY = object()


class _Output:
    """The evaluated value as the marked JSON the task-definition reader takes, bounded."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev, self.nodes = ev, 0

    def spot(self, where: Any, anchor: Any) -> Any:
        """Where a value is written, as a range in the definition file: its own place when it is written
        there, else the place in the definition that brings it in (an imported file's value)."""
        if where is not None and where[1] == self.ev.main:
            return where[0]
        return anchor

    def value(self, v: Any, anchor: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise TooLarge(f"not read: more than {MAX_NODES} values")
        if depth > MAX_OUT_DEPTH:
            raise TooLarge(f"not read: nested deeper than {MAX_OUT_DEPTH} levels")
        if isinstance(v, Obj):
            return self.obj(v, anchor, depth)
        if isinstance(v, list):
            out = MList()
            out.pos, out.ipos = anchor, []
            spots = getattr(v, "spots", [None] * len(v))
            for x, where in zip(v, spots):
                at = self.spot(where, anchor)
                out.append(self.value(x, at, depth + 1))
                out.ipos.append(at)
            return out
        if isinstance(v, float) and v == int(v) and abs(v) < 1e16:
            return int(v)
        if isinstance(v, (Func, Builtin)):
            return Unknown(f"not read: a function as a value at {anchor[0]}:{anchor[1]}")
        if isinstance(v, StateValue):
            return v.placeholder
        if isinstance(v, Template) and any(isinstance(p, StateValue) for p in v.parts):
            return make_template([p.placeholder if isinstance(p, StateValue) else p for p in v.parts])
        return v

    def obj(self, o: Obj, anchor: Any, depth: int) -> MDict:
        out = MDict()
        out.pos, out.kpos = self.spot(o.layers[-1].where if o.layers else None, anchor), {}
        for name in o.names():
            f = next(layer.fields[name] for layer in reversed(o.layers) if name in layer.fields)
            at = self.spot((f.node.pos, f.node.file) if f.node is not None else None, anchor)
            try:
                v = self.ev.field(o, name, len(o.layers) - 1, f.node)
                out[name] = self.value(v, at, depth + 1)
            except TooLarge:
                raise
            except JsonnetError as e:
                out[name] = Unknown(e.where(self.ev.main))
            out.kpos[name] = at
        return out


def evaluate(path: str) -> Any:
    """A definition file's value as marked JSON (``MDict``/``MList`` with ranges in the file, plain
    values, ``Unknown``/``Template`` where not known), or ParseError when it does not parse. A bound passed,
    or an error of the whole, is an Unknown for the whole that says why."""
    text = read_text(path)
    tree = parse(text, os.path.normpath(path))
    ev = Evaluator(path)
    top = (tree.pos[0], tree.pos[1], tree.pos[0], tree.pos[1] + 1)
    try:
        value = ev.eval(tree, ev.root_env())
        if isinstance(value, (Func, Builtin)):
            return Unknown(f"not read: a function at the top (top-level arguments) at {top[0]}:{top[1]}")
        return _Output(ev).value(value, top, 0)
    except JsonnetError as e:
        return Unknown(e.where(ev.main))
    except RecursionError:
        return Unknown(f"not read: nested too deep to evaluate at {top[0]}:{top[1]}")
