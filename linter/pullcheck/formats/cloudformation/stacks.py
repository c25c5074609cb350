"""The stacks of a run: those a stacks file or a CDK assembly names (with their parameters), the children of
nested stack resources (with the parameters their parent passes), and every other template on its own; and
the exports they declare."""
from __future__ import annotations

import os
from collections import deque
from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.formats.cloudformation.resolver import PSEUDO_GIVEN, Exports, Resolver, name_shape
from pullcheck.graph.model import Graph
from pullcheck.graph.values import Unknown
from pullcheck.sources import scope
from pullcheck.sources.marked import MDict

NESTED = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}
MAX_NESTING = 10
# nested stacks evaluated per run, and the resources in them: a parent evaluates its child once per nested
# stack resource, so 8 children of 8 children ... ten deep would be 8^10 stacks made of a few small files
MAX_STACK_INSTANCES = 1_000
MAX_STACK_RESOURCES = 100_000


TEMPLATE_ENDINGS = (".yaml", ".yml", ".json", ".template")


def local_child(file: str, body: Any) -> Optional[str]:
    """The local template a nested stack resource points at by a relative path, as an absolute path, or
    None."""
    where = _template_url(body)
    if not isinstance(where, str) or "://" in where or where.startswith("s3:") or "\x00" in where:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(file)), where))


def _template_url(body: Any) -> Any:
    """What a nested stack resource's TemplateURL (or Location) holds, as written; None for other resources."""
    if not isinstance(body, dict) or not isinstance(body.get("Type"), str) or body["Type"] not in NESTED:
        return None
    props = body.get("Properties")
    return props.get(NESTED[body["Type"]]) if isinstance(props, dict) else None


def url_tail(where: Any) -> List[str]:
    """The path parts at the end of a TemplateURL that are written out: all of an S3 or HTTPS URL's path,
    or what follows the last substitution of an ``Fn::Sub`` or the last reference of an ``Fn::Join``
    (``${Prefix}service.yml`` ends in ``service.yml``). Empty when the last part does not name a template
    file."""
    text = None
    if isinstance(where, str) and ("://" in where or where.startswith("s3:")):
        text = where.split("?", 1)[0].split("://", 1)[-1]
        text = text.split("/", 1)[1] if "/" in text else ""  # the host or bucket is not a folder
    elif isinstance(where, dict) and len(where) == 1:
        (fn, arg), = where.items()
        if fn == "Fn::Sub":
            sub = arg[0] if isinstance(arg, list) and arg else arg
            text = sub.rsplit("}", 1)[-1] if isinstance(sub, str) else None
        elif fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and arg[0] == "" \
                and isinstance(arg[1], list):
            written: List[str] = []
            for item in reversed(arg[1]):
                if not isinstance(item, str):
                    break
                written.insert(0, item)
            text = "".join(written)
    if text is not None and not isinstance(where, str):
        if "://" in text:
            return url_tail(text)
        # after a substitution, the first part is the end of a name (``${Bucket}.s3.amazonaws.com/``) unless
        # it is the file's name itself (``${Prefix}service.yml``)
        text = text.split("?", 1)[0]
        text = text if text.startswith("/") or "/" not in text else text.split("/", 1)[1]
    if text is None or len(text) > MAX_URL:
        return []
    parts = [p for p in text.split("/") if p]
    if not parts or not parts[-1].lower().endswith(TEMPLATE_ENDINGS) or any(p in (".", "..") for p in parts):
        return []
    return parts[-MAX_URL_PARTS:]  # the ends tried, each looked up on disk: a few folders deep at most


MAX_URL = 1024  # the longest TemplateURL CloudFormation takes
MAX_URL_PARTS = 8  # the path parts of its end that are matched against the run's folders


def child_by_name(file: str, body: Any, is_template: Callable[[str], bool]) -> Optional[str]:
    """The template a nested stack's S3 or HTTPS TemplateURL stands for, by file name: in the parent's folder
    or below it, the template at the longest end of the URL's path (``${Prefix}service.yml`` beside the
    parent; ``https://s3.amazonaws.com/bucket/services/api/service.yaml`` as services/api/service.yaml, else
    api/service.yaml, else service.yaml); None when there is none."""
    return at_longest_end(file, url_tail(_template_url(body)), is_template)


def at_longest_end(file: str, parts: List[str], is_template: Callable[[str], bool]) -> Optional[str]:
    """The template at the longest end of the path ``parts`` (url_tail) from the folder of ``file``."""
    top = os.path.dirname(os.path.abspath(file))
    for k in range(len(parts)):
        path = os.path.normpath(os.path.join(top, *parts[k:]))
        if is_template(path):
            return path
    return None


class Templates:
    """The run's templates by path, and the others that stacks and parents name, each read once; ``errors``:
    (file, ParseError) for those that cannot be read."""

    def __init__(self, templates: List[Tuple[MDict, str]], load: Callable[[str], Any]) -> None:
        self.by_path = {os.path.abspath(f): (d, f) for d, f in templates}
        self.load = load
        self.loaded: Dict[str, Any] = {}
        self.errors: List[Tuple[str, Any]] = []

    def child(self, file: str, body: Any) -> Tuple[Optional[str], bool]:
        """(the local template a nested stack resource of ``file`` stands for, whether it was found by file
        name from an S3 or HTTPS URL rather than by a relative path)."""
        here = local_child(file, body)
        if here is not None:
            return here, False
        named = child_by_name(file, body, self.is_template)
        return named, named is not None

    def is_template(self, path: str) -> bool:
        """Whether ``path`` is a template the run may read: one of the run's, or a file in its scope that
        reads as one (a file that does not is no error here: a name is only a guess)."""
        if path in self.by_path:
            return True
        if path not in self.loaded:
            if not scope.readable(path) or not os.path.isfile(path):
                return False
            try:
                self.loaded[path] = self.load(path)
            except Exception:  # ParseError, or a file that is not a template
                from pullcheck.sources import interrupt

                interrupt.check()
                self.loaded[path] = None
        return self.loaded[path] is not None

    def shown(self, path: str) -> str:
        """A template's path as the run names it."""
        entry = self.by_path.get(path) or self.loaded.get(path)
        return entry[1] if entry else path

    def get(self, path: str) -> Optional[Tuple[MDict, str]]:
        if path in self.by_path:
            return self.by_path[path]
        if path not in self.loaded:
            try:
                self.loaded[path] = self.load(path)
            except Exception as e:  # ParseError, or a file that is not a template
                from pullcheck.sources import interrupt

                interrupt.check()
                self.loaded[path] = None
                self.errors.append((path, e))
        return self.loaded[path]


def _skip(graph: Graph, path: str, why: str) -> None:
    if (path, why) not in graph.inputs.skipped:
        graph.inputs.skipped.append((path, why))


def top_stacks(templates: List[Tuple[MDict, str]], stacks: List[Any], graph: Graph, found: Templates,
               exports: Exports) -> List[Resolver]:
    """The stacks the stacks specs name, then every template that is neither one of those nor the child
    of a nested stack resource, on its own."""
    children = {c for d, f in templates if isinstance(d.get("Resources"), dict)
                for body in d["Resources"].values() for c in [found.child(f, body)[0]] if c}
    roots: List[Resolver] = []
    configured = set()
    for spec in stacks:
        if not spec.template:
            continue  # a Terraform configuration and its plan
        # a stack from a stacks file was judged when it was read; one from a CDK assembly or a caller is here
        if spec.skipped:
            continue  # said when its stacks file was read
        if not spec.may_read(spec.template):
            why = f"stack {spec.name} is not linted: its template lies outside the paths this run reads"
            _skip(graph, spec.template, why)
            if why not in graph.inputs.warnings:
                graph.inputs.warnings.append(why)
            continue
        entry = found.get(spec.template)
        if entry is not None:
            roots.append(Resolver(entry[0], entry[1], spec.name, dict(spec.parameters), exports))
            # a deploy command whose stack name the shell decides: AWS::StackName stays unknown
            roots[-1].stack_known = getattr(spec, "name_known", True)
            configured.add(spec.template)
    for d, f in templates:
        if os.path.abspath(f) not in configured and os.path.abspath(f) not in children:
            roots.append(Resolver(d, f, None, None, exports))
    return roots


def with_nested(roots: List[Resolver], graph: Graph, found: Templates, exports: Exports) -> List[Resolver]:
    """``roots`` and the stacks nested in them, breadth first, within the bounds of nesting."""
    every: List[Resolver] = []
    queue = deque((r, 0, (os.path.abspath(r.file),)) for r in roots)
    made = [0, 0]  # nested stacks, and the resources in them
    while queue:
        r, depth, chain = queue.popleft()
        every.append(r)
        for logical, body in r.resources.items():
            child, by_name = found.child(r.file, body)
            if child is None:
                continue
            if child in chain or depth >= MAX_NESTING:
                r.unread[logical] = Unknown(f"nested stack {logical} is nested in itself or more than "
                                            f"{MAX_NESTING} deep")
                continue
            if not scope.readable(child):
                _skip(graph, child, "a nested stack's template outside the paths this run reads is not read")
                r.unread[logical] = Unknown(f"nested stack {logical}: its template lies outside the paths this "
                                            f"run reads")
                continue
            if made[0] >= MAX_STACK_INSTANCES or made[1] >= MAX_STACK_RESOURCES:
                r.unread[logical] = Unknown(f"nested stack {logical}: past {MAX_STACK_INSTANCES} nested stacks or "
                                            f"{MAX_STACK_RESOURCES} resources in them in one run")
                continue
            entry = found.get(child)
            if entry is None:
                r.unread[logical] = Unknown(f"nested stack {logical}: its template cannot be read")
                continue
            resources = entry[0].get("Resources")
            made[0] += 1
            made[1] += len(resources) if isinstance(resources, dict) else 0
            r.children[logical] = sub = _child(r, logical, body, entry, exports)
            if by_name:
                tail = "/".join(url_tail(_template_url(body)))
                note = (f"nested stack {logical} of {r.file} is made of {found.shown(child)}, linked by file name: "
                        f"the template at the longest end of the TemplateURL's path ({tail}) from the parent's "
                        f"folder")
                if note not in exports.assumed:
                    exports.assumed.append(note)
            queue.append((sub, depth + 1, chain + (child,)))
    return every


def _child(r: Resolver, logical: str, body: dict, entry: Tuple[MDict, str], exports: Exports) -> Resolver:
    """The stack a nested stack resource makes of its template, with the parameters the parent passes. A
    nested stack is created by its parent's stack, in the parent's account and Region: the pseudo parameters
    the parent is given are the child's too."""
    params = body.get("Properties", {}).get("Parameters") if isinstance(body.get("Properties"), dict) else None
    given: Dict[str, Any] = {k: r.given[k] for k in PSEUDO_GIVEN if isinstance(r.given.get(k), str)}
    if isinstance(params, dict):
        given.update((k, (lambda expr=v, parent=r: parent.resolve(expr))) for k, v in params.items()
                     if k not in PSEUDO_GIVEN)
    sub = Resolver(entry[0], entry[1], f"{r.stack or r.file}/{logical}", given, exports)
    sub.stack_known = False
    return sub


def add_exports(every: List[Resolver], exports: Exports) -> None:
    """``Outputs.*.Export`` of every stack, by the name each is exported as."""
    for r in every:
        for out in r.outputs.values():
            export = out.get("Export") if isinstance(out, dict) else None
            if isinstance(export, dict) and "Name" in export:
                name = r.resolve(export["Name"])
                if isinstance(name, str):
                    exports.add(name, r, out.get("Value"))
                    continue
                shape = name_shape(name)
                if shape is not None:
                    exports.add_shaped(shape, r, out.get("Value"))
