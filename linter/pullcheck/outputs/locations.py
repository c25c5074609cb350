"""Where a finding's file is, for the reports that link to it: relative to the source root, as a URI
(RFC 3986, percent-encoded), and as a link to its line on GitHub.

The source root is the checkout: ``$GITHUB_WORKSPACE`` when it is set and holds the current folder (GitHub
Actions, whatever ``working-directory`` a step has), else the current folder. A file outside it has no
relative path: SARIF names it by an absolute ``file://`` URI and the markdown report gives no link.
"""
from __future__ import annotations

import os
import re
from typing import Mapping, Optional
from urllib.parse import quote

SOURCE_ROOT_ID = "%SRCROOT%"  # the uriBaseId of the files under the source root

# what each part of a GitHub link must look like before it is put in a URL (the variables come from the
# runner, but a report must hold whatever they say): a server is http(s), a host and maybe a port and a
# path; a repository is owner/name; a commit is hexadecimal
_SERVER = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/?")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")


def source_root(environ: Optional[Mapping[str, str]] = None) -> str:
    """The absolute path of the source root (see the module's docstring)."""
    env = os.environ if environ is None else environ
    here = os.getcwd()
    workspace = env.get("GITHUB_WORKSPACE", "")
    if workspace and os.path.isabs(workspace):
        workspace = os.path.normpath(workspace)
        if _under(here, workspace):
            return workspace
    return here


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def relative(path: str, root: str) -> Optional[str]:
    """``path`` (as a finding names it: relative to the current folder, or absolute) relative to ``root``
    with ``/`` between folders, or None when it is not below the root. A link is named by the file it leads
    to, as code scanning asks (it shows no result on a link), when that file is in the run's scope (what
    the run may read) and below the root too; a link that leads out of the scope keeps its own name."""
    from pullcheck.sources.scope import readable

    full = os.path.normpath(os.path.join(os.getcwd(), path))
    real, real_root = os.path.realpath(full), os.path.realpath(root)
    if real != full and readable(full) and _under(real, real_root) and real != real_root:
        return os.path.relpath(real, real_root).replace(os.sep, "/")
    if _under(full, root) and full != root:
        return os.path.relpath(full, root).replace(os.sep, "/")
    if _under(real, real_root) and real != real_root:  # the root itself reached through a link
        return os.path.relpath(real, real_root).replace(os.sep, "/")
    return None


def encoded(path: str) -> str:
    """A path as the path of a URI: each byte but the unreserved characters (RFC 3986: letters, digits,
    ``-._~``) and ``/`` percent-encoded, from the name's bytes as the file system has them."""
    return quote(os.fsencode(path), safe="/")


def file_uri(path: str) -> str:
    """The absolute ``file://`` URI of a path (a folder's ends with ``/`` when the path does)."""
    full = os.path.normpath(os.path.join(os.getcwd(), path)).replace(os.sep, "/")
    if path.endswith(("/", os.sep)) and not full.endswith("/"):
        full += "/"
    return "file://" + ("" if full.startswith("/") else "/") + encoded(full)


def github_blob(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``{server}/{repository}/blob/{commit}`` from GitHub's variables (``GITHUB_SERVER_URL``,
    ``GITHUB_REPOSITORY``, ``GITHUB_SHA``), or None when any is unset or not of its form."""
    env = os.environ if environ is None else environ
    server, repo, sha = (env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (_SERVER.fullmatch(server) and _REPOSITORY.fullmatch(repo) and _COMMIT.fullmatch(sha)):
        return None
    if ".." in repo.split("/") or "." in repo.split("/"):
        return None
    return f"{server.rstrip('/')}/{repo}/blob/{sha}"


def line_link(blob: str, rel: str, line: int) -> str:
    """The URL of ``line`` of the file ``rel`` (relative to the source root) at ``blob``."""
    return f"{blob}/{encoded(rel)}#L{max(int(line), 1)}"
