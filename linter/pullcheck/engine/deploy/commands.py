"""The deploy commands among a text's shell commands, read as the tools read their arguments:
``aws cloudformation deploy | create-stack | update-stack | create-change-set``, ``sam deploy`` and
``terraform [-chdir=D] apply | plan``; ``cd D`` before them moves where their relative paths start."""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from pullcheck.engine.deploy.shell import (SCRIPT_DIR, Variables, commands, expand, has_hole, hole, logical_lines,
                                           split)

CFN, SAM, TERRAFORM = "cloudformation", "sam", "terraform"
MENTIONS = ("cloudformation", "sam deploy", "terraform", "tofu")
_CFN_VERBS = {"deploy", "create-stack", "update-stack", "create-change-set"}
_LIST_OPTIONS = {"--parameter-overrides", "--parameters", "--tags", "--capabilities", "--notification-arns"}


@dataclass
class Deploy:
    """One deploy command as written: each value a text, or a text holding a hole (unknown)."""

    tool: str
    origin: str  # "deploy.sh:12"
    cwd: Optional[str]  # the folder its relative paths start from (absolute), None when unknown
    template: str = ""
    stack: str = ""
    parameters: List[str] = field(default_factory=list)  # K=V, ParameterKey=K,ParameterValue=V, file://...
    config_env: str = ""
    config_file: str = ""
    folder: str = ""  # terraform -chdir, relative to cwd
    var_files: List[str] = field(default_factory=list)
    variables: List[str] = field(default_factory=list)  # -var K=V


def in_text(text: str, origin_file: str, first_line: int, cwd: Optional[str],
            given: Optional[Dict[str, Optional[str]]] = None,
            variables: Optional[Variables] = None) -> List[Deploy]:
    """The deploy commands of shell ``text`` whose first line is ``first_line`` of ``origin_file`` (as
    findings name files), run from ``cwd``; ``given``: variables set around the text."""
    if not any(m in text for m in MENTIONS):
        return []
    variables = variables or Variables.of(text, given)
    home = cwd
    out: List[Deploy] = []
    for n, line in logical_lines(text, first_line):
        if not any(m in line for m in MENTIONS) and "cd" not in line:
            continue
        words = split(expand(line, variables))
        if words is None:
            continue  # quoting that does not close: not a command anyone runs
        for cmd in commands(words):
            if cmd[0] in ("cd", "pushd") and len(cmd) <= 2:
                cwd = _moved(cwd, cmd[1] if len(cmd) == 2 else "", home)
                continue
            found = read(cmd, f"{origin_file}:{n}", cwd)
            if found is not None:
                out.append(found)
    return out


def _moved(cwd: Optional[str], target: str, home: Optional[str]) -> Optional[str]:
    """Where ``cd target`` leads from ``cwd`` (``home``: the script's own folder, for ``cd "$(dirname "$0")"``)."""
    if target.startswith(hole(SCRIPT_DIR)) and home is not None:
        cwd, target = home, "." + target[len(hole(SCRIPT_DIR)):]
    if cwd is None or not target or has_hole(target) or target.startswith(("~", "-")) or os.path.isabs(target):
        return None
    return os.path.normpath(os.path.join(cwd, target))


def read(cmd: List[str], origin: str, cwd: Optional[str]) -> Optional[Deploy]:
    """The deploy a simple command is, or None."""
    tool = os.path.basename(cmd[0])
    if tool == "aws":
        rest = _after_globals(cmd[1:])
        if len(rest) >= 2 and rest[0] == "cloudformation" and rest[1] in _CFN_VERBS:
            return _cloudformation(rest[1], _options(rest[2:]), origin, cwd)
    elif tool == "sam" and len(cmd) >= 2 and cmd[1] == "deploy":
        return _sam(_options(cmd[2:]), origin, cwd)
    elif tool in ("terraform", "tofu"):
        return _terraform(cmd[1:], origin, cwd)
    return None


def _after_globals(words: List[str]) -> List[str]:
    """The words after the AWS CLI's global options (``--region X``, ``--profile X``, ``--debug``)."""
    i = 0
    while i < len(words) and words[i].startswith("--"):
        flag = words[i]
        i += 1 if "=" in flag or flag in ("--debug", "--no-cli-pager", "--no-verify-ssl", "--no-paginate",
                                          "--no-sign-request", "--no-cli-auto-prompt") else 2
    return words[i:]


def _options(words: List[str]) -> Dict[str, List[str]]:
    """``--name value`` / ``--name=value`` / ``-t value`` by name; list options take every word up to the
    next option."""
    out: Dict[str, List[str]] = {}
    i = 0
    while i < len(words):
        w = words[i]
        if not w.startswith("-") or w == "-":
            i += 1
            continue
        name, eq, value = w.partition("=")
        if eq:
            out.setdefault(name, []).append(value)
            i += 1
            continue
        values = []
        i += 1
        while i < len(words) and not words[i].startswith("-"):
            values.append(words[i])
            i += 1
            if name not in _LIST_OPTIONS:
                break
        out.setdefault(name, []).extend(values)
    return out


def _one(opts: Dict[str, List[str]], *names: str) -> str:
    for n in names:
        if opts.get(n):
            return opts[n][-1]
    return ""


def _cloudformation(verb: str, opts: Dict[str, List[str]], origin: str, cwd: Optional[str]) -> Optional[Deploy]:
    d = Deploy(CFN, origin, cwd, stack=_one(opts, "--stack-name"))
    if verb == "deploy":
        d.template = _one(opts, "--template-file")
        d.parameters = list(opts.get("--parameter-overrides", []))
    else:
        body = _one(opts, "--template-body")
        if not body.startswith("file://"):
            return None  # a template at a URL, or given inline: no file of the repository
        d.template = body[len("file://"):]
        d.parameters = list(opts.get("--parameters", []))
    return d if d.template else None


def _sam(opts: Dict[str, List[str]], origin: str, cwd: Optional[str]) -> Deploy:
    d = Deploy(SAM, origin, cwd, template=_one(opts, "--template-file", "--template", "-t"),
               stack=_one(opts, "--stack-name"), config_env=_one(opts, "--config-env"),
               config_file=_one(opts, "--config-file"))
    for value in opts.get("--parameter-overrides", []):
        d.parameters.extend(sam_overrides(value))
    return d


def sam_overrides(text: str) -> List[str]:
    """SAM's ``--parameter-overrides`` text (``K=V K2="v w"`` or ``ParameterKey=K,ParameterValue=V ...``) as
    items."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return [text]


def _terraform(words: List[str], origin: str, cwd: Optional[str]) -> Optional[Deploy]:
    d = Deploy(TERRAFORM, origin, cwd)
    i = 0
    while i < len(words) and words[i].startswith("-"):
        if words[i].startswith("-chdir="):
            d.folder = words[i][len("-chdir="):]
        i += 1
    if i >= len(words) or words[i] not in ("apply", "plan"):
        return None
    rest = words[i + 1:]
    j = 0
    while j < len(rest):
        w = rest[j].replace("--", "-", 1) if rest[j].startswith("--") else rest[j]
        for flag, into in (("-var-file", d.var_files), ("-var", d.variables)):
            if w == flag and j + 1 < len(rest):
                into.append(rest[j + 1])
                j += 1
                break
            if w.startswith(flag + "="):
                into.append(w[len(flag) + 1:])
                break
        j += 1
    return d


def split_pairs(items: List[str]) -> Tuple[Dict[str, str], List[str]]:
    """Parameters as the CLI writes them (``K=V`` or ``ParameterKey=K,ParameterValue=V``) by name, and the
    items that are files (``file://``) or cannot be read as either."""
    got: Dict[str, str] = {}
    other: List[str] = []
    for item in items:
        if item.startswith("ParameterKey="):
            fields = dict(p.partition("=")[::2] for p in item.split(",") if "=" in p)
            if "ParameterValue" in fields and not has_hole(fields["ParameterKey"]):
                got[fields["ParameterKey"]] = fields["ParameterValue"]
                continue
            if fields.get("UsePreviousValue") == "true":
                other.append(item)
                continue
        key, eq, value = item.partition("=")
        if eq and key and not has_hole(key) and not item.startswith("file://"):
            got[key] = value
        else:
            other.append(item)
    return got, other
