"""The first stage of a run: what to read. The named paths are walked (hidden folders but ``.aws``,
``.terraform``, bundled CDK assets and the configuration's excludes left out) into a ``Reading``: the data
files, the Terraform folders and each named path that is not read, with why."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from pullcheck.sources.errors import ParseError, read_text
from pullcheck.sources.session import current

# Terraform's and Terragrunt's downloads (copies of modules, linted through what calls them), and packages
SKIP_DIRS = {".terraform", ".terragrunt-cache", "node_modules", "__pycache__"}
TERRAGRUNT_UNIT = "terragrunt.hcl"  # its folder is a Terragrunt unit: a Terraform root (formats.terragrunt)
DATA_EXT = (".json", ".yaml", ".yml", ".template", ".cfn")
JSONNET_EXT = ".jsonnet"  # read when an ecspresso configuration names it as a definition
# The one hidden folder walked: GitHub's ECS starter workflow keeps the task definition in `.aws/` (at the top
# of the repository, or beside the workflow in `.github/workflows/.aws/`). Other hidden folders (.git,
# .github, editors' and tools' state) are not infrastructure and stay out.
READ_HIDDEN = ".aws"
STARTER_FOLDER = os.path.join(".github", "workflows", READ_HIDDEN)
# what an AWS CLI configuration folder (~/.aws) holds: such a folder is the user's, not the repository's
_AWS_HOME = ("credentials", "config", "sso", "cli")


@dataclass
class Reading:
    """What a run reads, handed from discovery to the build."""

    # each data file, with whether it is read only when its text marks it as infrastructure (met while
    # walking a folder, or every file under --infrastructure-only)
    files: List[Tuple[str, bool]] = field(default_factory=list)
    tf_dirs: List[str] = field(default_factory=list)  # Terraform folders
    missing: List[Tuple[str, str]] = field(default_factory=list)  # named paths not read, and why
    paths: List[str] = field(default_factory=list)  # the named paths (where a CDK cloud assembly is looked for)
    # deploy inputs met while walking (SAM configurations, scripts, Makefiles, CI files): the stacks they
    # imply are read by pullcheck.engine.deploy.implicit
    deploy_files: List[str] = field(default_factory=list)


def norm(path: str) -> str:
    """A path as findings name it: normalised, with forward slashes."""
    path = os.path.normpath(path)
    return path.replace(os.sep, "/")



def _plain_file_within(path: str, top: str) -> bool:
    """A walked name worth reading: a regular file, or a symlink to a regular file inside the tree being
    walked (never to a FIFO, a device, /proc/self/fd/1 or a file outside the tree)."""
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISREG(st.st_mode):
        return True
    if not stat.S_ISLNK(st.st_mode):
        return False
    real, root = os.path.realpath(path), os.path.realpath(top)
    if os.path.commonpath([real, root]) != root:
        return False
    try:
        return stat.S_ISREG(os.stat(real).st_mode)
    except OSError:
        return False


def discover(paths: Iterable[str], exclude: Optional[Callable[[str], bool]] = None,
             deploy_files: Optional[List[str]] = None) -> Tuple[List[str], List[str], List[Tuple[str, str]]]:
    """(data files, terraform folders, (path, why) of each named path not read). Hidden folders are skipped
    while walking, and so is whatever ``exclude`` (the configuration's globs) says, for given files too.
    ``deploy_files``: where to list the deploy inputs met while walking (by their names only)."""
    skip = exclude or (lambda p: False)
    deploy_kind = _deploy_kind() if deploy_files is not None else None
    files: List[str] = []
    tf_dirs: Dict[str, None] = {}
    missing: List[Tuple[str, str]] = []
    for p in paths:
        if os.path.isdir(p):
            github: List[str] = []  # the walked folders holding a .github folder
            for root, names in _walk(p, skip, github):
                if deploy_kind is not None and deploy_files is not None:
                    deploy_files.extend(_deploy_inputs(root, names, p, skip, deploy_kind, root in github))
                for n in sorted(names):
                    full = os.path.join(root, n)
                    if skip(full) or not _plain_file_within(full, p):
                        continue
                    if n.endswith((".tf", ".tf.json")) or n == TERRAGRUNT_UNIT:
                        tf_dirs[root] = None  # native and JSON syntax (cdktf writes cdk.tf.json), or a unit
                    elif n.lower().endswith(DATA_EXT + (JSONNET_EXT,)) and not n.startswith("."):
                        files.append(full)
        elif os.path.isfile(p) or (os.path.exists(p) and not os.path.isdir(p)) or _unsaved(p):
            # a FIFO, socket or device named explicitly is read as nothing: PARSE001 says what it is
            if skip(p):
                continue
            if p.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")) or os.path.basename(p) == TERRAGRUNT_UNIT:
                # a changed .tf, .tf.json or variables file is linted with its folder (one module)
                tf_dirs[os.path.dirname(p) or "."] = None
            else:
                files.append(p)
        else:
            missing.append((p, "no such file or folder"))
    # a file or folder named twice (a folder and a file in it, a relative and an absolute path) is read
    # once: twice, its resources would be declared twice and every lookup of them ambiguous
    seen: set = set()
    unique_files = []
    for f in files:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique_files.append(f)
    unique_dirs: Dict[str, str] = {}
    for d in tf_dirs:
        unique_dirs.setdefault(os.path.abspath(d), d)
    return unique_files, list(unique_dirs.values()), missing


# --- deploy inputs (pullcheck.engine.deploy): listed by name while walking, read only when templates or
# Terraform folders are in the run
# the names a deploy input may have (pullcheck.engine.deploy.sources.kind_of decides): a cheap first look
_DEPLOY_NAME = re.compile(r"(?i)(?:.*\.(?:sh|bash|mk)|makefile|gnumakefile|samconfig\.(?:toml|ya?ml)"
                          r"|buildspec.*\.ya?ml|\.gitlab-ci\.ya?ml|[^.]+)$")


def _deploy_kind() -> Callable[[str], str]:
    from pullcheck.engine.deploy.sources import kind_of

    return kind_of


def _deploy_inputs(root: str, names: List[str], top: str, skip: Callable[[str], bool],
                   kind: Callable[[str], str], has_github: bool) -> List[str]:
    """The deploy inputs of one walked folder: its own files of the kinds deploys are kept in, and the
    workflows of a ``.github/workflows`` in it (a folder the walk itself leaves out)."""
    out = [os.path.join(root, n) for n in sorted(names) if _DEPLOY_NAME.match(n) and kind(os.path.join(root, n))]
    workflows = os.path.join(root, ".github", "workflows")
    if has_github and os.path.isdir(workflows) and not skip(workflows):
        try:
            listed = sorted(os.listdir(workflows))
        except OSError:
            listed = []
        out += [os.path.join(workflows, n) for n in listed if n.endswith((".yml", ".yaml"))]
    return [f for f in out if not skip(f) and _plain_file_within(f, top)]


def _walk(top: str, skip: Callable[[str], bool], github: Optional[List[str]] = None
          ) -> Iterator[Tuple[str, List[str]]]:
    """(folder, file names) of each folder walked under ``top``, in order: hidden folders are left out but
    ``.aws`` (and ``.github/workflows/.aws``, reached without reading .github itself), as are ``SKIP_DIRS``,
    the assets bundled in a CDK cloud assembly and what ``skip`` says."""
    starters: List[str] = []
    for root, dirs, names in os.walk(top):
        in_cdk_out = os.path.isfile(os.path.join(root, "manifest.json")) and "cdk.out" in root
        if ".github" in dirs and github is not None:
            github.append(root)
        if ".github" in dirs and _walkable_aws(os.path.join(root, STARTER_FOLDER), top):
            starters.append(os.path.join(root, STARTER_FOLDER))
        dirs[:] = sorted(d for d in dirs if (not d.startswith(".") or _walkable_aws(os.path.join(root, d), top))
                         and d not in SKIP_DIRS
                         and not (in_cdk_out and d.startswith("asset."))  # bundled code, not infrastructure
                         and not skip(os.path.join(root, d)))
        yield root, names
    for folder in starters:
        if not skip(folder):
            yield from _walk(folder, skip)


def _walkable_aws(folder: str, top: str) -> bool:
    """An ``.aws`` folder that is a real folder inside the tree walked (not a link out of it), and not an
    AWS CLI configuration folder (credentials, config, SSO and CLI caches: the user's, never read)."""
    import stat

    if os.path.basename(folder) != READ_HIDDEN:
        return False
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        real, root = os.path.realpath(folder), os.path.realpath(top)
        if os.path.commonpath([real, root]) != root:
            return False
        return not any(os.path.lexists(os.path.join(folder, n)) for n in _AWS_HOME)
    except (OSError, ValueError):
        return False


def _unsaved(p: str) -> bool:
    """An editor buffer not yet saved (the language server lints it from its text)."""
    overlay = current().overlay
    return bool(overlay) and os.path.abspath(p) in overlay


def cdk_stacks(paths: Iterable[str]) -> list:
    """Stacks a CDK cloud assembly (``cdk.out/manifest.json``) declares: name and template."""
    import json

    from pullcheck.engine.stacks import Stack

    out = []
    for p in paths:
        for root, dirs, names in (os.walk(p) if os.path.isdir(p) else ()):
            dirs[:] = [d for d in dirs if not d.startswith((".", "asset.")) and d not in SKIP_DIRS]
            if "manifest.json" not in names or not os.path.basename(root).startswith("cdk.out"):
                continue
            try:
                artifacts = json.loads(read_text(os.path.join(root, "manifest.json"))).get("artifacts", {})
            except (ParseError, ValueError, AttributeError, RecursionError):
                continue
            for art_id, art in (artifacts.items() if isinstance(artifacts, dict) else ()):
                props = art.get("properties") if isinstance(art, dict) else None
                if not isinstance(props, dict) or art.get("type") != "aws:cloudformation:stack":
                    continue
                template = os.path.join(root, str(props.get("templateFile", "")))
                if os.path.isfile(template):
                    out.append(Stack(str(props.get("stackName") or art_id), os.path.abspath(template),
                                     _cdk_place(art.get("environment")), base=os.path.abspath(root)))
    return out


def _cdk_place(environment: object) -> dict:
    """The pseudo parameters a CDK stack's environment (``aws://123456789012/eu-west-1``) fixes; an
    environment-agnostic stack (``aws://unknown-account/unknown-region``) fixes none."""
    import re

    m = re.fullmatch(r"aws://([0-9]{12}|unknown-account)/([a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}|unknown-region)",
                     environment if isinstance(environment, str) else "")
    if m is None:
        return {}
    from pullcheck.formats.cloudformation.resolver import pseudo_parameters

    return pseudo_parameters(m.group(1) if m.group(1) != "unknown-account" else "",
                             m.group(2) if m.group(2) != "unknown-region" else "")


def what_to_read(paths: List[str], exclude: Optional[Callable[[str], bool]], infrastructure_only: bool,
                 roots: Optional[List[str]] = None) -> Reading:
    """What a run reads (see ``Reading``); a named path is not read when it does not exist or leads out of
    every ``--root``. Sets the run's scope and lets go of what fixes read in an earlier run."""
    from pullcheck.engine import fixes
    from pullcheck.sources import scope

    fixes.forget()  # fixes read the files as this run finds them
    scope.set_roots(paths, roots or ())  # what file(), modules, nested stacks and fixes may reach
    outside = [p for p in paths if scope.leaves_root(p)]
    deploy_files: List[str] = []
    files, tf_dirs, missing = discover([p for p in paths if p not in outside], exclude, deploy_files)
    missing += [(p, "lies outside --root once links are resolved: not read") for p in outside]
    explicit = {os.path.normpath(p) for p in paths if os.path.isfile(p)} if not infrastructure_only else set()
    return Reading([(f, os.path.normpath(f) not in explicit) for f in files], tf_dirs, missing, list(paths),
                   deploy_files)
