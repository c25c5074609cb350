"""Configuration: ``[tool.pullcheck]`` in pyproject.toml or a ``.pullcheck.toml``, found by walking up.

```toml
[tool.pullcheck]
select = ["NET", "IAM"]          # rule IDs, ID prefixes or names; default: all
ignore = ["NET012"]
exclude = ["legacy/**"]          # globs, relative to the config file's folder
fail-on = "error"                # error | warning | never
fail-on-unjudged = true          # exit 1 when a launch site is not judged (default: false)
[tool.pullcheck.per-file-ignores]
"stacks/sandbox/*.yaml" = ["NET001"]
[tool.pullcheck.severity]
NET012 = "error"
[tool.pullcheck.terraform]          # what Terraform root modules are given besides their own files
var-files = ["env/prod.tfvars"]     # as -var-file, relative to the config file's folder
vars = { image_tag = "1.4.2" }      # as -var NAME=VALUE, after the var-files
env-vars = false                    # read TF_VAR_ environment variables too
```
Unknown keys, rule IDs and values are errors (exit 2), so a typo never silently turns a check off.

A configuration inside the linted paths is the repository's own: it is used, and the reports name what it
silences, so a reviewer sees a pull request that turns checks off. One found above them is used only when
the current user or root owns it and neither others nor a group with other members may write it;
otherwise anyone on the machine could turn checks off for every run below it.
"""
from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from pullcheck.sources.session import current

NAMES = (".pullcheck.toml", "pyproject.toml")
SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "never")
KEYS = {"select", "ignore", "exclude", "fail-on", "per-file-ignores", "severity", "rules", "stacks", "terraform",
        "network", "region", "fail-on-unjudged"}
TERRAFORM_KEYS = {"var-files", "vars", "env-vars"}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: str = ""
    root: str = "."
    select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    exclude: List[str] = field(default_factory=list)
    fail_on: str = "warning"
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    severity: Dict[str, str] = field(default_factory=dict)
    stacks: Dict[str, Any] = field(default_factory=dict)
    # the terraform table: ("file", path) and ("var", "NAME=VALUE") in order, and whether TF_VAR_ is read
    tf_assignments: List[Tuple[str, str]] = field(default_factory=list)
    tf_env_vars: bool = False
    network: str = ""  # the account's snapshot (a file or a folder of AWS CLI outputs), under root
    region: str = ""  # the Region the run is for: a snapshot of another is refused
    fail_on_unjudged: bool = False  # exit 1 when a launch site is not judged (pullcheck.facts.verdicts)

    def relative(self, path: str) -> str:
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")

    def excluded(self, path: str) -> bool:
        """Whether the path, or a folder it is in, matches an exclude glob."""
        if not self.exclude:
            return False
        parts = self.relative(path).split("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            for pat in self.exclude:
                if fnmatch.fnmatch(prefix, pat) or fnmatch.fnmatch(prefix, pat.rstrip("/").removesuffix("/**")):
                    return True
        return False

    def ignored_for(self, path: str) -> List[str]:
        rel = self.relative(path)
        out: List[str] = []
        for pat, ids in self.per_file_ignores.items():
            if fnmatch.fnmatch(rel, pat):
                out.extend(ids)
        return out

    def silences(self, known_rules: Dict[str, Any]) -> str:
        """What this configuration turns off or lowers, in its own keys ("" when nothing): a select that
        leaves rules out, ignores, excludes, per-file ignores, severities below a rule's own, a fail-on
        that lets warnings or everything pass."""
        parts: List[str] = []
        if self.select:
            from pullcheck.engine.registry import select_rules

            left_out = len(known_rules) - len(select_rules(known_rules, self.select, []))
            if left_out:
                parts.append(f"select {', '.join(self.select)}, leaving out {left_out} "
                             f"rule{'s' if left_out != 1 else ''}")
        if self.ignore:
            parts.append(f"ignore {', '.join(self.ignore)}")
        if self.exclude:
            parts.append(f"exclude {', '.join(self.exclude)}")
        parts += [f"per-file-ignores {pat} = {', '.join(ids)}" for pat, ids in self.per_file_ignores.items() if ids]
        rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        lowered = [f"{rid} = {sev}" for rid, sev in self.severity.items()
                   if rid in known_rules and rank[sev] < rank.get(getattr(known_rules[rid], "severity", ""), 0)]
        if lowered:
            parts.append(f"severity {', '.join(lowered)}")
        if self.fail_on != "warning":
            parts.append(f"fail-on {self.fail_on}")
        return "; ".join(parts)


def silencing(configs: Iterable[Config], known_rules: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(file, what it silences) for each configuration that silences anything; the file relative to the
    current folder when it is below it."""
    out = []
    for cfg in configs:
        what = cfg.silences(known_rules)
        if what:
            try:
                rel = os.path.relpath(cfg.path)
            except ValueError:  # another drive
                rel = cfg.path
            out.append((cfg.path if rel == ".." or rel.startswith(".." + os.sep) else rel, what))
    return out


def load_toml(path: str) -> Dict[str, Any]:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    from pullcheck.sources.errors import ParseError, read_text

    try:
        return tomllib.loads(read_text(path))
    except (ParseError, ValueError, RecursionError) as e:
        # tomllib says where at the end of its message: put it where a compiler's error puts it
        at = re.match(r"(?s)(.*) \(at line (\d+), column (\d+)\)$", str(e))
        shown = _shown(path)
        raise ConfigError(f"{shown}:{at.group(2)}:{at.group(3)}: {at.group(1)}" if at else f"{shown}: {e}") from None


def _shown(path: str) -> str:
    """A configuration file as its errors name it: relative to the current folder when it is below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel


class _Where:
    """A configuration file being read, for its errors: ``file:line: key: what is wrong``, the line found in
    the text (tomllib gives no positions) by the key's dotted path below ``base`` (``tool.pullcheck`` in a
    pyproject.toml), or the line of the value at fault in a list written over several lines."""

    def __init__(self, path: str, base: Tuple[str, ...]) -> None:
        self.path = path
        self.base = base
        self._text: Optional[List[str]] = None

    def error(self, keys: Tuple[str, ...], message: str, value: Optional[str] = None) -> ConfigError:
        """The error of the key ``keys`` (its dotted path below ``base``; the table itself when empty), at
        the line of ``value`` when it is a string written below the key, before the next key."""
        import json

        if self._text is None:
            from pullcheck.sources.errors import ParseError, read_text

            try:
                self._text = read_text(self.path).splitlines()
            except ParseError:
                self._text = []
        lines = key_lines("\n".join(self._text))
        full = self.base + keys
        line = min((n for k, n in lines.items() if k[:len(full)] == full), default=0)
        if line and value is not None:
            stop = min((n for n in lines.values() if n > line), default=len(self._text) + 1)
            line = next((n for n in range(line, stop) if json.dumps(value) in self._text[n - 1]
                         or f"'{value}'" in self._text[n - 1]), line)
        where = f"{_shown(self.path)}:{line}" if line else _shown(self.path)
        key = ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k) for k in keys)
        return ConfigError(f"{where}: {key}: {message}" if keys else f"{where}: {message}")


_KEY_PART = r"\s*(?:\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)\s*"


def _dotted(text: str) -> List[str]:
    """The parts of a TOML dotted key (``a."b.c".d``), quotes taken off."""
    import json

    parts = re.findall(_KEY_PART, text)
    return [json.loads(p.strip()) if p.strip().startswith('"') else p.strip().strip("'") for p in parts]


def key_lines(text: str) -> Dict[Tuple[str, ...], int]:
    """The line (1-based) of each table header and ``key = value`` of a TOML text, by its full dotted path:
    what tomllib does not say. Lines inside multi-line strings are passed over."""
    header = re.compile(rf"\s*\[\[?((?:{_KEY_PART}\.)*{_KEY_PART})\]\]?\s*(?:#.*)?$")
    assignment = re.compile(rf"\s*((?:{_KEY_PART}\.)*{_KEY_PART})=")
    out: Dict[Tuple[str, ...], int] = {}
    table: List[str] = []
    quote = ""  # the delimiter of a multi-line string the line is in
    for n, line in enumerate(text.splitlines(), 1):
        if quote:
            quote = "" if quote in line else quote
            continue
        m = header.match(line)
        if m:
            table = _dotted(m.group(1))
            out.setdefault(tuple(table), n)
            continue
        m = assignment.match(line)
        if m:
            out.setdefault(tuple(table + _dotted(m.group(1))), n)
            rest = line[m.end():]
            for delimiter in ('"""', "'''"):
                if rest.count(delimiter) % 2:
                    quote = delimiter
    return out


def _mentions_pullcheck(path: str) -> bool:
    from pullcheck.sources.errors import ParseError, read_text

    try:
        text = read_text(path)
    except ParseError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?pullcheck\b|^\s*tool\s*\.\s*pullcheck\b", text, re.M) is not None




def _untrusted(path: str, roots: Iterable[str]) -> str:
    """Why a configuration is not to be used ("" when it is): it lies outside every named folder once
    symlinks are resolved (beside a named file is outside: a shared temporary folder holds both), and another
    user owns it, or others or a group with other members may write it."""
    from pullcheck.sources.scope import under

    real = os.path.realpath(path)
    if any(os.path.isdir(r) and under(real, os.path.realpath(r)) for r in roots):
        return ""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # no owners or modes to judge by (Windows)
        return ""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    if st.st_uid not in (0, geteuid()):
        return f"owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o002:
        return "writable by others"
    if st.st_mode & 0o020 and not _group_of_one(st.st_gid):
        return "writable by a group with other members"
    return ""


def _group_of_one(gid: int) -> bool:
    """A group whose only member is the current user (a user-private group, as umask 002 assumes); not
    macOS's staff, which every user is in."""
    import grp
    import pwd

    uid = os.geteuid()
    try:
        me = pwd.getpwuid(uid).pw_name
        members = grp.getgrgid(gid).gr_mem
    except KeyError:
        return False
    if gid != os.getegid() or any(m != me for m in members):
        return False
    return not any(p.pw_gid == gid and p.pw_uid != uid for p in pwd.getpwall())


def _passed_over(path: str, roots: Iterable[str]) -> bool:
    why = _untrusted(path, roots)
    warned = current().warned
    if why and path not in warned:
        from pullcheck.outputs.safetext import printable

        warned.add(path)
        print(f"pullcheck: warning: ignoring configuration {printable(path)}, outside the linted paths and {why}",
              file=sys.stderr)
    return bool(why)


def find(start_paths: Iterable[str], roots: Optional[Iterable[str]] = None) -> Optional[str]:
    """The nearest .pullcheck.toml, or pyproject.toml with a [tool.pullcheck] table, above the paths. One
    outside ``roots`` (the paths the run names; by default the start paths) that another user owns or
    that others (or a group with other members) may write is passed over with a warning on standard error."""
    starts = [os.path.abspath(p) for p in start_paths] or [os.getcwd()]
    tops = list(roots) if roots is not None else starts
    folder = starts[0] if os.path.isdir(starts[0]) else os.path.dirname(starts[0])
    while True:
        for name in NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                if name == ".pullcheck.toml" and _passed_over(candidate, tops):
                    continue
                if name == "pyproject.toml":
                    # another tool's pyproject.toml (even a broken one) is none of pullcheck's business
                    if not _mentions_pullcheck(candidate) or _passed_over(candidate, tops):
                        continue
                    data = load_toml(candidate)
                    if "pullcheck" not in data.get("tool", {}):
                        continue
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _strings(v: Any, keys: Tuple[str, ...], where: _Where) -> List[str]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise where.error(keys, "must be a list of strings")
    return list(v)


def _unknown_keys(table: Dict[str, Any], known: Iterable[str], where: _Where, prefix: Tuple[str, ...] = ()) -> None:
    from pullcheck.usage import did_you_mean

    unknown = sorted(set(table) - set(known))
    if unknown:
        raise where.error(prefix + (unknown[0],), f"unknown key{did_you_mean(unknown[0], known)}; the keys "
                                                     f"{'' if not prefix else 'of ' + '.'.join(prefix) + ' '}"
                                                     f"are {', '.join(sorted(known))}")


def load(path: str, known_rules: Dict[str, Any]) -> Config:
    """A configuration file, read and checked: an error names the file, the line and the key at fault."""
    data = load_toml(path)
    where = _Where(path, ())
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("pullcheck", {})
        where = _Where(path, ("tool", "pullcheck"))
    if not isinstance(data, dict):
        raise where.error((), "[tool.pullcheck] must be a table")
    _unknown_keys(data, KEYS, where)
    cfg = Config(path=path, root=os.path.dirname(os.path.abspath(path)))
    cfg.select = _strings(data.get("select", []), ("select",), where)
    cfg.ignore = _strings(data.get("ignore", []), ("ignore",), where)
    cfg.exclude = _strings(data.get("exclude", []), ("exclude",), where)
    cfg.fail_on = _one_of(data.get("fail-on", "warning"), FAIL_ON, ("fail-on",), where)
    cfg.fail_on_unjudged = data.get("fail-on-unjudged", False)
    if not isinstance(cfg.fail_on_unjudged, bool):
        raise where.error(("fail-on-unjudged",), "must be true or false")
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise where.error(("per-file-ignores",), "must be a table of glob = [rule IDs]")
    cfg.per_file_ignores = {k: _strings(v, ("per-file-ignores", k), where) for k, v in pfi.items()}
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise where.error(("severity",), f"must map rule IDs to one of {', '.join(SEVERITIES)}")
    cfg.severity = {rid: _one_of(v, SEVERITIES, ("severity", rid), where) for rid, v in sev.items()}
    _rules_table(data.get("rules", {}), known_rules, where)
    stacks = data.get("stacks", {})
    if not isinstance(stacks, dict):
        raise where.error(("stacks",), "must be a table")
    cfg.stacks = stacks
    _terraform(cfg, data.get("terraform", {}), where)
    _account(cfg, data, where)
    check_ids(cfg.select, known_rules, where, ("select",))
    check_ids(cfg.ignore, known_rules, where, ("ignore",))
    for k, ids in cfg.per_file_ignores.items():
        check_ids(ids, known_rules, where, ("per-file-ignores", k))
    check_ids(list(cfg.severity), known_rules, where, ("severity",), exact=True)
    return cfg


def _account(cfg: Config, data: Dict[str, Any], where: _Where) -> None:
    """The account's snapshot (``network``, under the configuration's folder) and its Region."""
    for key in ("network", "region"):
        v = data.get(key, "")
        if not isinstance(v, str):
            raise where.error((key,), "must be text")
        setattr(cfg, key, v)
    if cfg.network:
        from pullcheck.sources import scope

        cfg.network = os.path.normpath(os.path.join(cfg.root, cfg.network))
        if not scope.under(os.path.realpath(cfg.network), os.path.realpath(cfg.root)):
            raise where.error(("network",), f"{data['network']} lies outside the configuration's folder: not read")


def _one_of(value: Any, allowed: Tuple[str, ...], keys: Tuple[str, ...], where: _Where) -> str:
    if value not in allowed:
        from pullcheck.usage import did_you_mean

        tip = did_you_mean(value, allowed) if isinstance(value, str) else ""
        raise where.error(keys, f"must be one of {', '.join(allowed)}, not {value!r}{tip}")
    return value


def _rules_table(table: Any, known_rules: Dict[str, Any], where: _Where) -> None:
    if not isinstance(table, dict):
        raise where.error(("rules",), "must be a table of rule ID = {option = value}")
    for rid, opts in table.items():
        check_ids([rid], known_rules, where, ("rules",))
        if opts:  # no rule takes options yet; any is a mistake
            raise where.error(("rules", rid), f"rule {rid} has no options (got {', '.join(map(str, opts))})")


def _terraform(cfg: Config, table: Any, where: _Where) -> None:
    if not isinstance(table, dict):
        raise where.error(("terraform",), "must be a table")
    _unknown_keys(table, TERRAFORM_KEYS, where, ("terraform",))
    files = _strings(table.get("var-files", []), ("terraform", "var-files"), where)
    values = table.get("vars", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise where.error(("terraform", "vars"), "must be a table of name = \"value\" (text, as -var takes it)")
    env = table.get("env-vars", False)
    if not isinstance(env, bool):
        raise where.error(("terraform", "env-vars"), "must be true or false")
    cfg.tf_assignments = [("file", os.path.join(cfg.root, f)) for f in files]
    cfg.tf_assignments += [("var", f"{k}={v}") for k, v in values.items()]
    cfg.tf_env_vars = env


def terraform_options(p: Any) -> Any:
    """The command line's side of the terraform table, on the argument parser ``p``: --var-file and --var
    in one list, in their order (as terraform reads them), and --tf-env-vars."""
    p.add_argument("--var-file", dest="tf_vars", action="append", default=[], type=lambda v: ("file", v),
                   metavar="FILE", help="a Terraform variables file for the root modules, read after their own "
                                        "*.auto.tfvars, as terraform -var-file (repeat; in order with --var)")
    p.add_argument("--var", dest="tf_vars", action="append", type=_var_option, metavar="NAME=VALUE",
                   help="a Terraform variable's value for the root modules, as terraform -var")
    p.add_argument("--tf-env-vars", action="store_true",
                   help="also give the root modules the TF_VAR_ environment variables, as terraform does")
    return p


def _var_option(text: str) -> Tuple[str, str]:
    import argparse

    name, eq, _ = text.partition("=")
    if not eq or not name or name.endswith(" "):  # terraform refuses these too
        raise argparse.ArgumentTypeError(f"not NAME=VALUE: {text!r}")
    return ("var", text)


def terraform_given(cfg: Config, assignments: List[Tuple[str, str]], env_vars: bool) -> Any:
    """What the run gives Terraform root modules: the configuration's assignments, then the command line's
    (``assignments``: ("file", path) per --var-file, ("var", "NAME=VALUE") per --var, in their order), as
    if written before them; TF_VAR_ when either asks. None when nothing is given. A variables file that
    is missing or outside the run's paths (pullcheck.sources.scope) is a ConfigError."""
    given = list(cfg.tf_assignments) + list(assignments)
    if not given and not (env_vars or cfg.tf_env_vars):
        return None
    from pullcheck.formats.terraform.variables import Given  # only then: a run of templates needs none of it
    from pullcheck.sources import scope

    for kind, value in given:
        if kind == "file" and not os.path.isfile(value):
            raise ConfigError(f"--var-file {value}: no such file")
        if kind == "file" and not scope.readable(value):
            raise ConfigError(f"--var-file {value}: outside the paths this run reads (name a folder that holds "
                              f"it, or --root)")
    return Given(tuple(given), env_vars or cfg.tf_env_vars)


def check_ids(ids: List[str], known: Dict[str, Any], where: _Where, keys: Tuple[str, ...], exact: bool = False
              ) -> None:
    from pullcheck.usage import did_you_mean

    names = {r.name for r in known.values()} if known else set()
    for i in ids:
        if i == "ALL" and not exact:
            continue
        ok = i in known or (not exact and (i in names or any(k.startswith(i) for k in known)))
        if not ok:
            raise where.error(keys, f"unknown rule {i!r}{did_you_mean(i, list(known) + sorted(names))}", i)
