"""``--changed``: the named files are those a commit changes (what the pre-commit hook passes). They are linted
with what links them to the rest of the repository, and only the findings located in them, or caused by them,
are reported.

The repository is every ``--root`` (the hook gives the work tree's root), else the current folder; nothing
outside it is read. It is walked as a run walks a folder (the configuration's excludes too), and each file's
text is read once and searched, not parsed (``Index``), for what ties one part to another:

- Terraform: a folder is one module; the folders that call it (``source = "./..."``), up to the roots,
  are linted with it (a folder another one calls is linted as that call, and the modules a folder calls are
  read through the call, as in any run); a folder naming a changed data file (``file("containers.json")``)
  is linted with it, as is a plan kept in a changed folder, and the folder a changed plan stands for;
- CloudFormation: a template that imports (``Fn::ImportValue``) is linted with every template that exports,
  and one that exports with every template that imports (export names are built with ``!Sub``, ``!Join``
  and parameters: which export an import takes is known only once both are evaluated); the templates that
  nest a changed template as a stack (by a relative path, or by file name from a URL) are linted with it,
  up to the top; a stacks file's stacks are evaluated as in any run;
- names: what a changed part declares or looks up by name (a role, a task-definition family, a cluster, an
  ECR repository, as ``pullcheck.engine.links`` lists them) is searched for as a whole word in the text of
  every other part, and the parts that hold it are linted too (one step: the names of what this adds are
  not followed further). The deploy configuration around a task-definition file is read by every run.

What ``pullcheck.engine.links`` calls hubs (a route whose table is not known applies to every subnet) would
tie every part to every other one; they are not followed: a hook run judges the changed files with what
they name and what names them.

"Caused by" (``Caused``): a finding is reported when it is located in a changed file, in a Terraform folder
holding or reading one, or written there (a module's resource reported at its caller: the finding's
origin); or when its resource depends on a changed file: the references of its attributes, followed from
resource to resource (an import resolved to an export is such a reference), reach a resource declared in a
changed file or one that such a resource references (a route added to a table), or the resource looks up by
name what a changed file declares (or declares what a changed file looks up). Other findings of the linked
files are theirs, not the commit's: a broken file the commit does not touch does not fail it.
"""
from __future__ import annotations

import os
import re
from typing import Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

from pullcheck.engine.discover import discover, norm
from pullcheck.graph.model import LAUNCH_KINDS, SITE_KINDS, Finding, Graph, Resource
from pullcheck.graph.values import Ref, Template
from pullcheck.sources.errors import ParseError, read_text

_MODULE_SOURCE = re.compile(r'\bsource\s*=\s*"(\.{1,2}/[^"]*)"')
_NAMED_FILE = re.compile(r'"(?:\$\{path\.(?:module|root)\}/)?([^"$\n]+\.(?:json|ya?ml|tpl|template))"')
_NESTED = re.compile(r'\b(?:TemplateURL|Location)["\']?\s*:\s*["\']?([^\s"\'{},\[\]]+)')
# a TemplateURL on one line that names its template by file name: an S3 or HTTPS URL, or a substitution
_URL = re.compile(r'\b(?:TemplateURL|Location)["\']?\s*:\s*(?:!Sub\s+|\{\s*"Fn::Sub"\s*:\s*)?["\']?'
                  r'([^\s"\']*\.(?:ya?ml|json|template))\b')
_EXPORTS = re.compile(r"\bExport[\"']?\s*:")
_PLAN = re.compile(r'"(?:planned_values|format_version)"')
_NAME = re.compile(r"[\w.-]{3,}")
_MOST_NAMES = 2_000  # names searched for at once (a changed part declaring more is linted without that step)


def options(p: Any) -> Any:
    """The command line's flag for changed files."""
    p.add_argument("--changed", action="store_true",
                   help="the files named are the changed ones (the pre-commit hook's run): lint them with what "
                        "links them to the rest of the repository (--root, else the current folder) and report "
                        "only findings in them or caused by them")
    return p


def _text(path: str) -> str:
    try:
        return read_text(path)
    except (ParseError, OSError, UnicodeError, ValueError):
        return ""


class Index:
    """The repository's parts (data files and Terraform folders, by absolute path, with the path the run
    names them by) and what their texts say of each other."""

    def __init__(self, roots: List[str], exclude: Optional[Callable[[str], bool]]) -> None:
        files, dirs, _ = discover(roots, exclude)
        self.shown: Dict[str, str] = {os.path.abspath(p): p for p in files + dirs}
        self.files = {os.path.abspath(f) for f in files}  # then only those that are infrastructure
        self.walked = frozenset(self.files)  # every data file (a Terraform folder may read any of them)
        self.dirs = {os.path.abspath(d) for d in dirs}
        self.text: Dict[str, str] = {}
        self.callers: Dict[str, Set[str]] = {}  # folder -> folders calling it
        self.reads: Dict[str, Set[str]] = {}  # data file -> folders naming it
        self.parents: Dict[str, Set[str]] = {}  # template -> templates nesting it
        self.importers: Set[str] = set()
        self.exporters: Set[str] = set()
        self.plans: Set[str] = set()
        from pullcheck.sources.session import current

        read = current().read
        before = set(read)
        for f in sorted(self.files):  # a file that is not infrastructure leaves the set
            self._file(f)
        for d in sorted(self.dirs):
            self._folder(d)
        # what the run reads is what it lints (a report may not be written over it); searched is not linted
        read.intersection_update(before)

    def _file(self, f: str) -> None:
        from pullcheck.engine.stages import is_infrastructure

        text = _text(f)
        if not is_infrastructure(text):
            self.files.discard(f)  # never linted as a linked part (walked, it would be left out)
            return
        self.text[f] = text
        # plain searches first: most files hold none of these words
        if "ImportValue" in text:
            self.importers.add(f)
        if "Export" in text and _EXPORTS.search(text):
            self.exporters.add(f)
        if ("planned_values" in text or "format_version" in text) and _PLAN.search(text):
            self.plans.add(f)
        if "TemplateURL" not in text and "Location" not in text:
            return
        for m in _NESTED.finditer(text):
            child = os.path.normpath(os.path.join(os.path.dirname(f), m.group(1)))
            if child in self.files:
                self.parents.setdefault(child, set()).add(f)
        for m in _URL.finditer(text):  # as the template's reader links a child by file name
            from pullcheck.formats.cloudformation.stacks import at_longest_end, url_tail

            written = m.group(1)
            if "://" not in written and not written.startswith("s3:") and "${" not in written:
                continue  # a relative path: linked above
            parts = url_tail(written if "://" in written or written.startswith("s3:") else {"Fn::Sub": written})
            named = at_longest_end(f, parts, lambda p: p in self.files)
            if named is not None and named != f:
                self.parents.setdefault(named, set()).add(f)

    def _folder(self, d: str) -> None:
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith((".tf", ".tf.json")))
        except OSError:
            names = []
        text = self.text[d] = "\n".join(_text(os.path.join(d, n)) for n in names)
        for m in _MODULE_SOURCE.finditer(text):
            called = os.path.normpath(os.path.join(d, m.group(1).split("//", 1)[0]))
            if called in self.dirs and called != d:
                self.callers.setdefault(called, set()).add(d)
        for m in _NAMED_FILE.finditer(text):
            named = os.path.normpath(os.path.join(d, m.group(1)))
            if named in self.walked:
                self.reads.setdefault(named, set()).add(d)

    def naming(self, provided: Iterable[str], looked_up: Iterable[str]) -> Set[str]:
        """The parts that declare one of ``looked_up`` (``RoleName: x``, ``family = "x"``), and those that
        name one of ``provided`` where a value is written (an ARN's ``role/x``, an image's ``x:1.0``; not
        where a name of their own is declared, nor in a Terraform address such as ``aws_ecs_cluster.x.id``)."""
        declared, used = _words(looked_up), _words(provided)
        return {p for p, text in self.text.items()
                if any(_declares(text, w) for w in declared if w in text)
                or any(_uses(text, w) for w in used if w in text)}


_DECLARING = r"(?:RoleName|Family|ClusterName|RepositoryName|name|family|cluster_name|repository_name)"
# what stands before a name where a part declares it, and a line that declares a name or a block
_DECLARED_BEFORE = re.compile(r"(?<![\w-])" + _DECLARING + r"[\"']?\s*[:=]\s*[\"']?$")
_DECLARATION = re.compile(r"\s*(?:[\"']?" + _DECLARING + r"[\"']?\s*[:=]|(?:resource|data|module|variable|output)\b)")


def _words(names: Iterable[str]) -> List[str]:
    """The names worth searching for (whole words of three characters or more); none past ``_MOST_NAMES``."""
    wanted = sorted({n for n in names if _NAME.fullmatch(n)})
    return wanted if len(wanted) <= _MOST_NAMES else []


def _wordy(c: str) -> bool:
    return c.isalnum() or c in "_-"


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where ``word`` stands in ``text`` as a whole word (no letter, digit, ``_`` or ``-`` either side)."""
    i = text.find(word)
    while i != -1:
        end = i + len(word)
        if (i == 0 or not _wordy(text[i - 1])) and (end == len(text) or not _wordy(text[end])):
            yield i
        i = text.find(word, i + 1)


def _declares(text: str, word: str) -> bool:
    """``word`` is declared as a name in ``text`` (``RoleName: word``, ``family = "word"``)."""
    return any(_DECLARED_BEFORE.search(text, max(0, i - 48), i) for i in _occurrences(text, word))


def _uses(text: str, word: str) -> bool:
    """``word`` is written in a value of ``text``: not in a Terraform address (``aws_ecs_cluster.word.id``),
    nor on a line declaring a name or a block."""
    for i in _occurrences(text, word):
        end = i + len(word)
        if (i and text[i - 1] == ".") or text[end:end + 1] == "." and _wordy(text[end + 1:end + 2] or " "):
            continue
        if _DECLARATION.match(text, text.rfind("\n", 0, i) + 1) is None:
            return True
    return False


def _up(start: Set[str], edges: Dict[str, Set[str]]) -> Set[str]:
    """``start`` and everything ``edges`` leads to from it, transitively."""
    out, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in out:
                out.add(nxt)
                todo.append(nxt)
    return out


def linked(index: Index, files: Set[str], dirs: Set[str]) -> Tuple[Set[str], Set[str], Set[str]]:
    """(data files, Terraform folders) to lint with the changed ``files`` and ``dirs`` (absolute paths), by
    what their texts say (see the module's docstring); and the folders that read a changed file."""
    reading = {d for f in files for d in index.reads.get(f, ())}
    dirs = dirs | reading | {os.path.dirname(f) for f in files & index.plans if os.path.dirname(f) in index.dirs}
    files = files | {f for f in index.plans if os.path.dirname(f) in dirs}
    dirs = _up(dirs, index.callers)
    if files & index.importers:
        files = files | index.exporters
    if files & index.exporters:
        files = files | index.importers
    return _up(files, index.parents), dirs, reading


def lint(changed: List[str], rules: Dict[str, Any], exclude: Optional[Callable[[str], bool]], stacks: list,
         infrastructure_only: bool, roots: List[str], tf_given: Any = None, network: Any = None,
         jobs: Optional[int] = 1) -> Tuple[Graph, List[Finding]]:
    """The graph of the changed paths and what links them to the repository, and the findings in or caused
    by the changed files. When every part of the repository is changed (``pre-commit run --all-files``), the
    run is the repository's, by several processes as ``--jobs`` says (1: this one)."""
    import gc

    from pullcheck.engine import fixes
    from pullcheck.sources import scope

    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        fixes.forget()
        repo = list(roots) or ["."]
        scope.set_roots(changed, repo)  # fixes still write only to the changed files
        outside = [p for p in changed if scope.leaves_root(p)]
        files, dirs, missing = discover([p for p in changed if p not in outside], exclude)
        missing += [(p, "lies outside --root once links are resolved: not read") for p in outside]
        index = Index(repo, exclude)
        caused = Caused({os.path.abspath(f) for f in files}, {os.path.abspath(d) for d in dirs})
        given = ({os.path.abspath(f): f for f in files}, {os.path.abspath(d): d for d in dirs})
        more_files, more_dirs, reading = linked(index, set(caused.files), set(caused.dirs))
        caused.dirs |= reading
        caused.files |= {os.path.abspath(p) for p, _ in missing}  # said where they are named
        run = (changed, missing, infrastructure_only, stacks, tf_given, network)
        if index.files <= caused.files and index.dirs <= caused.dirs:  # nothing to link, every finding theirs
            return _everything(index, given, run, rules, jobs)
        graph, found = _lint(index, given, more_files | more_dirs, run, rules)
        provided, looked_up = caused.names(graph)
        more = index.naming(provided, looked_up) - more_files - more_dirs
        if more:
            graph, found = _lint(index, given, more_files | more_dirs | more, run, rules)
        return graph, caused.only(graph, found)
    finally:
        if gc_was_on:
            gc.enable()


def _parts(index: Index, given: Tuple[Dict[str, str], Dict[str, str]], parts: Set[str],
           infrastructure_only: bool) -> Tuple[List[Tuple[str, bool]], List[str]]:
    """(data files with their walked flag, Terraform folders) of the changed paths (``given``: their data files
    and Terraform folders, absolute -> as named) and the linked ``parts``."""
    named, folders = given
    files = [(named[a], infrastructure_only) for a in sorted(named)]
    files += [(index.shown[a], True) for a in sorted(parts) if a in index.files and a not in named]
    dirs = [folders[a] for a in sorted(folders)]
    dirs += [index.shown[a] for a in sorted(parts) if a in index.dirs and a not in folders]
    return files, dirs


def _everything(index: Index, given: Tuple[Dict[str, str], Dict[str, str]], run: tuple, rules: Dict[str, Any],
                jobs: Optional[int]) -> Tuple[Graph, List[Finding]]:
    """Every part of the repository changed: the repository's run, by several processes when ``jobs`` allows."""
    if jobs != 1:
        from pullcheck.engine import parallel

        files, dirs = _parts(index, given, set(), run[2])
        got = parallel.lint(files, dirs, run[1], rules, jobs, run[4])
        if got is not None:
            return got
    return _lint(index, given, set(), run, rules)


def _lint(index: Index, given: Tuple[Dict[str, str], Dict[str, str]], parts: Set[str], run: tuple,
          rules: Dict[str, Any]) -> Tuple[Graph, List[Finding]]:
    """Build and judge the changed paths with the linked ``parts``."""
    from pullcheck.engine.stages import Reading, build_from, judge

    changed, missing, infrastructure_only, stacks, tf_given, network = run
    files, dirs = _parts(index, given, parts, infrastructure_only)
    graph, errors = build_from(Reading(files, dirs, list(missing), list(changed)), stacks, tf_given, network)
    return graph, judge(graph, errors, rules)


def _refs(v: Any, out: List[str], budget: List[int]) -> None:
    """The targets of the references in a value (within ``budget`` nodes)."""
    todo = [v]
    while todo and budget[0] > 0:
        x = todo.pop()
        budget[0] -= 1
        if isinstance(x, Ref):
            out.append(x.target)
        elif isinstance(x, Template):
            todo.extend(x.parts)
        elif isinstance(x, dict):
            todo.extend(x.values())
        elif isinstance(x, (list, tuple)):
            todo.extend(x)


class Caused:
    """Which findings the changed files cause (see the module's docstring)."""

    def __init__(self, files: Set[str], dirs: Set[str]) -> None:
        self.files = files  # changed data files, absolute
        self.dirs = dirs  # Terraform folders holding or reading a changed file, absolute
        self._graph = Graph()
        self._touched: Set[str] = set()  # keys of the resources the changed files declare or may change
        self._names: Tuple[FrozenSet[str], FrozenSet[str]] = (frozenset(), frozenset())
        self._memo: Dict[str, bool] = {}
        self._by_name: Dict[str, List[Resource]] = {}

    def changed(self, path: str) -> bool:
        if not path:
            return False
        a = os.path.abspath(path)
        return a in self.files or a in self.dirs or os.path.dirname(a) in self.dirs

    def names(self, graph: Graph) -> Tuple[Set[str], Set[str]]:
        """The names the changed files' resources declare, and those they look up."""
        from pullcheck.engine import links

        provides, consumes = links.named([r for r in graph.resources.values() if self.changed(r.file)])
        return {t.split(":", 1)[1] for t in provides}, {t.split(":", 1)[1] for t in consumes}

    def only(self, graph: Graph, found: List[Finding]) -> List[Finding]:
        """The findings located in or caused by the changed files; the verdict account of the launch sites
        they concern."""
        from pullcheck.engine import links
        from pullcheck.facts.verdicts import account

        mine = [r for r in graph.resources.values() if self.changed(r.file)]
        touched = {r.key for r in mine}
        # what a changed resource references it may change (a route added to a table, a rule to a group); what
        # a launch or a task definition references it only uses (a cluster other services share)
        for r in mine:
            if r.kind in LAUNCH_KINDS or r.kind in SITE_KINDS or r.kind == "ecs.task_definition":
                continue
            out: List[str] = []
            _refs(r.attrs, out, [100_000])
            touched.update(out)
        self._touched, self._names, self._graph, self._memo = touched, links.named(mine), graph, {}
        self._by_name = {}
        for r in graph.resources.values():
            self._by_name.setdefault(r.name, []).append(r)
        kept = [f for f in found if not f.file or self.changed(f.file)
                or (f.origin and self.changed(str(f.origin[0]))) or self._caused(f.resource, f.file)]
        graph.inputs.account = [s for s in account(graph) if self.changed(s.file) or self._caused(s.name, s.file)]
        return kept

    def _caused(self, name: str, file: str) -> bool:
        candidates = self._by_name.get(name, []) if name else []
        here = [r for r in candidates if norm(r.file) == norm(file)] or candidates
        return any(self._depends(r) for r in here)

    def _depends(self, res: Resource) -> bool:
        """``res`` reaches, through references, what a changed file declares or references, or looks up a
        name a changed file declares (or the other way round)."""
        if res.key in self._memo:
            return self._memo[res.key]
        from pullcheck.engine import links

        self._memo[res.key] = False
        seen, todo, budget = {res.key}, [res], [200_000]
        found = False
        while todo and not found:
            r = todo.pop()
            provides, consumes = links.named([r])
            found = bool(provides & self._names[1] or consumes & self._names[0])
            out: List[str] = []
            _refs(r.attrs, out, budget)
            for key in out:
                if key in self._touched:
                    found = True
                nxt = self._graph.resources.get(key)
                if nxt is not None and key not in seen:
                    seen.add(key)
                    todo.append(nxt)
        self._memo[res.key] = found
        return found
