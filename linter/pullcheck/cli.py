"""Command line: ``pullcheck [PATH ...]``, ``pullcheck rule ID``, ``pullcheck lsp``."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

from pullcheck import __version__

FORMATS = ("text", "json", "sarif", "github", "junit", "parseable", "markdown")


def _split(values: List[str]) -> List[str]:
    out: List[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pullcheck",
        description="Find why a Fargate task will not pull its image, in CloudFormation, Terraform and "
                    "ECS task-definition files.",
        epilog="pullcheck rule ID   print a rule's documentation\n"
               "pullcheck lsp       run the language server on standard input and output",
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
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help="processes to lint with, at most one per core (default: one per core, for runs of 20 "
                        "files and 1 MB or more; 1: this process only); the output is the same whatever N")
    p.add_argument("--root", action="append", default=[], metavar="DIR",
                   help="a folder the files may also read from: Terraform modules, file(), nested stacks (default: "
                        "only the paths named; the pre-commit hook gives the repository's root)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also name, on standard error, the walked files left out and why")
    p.add_argument("--version", action="version", version=f"pullcheck {__version__}")
    return p


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"at least 1 process: {text!r}")
    return n


def run() -> None:
    """The command (console script and ``python -m pullcheck``): ``main()`` in a process that ends as soon as
    its output is out.

    A run builds many objects and few cycles, and the process ends right after: the garbage collector
    would walk everything the run built (10-20% of a large run) to free next to nothing, and the
    interpreter's teardown would free it object by object. So the collector stays off (input sizes are
    bounded, so memory is too) and the process leaves with ``os._exit`` once its streams are flushed. The
    language server is long-lived: it keeps the collector and an ordinary exit."""
    import gc

    if sys.argv[1:2] == ["lsp"]:
        raise SystemExit(main())
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            if code == 0:
                code = 2
    os._exit(code)


def main(argv: Optional[List[str]] = None) -> int:
    import signal

    from pullcheck.engine import interrupt

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


def _main(argv: List[str]) -> int:
    from pullcheck.engine import config as cfgmod
    from pullcheck.engine import stacks as stacksmod
    from pullcheck.engine.registry import RuleError, load_rules, select_rules

    if argv[:1] == ["lsp"]:
        from pullcheck.integrations.lsp import serve

        return serve(argv[1:])
    try:
        if argv[:1] == ["rule"]:
            return _rule_doc(argv[1:], load_rules())
        try:
            args = _parser().parse_args(argv)
        except SystemExit as e:
            return int(e.code or 0) if e.code in (0, None) else 2
        rules = load_rules()
        if args.list_rules:
            for r in rules.values():
                print(f"{r.id:<8} {r.name:<38} {r.severity:<8} {r.fix or '-':<6} {r.summary}")
            return 0
        cfg = cfgmod.Config()
        # every configuration the run loads, by path: kept for the nearest-config judging, and named in
        # the reports when it silences checks
        args.configs = {}
        if not args.no_config:
            path = args.config or cfgmod.find(args.paths or ["."])
            if args.config and not os.path.isfile(args.config):
                return _error(f"no such configuration file: {args.config}")
            if path:
                cfg = args.configs[path] = cfgmod.load(path, rules)
        selected = select_rules(rules, _split(args.select) or cfg.select, cfg.ignore + _split(args.ignore))
        # each file takes the configuration nearest above it (as ruff does): run what any of them may want,
        # then judge every finding by its own file's configuration
        per_file = not args.no_config and not args.config
        run = select_rules(rules, _split(args.select), _split(args.ignore)) if per_file else selected

        from pullcheck.sources import scope

        roots = args.root  # folders the files may also read from
        scope.set_roots(args.paths or ["."], roots)  # a stacks entry reads only inside the run's paths
        stacks = stacksmod.load(args.stacks) if args.stacks else (
            stacksmod.parse(cfg.stacks, cfg.root, cfg.path) if cfg.stacks else [])
    except RuleError as e:
        return _error(str(e))
    except cfgmod.ConfigError as e:
        return _error(str(e))
    except stacksmod.StacksError as e:
        return _error(str(e))
    from pullcheck.engine import baseline
    from pullcheck.engine.stages import INTERNAL_ID, fault, finish, lint_graph
    from pullcheck.outputs.output import render
    from pullcheck.outputs.safetext import printable

    try:
        outputs, output_error = _outputs(args.output), ""
    except ValueError as e:  # said once the run is linted, where every report error is said
        outputs, output_error = [], str(e)
    exclude = cfg.excluded if cfg.exclude and not per_file else None
    # --explain and the markdown report read the whole graph afterwards; stacks join templates by name
    whole = bool(stacks) or args.explain or "markdown" in [args.format] + [f for f, _ in outputs]

    def lint_run() -> Tuple[Any, list]:
        if not whole and args.jobs != 1:
            from pullcheck.engine import parallel

            got = parallel.lint_paths(args.paths or ["."], run, exclude, args.infrastructure_only, args.jobs, roots)
            if got is not None:
                return got
        return lint_graph(args.paths or ["."], run, exclude, stacks, args.infrastructure_only, roots)

    def judged(found: list) -> Tuple[list, Dict[str, str]]:
        """Findings judged by their configuration (the nearest one per file, or the one given), and each
        file's fail-on."""
        found = [f for f in found if f.rule_id != INTERNAL_ID]
        return _by_nearest_config(found, rules, args) if per_file else (finish(found, cfg), {})

    try:
        graph, findings = lint_run()
    except Exception as e:  # a defect outside every stage's own guard: still one line, still a report
        from pullcheck.engine.stages import internal as internal_error
        from pullcheck.graph.model import Graph

        graph, findings = Graph(), [internal_error("linting", "", e)]
    internal = [f for f in findings if f.rule_id == INTERNAL_ID]
    for f in internal:
        print(f"pullcheck: error: {printable(f.message)}", file=sys.stderr)
    errors = [f.message for f in internal]
    for warning in graph.inputs.warnings:  # what the user named and the run leaves out (a stack): always said
        print(f"pullcheck: warning: {printable(warning)}", file=sys.stderr)
    if args.verbose:
        if graph.inputs.jobs:
            n, batches, again = graph.inputs.jobs
            print(f"pullcheck: linted by {n} processes in {batches} batches ({again} linted again together, "
                  f"as their names or settings meet)", file=sys.stderr)
        for path, why in graph.inputs.skipped:
            print(f"pullcheck: skipped {printable(path)}: {printable(why)}", file=sys.stderr)
        from pullcheck.engine import cache

        if cache.why_not:
            print(f"pullcheck: running without a cache: {printable(cache.why_not)}", file=sys.stderr)
    if not graph.inputs.linted and not findings:
        where = printable(" ".join(args.paths or ["."]))
        print(f"pullcheck: nothing to lint in {where}: no CloudFormation template, Terraform module, task "
              f"definition or plan found", file=sys.stderr)
    try:
        findings, fail_of = judged(findings)
    except (cfgmod.ConfigError, RuleError) as e:
        return _error(str(e))
    if args.fix or args.diff:
        # after each pass the whole run is linted again (stacks and exports span files), judged the same way
        findings = _fix(args, findings, lambda: judged(lint_run()[1])[0])
    if args.write_baseline:
        try:
            with _created(args.write_baseline) as fh:
                fh.write(baseline.dumps(args.write_baseline, findings))
        except OSError as e:
            return _error(f"cannot write baseline {args.write_baseline}: {e.strerror or e}")
        print(f"Recorded {len(findings)} finding{'s' if len(findings) != 1 else ''} in "
              f"{printable(args.write_baseline)}.")
        return 0
    if args.baseline:
        try:
            findings = baseline.only_new(args.baseline, findings)
        except baseline.BaselineError as e:
            return _error(str(e))
    if output_error:
        return _error(output_error)
    from pullcheck.sources.errors import READ

    read = {os.path.realpath(f) for f in READ}
    clobber = [p for _, p in outputs if os.path.realpath(p) in read]
    if clobber:
        return _error(f"--output {clobber[0]} is one of the files being linted; choose another path")
    console = args.format or "text"
    explained = ""
    if args.explain:
        from pullcheck.outputs.explain import explain

        try:
            explained = explain(graph, findings)  # each line printable already
        except Exception as e:
            from pullcheck.engine.stages import internal as internal_error

            internal.append(internal_error("explaining", "", e))
            print(f"pullcheck: error: {printable(internal[-1].message)}", file=sys.stderr)
    try:
        fault("report")
        silencing = cfgmod.silencing(args.configs.values(), rules)
        reports = [(path, render(fmt, findings, selected, errors, graph, silencing)) for fmt, path in outputs]
        text = render(console, findings, selected, errors, graph, silencing)
    except Exception as e:  # a defect in a writer: one line, not a traceback
        from pullcheck.engine import interrupt

        interrupt.check()  # a termination whose raise failed is a termination, not a defect
        return _error(f"internal error while writing the report ({type(e).__name__}: {e})")
    failed_writes = False
    for path, report in reports:  # a report that cannot be written is said; the others and the console go on
        try:
            with _created(path) as f:
                f.write(report)
        except OSError as e:
            print(f"pullcheck: error: cannot write {printable(path)}: {e.strerror or e}", file=sys.stderr)
            failed_writes = True
    # machine-readable formats keep stdout to themselves; a stream that cannot be written ends the run in main
    (sys.stdout if console == "text" else sys.stderr).write(explained)
    sys.stdout.write(text)
    if internal or failed_writes:
        return 2
    failing = {"error": ("error",), "warning": ("error", "warning"), "never": ()}
    return 1 if any(f.severity in failing[args.fail_on or fail_of.get(f.file, cfg.fail_on)] for f in findings) else 0


def _created(path: str) -> Any:
    """``path`` opened for writing as ``open(path, "w")`` would (created with 0666 less the umask, else
    emptied), but never through a symbolic link a checkout can hold: a report or baseline name committed as
    a link (or below a folder committed as a link) must not write outside the checkout. A relative path
    (what CI, the pre-commit hook and the Action give, inside a checkout) is walked folder by folder from
    the current folder, none of them followed if it is a link, and the file is created in the last one. An
    absolute path was typed on the command line: its folders are the user's, and only its last component
    is not followed. The names of the process's own streams (``/dev/stdout``, ``/dev/stderr``: links the
    system keeps, never the checkout's) are followed."""
    import errno

    from pullcheck.outputs.safetext import printable

    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    if path in ("/dev/stdout", "/dev/stderr"):
        return os.fdopen(os.open(path, flags, 0o666), "w", encoding="utf-8", errors="backslashreplace")
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    walk = not os.path.isabs(path) and os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
    *folders, name = path.split(os.sep) if walk else [path]
    into = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    opened: List[int] = []
    at: Optional[int] = None  # the folder the next name is opened in (None: the current folder, by name)
    try:
        if walk:
            at = os.open(".", into)
            opened.append(at)
        for n, part in enumerate(folders):
            if part in ("", "."):
                continue
            try:
                at = os.open(part, into | nofollow, dir_fd=at)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR) and _is_link(part, at):
                    folder = printable(os.sep.join(folders[:n + 1]))
                    raise OSError(errno.ELOOP, f"the folder {folder} is a symbolic link: not written through") \
                        from None
                raise
            opened.append(at)
        try:
            fd = os.open(name, flags | nofollow, 0o666, dir_fd=at)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.EMLINK) and _is_link(name, at):  # EMLINK: the BSDs
                raise OSError(errno.ELOOP, "a symbolic link: not written through") from None
            raise
    finally:
        for folder_fd in opened:
            os.close(folder_fd)
    return os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace")


def _is_link(name: str, dir_fd: Optional[int]) -> bool:
    import stat

    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _fix(args, findings: list, again) -> list:
    """--fix: apply the fixes (safe ones; with --unsafe-fixes all), in passes while edits overlap; after each
    pass lint the whole run again and undo a fix whose finding stays or that brings a new finding.
    --diff: print what the first pass would change, and change nothing. Returns what remains.

    A fix that would rewrite a file it may not (``fixes.not_fixable``: outside the named paths, a symlink, a
    file with other hard links) or one saved since it was read is left out, and the file named on standard
    error with the reason; its finding is reported as usual."""
    from pullcheck.engine import fixes
    from pullcheck.outputs.safetext import printable

    refused: Dict[str, str] = {}  # file -> why no fix rewrites it in this run
    fine: set = set()

    def key(f) -> tuple:  # a finding across edits: lines move, the resource and attribute do not
        return (f.file, f.rule_id, f.resource, f.path, f.message)

    def allowed(fx) -> bool:
        for e in fx.edits:
            if e.file not in fine and e.file not in refused:
                why = fixes.not_fixable(e.file)
                if why:
                    refused[e.file] = why
                else:
                    fine.add(e.file)
        for file in fixes.stale(fx):
            refused.setdefault(file, fixes.CHANGED)
        return not any(e.file in refused for e in fx.edits)

    def wanted(found: list) -> list:
        # files are written one by one, and a fix across files could be left half applied: one file per fix
        return [f.fix for f in found
                if f.fix is not None and (f.fix.safe or args.unsafe_fixes)
                and len({e.file for e in f.fix.edits}) == 1 and allowed(f.fix)]

    def keep_only(texts: Dict[str, Tuple[str, str]], kept: list) -> None:
        """Each file the pass wrote holds again its text before the pass with the edits of ``kept`` only."""
        redo = {file: (written, fixes.apply_to_text(original, [e for fx in kept for e in fx.edits if e.file == file]))
                for file, (original, written) in texts.items()}
        for file, why in fixes.write(redo).items():
            refused.setdefault(file, why)

    def said() -> None:
        for file, why in sorted(refused.items()):
            print(f"pullcheck: {printable(file)}: {why}", file=sys.stderr)

    if args.diff:
        now = fixes.plan(wanted(findings))
        for file, (before, after) in sorted(fixes.new_texts(now).items()):
            sys.stdout.write(fixes.unified_diff(file, before, after))
        said()
        n = len(now)
        print(f"pullcheck: {n} fix{'es' if n != 1 else ''} would be applied (--fix to apply)", file=sys.stderr)
        return []
    fixed = 0
    undone: List[str] = []
    tried: set = set()
    for _ in range(fixes.MAX_PASSES):
        now = fixes.plan([fx for fx in wanted(findings) if fx not in tried])
        if not now:
            break
        tried.update(now)
        texts = fixes.new_texts(now)
        failed = fixes.write(texts)  # a file not written: the fixes in it are not applied, the others are whole
        for file, why in failed.items():
            refused.setdefault(file, why)
        texts = {file: text for file, text in texts.items() if file not in failed}
        now = [fx for fx in now if fx.edits[0].file in texts]
        if not now:
            continue
        after = again()
        before_keys = {key(f) for f in findings}
        after_keys = {key(f) for f in after}
        # a new finding where a fix edited (same resource and attribute) is the fix's doing; one elsewhere
        # was hidden behind the fixed problem (an image that now pulls from ECR needs the role's
        # permissions) and is reported, not undone
        new_places = {(k[0], k[2], k[3]) for k in after_keys - before_keys}
        broken = {k[0] for k in after_keys - before_keys if k[1] == "PARSE001"}  # an edit that breaks its file
        bad = [fx for fx in now
               if any(key(f) in after_keys or (f.file, f.resource, f.path) in new_places
                      for f in findings if f.fix == fx) or any(e.file in broken for e in fx.edits)]
        if bad:
            kept = [fx for fx in now if fx not in bad]
            keep_only(texts, kept)
            for fx in bad:
                e = fx.edits[0]
                undone.append(f"{e.file}:{e.line}: {fx.title}")
            after = again()
            now = kept
        fixed += len(now)
        findings = after
    for line in undone:
        print(f"pullcheck: fix undone (its finding stayed or a new one appeared): {printable(line)}",
              file=sys.stderr)
    said()
    left = len(findings)
    print(f"pullcheck: fixed {fixed} problem{'s' if fixed != 1 else ''}, {left} remain"
          + ("" if args.unsafe_fixes or not any(f.fix and not f.fix.safe for f in findings)
             else " (more with --unsafe-fixes)"), file=sys.stderr)
    return findings


def _by_nearest_config(findings: list, rules, args) -> tuple:
    """Each finding judged by the configuration nearest above its file: its selection, excludes,
    per-file ignores, severities and fail-on. Returns the findings kept and each file's fail-on."""
    from pullcheck.engine import config as cfgmod
    from pullcheck.engine.stages import finish
    from pullcheck.engine.registry import select_rules

    by_folder: Dict[str, Optional[str]] = {}
    loaded: Dict[str, Any] = vars(args).setdefault("configs", {})  # the run's, so the reports can name them
    groups: Dict[Optional[str], list] = {}
    fail_of: Dict[str, str] = {}
    for f in findings:
        folder = os.path.dirname(os.path.abspath(f.file)) if f.file else os.getcwd()
        if folder not in by_folder:
            # judged against the paths the run names: one above them must be trusted to be used
            by_folder[folder] = cfgmod.find([folder], args.paths or ["."])
        groups.setdefault(by_folder[folder], []).append(f)
    kept = []
    for path, group in groups.items():
        if path is None:
            cfg = cfgmod.Config()
        else:
            if path not in loaded:
                loaded[path] = cfgmod.load(path, rules)
            cfg = loaded[path]
        chosen = select_rules(rules, _split(args.select) or cfg.select, cfg.ignore + _split(args.ignore))
        group = [f for f in group if f.rule_id in chosen and not (cfg.exclude and f.file and cfg.excluded(f.file))]
        for f in finish(group, cfg):
            kept.append(f)
            fail_of[f.file] = cfg.fail_on
    return sorted(kept), fail_of


def _rule_doc(args: List[str], rules) -> int:
    if len(args) != 1:
        print("usage: pullcheck rule ID", file=sys.stderr)
        return 2
    key = args[0]
    for r in rules.values():
        if key.upper() == r.id or key == r.name:
            from pullcheck.tools.docs import installed_page, page

            sys.stdout.write(installed_page(r) or page(r))
            return 0
    print(f"pullcheck: error: unknown rule: {key}", file=sys.stderr)
    return 2
