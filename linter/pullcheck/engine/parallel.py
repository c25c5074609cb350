"""``--jobs``: a run linted in several processes, with the findings of one whole run.

The run is cut into parts (each data file, each Terraform folder), and the parts into batches of
neighbours by path, a few per process. Worker processes (forked, so they share the loaded rules) read,
build and check each batch in one graph and send back its findings and its links (``pullcheck.engine.links``):
the names it declares and uses, what it cannot resolve, the folders and files it shares. A Terraform
folder that another folder of the run calls is linted as that call only, as in one run: a batch that
linted it on its own is linted again without it. Batches whose links meet are then linted again together,
in one graph, as the whole run would see them; what they give replaces what they gave apart. Linting a group together can reveal links that its
batches did not have (an imported value that names a role): groups are joined until nothing new meets.

Nothing is shared between processes but file names going out and findings coming back, so the
output is the same bytes whatever the number of processes. A run that needs the whole graph afterwards
(``--explain``, the markdown report), a stacks file or a CDK cloud assembly, and a run too small to gain
(below ``MIN_FILES`` files or ``MIN_BYTES`` bytes, unless ``--jobs`` is given) is linted in one process.
``--jobs`` asks for at most that many processes: no more are started than the cores the process may use.
"""
from __future__ import annotations

import os
import signal
from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.engine.stages import FAULT_ENV
from pullcheck.graph.model import Finding, Graph, Rule

MIN_FILES = 20
MIN_BYTES = 1 << 20
BATCHES_PER_PROCESS = 8  # more balance the processes' loads; fewer meet less often

Unit = Tuple[List[Tuple[str, bool]], List[str]]  # (data files with their walked flag, Terraform folders)

_UNITS: List[Unit] = []  # set in the parent before forking, read by the workers
_RULES: Dict[str, Rule] = {}
_TF_GIVEN: Any = None  # the run's Terraform variable values (stages.build_from)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _size(files: List[Tuple[str, bool]], tf_dirs: List[str]) -> Tuple[int, int]:
    """(files, bytes) of a part: its data file, or the .tf files of its Terraform folder."""
    paths = [f for f, _ in files]
    for d in tf_dirs:
        try:
            paths.extend(os.path.join(d, n) for n in os.listdir(d) if n.endswith((".tf", ".tf.json")))
        except OSError:
            continue
    count, total = 0, 0
    for p in paths:
        try:
            total += os.path.getsize(p)
        except OSError:
            continue
        count += 1
    return count, total


def _worker_start() -> None:
    # the parent ends the workers when it is done or interrupted: quietly, with no handler of its own
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _lint(ids: List[int]) -> tuple:
    """Build and check the parts ``ids`` together, as a run of only them would."""
    import gc

    from pullcheck.engine import links
    from pullcheck.engine.stages import Reading, build_from, judge
    from pullcheck.facts.verdicts import account
    from pullcheck.sources.session import current

    gc.disable()
    if os.environ.get(FAULT_ENV) == "worker":  # the tests kill a worker, as the kernel's OOM killer would
        os.kill(os.getpid(), signal.SIGKILL)
    # every file this batch reads is sent back, also one an earlier batch of this worker read: that batch's
    # result may be dropped and its parts linted again together, and the parent must still know the file
    read = current().read = set()
    ids = sorted(ids)
    files = [f for i in ids for f in _UNITS[i][0]]
    tf_dirs = [d for i in ids for d in _UNITS[i][1]]
    graph, errors = build_from(Reading(files, tf_dirs), None, _TF_GIVEN)
    found = judge(graph, errors, _RULES)
    # the folders these call, and which of the parts were linted as roots (not called by another part here)
    roots = set(graph.inputs.tf_roots)
    return (ids, found, graph.inputs.linted, graph.inputs.skipped, sorted(read), links.signature(graph),
            graph.inputs.cfn_steps, sorted(graph.inputs.tf_called), [i for i in ids if set(_UNITS[i][1]) & roots],
            account(graph), graph.inputs.warnings)


def _batches(units: List[Unit], sizes: List[int], n: int) -> List[List[int]]:
    """The parts cut into BATCHES_PER_PROCESS batches per process, of about equal bytes, neighbours by path kept
    together (files that name one another mostly sit side by side)."""
    order = sorted(range(len(units)), key=lambda i: (units[i][0][0][0] if units[i][0] else units[i][1][0]))
    target = max(1, sum(sizes) // (n * BATCHES_PER_PROCESS))
    out: List[List[int]] = [[]]
    filled = 0
    for i in order:
        if filled >= target and out[-1]:
            out.append([])
            filled = 0
        out[-1].append(i)
        filled += sizes[i]
    return out


def lint(files: List[Tuple[str, bool]], tf_dirs: List[str], missing: List[Tuple[str, str]], rules: Dict[str, Rule],
         jobs: Optional[int], tf_given: Any = None) -> Optional[Tuple[Graph, List[Finding]]]:
    """(a graph holding only the run's counts, findings), or None when the run is better linted in one
    process. ``jobs`` None: as many processes as cores, for runs large enough to gain; never more processes
    than the cores this process may use (more only share them, each with its own copy of the run)."""
    import multiprocessing

    n = min(jobs, default_jobs()) if jobs is not None else default_jobs()
    units: List[Unit] = [([f], []) for f in files] + [([], [d]) for d in tf_dirs]
    if n < 2 or len(units) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    if any(os.path.basename(f) == "manifest.json" and "cdk.out" in f for f, _ in files):
        return None  # a CDK cloud assembly names its stacks: one run
    sizes = [_size(u[0], u[1]) for u in units]
    if jobs is None and (sum(c for c, _ in sizes) < MIN_FILES or sum(b for _, b in sizes) < MIN_BYTES):
        return None
    n = min(n, len(units))
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _UNITS, _RULES, _TF_GIVEN
    _UNITS, _RULES, _TF_GIVEN = units, rules, tf_given
    try:
        pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start)
    except OSError:
        return None
    try:
        got = _run(lambda tasks: list(pool.map(_lint, tasks)), _batches(units, [b for _, b in sizes], n),
                   units, missing, rules)
        if got is not None:
            got[0].inputs.jobs = (n,) + got[0].inputs.jobs[1:]
        return got
    except (BrokenProcessPool, Exception):
        # a worker killed (out of memory, a signal) or a defect of this module: one process does the run
        return None
    finally:
        _stop(pool)
        _UNITS, _RULES, _TF_GIVEN = [], {}, None


def _stop(pool: Any) -> None:
    """End the workers now: they hold nothing worth waiting for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join()


def _run(lint_all: Callable[[List[List[int]]], list], batches: List[List[int]], units: List[Unit],
         missing: List[Tuple[str, str]], rules: Dict[str, Rule]) -> Optional[Tuple[Graph, List[Finding]]]:
    from pullcheck.engine import links
    from pullcheck.engine.core_rules import CORE
    from pullcheck.engine.stages import norm, parse_finding
    from pullcheck.formats.cloudformation import MAX_STEPS
    from pullcheck.sources.errors import ParseError
    from pullcheck.sources.session import current

    results = lint_all(batches)
    # a Terraform folder that another folder of the run calls is linted as that call only: a batch that
    # linted it on its own (its caller elsewhere) is linted again without it
    called = {c for r in results for c in r[7]}
    dropped = {i for i, u in enumerate(units) if u[1] and os.path.abspath(u[1][0]) in called}
    if dropped and dropped == {i for i, u in enumerate(units) if u[1]}:
        return None  # folders that all call one another: one run settles which stand alone
    redo = [[i for i in r[0] if i not in dropped] for r in results if dropped.intersection(r[8])]
    results = [r for r in results if not dropped.intersection(r[8])]
    results.extend(lint_all([ids for ids in redo if ids]))
    again = len(redo)
    while True:  # batches whose links meet are linted again together, until nothing new meets
        groups = links.joined(r[5] for r in results)
        merged = [g for g in groups if len(g) > 1]
        if not merged:
            break
        again += sum(len(g) for g in merged)
        kept = [results[g[0]] for g in groups if len(g) == 1]
        kept.extend(lint_all([[i for k in g for i in results[k][0]] for g in merged]))
        results = kept
    if sum(r[6] for r in results) > MAX_STEPS:
        return None  # the templates' evaluation budget is the run's: only one run spends it as it would
    order = {norm(f): i for i, u in enumerate(units) for f, _ in u[0]}
    graph = Graph()
    found: List[Finding] = [parse_finding(m, ParseError(why)) for m, why in missing]
    found = [f for f in found if f.rule_id not in CORE or f.rule_id in rules]
    skipped = []
    for r in results:
        found.extend(r[1])
        graph.inputs.linted += r[2]
        skipped.extend(r[3])
        current().read.update(r[4])
        graph.inputs.warnings.extend(w for w in r[10] if w not in graph.inputs.warnings)
    graph.inputs.jobs = (0, len(batches), again)
    graph.inputs.account = sorted((s for r in results for s in r[9]), key=lambda s: (s.file, s.line, s.name))
    graph.inputs.skipped = sorted(skipped, key=lambda s: order.get(s[0], len(order)))
    # a warning about one file (a Copilot manifest) where a single run says it: in the order files are read
    graph.inputs.warnings.sort(key=lambda w: order.get(w.split(" ", 1)[0], len(order)))
    return graph, sorted(set(found))


def lint_paths(paths: List[str], rules: Dict[str, Rule], exclude: Optional[Callable[[str], bool]],
               infrastructure_only: bool, jobs: Optional[int], roots: Optional[List[str]] = None,
               tf_given: Any = None) -> Optional[Tuple[Graph, List[Finding]]]:
    from pullcheck.engine.stages import what_to_read

    reading = what_to_read(list(paths), exclude, infrastructure_only, roots)
    if reading.deploy_files:
        from pullcheck.engine.deploy.implicit import implied

        if implied(reading.deploy_files).stacks:
            return None  # the stacks a deploy input implies join templates by name: one run
    return lint(reading.files, reading.tf_dirs, reading.missing, rules, jobs, tf_given)
