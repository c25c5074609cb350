"""ecspresso's tfstate plugin, read as a link: ``{{ tfstate `module.vpc.aws_subnet.public[0].id` }}`` in a
task or service definition is that attribute of the Terraform configuration whose state the plugin reads.

The configuration names the state (``plugins: - name: tfstate, config: {url: s3://BUCKET/KEY}``, or a local
``path:``/``url:`` of a ``.tfstate`` file); the Terraform root folder of the run whose ``backend "s3"`` block
has that bucket and key (or whose folder holds that state file) is the one. Each placeholder that names a
resource of that folder in the graph becomes a reference to it; any other stays as written (the file as the
pipeline renders it). Nothing is run, and only the run's files are read.
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional

from pullcheck.graph.model import Graph, Resource
from pullcheck.graph.values import Ref

_PLACEHOLDER = re.compile(r"\{\{\s*tfstate\s+`([^`]+)`\s*\}\}")
_S3 = re.compile(r"""url\s*:\s*["']?s3://([^/\s"']+)/([^\s"']+)""")
_LOCAL = re.compile(r"""(?:path|url)\s*:\s*["']?(?:file://)?(?![A-Za-z0-9]+://)([^\s"']+\.tfstate)\b""")
_ADDRESS = re.compile(r"((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?\.)*)((?:data\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_-]+"
                      r"(?:\[[^\]]+\])?)\.([A-Za-z0-9_]+)")
_TASKDEF_TYPES = ("ECS::Service (JSON)", "ECS::TaskDefinition (JSON)", "ECS::Service (Jsonnet)",
                  "ECS::TaskDefinition (Jsonnet)")
MAX_TF_BYTES = 512 * 1024  # of one root folder's .tf files read for its backend


def link(graph: Graph) -> None:
    """Replace the tfstate placeholders of the run's task and service definitions by references."""
    from pullcheck.sources.errors import ParseError, read_text

    files = [r for r in graph.of_kind("ecs.task_definition", "ecs.service") if r.rtype in _TASKDEF_TYPES]
    roots = _roots(graph) if files else {}
    if not roots:
        return
    found: Dict[str, Optional[str]] = {}  # configuration -> the root its plugin reads: each read once
    backends: Dict[str, Optional[tuple]] = {}  # root folder -> its S3 backend: each folder read once a run
    for res in files:
        config = _config(graph, res)
        if not config:
            continue
        if config not in found:
            try:
                text = read_text(config)
            except (OSError, ParseError):
                text = ""
            found[config] = _root_of(text, os.path.dirname(config), roots, backends) if "tfstate" in text else None
        root = found[config]
        if root is not None:
            res.attrs.update({k: _linked(v, root, graph) for k, v in res.attrs.items() if k != "raw"})


def _config(graph: Graph, res: Resource) -> str:
    """The ecspresso configuration that deploys ``res`` (its path), or ""."""
    said = res.get("paired_by") or next(
        (r.where for r in graph.inputs.registered_by.get(res.file, ()) if r.tool == "ecspresso"), "")
    return said.rsplit(":", 1)[0] if isinstance(said, str) and ":" in said else ""


def _roots(graph: Graph) -> Dict[str, str]:
    """Real path -> the name the graph's keys give it, for each Terraform root folder of the run."""
    names = {key.split(":", 1)[0].split("/module.", 1)[0] for key, r in graph.resources.items()
             if r.rtype.startswith(("aws_", "data.")) and ":" in key and not key.startswith("plan:")}
    return {os.path.realpath(name): name for name in sorted(names)}


def _plugin(text: str) -> str:
    """The tfstate plugin's entry of an ecspresso configuration (from its ``name: tfstate`` to the next
    entry), or "": a url of another plugin, or of a comment, is not the state's."""
    m = re.search(r"""^([ \t]*)-?[ \t]*name[ \t]*:[ \t]*["']?tfstate["']?[ \t]*$""", text, re.M)
    if m is None:
        return ""
    rest = text[m.end():]
    end = re.search(r"^[ \t]*-[ \t]*name[ \t]*:", rest, re.M)
    block = rest[:end.start()] if end else rest
    return "\n".join(line for line in block.split("\n") if not line.lstrip().startswith("#"))


def _root_of(text: str, base: str, roots: Dict[str, str], backends: Dict[str, Optional[tuple]]) -> Optional[str]:
    text = _plugin(text)
    m = _S3.search(text)
    if m is None:
        return _local_root(text, base, roots)
    bucket, key = m.group(1), m.group(2)
    for real in roots:
        if real not in backends:
            backends[real] = _backend(real)
    found = [name for real, name in roots.items() if backends[real] == (bucket, key)]
    return found[0] if len(found) == 1 else None


def _local_root(text: str, base: str, roots: Dict[str, str]) -> Optional[str]:
    m = _LOCAL.search(text)
    if m:
        folder = os.path.dirname(os.path.realpath(os.path.join(base, m.group(1))))
        if os.path.basename(folder) == ".terraform":
            folder = os.path.dirname(folder)
        return roots.get(folder)
    return None


def _backend(folder: str) -> Optional[tuple]:
    """(bucket, key) of the root folder's ``backend "s3"`` block, or None; each folder read once."""
    from pullcheck.sources import scope
    from pullcheck.sources.errors import ParseError, read_text

    budget = MAX_TF_BYTES
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".tf"))
    except OSError:
        return None
    for n in names:
        path = os.path.join(folder, n)
        try:
            if not scope.readable(path) or os.path.getsize(path) > budget:
                continue
            text = read_text(path)
        except (OSError, ParseError):
            continue
        budget -= len(text)
        block = re.search(r'backend\s+"s3"\s*\{([^{}]*)\}', text)
        if block:
            bucket = re.search(r'\bbucket\s*=\s*"([^"]*)"', block.group(1))
            key = re.search(r'\bkey\s*=\s*"([^"]*)"', block.group(1))
            return (bucket.group(1), key.group(1)) if bucket and key else None
    return None


def _linked(v: Any, root: str, graph: Graph) -> Any:
    if isinstance(v, str):
        m = _PLACEHOLDER.fullmatch(v.strip())
        return _reference(m.group(1), root, graph) or v if m else v
    if isinstance(v, list):
        return [_linked(x, root, graph) for x in v]
    if isinstance(v, dict):
        return {k: _linked(x, root, graph) for k, x in v.items()}
    return v


def _reference(address: str, root: str, graph: Graph) -> Optional[Ref]:
    """The reference a state address names (``module.vpc.aws_subnet.public[0].id``), if the graph holds it."""
    m = _ADDRESS.fullmatch(address.strip())
    if m is None:
        return None
    modules: List[str] = [p for p in m.group(1).split(".") if p]
    path = "/".join(f"{modules[i]}.{modules[i + 1]}" for i in range(0, len(modules), 2))
    key = f"{root}{'/' + path if path else ''}:{m.group(2)}"
    res = graph.resources.get(key)
    if res is None:
        return None
    return Ref(key, res.rtype, m.group(3))
