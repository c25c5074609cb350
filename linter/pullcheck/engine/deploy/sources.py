"""Where a repository keeps its deploy commands, each read by the conventions of the tool that runs it:
shell scripts, Makefiles (each recipe line its own shell), GitHub workflows (``run:`` steps with their
``env:`` literals and ``working-directory``, and the CloudFormation deploy action), GitLab CI (``script:``)
and CodeBuild buildspecs (``commands``). Nothing is run; a value that is not written literally is a hole."""
from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from pullcheck.engine.deploy.commands import CFN, MENTIONS, Deploy, in_text
from pullcheck.engine.deploy.shell import clean, has_hole, hole

MAX_BYTES = 256 * 1024  # a deploy file larger than this is not read
MAX_FILES = 256  # deploy files read per run
MAX_TOTAL = 8 * 1024 * 1024
MAX_NODES = 20000  # YAML nodes looked at per file
MAX_SHELL = 1024 * 1024  # shell text read per file (a YAML alias may name one step's text many times)
SCRIPT_EXT = (".sh", ".bash")
MAKEFILES = {"makefile", "gnumakefile"}
SAMCONFIGS = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
_SCRIPT_FOLDERS = {"bin", "scripts", "script", "deploy", "ci", "tools"}
_CFN_ACTION = "aws-actions/aws-cloudformation-github-deploy"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_MAKE_VAR = re.compile(r"^(?:override[ \t]+|export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*(::?=|\?=|\+=|!=|=)(.*)$")


def kind_of(path: str) -> str:
    """What a file is by its name (and, for a script without an extension in a scripts folder, its first
    line): "samconfig", "script", "make", "workflow", "gitlab", "buildspec", or ""."""
    name = os.path.basename(path)
    low = name.lower()
    if low in SAMCONFIGS:
        return "samconfig"
    if low.endswith(SCRIPT_EXT):
        return "script"
    if low in MAKEFILES or low.endswith(".mk"):
        return "make"
    if low in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        return "gitlab"
    if low.startswith("buildspec") and low.endswith((".yml", ".yaml")):
        return "buildspec"
    if low.endswith((".yml", ".yaml")) and ".github" in path:
        parts = path.replace(os.sep, "/").split("/")
        return "workflow" if len(parts) >= 3 and parts[-3:-1] == [".github", "workflows"] else ""
    if "." not in name and os.path.basename(os.path.dirname(path)) in _SCRIPT_FOLDERS and _shebang(path):
        return "script"
    return ""


def _shebang(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            first = f.read(64)
    except OSError:
        return False
    return bool(re.match(rb"#![ \t]*\S*(?:/|env[ \t]+)(?:ba)?sh\b", first))


def read_bounded(path: str, budget: List[int]) -> Optional[str]:
    """The text of a deploy file within the bounds (its own and the run's), None past them."""
    import stat

    from pullcheck.sources.errors import ParseError, read_text

    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES or budget[0] + st.st_size > MAX_TOTAL:
        return None
    budget[0] += st.st_size
    try:
        return clean(read_text(path))
    except (ParseError, UnicodeError, OSError):
        return None


def deploys_in(path: str, shown: str, kind: str, text: str) -> List[Deploy]:
    """The deploy commands of one file (``shown``: its name as findings name files)."""
    folder = os.path.dirname(os.path.abspath(path))
    if kind == "script":
        return in_text(text, shown, 1, folder)
    if kind == "make":
        return _makefile(text, shown, folder)
    if not any(m in text for m in MENTIONS + (_CFN_ACTION,)):
        return []
    if kind == "workflow":
        return _workflow(text, shown, os.path.dirname(os.path.dirname(folder)))
    if kind in ("gitlab", "buildspec"):
        return _ci(text, shown, folder, kind)
    return []


class _Meter:
    """What one file may still cost: nodes looked at and shell text read (aliases repeat both); a text met
    again with the same variables and at the same line (a YAML alias) is read once."""

    def __init__(self) -> None:
        self.nodes, self.chars = MAX_NODES, MAX_SHELL
        self.seen: Set[Tuple[str, int, str]] = set()

    def take(self, chars: int = 0) -> bool:
        self.nodes -= 1
        self.chars -= chars
        return self.nodes >= 0 and self.chars >= 0

    def first(self, text: str, line: int, env: Dict[str, Optional[str]]) -> bool:
        key = (text, line, repr(sorted(env.items())))
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


# --- Makefiles

def _makefile(text: str, shown: str, folder: str) -> List[Deploy]:
    """Each recipe line is a shell of its own, after make puts in its variables (``$(X)``, ``${X}``;
    ``$$`` is the shell's ``$``). A variable set once with ``=`` or ``:=`` is known; ``?=`` and ``+=``,
    and one set several ways, depend on the command line or the environment."""
    if not any(m in text for m in MENTIONS):
        return []
    raw: Dict[str, List[Tuple[str, str]]] = {}
    lines = text.split("\n")
    for line in lines:
        m = _MAKE_VAR.match(line) if not line.startswith("\t") else None
        if m:
            raw.setdefault(m.group(1), []).append((m.group(2), m.group(3).strip()))
    out: List[Deploy] = []
    n = 0
    while n < len(lines):
        first = n
        recipe = lines[n]
        while recipe.endswith("\\") and n + 1 < len(lines):
            n += 1
            recipe = recipe[:-1] + " " + lines[n].lstrip("\t")
        n += 1
        if not recipe.startswith("\t") or not any(m in recipe for m in MENTIONS):
            continue
        if len(recipe) > MAX_SHELL // 16:
            continue  # past a line's bound once joined
        shell = _make_expand(recipe.lstrip("\t").lstrip("@-+"), raw, 0)
        out.extend(in_text(shell, shown, first + 1, folder))
    return out


_MAKE_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}|\$[(@<^*?%{]")


def _make_expand(text: str, raw: Dict[str, List[Tuple[str, str]]], depth: int,
                 memo: Optional[Dict[str, str]] = None) -> str:
    """A Makefile's text with its variables put in: each variable expanded once (``memo``), and the text
    built piece by piece within a line's bound, so that values doubling each other stop at once."""
    memo = {} if memo is None else memo
    limit = MAX_SHELL // 16
    out: List[str] = []
    size, at = 0, 0
    for m in _MAKE_REFERENCE.finditer(text):
        out.append(text[at:m.start()])
        at = m.end()
        if m.group(0) == "$$":
            piece = "$"
        else:
            name = m.group(1) or m.group(2) or ""
            sets = raw.get(name, [])
            if depth > 8 or not sets or len({s for s in sets}) != 1 or sets[0][0] not in ("=", ":=", "::="):
                piece = hole("$" + name if name else "make")
            else:
                if name not in memo:
                    memo[name] = hole("$" + name)  # a variable that names itself stays a hole
                    value = _make_expand(sets[0][1], raw, depth + 1, memo)
                    memo[name] = value if len(value) <= limit else hole("$" + name)
                piece = memo[name]
        size += len(out[-1]) + len(piece)
        if size > limit:
            return hole("make-too-long")
        out.append(piece)
    out.append(text[at:])
    return "".join(out)


# --- YAML-based CI files

def _compose(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _get(node: Any, key: str) -> Any:
    from yaml import MappingNode

    if isinstance(node, MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return None


def _items(node: Any) -> List[Tuple[str, Any]]:
    from yaml import MappingNode

    if not isinstance(node, MappingNode):
        return []
    return [(str(k.value), v) for k, v in node.value[:MAX_NODES] if isinstance(getattr(k, "value", None), str)]


def _scalars(node: Any) -> Iterator[Any]:
    """The scalar nodes of a scalar or a list of them (nested lists, as GitLab allows, too)."""
    from yaml import ScalarNode, SequenceNode

    if isinstance(node, ScalarNode):
        yield node
    elif isinstance(node, SequenceNode):
        for item in node.value[:MAX_NODES]:
            if isinstance(item, SequenceNode):
                yield from (x for x in item.value[:MAX_NODES] if isinstance(x, ScalarNode))
            elif isinstance(item, ScalarNode):
                yield item


def _first_line(node: Any) -> int:
    """The line a scalar's text starts on (a block scalar's starts after its ``|``)."""
    return node.start_mark.line + 1 + (1 if node.style in ("|", ">") else 0)


def _env(node: Any, outer: Dict[str, Optional[str]], matrix: Optional[Dict[str, str]] = None
         ) -> Dict[str, Optional[str]]:
    """``outer`` with an ``env:``/``variables:`` mapping's literal values (an expression is unknown but
    ``env.X`` and ``matrix.X`` of known values)."""
    from yaml import ScalarNode

    got = dict(outer)
    for k, v in _items(node):
        value = v.value if isinstance(v, ScalarNode) and isinstance(v.value, str) else None
        if isinstance(_get(v, "value"), ScalarNode):  # GitLab's {value: ..., description: ...}
            value = _get(v, "value").value
        value = None if value is None else _substituted(value, outer, matrix)
        got[k] = None if value is None or has_hole(value) else value
    return got


def _substituted(text: str, env: Dict[str, Optional[str]], matrix: Optional[Dict[str, str]] = None) -> str:
    """GitHub's ``${{ env.X }}`` and ``${{ matrix.X }}`` put in where X is known; every other expression a hole."""
    def one(m: "re.Match[str]") -> str:
        expr = m.group(1)
        if expr.startswith("env.") and env.get(expr[4:]) is not None:
            return str(env[expr[4:]])
        if expr.startswith("matrix.") and matrix and expr[7:] in matrix:
            return matrix[expr[7:]]
        return hole(expr)

    return _EXPRESSION.sub(one, text)


MAX_COMBINATIONS = 16  # a job's matrix combinations read, each a run of its own


def _combinations(job: Any) -> List[Dict[str, str]]:
    """The combinations of a job's ``strategy.matrix`` written as literal lists (each a world of its own: a
    deploy per environment); [{}] when there is none or it is not literal (``matrix.X`` is then a hole)."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    matrix = _get(_get(job, "strategy"), "matrix")
    if not isinstance(matrix, MappingNode):
        return [{}]
    axes: List[Tuple[str, List[str]]] = []
    for key, values in _items(matrix):
        if key in ("include", "exclude") or not isinstance(values, SequenceNode) or not all(
                isinstance(v, ScalarNode) for v in values.value):
            return [{}]
        axes.append((key, [str(v.value) for v in values.value]))
    combos: List[Dict[str, str]] = [{}]
    for key, values in axes:
        combos = [dict(c, **{key: v}) for c in combos for v in values]
        if len(combos) > MAX_COMBINATIONS:
            return [{}]
    return combos


def _workflow(text: str, shown: str, root: str) -> List[Deploy]:
    """Each job's ``run:`` steps (from the checkout, or their ``working-directory``) and CloudFormation
    deploy action steps. ``root``: the folder that holds ``.github``."""
    doc = _compose(text)
    out: List[Deploy] = []
    env = _env(_get(doc, "env"), {})
    meter = _Meter()
    for _, job in _items(_get(doc, "jobs")):
        for matrix in _combinations(job):
            if not _job(job, env, matrix, shown, root, meter, out):
                return out
    return out


def _job(job: Any, env: Dict[str, Optional[str]], matrix: Dict[str, str], shown: str, root: str, meter: _Meter,
         out: List[Deploy]) -> bool:
    """The deploys of one job in one combination of its matrix, added to ``out``; False past the bounds."""
    job_env = _env(_get(job, "env"), env, matrix)
    job_dir = _scalar(_get(_get(_get(job, "defaults"), "run"), "working-directory"))
    steps = _get(job, "steps")
    said = " (" + ", ".join(f"{k}={v}" for k, v in matrix.items()) + ")" if matrix else ""
    for step in getattr(steps, "value", [])[:MAX_NODES] if steps is not None else []:
        step_env = _env(_get(step, "env"), job_env, matrix)
        uses = _scalar(_get(step, "uses")) or ""
        run = _get(step, "run")
        if not meter.take(len(_scalar(run) or "")):
            return False
        if uses.startswith(_CFN_ACTION):
            found = [d for d in [_cfn_action(step, step_env, matrix, shown, root)] if d is not None]
        elif _scalar(run) is None or not meter.first(run.value + said, _first_line(run), step_env):
            continue
        else:
            folder = _scalar(_get(step, "working-directory")) or job_dir
            cwd: Optional[str] = root
            if folder is not None:
                folder = _substituted(folder, step_env, matrix)
                cwd = None if has_hole(folder) else os.path.normpath(os.path.join(root, folder))
            found = in_text(_substituted(run.value, step_env, matrix), shown, _first_line(run), cwd, step_env)
        for d in found:
            d.origin += said
        out.extend(found)
    return True


def _scalar(node: Any) -> Optional[str]:
    from yaml import ScalarNode

    return node.value if isinstance(node, ScalarNode) and isinstance(node.value, str) else None


def _cfn_action(step: Any, env: Dict[str, Optional[str]], matrix: Dict[str, str], shown: str, root: str
                ) -> Optional[Deploy]:
    """aws-actions/aws-cloudformation-github-deploy: ``with: template, name, parameter-overrides`` (``K=V,K2=V2``
    or a file URL)."""
    with_ = _get(step, "with")
    template = _scalar(_get(with_, "template"))
    if not template:
        return None
    line = _get(with_, "template").start_mark.line + 1
    d = Deploy(CFN, f"{shown}:{line}", root, template=_substituted(template, env, matrix),
               stack=_substituted(_scalar(_get(with_, "name")) or "", env, matrix) or hole("name"))
    overrides = _scalar(_get(with_, "parameter-overrides"))
    if overrides:
        overrides = _substituted(overrides.strip(), env, matrix)
        if overrides.startswith("file://"):
            # file:///${{ github.workspace }}/params.json: the checkout is the folder holding .github
            path = overrides[len("file://"):].replace(hole("github.workspace"), "").lstrip("/")
            d.parameters = ["file://" + path]
        else:
            d.parameters = [p.strip() for p in re.split(r",(?=\s*[A-Za-z0-9]+=)", overrides) if p.strip()]
    return d


def _ci(text: str, shown: str, folder: str, kind: str) -> List[Deploy]:
    """GitLab CI jobs' ``before_script``, ``script`` and ``after_script`` with the ``variables`` literals, or a
    buildspec's phases' ``commands`` with its ``env: variables``; both run from the repository's top."""
    doc = _compose(text)
    out: List[Deploy] = []
    if kind == "buildspec":
        env = _env(_get(_get(doc, "env"), "variables"), {})
        blocks = [(env, _get(phase, "commands")) for _, phase in _items(_get(doc, "phases"))]
    else:
        env = _env(_get(doc, "variables"), {})
        blocks = [(_env(_get(job, "variables"), env), _get(job, key)) for _, job in _items(doc)
                  for key in ("before_script", "script", "after_script")]
    meter = _Meter()
    for block_env, node in blocks:
        for item in _scalars(node):
            if not meter.take(len(item.value) if isinstance(item.value, str) else 0):
                return out
            if isinstance(item.value, str) and meter.first(item.value, _first_line(item), block_env):
                out.extend(in_text(item.value, shown, _first_line(item), folder, block_env))
    return out
