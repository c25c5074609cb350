"""Command line: ``pullcheck [PATH ...]``, ``pullcheck rule ID``, ``pullcheck lsp``, ``pullcheck console``."""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck import __version__

FORMATS = ("text", "json", "sarif", "github", "junit", "parseable", "markdown")


def _split(values: List[str]) -> List[str]:
    out: List[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _parser() -> argparse.ArgumentParser:
    from pullcheck.usage import Parser, jobs_count  # a mistyped flag or value is answered with the closest one

    p = Parser(
        prog="pullcheck",
        description="Find why a Fargate task will not pull its image, in CloudFormation, Terraform and "
                    "ECS task-definition files.",
        epilog="pullcheck rule ID   print a rule's documentation\n"
               "pullcheck snapshot  take a snapshot of the account's network (needs pullcheck[aws])\n"
               "pullcheck lsp       run the language server on standard input and output\n"
               "pullcheck console [DIR]  evaluate Terraform expressions (one a line) in DIR's root module",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the current folder)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="console output format (default: text)")
    p.add_argument("--output", action="append", default=[], metavar="[FORMAT:]FILE",
                   help="also write a report to FILE, in the FORMAT given, else by extension (.sarif, .json, "
                        ".xml = junit, else text); repeat for several reports")
    p.add_argument("--select", action="append", default=[], metavar="RULES",
                   help="rule IDs, ID prefixes or names to run (comma-separated); replaces the config's select")
    p.add_argument("--ignore", action="append", default=[], metavar="RULES",
                   help="rule IDs, ID prefixes or names to skip (comma-separated); added to the config's ignore")
    p.add_argument("--fail-on", choices=("error", "warning", "never"), default=None,
                   help="which findings make the exit code 1 (default: warning, that is any error or warning)")
    p.add_argument("--config", metavar="FILE", help="configuration file (default: the nearest .pullcheck.toml or "
                                                    "pyproject.toml with [tool.pullcheck])")
    p.add_argument("--no-config", action="store_true", help="ignore configuration files")
    p.add_argument("--stacks", metavar="FILE",
                   help="TOML file saying which template is deployed as which stack, with which parameters")
    p.add_argument("--network", metavar="FILE",
                   help="a snapshot of the account (pullcheck snapshot -o FILE), or a folder of AWS CLI outputs: "
                        "its VPCs, subnets, routes, endpoints and groups join the run as the account's")
    p.add_argument("--region", metavar="REGION",
                   help="the Region the run is for: a snapshot of another Region is refused")
    p.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline")
    p.add_argument("--write-baseline", metavar="FILE", help="record the current findings as the baseline and exit 0")
    p.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    p.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff, also the unsafe fixes")
    p.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and change nothing")
    p.add_argument("--explain", action="store_true",
                   help="print, per launch site, the network path found or the unknown that stopped a verdict")
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.add_argument("--infrastructure-only", action="store_true",
                   help="read named JSON/YAML files only when they are infrastructure, as when walking a folder "
                        "(the pre-commit hook passes every changed file)")
    p.add_argument("--jobs", "-j", type=jobs_count, default=None, metavar="N",
                   help="processes to lint with, at most one per core (default: one per core, for runs of 20 "
                        "files and 1 MB or more; 1: this process only); the output is the same whatever N")
    p.add_argument("--root", action="append", default=[], metavar="DIR",
                   help="a folder the files may also read from: Terraform modules, file(), nested stacks (default: "
                        "only the paths named; the pre-commit hook gives the repository's root)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also name, on standard error, the walked files left out and why")
    p.add_argument("--version", action="version", version=f"pullcheck {__version__}")
    from pullcheck.engine.config import terraform_options
    from pullcheck.engine.changed import options as changed_options
    from pullcheck.outputs.account import options as account_options
    return changed_options(account_options(terraform_options(p)))


def run() -> None:
    """The command (console script and ``python -m pullcheck``): ``main()`` in a process that ends as soon as
    its output is out.

    A run builds many objects and few cycles, and the process ends right after: the garbage collector
    would walk everything the run built (10-20% of a large run) to free next to nothing, and the
    interpreter's teardown would free it object by object. So the collector stays off (input sizes are
    bounded, so memory is too) and the process leaves with ``os._exit`` once its streams are flushed. The
    language server is long-lived: it keeps the collector; it leaves with ``os._exit`` too, once it has
    stopped, so that a lint under way in a worker thread (which publishes nothing any more) does not hold
    the exit, and with the code it chose (its output is closed by then)."""
    import gc

    lsp = sys.argv[1:2] == ["lsp"]
    if not lsp:
        gc.disable()
    code = main()
    _save_coverage()
    for stream in (sys.stderr,) if lsp else (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            if code == 0:
                code = 2
    os._exit(code)


def _save_coverage() -> None:
    """``os._exit`` skips the teardown in which coverage saves what it measured: a run measured by it
    (``coverage run``, or its start-up hook in a subprocess) stops and saves it here."""
    coverage = sys.modules.get("coverage")
    try:
        current = coverage.Coverage.current() if coverage is not None else None
        if current is not None:
            current.stop()
            current.save()
    except Exception:  # measuring must not change how the run ends
        pass


def main(argv: Optional[List[str]] = None) -> int:
    import signal

    from pullcheck.sources import interrupt

    try:
        signal.signal(signal.SIGTERM, interrupt.handler)
    except (ValueError, OSError):  # not the main thread (an embedding program): leave signals alone
        pass
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 still prints
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    try:
        args = list(sys.argv[1:] if argv is None else argv)
        code = _main(args)
        interrupt.check()  # a termination a stage's guard caught as a defect (raising it failed) still ends so
        if args[:1] != ["lsp"]:  # the language server owns its streams to the end
            sys.stdout.flush()  # a full disk is seen here, not after exit
        return code
    except BrokenPipeError:  # output piped into head and the like: quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("pullcheck: interrupted", file=sys.stderr)
        return 130
    except interrupt.Terminated:
        print("pullcheck: terminated", file=sys.stderr)
        return 143
    except OSError as e:  # standard output itself cannot be written (a full disk)
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        print(f"pullcheck: error: cannot write the output: {e.strerror or e}", file=sys.stderr)
        return 2


def _error(msg: str) -> int:
    from pullcheck.outputs.safetext import printable

    print(f"pullcheck: error: {printable(msg)}", file=sys.stderr)  # messages name files and values of the tree
    return 2


def _outputs(specs: List[str]) -> List[Tuple[str, str]]:
    """(format, path) per --output: the FORMAT: prefix, else the extension, else text. A prefix with no
    file after it is a usage error (ValueError)."""
    from pullcheck.outputs.output import EXTENSIONS

    out = []
    for spec in specs:
        fmt, sep, path = spec.partition(":")
        if sep and fmt in FORMATS:
            if not path:
                raise ValueError(f"--output {spec} names no file")
            out.append((fmt, path))
            continue
        ext = os.path.splitext(spec)[1].lower()
        out.append((EXTENSIONS.get(ext, "text"), spec))
    return out


# -- subcommands ------------------------------------------------------------------------------------------

def _main(argv: List[str]) -> int:
    if argv[:1] == ["lsp"]:
        return _lsp(argv[1:])
    if argv[:1] == ["console"]:  # the Terraform evaluator, line by line (pullcheck.formats.terraform.console)
        from pullcheck.formats.terraform.console import command
        return command(argv[1:])
    if argv[:1] == ["snapshot"]:  # the only command that calls AWS (pullcheck.integrations.snapshot)
        from pullcheck.integrations.snapshot import command as snapshot_command
        return snapshot_command(argv[1:])
    from pullcheck.engine.config import ConfigError
    from pullcheck.engine.registry import RuleError, load_rules
    from pullcheck.engine.stacks import StacksError
    from pullcheck.formats.snapshot.reader import SnapshotError

    try:
        if argv[:1] == ["rule"]:
            return _rule_doc(argv[1:], load_rules())
        try:
            args = _parser().parse_args(argv)
        except SystemExit as e:
            return int(e.code or 0) if e.code in (0, None) else 2
        rules = load_rules()
        if args.list_rules:
            return _list_rules(rules)
        run = _settled(args, rules)
    except (RuleError, ConfigError, StacksError, SnapshotError) as e:
        return _error(str(e))
    return _lint(run)


def _lsp(argv: List[str]) -> int:
    from pullcheck.integrations.lsp import serve

    return serve(argv)


def _list_rules(rules: Dict[str, Any]) -> int:
    for r in rules.values():
        print(f"{r.id:<8} {r.name:<38} {r.severity:<8} {r.fix or '-':<6} {r.summary}")
    return 0


def _rule_doc(args: List[str], rules) -> int:
    if len(args) != 1:
        print("usage: pullcheck rule ID", file=sys.stderr)
        return 2
    key = args[0]
    for r in rules.values():
        if key.upper() == r.id or key == r.name:
            from pullcheck.outputs.rulepage import installed_page, page

            sys.stdout.write(installed_page(r) or page(r))
            return 0
    from pullcheck.usage import did_you_mean

    known = [r.id for r in rules.values()] + [r.name for r in rules.values()]
    print(f"pullcheck: error: unknown rule: {key}{did_you_mean(key.upper() if key[:1].isupper() else key, known)}",
          file=sys.stderr)
    return 2


# -- a lint run -------------------------------------------------------------------------------------------

@dataclass
class _Run:
    """What a lint run was asked for, settled before it reads a file."""

    args: argparse.Namespace
    rules: Dict[str, Any]  # every rule loaded
    cfg: Any  # the configuration given or found (an empty one with --no-config)
    # every configuration the run loads, by path: kept for the nearest-config judging, and named in the
    # reports when it silences checks
    configs: Dict[str, Any]
    selected: Dict[str, Any]  # the rules the reports name
    linted: Dict[str, Any]  # the rules run (with a configuration per file: what any of them may want)
    per_file: bool  # each finding judged by the configuration nearest above its file
    stacks: list
    outputs: List[Tuple[str, str]]  # (format, path) per --output
    output_error: str  # a usage error of --output, said once the run is linted
    network: Any = None  # the account's snapshot (pullcheck.formats.snapshot.Snapshot), read and checked

    @property
    def paths(self) -> List[str]:
        return self.args.paths or ["."]

    @property
    def console(self) -> str:
        return self.args.format or "text"


def _settled(args: argparse.Namespace, rules: Dict[str, Any]) -> _Run:
    """The run's configuration, rules, scope, stacks and reports (ConfigError, RuleError, StacksError)."""
    from pullcheck.engine import config as cfgmod
    from pullcheck.engine import stacks as stacksmod
    from pullcheck.engine.registry import select_rules
    from pullcheck.sources import scope

    cfg, configs = cfgmod.Config(), {}
    if not args.no_config:
        path = args.config or cfgmod.find(args.paths or ["."])
        if args.config and not os.path.isfile(args.config):
            raise cfgmod.ConfigError(f"no such configuration file: {args.config}")
        if path:
            cfg = configs[path] = cfgmod.load(path, rules)
    selected = select_rules(rules, _split(args.select) or cfg.select, cfg.ignore + _split(args.ignore))
    # each file takes the configuration nearest above it (as ruff does): run what any of them may want,
    # then judge every finding by its own file's configuration
    per_file = not args.no_config and not args.config
    linted = select_rules(rules, _split(args.select), _split(args.ignore)) if per_file else selected
    scope.set_roots(args.paths or ["."], args.root)  # a stacks entry reads only inside the run's paths
    stacks = stacksmod.load(args.stacks) if args.stacks else (
        stacksmod.parse(cfg.stacks, cfg.root, cfg.path) if cfg.stacks else [])
    try:
        outputs, output_error = _outputs(args.output), ""
    except ValueError as e:  # said once the run is linted, where every report error is said
        outputs, output_error = [], str(e)
    args.tf_given = cfgmod.terraform_given(cfg, args.tf_vars, args.tf_env_vars)  # after the scope is set
    return _Run(args, rules, cfg, configs, selected, linted, per_file, stacks, outputs, output_error,
                _network(args, cfg))


def _network(args: argparse.Namespace, cfg: Any) -> Any:
    """The account's snapshot the run is given: --network, else the stacks file's, else the configuration's;
    checked against the Region named the same way (SnapshotError: one line, exit 2)."""
    from pullcheck.engine import stacks as stacksmod

    network, region = args.network or "", args.region or ""
    if args.stacks:
        named, their_region = stacksmod.account(args.stacks)
        network, region = network or named, region or their_region
    network, region = network or cfg.network, region or cfg.region
    if not network:
        return None
    if os.path.isabs(network) and not os.path.relpath(network).startswith(".."):
        network = os.path.relpath(network)  # findings name it as they name the linted files
    from pullcheck.formats import snapshot

    if not os.path.exists(network):
        raise snapshot.SnapshotError(f"{network}: no such snapshot file or folder")
    return snapshot.load(network, region or None)


def _lint(run: _Run) -> int:
    """Lint, judge, fix, then the baseline or the reports; the exit code. With --diff, 1 when there are fixes
    to apply, 0 when there are none (as ruff: CI asks "is anything left to fix?"), 2 on an error."""
    from pullcheck.engine import baseline
    from pullcheck.engine.config import ConfigError
    from pullcheck.engine.registry import RuleError
    from pullcheck.engine.stages import INTERNAL_ID

    args = run.args
    graph, findings = _first_lint(run)
    internal = [f for f in findings if f.rule_id == INTERNAL_ID]
    _say_inputs(run, graph, findings, internal)
    try:
        findings, fail_of = _judged(run, findings)
    except (ConfigError, RuleError) as e:
        return _error(str(e))
    pending = 0
    if args.fix or args.diff:
        # after each pass the whole run is linted again (stacks and exports span files), judged the same way
        findings, pending = _fix(run, findings, lambda: _judged(run, _linted(run)[1])[0])
    if args.write_baseline:
        return _write_baseline(args.write_baseline, findings)
    if args.baseline:
        try:
            findings = baseline.only_new(args.baseline, findings)
        except baseline.BaselineError as e:
            return _error(str(e))
    code = _report(run, graph, findings, internal, fail_of)
    return code if code == 2 or not args.diff else int(pending > 0)


def _linted(run: _Run) -> Tuple[Any, list]:
    """The run's graph and findings, by several processes when it may be cut."""
    from pullcheck.engine.stages import lint_graph

    args = run.args
    exclude = run.cfg.excluded if run.cfg.exclude and not run.per_file else None
    # --explain and the markdown report read the whole graph afterwards; stacks join templates by name
    # a snapshot is the account every part of the run shares
    whole = bool(run.stacks) or args.explain or "markdown" in [args.format] + [f for f, _ in run.outputs] or \
        run.network is not None
    if args.changed:  # the changed files with what links them to the repository (the pre-commit hook)
        from pullcheck.engine import changed
        return changed.lint(run.paths, run.linted, exclude, run.stacks, args.infrastructure_only, args.root,
                            args.tf_given, run.network, 1 if whole else args.jobs)
    if not whole and args.jobs != 1:
        from pullcheck.engine import parallel

        got = parallel.lint_paths(run.paths, run.linted, exclude, args.infrastructure_only, args.jobs, args.root,
                                  args.tf_given)
        if got is not None:
            return got
    return lint_graph(run.paths, run.linted, exclude, run.stacks, args.infrastructure_only, args.root, args.tf_given,
                      run.network)


def _first_lint(run: _Run) -> Tuple[Any, list]:
    try:
        return _linted(run)
    except Exception as e:  # a defect outside every stage's own guard: still one line, still a report
        from pullcheck.engine.stages import internal as internal_error
        from pullcheck.graph.model import Graph

        return Graph(), [internal_error("linting", "", e)]


def _say_inputs(run: _Run, graph: Any, findings: list, internal: list) -> None:
    """On standard error: the run's internal errors, what it leaves out, and a run that found nothing."""
    from pullcheck.outputs.safetext import printable

    for f in internal:
        print(f"pullcheck: error: {printable(f.message)}", file=sys.stderr)
    for warning in graph.inputs.warnings:  # what the user named and the run leaves out (a stack): always said
        print(f"pullcheck: warning: {printable(warning)}", file=sys.stderr)
    if run.args.verbose:
        from pullcheck.engine import cache

        if graph.inputs.jobs:
            n, batches, again = graph.inputs.jobs
            print(f"pullcheck: linted by {n} processes in {batches} batches ({again} linted again together, "
                  f"as their names or settings meet)", file=sys.stderr)
        for path, why in graph.inputs.skipped:
            print(f"pullcheck: skipped {printable(path)}: {printable(why)}", file=sys.stderr)
        if cache.why_not:
            print(f"pullcheck: running without a cache: {printable(cache.why_not)}", file=sys.stderr)
    if not graph.inputs.linted and not findings:
        where = printable(" ".join(run.paths))
        print(f"pullcheck: nothing to lint in {where}: no CloudFormation template, Terraform module, task "
              f"definition or plan found", file=sys.stderr)


def _judged(run: _Run, found: list) -> Tuple[list, Dict[str, str]]:
    """Findings judged by their configuration (the nearest one per file, or the one given), and each
    file's fail-on."""
    from pullcheck.engine.stages import INTERNAL_ID, finish

    found = [f for f in found if f.rule_id != INTERNAL_ID]
    return _by_nearest_config(found, run) if run.per_file else (finish(found, run.cfg), {})


def _by_nearest_config(findings: list, run: _Run) -> Tuple[list, Dict[str, str]]:
    """Each finding judged by the configuration nearest above its file: its selection, excludes,
    per-file ignores, severities and fail-on. Returns the findings kept and each file's fail-on."""
    from pullcheck.engine import config as cfgmod
    from pullcheck.engine.stages import finish
    from pullcheck.engine.registry import select_rules

    args = run.args
    by_folder: Dict[str, Optional[str]] = {}
    groups: Dict[Optional[str], list] = {}
    fail_of: Dict[str, str] = {}
    for f in findings:
        folder = os.path.dirname(os.path.abspath(f.file)) if f.file else os.getcwd()
        if folder not in by_folder:
            # judged against the paths the run names: one above them must be trusted to be used
            by_folder[folder] = cfgmod.find([folder], run.paths)
        groups.setdefault(by_folder[folder], []).append(f)
    kept = []
    for path, group in groups.items():
        if path is not None and path not in run.configs:  # the run's, so the reports can name them
            run.configs[path] = cfgmod.load(path, run.rules)
        cfg = run.configs[path] if path is not None else cfgmod.Config()
        chosen = select_rules(run.rules, _split(args.select) or cfg.select, cfg.ignore + _split(args.ignore))
        group = [f for f in group if f.rule_id in chosen and not (cfg.exclude and f.file and cfg.excluded(f.file))]
        for f in finish(group, cfg):
            kept.append(f)
            fail_of[f.file] = cfg.fail_on
    return sorted(kept), fail_of


def _fix(run: _Run, findings: list, again: Callable[[], list]) -> Tuple[list, int]:
    """--fix: apply the fixes (safe ones; with --unsafe-fixes all), ``again`` linting the whole run after each
    pass (``pullcheck.engine.fixing``), and say what was undone, what could not be written and what remains.
    --diff: the same passes in memory, printed as a unified diff (on standard output, or on standard error
    when the console's format is for machines, whose output stays whole), changing nothing. Returns what
    remains (with --diff: the findings as they are, nothing changed) and how many fixes were applied or
    would be."""
    from pullcheck.engine import fixing
    from pullcheck.engine.fixes import unified_diff
    from pullcheck.outputs.safetext import printable

    args = run.args
    store = fixing.Memory() if args.diff else fixing.Disk()
    try:
        out = fixing.apply(findings, again, args.unsafe_fixes, store)
    finally:
        if isinstance(store, fixing.Memory):
            store.close()
    for line in out.undone:
        print(f"pullcheck: fix undone: {printable(line)}", file=sys.stderr)
    for line in out.uncovered:
        print(f"pullcheck: {printable(line)}", file=sys.stderr)
    _say_refused(out.refused)
    if args.diff:
        stream = sys.stdout if run.console == "text" else sys.stderr
        for file, (before, after) in sorted(out.changes.items()):
            stream.write(unified_diff(file, before, after))
    print(f"pullcheck: {fixing.summary(out, args.unsafe_fixes, args.diff)}", file=sys.stderr)
    return (findings if args.diff else out.findings), out.fixed


def _say_refused(refused: Dict[str, str]) -> None:
    from pullcheck.outputs.safetext import printable

    for file, why in sorted(refused.items()):
        print(f"pullcheck: {printable(file)}: {why}", file=sys.stderr)


def _write_baseline(path: str, findings: list) -> int:
    from pullcheck.engine import baseline
    from pullcheck.outputs.safetext import printable
    from pullcheck.outputs.writing import created

    try:
        with created(path) as fh:
            fh.write(baseline.dumps(path, findings))
    except OSError as e:
        return _error(f"cannot write baseline {path}: {e.strerror or e}")
    print(f"Recorded {len(findings)} finding{'s' if len(findings) != 1 else ''} in {printable(path)}.")
    return 0


_FAILING = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


def _report(run: _Run, graph: Any, findings: list, internal: list, fail_of: Dict[str, str]) -> int:
    """The reports and the console output; the exit code."""
    from pullcheck.outputs import account
    from pullcheck.outputs.writing import written
    from pullcheck.sources import interrupt

    refused = _outputs_refused(run)
    if refused:
        return _error(refused)
    errors = [f.message for f in internal]  # the errors of the lint itself, which the reports carry
    sites = account.for_run(graph, run.args, run.console, run.cfg, internal)  # with --verbose, said on stderr
    explained = _explained(run, graph, findings, internal) + account.explain_text(sites, run.args.explain)
    try:
        reports, text = _rendered(run, graph, findings, errors)
        text = account.console(run.console, text, sites, run.args.explain, graph.inputs.assumed)
    except Exception as e:  # a defect in a writer: one line, not a traceback
        interrupt.check()  # a termination whose raise failed is a termination, not a defect
        return _error(f"internal error while writing the report ({type(e).__name__}: {e})")
    failed_writes = not written(reports)
    # machine-readable formats keep stdout to themselves; a stream that cannot be written ends the run in main
    (sys.stdout if run.console == "text" else sys.stderr).write(explained)
    if not (run.args.diff and run.console == "text"):  # --diff's text output is the diff (as ruff's)
        sys.stdout.write(text)
    if internal or failed_writes:
        return 2
    fail_on, unjudged = run.args.fail_on, account.fails(sites, run.args, run.cfg)
    return 1 if unjudged or any(f.severity in _FAILING[fail_on or fail_of.get(f.file, run.cfg.fail_on)]
                                for f in findings) else 0


def _outputs_refused(run: _Run) -> str:
    """Why the --output reports may not be written, or "": a usage error, or a report over a linted file."""
    from pullcheck.sources.session import current

    if run.output_error:
        return run.output_error
    read = {os.path.realpath(f) for f in current().read}
    clobber = [p for _, p in run.outputs if os.path.realpath(p) in read]
    return f"--output {clobber[0]} is one of the files being linted; choose another path" if clobber else ""


def _explained(run: _Run, graph: Any, findings: list, internal: list) -> str:
    """--explain's text (each line printable already), or ""; a defect in it is said and added to ``internal``."""
    if not run.args.explain:
        return ""
    from pullcheck.outputs.explain import explain
    from pullcheck.outputs.safetext import printable

    try:
        return explain(graph, findings)
    except Exception as e:
        from pullcheck.engine.stages import internal as internal_error

        internal.append(internal_error("explaining", "", e))
        print(f"pullcheck: error: {printable(internal[-1].message)}", file=sys.stderr)
        return ""


def _rendered(run: _Run, graph: Any, findings: list, errors: List[str]) -> Tuple[List[Tuple[str, str]], str]:
    """(path, text) per --output, and the console's text."""
    from pullcheck.engine import config as cfgmod
    from pullcheck.engine.stages import fault

    fault("report")
    silencing = cfgmod.silencing(run.configs.values(), run.rules)
    reports = [(path, _rendered_as(fmt, run, findings, errors, graph, silencing)) for fmt, path in run.outputs]
    return reports, _rendered_as(run.console, run, findings, errors, graph, silencing)


def _rendered_as(fmt: str, run: _Run, findings: list, errors: List[str], graph: Any, silencing: Any) -> str:
    """One report; the text output says after its count how many findings --fix would fix (as ruff does)."""
    from pullcheck.engine.fixing import fixable
    from pullcheck.outputs.output import render

    text = render(fmt, findings, run.selected, errors, graph, silencing)
    hint = fixable(findings, run.args.unsafe_fixes) if fmt == "text" else ""
    lines = text.split("\n")
    # one line per finding (each printable, so one line), then the count, then the silencing configurations
    if hint and len(lines) > len(findings) and lines[len(findings)].startswith("Found "):
        lines.insert(len(findings) + 1, hint)
    return "\n".join(lines)
