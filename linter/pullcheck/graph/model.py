"""The resource graph, findings and the rule record shared by parsers, rules and outputs."""
from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

from pullcheck.graph.values import Ref

Path = Tuple[Any, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    file: str = ""  # set when the span lies in another file than its resource (a Batch launch, say)
    # where the value is written when the span was moved to a module's caller: (file, line) in the module
    origin: Tuple[Any, ...] = field(default=(), compare=False)

    @classmethod
    def at(cls, pos: Tuple[int, ...], file: str = "") -> "Span":
        """A span from a reader's position: (line, col) or the range (line, col, end_line, end_col)."""
        if len(pos) >= 4:
            return cls(pos[0], pos[1], pos[2], pos[3], file)
        return cls(pos[0], pos[1], pos[0], pos[1] + 1, file)


@dataclass
class Resource:
    """One resource of any format, in a canonical kind with normalised attributes.

    ``spans`` maps normalised attribute paths to positions; ``span`` is the resource itself.
    """

    key: str
    kind: str
    rtype: str
    name: str
    file: str
    span: Span
    attrs: Dict[str, Any] = field(default_factory=dict)
    spans: Dict[Path, Any] = field(default_factory=dict)  # Span, or a reader's position tuple

    def locate(self, path: Path) -> Span:
        """The span of an attribute path: recorded by the reader, else inside the resource's own ``raw``
        document (task-definition JSON, whose items carry their ranges), else the nearest recorded parent."""
        exact = self.spans.get(tuple(path))
        if exact is not None:
            return exact if isinstance(exact, Span) else Span.at(exact)
        if path and path[0] == "raw":
            found = _raw_position(self.attrs.get("raw"), tuple(path[1:]))
            if found is not None:
                return Span.at(found)
        for n in range(len(path), 0, -1):
            s = self.spans.get(tuple(path[:n]))
            if s is not None:
                return s if isinstance(s, Span) else Span.at(s)
        return self.span

    def get(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)

    def origin(self) -> str:
        """Where it is declared: the stack (a template deployed as a named or nested stack) and the file."""
        if "@" in self.key and "#" in self.key.rsplit("@", 1)[1]:
            stack = self.key.rsplit("@", 1)[1].split("#", 1)[0]
            return f"stack {stack}, {self.file}"
        return self.file

    def label(self, seen_from: "Resource") -> str:
        """The name, and where it comes from when that is not where the finding is (another file or stack)."""
        if self.file == seen_from.file and self.origin() == seen_from.origin():
            return self.name
        return f"{self.name} ({self.origin()})"


def _raw_position(node: Any, path: Path) -> Optional[Tuple[int, ...]]:
    """The range of the deepest item of ``path`` in a document whose containers carry item ranges."""
    best = None
    for key in path:
        if isinstance(node, dict) and key in node and key in (getattr(node, "kpos", None) or {}):
            best = node.kpos[key]
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(getattr(node, "ipos", ())):
            best = node.ipos[key]
            node = node[key]
        else:
            break
    return best


class Facts:
    """What is derived from a graph's resources, computed once on first use and shared by every rule.

    ``index(build)`` is an index over many resources (``build(graph)`` runs once); ``table(owner)`` is a
    per-resource memo of the function ``owner``. Both are keyed by the building function's code, so a
    nested builder or a lambda is the same fact on every call, and two modules cannot collide on a name.
    A new graph (``Graph.clone``) starts with no facts.
    """

    def __init__(self, graph: "Graph") -> None:
        # a weak reference: a graph and its facts are no cycle, so a graph's memory goes back as soon as the
        # last reference to it goes, without the collector (which the command keeps off and which a
        # long-lived language server would run over every graph it ever built)
        self._graph = weakref.ref(graph)
        self._indexes: Dict[Any, Any] = {}
        self._tables: Dict[Any, Dict[Any, Any]] = {}

    def index(self, build: Callable[["Graph"], T]) -> T:
        key = build.__code__
        if key not in self._indexes:
            self._indexes[key] = build(self._graph())
        return self._indexes[key]

    def table(self, owner: Callable[..., Any]) -> Dict[Any, Any]:
        return self._tables.setdefault(owner.__code__, {})


@dataclass(frozen=True)
class Registration:
    """What the repository says registers a task-definition file: the tool ("ecspresso", "deploy-action" for
    aws-actions/amazon-ecs-deploy-task-definition, "cli" for ``--cli-input-json``) and where it says so."""

    tool: str
    where: str  # file:line


@dataclass
class Inputs:
    """What the loaders hand on to later stages of a run (not derived from resources)."""

    templates: List[Tuple[Any, str]] = field(default_factory=list)  # CloudFormation documents, joined later
    plans: List[Tuple[Any, str]] = field(default_factory=list)  # `terraform show -json` documents
    cfn_input: Optional[Tuple[list, list, "Graph"]] = None  # for evaluating templates in other worlds
    choices: Dict[Any, List[Any]] = field(default_factory=dict)  # undecided parameters and their values
    tf_folders: Dict[str, Any] = field(default_factory=dict)  # Terraform folders (and --var-file files) read
    # what the run gives Terraform root modules besides their files (--var-file, --var, TF_VAR_):
    # pullcheck.formats.terraform.variables.Given, or None
    tf_given: Any = None
    tf_roots: List[str] = field(default_factory=list)  # Terraform folders linted as root modules
    tf_called: set = field(default_factory=set)  # absolute folders a Terraform folder of the run calls
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # walked files left out, and why
    warnings: List[str] = field(default_factory=list)  # what the run leaves out that the user named (a stack)
    linted: int = 0  # infrastructure documents and Terraform folders read
    # the run's CloudFormation custom resources, each a Resource outside the graph (kind
    # "cloudformation.custom_resource") holding what it is given: its code may change what that reaches
    custom_resources: List[Any] = field(default_factory=list)
    jobs: Tuple[int, int, int] = ()  # --jobs: (processes, batches, batches linted again together)
    cfn_linked: bool = False  # templates of the run export, import or nest stacks
    cfn_steps: int = 0  # intrinsic evaluations the templates took (their budget is shared by the run)
    # what the templates' evaluation assumed, in words (an import matched to an export built the same way)
    assumed: List[str] = field(default_factory=list)
    module_calls: Dict[Tuple[str, int], str] = field(default_factory=dict)  # (file, line) -> "module.x."
    # task-definition files (as resources name them) -> what registers them (pullcheck.formats.taskdef.deploys)
    registered_by: Dict[str, Tuple[Registration, ...]] = field(default_factory=dict)
    # the verdict account a parallel run gathered from its batches (pullcheck.facts.verdicts.Site), or None:
    # then computed from the graph when asked
    account: Optional[list] = None
    # stack name -> where the repository's deploy inputs imply it ("deploy.sh:12", "samconfig.toml [prod]")
    stack_origins: Dict[str, str] = field(default_factory=dict)


# Data sources that select resources declared elsewhere (Terraform's ``data "aws_subnets"`` with a tag
# filter): the format that builds such a kind registers how to answer it, so the graph reads no format.
# A selector is given the graph, the reference and the kind asked for, and returns the resource selected
# (a list of them for a reference to a selection of many), or None when the answer cannot be known.
Selector = Callable[["Graph", Ref, Optional[str]], Any]
_SELECTORS: Dict[str, Selector] = {}


def register_selector(kind: str, selector: Selector, narrower: Optional["Narrower"] = None) -> None:
    """``selector`` answers what a data source of ``kind`` selects; ``narrower``, when given, whether it may
    select a given resource at all (its filters tried on that resource alone)."""
    _SELECTORS[kind] = selector
    if narrower is not None:
        _NARROWERS[kind] = narrower


Narrower = Callable[["Graph", Ref, "Resource"], Optional[bool]]
_NARROWERS: Dict[str, Narrower] = {}


class Graph:
    def __init__(self) -> None:
        self.resources: Dict[str, Resource] = {}
        self._by_kind: Dict[str, List[Resource]] = {}
        self.inputs = Inputs()
        self.suppressions: List[Any] = []  # suppress.Suppression, from comments and template metadata
        self.facts = Facts(self)

    def add(self, res: Resource) -> None:
        self.resources[res.key] = res
        self._by_kind.setdefault(res.kind, []).append(res)

    def clone(self) -> "Graph":
        """The same resources in a new graph with no facts and no inputs (suppression comments kept, and
        what registers the task-definition files: it is about the files, not about this graph)."""
        g = Graph()
        g.resources = dict(self.resources)
        g._by_kind = {k: list(v) for k, v in self._by_kind.items()}
        g.suppressions = self.suppressions
        g.inputs.registered_by = self.inputs.registered_by
        return g

    def remove(self, key: str) -> None:
        res = self.resources.pop(key, None)
        if res is not None:
            self._by_kind[res.kind] = [r for r in self._by_kind.get(res.kind, []) if r is not res]

    def of_kind(self, *kinds: str) -> Iterator[Resource]:
        for k in kinds:
            yield from self._by_kind.get(k, ())

    def deref(self, v: Any, kind: Optional[str] = None) -> Optional[Resource]:
        """The resource a reference points at (of ``kind`` if given), else None."""
        if isinstance(v, Ref):
            r = self.resources.get(v.target)
            if r is not None and (kind is None or r.kind == kind):
                return r
            if r is not None and r.kind in _SELECTORS:  # a data source that selects a resource
                found = _SELECTORS[r.kind](self, v, kind)
                return found if isinstance(found, Resource) else None
        return None

    def may_select(self, v: Any, res: "Resource") -> Optional[bool]:
        """Whether a reference to a data source that looks resources up may stand for ``res``: False when its
        filters rule ``res`` out; None when they cannot tell, or nothing says how it selects."""
        query = self.resources.get(v.target) if isinstance(v, Ref) else None
        narrower = _NARROWERS.get(query.kind) if query is not None else None
        return narrower(self, v, res) if narrower is not None else None

    def narrows(self, v: Any) -> bool:
        """Whether ``may_select`` can rule resources out for this value."""
        query = self.resources.get(v.target) if isinstance(v, Ref) else None
        return query is not None and query.kind in _NARROWERS

    def select(self, v: Any) -> Optional[List["Resource"]]:
        """The resources a reference to a selecting data source's list of IDs stands for, else None."""
        r = self.resources.get(v.target) if isinstance(v, Ref) else None
        if r is None or r.kind not in _SELECTORS:
            return None
        found = _SELECTORS[r.kind](self, v, None)
        return found if isinstance(found, list) else None


@dataclass(frozen=True)
class Hit:
    """What a rule yields: a resource, the attribute path at fault, and the message."""

    resource: Resource
    path: Path
    message: str
    severity: Optional[str] = None  # the rule's own severity when None
    fix: Any = None  # a pullcheck.engine.fixes.Fix: the edits that make this hit go away


# Kinds a rule declares it reads (``@rule(..., kinds=...)``): the rule runs only on a graph that holds a
# resource of one of them.
LAUNCH_KINDS = ("ecs.service", "ecs.task_set", "ecs.run_task")
SITE_KINDS = LAUNCH_KINDS + ("batch.compute_environment",)  # where a Fargate task starts (Batch: job + env)
TASK_DEFINITION_KINDS = ("ecs.task_definition",)

ONCE_PER = ("hit", "place", "resource")


@dataclass(frozen=True)
class Rule:
    """A rule: ``check(graph)`` yields hits, over a graph holding one of ``kinds``.

    The engine reports each hit once: an identical hit (``once_per="hit"``), one hit per resource and
    attribute (``"place"``) or the first hit of each resource (``"resource"``).
    """

    id: str
    name: str
    severity: str
    check: Callable[[Graph], Iterator[Hit]]
    doc: str
    summary: str
    source: str = ""
    kinds: Tuple[str, ...] = ()
    once_per: str = "hit"
    fix: str = ""  # "safe" or "unsafe" when the rule attaches fixes to its hits, else ""


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    rule_id: str
    severity: str
    message: str
    name: str = ""
    resource: str = ""
    path: str = ""
    # (file, line) inside a module when the finding is reported at the caller's argument: a suppression
    # comment written there still covers it
    origin: Tuple[Any, ...] = field(default=(), compare=False)
    fix: Any = field(default=None, compare=False)  # a pullcheck.engine.fixes.Fix, when the rule knows the edit

    @property
    def fingerprint(self) -> str:
        raw = "\x1f".join((self.file, self.rule_id, self.resource, self.path, self.message))
        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]
