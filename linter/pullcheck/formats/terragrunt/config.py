"""One Terragrunt configuration file (a unit's ``terragrunt.hcl``, a file it includes, a file
``read_terragrunt_config()`` reads) evaluated as Terragrunt evaluates it, with the Terraform evaluator.

Terragrunt's own functions and names are answered before the Terraform evaluator sees an expression: each
call of one of them (``find_in_parent_folders()``, ``get_terragrunt_dir()``, ``read_terragrunt_config()``,
``get_env()``...) and each ``dependency.<name>`` or ``include.<name>`` becomes its value, and the rest is
Terraform's (``basename()``, ``merge()``, ``local.x``...). Paths are absolute, as Terragrunt's functions
give them. A file is read only inside the run's scope, each file once per chain (a configuration that reads
itself, directly or not, is an unknown that says so), and never deeper than ``MAX_DEPTH``. Nothing is ever
run: ``run_cmd()``, the account's identity and decrypted files are unknowns.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Tuple

from pullcheck.formats.terraform.evaluate import Module
from pullcheck.formats.terraform.expressions import Evaluator
from pullcheck.formats.terraform.hcl import Node
from pullcheck.formats.terraform.syntax import Body, read
from pullcheck.graph.values import Missing, Undeclared, Unknown
from pullcheck.sources import scope
from pullcheck.sources.errors import ParseError, read_text

MAX_DEPTH = 8  # included or read configurations inside one another
MAX_REWRITE = 300  # expression nesting (the reader bounds it lower)
MAX_FOLDERS = 100  # folders find_in_parent_folders() walks up, as Terragrunt's default

# Terragrunt's functions that only ask the machine or the account: never run, never guessed
_ASKS_OUTSIDE = {"run_cmd": "run_cmd() runs a command", "get_aws_account_id": "the AWS account's ID",
                 "get_aws_account_alias": "the AWS account's alias",
                 "get_aws_caller_identity_arn": "the AWS caller's identity",
                 "get_aws_caller_identity_user_id": "the AWS caller's identity",
                 "sops_decrypt_file": "a file decrypted by sops", "get_terraform_command": "the command run",
                 "get_terraform_cli_args": "the command's arguments", "get_platform": "the platform it runs on",
                 "get_repo_root": "the git repository's root", "get_path_from_repo_root": "the git repository's root",
                 "get_path_to_repo_root": "the git repository's root", "get_working_dir": "Terragrunt's cache folder",
                 "read_tfvars_file": "read_tfvars_file() is not evaluated", "get_default_retryable_errors":
                 "Terragrunt's list of retryable errors", "local_exec": "a command's output"}


class Context:
    """What one evaluation of a unit shares: the unit's folder (get_terragrunt_dir()), whether paths are
    shown relative to the working folder, whether the environment may be read (as ``--tf-env-vars``
    allows for TF_VAR_), the files being read (a chain, for cycles), and how a dependency's outputs are
    found (``outputs(config_path)``)."""

    def __init__(self, unit_dir: str, relative: bool, environment: bool,
                 outputs: Callable[[str, str], Any], chain: Tuple[str, ...] = ()) -> None:
        self.unit_dir = os.path.abspath(unit_dir)
        self.relative = relative
        self.environment = environment
        self.outputs = outputs
        self.chain = chain
        self.budget: Any = None  # one evaluation budget for a unit and every file it reads
        self.memo: Dict[str, Any] = {}  # what read_terragrunt_config() gave for each file, once per unit
        # what read_terragrunt_config() gives for an absolute path (set by the unit's reader)
        self.read: Callable[[str, "Context"], Any] = lambda path, ctx: Unknown("read_terragrunt_config() is not "
                                                                              "evaluated here")

    def within(self, unit_dir: str, path: str) -> "Context":
        """The context of a file that read_terragrunt_config() reads: its own folder."""
        out = Context(unit_dir, self.relative, self.environment, self.outputs, self.chain + (path,))
        out.budget, out.read, out.memo = self.budget, self.read, self.memo
        return out

    def shown(self, path: str) -> str:
        """A path as findings name it: relative to the working folder when the run's paths are."""
        path = os.path.normpath(path)
        if self.relative:
            try:
                path = os.path.relpath(path)
            except ValueError:
                pass
        return path.replace(os.sep, "/")

    def resolve(self, path: str) -> str:
        """A path a configuration writes, absolute: relative ones from the unit's folder."""
        return os.path.normpath(path if os.path.isabs(path) else os.path.join(self.unit_dir, path))


class OutOfScope(ParseError):
    """A configuration beyond the run's scope: an unknown for whoever names it, not a defect of a file."""


def parse(path: str, ctx: Context) -> Body:
    """A configuration file's body; a ParseError when it cannot be read, is not HCL, lies outside the run's
    scope or is already being read (a cycle)."""
    if path in ctx.chain:
        raise ParseError("a Terragrunt configuration that includes or reads itself: not read again")
    if len(ctx.chain) >= MAX_DEPTH:
        raise ParseError(f"Terragrunt configurations nested more than {MAX_DEPTH} deep: not read")
    if not scope.readable(path):
        raise OutOfScope(f"{ctx.shown(path)} lies outside the paths this run reads: not read")
    if not os.path.isfile(path):
        raise ParseError("no such Terragrunt configuration")
    return read(read_text(path), ctx.shown(path))


class Config(Module):
    """A configuration file as a module of the Terraform evaluator: its locals are its ``local.<name>``;
    ``include`` and ``dependency`` are answered by the unit (``names``)."""

    def __init__(self, path: str, body: Body, ctx: Context, included_by: str = "") -> None:
        # file() reads relative to the file's own folder, as Terragrunt evaluates each file (an included
        # root.hcl's file("./common/x.tf") is beside it); get_terragrunt_dir() is still the unit's
        super().__init__(os.path.dirname(path) or ctx.unit_dir)
        if ctx.budget is None:
            ctx.budget = self.budget
        self.budget = ctx.budget
        self.path, self.body, self.ctx = path, body, ctx
        self.included_by = included_by  # for a file a unit includes: the unit's configuration file
        self.includes: Dict[str, str] = {}  # label -> included file (absolute), set by the unit
        self.names: Callable[[str, str], Any] = lambda space, name: Undeclared(f"{space}.{name}")
        self.tg_values: Dict[str, Any] = {}
        for name, _, b, _ in body.blocks:
            if name == "locals":
                self.locals.update(b.attrs)

    def local(self, name: str, depth: int) -> Any:
        if name not in self.locals:
            return Undeclared(f"local.{name} is not declared in {self.body.file}")
        if depth > 40:
            return Unknown(f"local.{name} cannot be evaluated")
        return self.once(self.tg_values, name, f"local.{name}", lambda: self.value(self.locals[name], depth + 1))

    def value(self, t: Any, depth: int = 0) -> Any:
        """An expression of the file, Terragrunt's functions and names answered first (none once the unit's
        evaluation budget is spent: reading files is work too)."""
        if self.budget.over():
            return self.budget.spent()
        return Evaluator(self, {}, depth).eval(self.rewritten(t, 0))

    def attr(self, body: Body, name: str) -> Any:
        """An attribute of one of the file's blocks, or None when it is not written."""
        t = body.attrs.get(name)
        return None if t is None else self.value(t)

    def all_locals(self) -> Dict[str, Any]:
        return {k: self.local(k, 0) for k in self.locals}

    def rewritten(self, t: Any, depth: int) -> Any:
        """The expression with each Terragrunt call and name replaced by its value."""
        if not isinstance(t, Node) or depth > MAX_REWRITE:
            return t
        if t.kind == "call" and (t.a in _FUNCTIONS or t.a in _ASKS_OUTSIDE):
            args = [self.value(a) for a in t.b]
            if t.c and args:
                last = args.pop()
                if not isinstance(last, list):
                    return _known(t, Unknown(f"{t.a}(...) over a value that is not a list"))
                args.extend(last)
            return _known(t, self.call(t.a, args))
        if t.kind == "attr" and isinstance(t.a, Node) and t.a.kind == "var" and t.a.a in ("dependency", "include"):
            return _known(t, self.names(t.a.a, t.b))
        parts = [self._part(p, depth + 1) for p in (t.a, t.b, t.c, t.d)]
        if all(p is q for p, q in zip(parts, (t.a, t.b, t.c, t.d))):
            return t
        return Node(t.kind, t.src, t.start, t.end, *parts)

    def _part(self, p: Any, depth: int) -> Any:
        if isinstance(p, Node):
            return self.rewritten(p, depth)
        if isinstance(p, (list, tuple)) and depth <= MAX_REWRITE:
            out = [self._part(x, depth + 1) for x in p]
            if all(x is y for x, y in zip(out, p)):
                return p
            return tuple(out) if isinstance(p, tuple) else out
        return p

    def call(self, name: str, args: List[Any]) -> Any:
        """A Terragrunt function's value (its arguments evaluated)."""
        if name in _ASKS_OUTSIDE:
            return Unknown(f"{_ASKS_OUTSIDE[name]}, which a lint does not ask for")
        if name != "get_env":
            bad = next((a for a in args if isinstance(a, Unknown)), None)
            if bad is not None:
                return bad
        try:
            return _FUNCTIONS[name](self, args)
        except (TypeError, ValueError, IndexError):
            return Missing(f"{name}() cannot take these arguments")

    # the folders and files the functions name
    def parent_file(self, args: List[Any]) -> str:
        """The included file get_parent_terragrunt_dir() and path_relative_to_include() mean."""
        if self.included_by:
            return self.path
        if args and isinstance(args[0], str) and args[0] in self.includes:
            return self.includes[args[0]]
        return next(iter(self.includes.values()), "")


def _known(t: Node, value: Any) -> Node:
    """A value in an expression's place: a literal node (the evaluator gives a literal's value as it is)."""
    return Node("lit", t.src, t.start, t.end, value)


def _find_in_parent_folders(c: Config, args: List[Any]) -> Any:
    name = args[0] if args else "terragrunt.hcl"
    if not isinstance(name, str) or not name:
        raise TypeError
    folder = c.ctx.unit_dir
    for _ in range(MAX_FOLDERS):
        up = os.path.dirname(folder)
        if up == folder:
            break
        folder = up
        candidate = os.path.normpath(os.path.join(folder, name))
        if not scope.readable(candidate):
            break  # above the run's scope: Terragrunt would go on; a lint stops where it may read
        if os.path.exists(candidate):  # a folder too, as Terragrunt finds it (a module source: "${...}//vpc")
            return candidate
    if len(args) > 1:
        return args[1]
    return Unknown(f"find_in_parent_folders(\"{name}\") finds no such file in the folders this run reads")


def _read_config(c: Config, args: List[Any]) -> Any:
    if not args or not isinstance(args[0], str):
        raise TypeError
    path = c.ctx.resolve(args[0])
    if path not in c.ctx.memo:  # a file read many times (by many files) is evaluated once
        c.ctx.memo[path] = c.ctx.read(path, c.ctx)
    got = c.ctx.memo[path]
    if isinstance(got, Unknown) and len(args) > 1:
        return args[1]
    return got


def _get_env(c: Config, args: List[Any]) -> Any:
    name = args[0] if args else None
    if not isinstance(name, str):
        return name if isinstance(name, Unknown) else Missing("get_env() needs a variable's name")
    if c.ctx.environment and name in os.environ:
        return os.environ[name]
    if len(args) > 1:
        return args[1]
    return Unknown(f"environment variable {name} (get_env() without a default)")


def _relative_to_include(c: Config, args: List[Any]) -> Any:
    parent = c.parent_file(args)
    if not parent:
        return "."
    return os.path.relpath(c.ctx.unit_dir, os.path.dirname(parent)).replace(os.sep, "/")


def _relative_from_include(c: Config, args: List[Any]) -> Any:
    parent = c.parent_file(args)
    if not parent:
        return "."
    return os.path.relpath(os.path.dirname(parent), c.ctx.unit_dir).replace(os.sep, "/")


def _parent_dir(c: Config, args: List[Any]) -> Any:
    parent = c.parent_file(args)
    return os.path.dirname(parent) if parent else c.ctx.unit_dir


_FUNCTIONS: Dict[str, Callable[[Config, List[Any]], Any]] = {
    "find_in_parent_folders": _find_in_parent_folders,
    "read_terragrunt_config": _read_config,
    "get_env": _get_env,
    "get_terragrunt_dir": lambda c, a: c.ctx.unit_dir,
    "get_original_terragrunt_dir": lambda c, a: c.ctx.unit_dir,
    "get_parent_terragrunt_dir": _parent_dir,
    "path_relative_to_include": _relative_to_include,
    "path_relative_from_include": _relative_from_include,
    "get_terraform_commands_that_need_vars": lambda c, a: [
        "apply", "console", "destroy", "import", "plan", "push", "refresh"],
    "get_terraform_commands_that_need_input": lambda c, a: ["apply", "import", "init", "plan", "refresh"],
    "get_terraform_commands_that_need_locking": lambda c, a: [
        "apply", "destroy", "import", "init", "plan", "refresh", "taint", "untaint"],
    "get_terraform_commands_that_need_parallelism": lambda c, a: ["apply", "plan", "destroy"],
    "mark_as_read": lambda c, a: a[0] if a else Missing("mark_as_read() needs a path"),
}


def shown_inputs(value: Any, where: str, depth: int = 0) -> Any:
    """An input's value with each unknown part saying which input of which file it came from."""
    if isinstance(value, Unknown) and not isinstance(value, Missing):
        return Unknown(f"{value.origin} ({where})")
    if depth > 20:
        return value
    if isinstance(value, list):
        out = type(value)() if type(value) is not list else []
        out.extend(shown_inputs(v, where, depth + 1) for v in value)
        for k in ("pos", "ipos"):
            if hasattr(value, k):
                setattr(out, k, getattr(value, k))
        return out
    if isinstance(value, dict):
        d = type(value)() if type(value) is not dict else {}
        d.update((k, shown_inputs(v, where, depth + 1)) for k, v in value.items())
        for k in ("pos", "kpos"):
            if hasattr(value, k):
                setattr(d, k, getattr(value, k))
        return d
    return value

