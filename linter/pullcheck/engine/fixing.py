"""The fix loop of ``--fix``, ``--diff`` and the editor's "fix all": the fixes a run applies (the safe ones, or
all), in passes while their edits overlap, until no fix is left to try (``fixes.MAX_PASSES`` at most). After
each pass the whole run is linted again, and a fix is taken back, with the finding that shows why, when:

- its own finding stays (the value that counts is another one);
- it brings, where it edited (the same resource and attribute), a finding of its own rule's family (the
  letters of the ID: the image's form for IMG, the network path for NET, the role for IAM) or one saying
  ECS would not take the task definition as written (TD): the fix wrote something wrong;
- it leaves its file unreadable (a new PARSE001 in it).

A finding of another family where the fix edited is what the run can judge now that the value is right (an
image that now names an ECR repository needs an execution role, IAM001): the fix stays, the finding is
reported with the others and ``Outcome.uncovered`` names it. So does any new finding elsewhere.

Where a pass goes is its store. ``Disk`` (``--fix``) writes the files; ``Memory`` (``--diff``, the language
server) keeps the new texts as the session's overlay, which the run reads in the files' place, and writes
nothing: ``--diff`` shows what ``--fix`` writes, and the editor's fix-all is what ``--fix`` does.

A fix that would rewrite a file it may not (``fixes.not_fixable``: outside the named paths, a symlink, a
file with other hard links) or one saved since it was read is left out, and the file and the reason are
kept for the caller to say; its finding is reported as usual. Nothing here prints: ``apply`` returns what
happened."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Set, Tuple

from pullcheck.engine import fixes
from pullcheck.engine.fixes import Fix
from pullcheck.sources.session import current

Texts = Dict[str, Tuple[str, str]]  # file -> (text before, text after)

# families whose new finding where a fix edited is always the fix's doing, whatever rule the fix is of: the
# file no longer reads, or ECS would not register the task definition as it is now written
_FORM_FAMILIES = ("PARSE", "TD")


@dataclass
class Outcome:
    findings: list  # what remains
    fixed: int = 0  # fixes applied and kept (in memory: that would be)
    undone: List[str] = field(default_factory=list)  # "file:line: title: why", each fix taken back
    uncovered: List[str] = field(default_factory=list)  # "file:line:col: RULE ...", each finding a fix let be judged
    refused: Dict[str, str] = field(default_factory=dict)  # file -> why no fix rewrites it in this run
    changes: Texts = field(default_factory=dict)  # in memory: each file changed, before the first pass and after


class Disk:
    """Passes written to the files, each through ``fixes.write`` (which checks every file again)."""

    def refusal(self, file: str) -> str:
        return fixes.not_fixable(file)

    def write(self, texts: Texts) -> Dict[str, str]:
        return fixes.write(texts)


class Memory:
    """Passes kept as the session's overlay: the run lints the new texts in the files' place and no file is
    written. ``refusal`` says which files a fix may not change (by default those ``--fix`` may not write);
    ``close`` gives the overlay back as it was (an editor's text stays)."""

    def __init__(self, refusal: Callable[[str], str] = fixes.not_fixable) -> None:
        self.refusal = refusal
        self._before: Dict[str, str] = {}  # file -> its text before the first pass
        self._now: Dict[str, str] = {}
        self._prior: Dict[str, Optional[str]] = {}  # absolute path -> the overlay's entry before

    def write(self, texts: Texts) -> Dict[str, str]:
        overlay = current().overlay
        for file, (before, after) in texts.items():
            key = os.path.abspath(file)
            if key not in self._prior:
                self._prior[key] = overlay.get(key)
                self._before[file] = before
            overlay[key] = self._now[file] = after
        fixes.forget()
        return {}

    def changes(self) -> Texts:
        return {file: (before, self._now[file]) for file, before in self._before.items() if self._now[file] != before}

    def close(self) -> None:
        overlay = current().overlay
        for key, prior in self._prior.items():
            if prior is None:
                overlay.pop(key, None)
            else:
                overlay[key] = prior
        fixes.forget()


class _Choice:
    """The fixes a run may apply, and the files none may rewrite (``refused``: file -> why)."""

    def __init__(self, unsafe: bool, refusal: Callable[[str], str]) -> None:
        self.unsafe = unsafe
        self.refusal = refusal
        self.refused: Dict[str, str] = {}
        self._fine: Set[str] = set()

    def allowed(self, fx: Fix) -> bool:
        for e in fx.edits:
            if e.file not in self._fine and e.file not in self.refused:
                why = self.refusal(e.file)
                if why:
                    self.refused[e.file] = why
                else:
                    self._fine.add(e.file)
        for file in fixes.stale(fx):
            self.refused.setdefault(file, fixes.CHANGED)
        return not any(e.file in self.refused for e in fx.edits)

    def wanted(self, found: list) -> List[Fix]:
        # files are written one by one, and a fix across files could be left half applied: one file per fix
        return [f.fix for f in found
                if f.fix is not None and (f.fix.safe or self.unsafe)
                and len({e.file for e in f.fix.edits}) == 1 and self.allowed(f.fix)]


def apply(findings: list, relint: Callable[[], list], unsafe: bool = False, store: Optional[Disk | Memory] = None
          ) -> Outcome:
    """Apply the fixes of ``findings`` in passes into ``store`` (the files by default); ``relint`` lints the
    whole run again (stacks and exports span files) and judges it as ``findings`` were. Returns what remains
    and what was fixed, undone, uncovered and refused (and, in memory, the texts changed)."""
    store = store if store is not None else Disk()
    choice = _Choice(unsafe, store.refusal)
    out = Outcome(findings, refused=choice.refused)
    tried: Set[Fix] = set()
    for _ in range(fixes.MAX_PASSES):
        now = fixes.plan([fx for fx in choice.wanted(out.findings) if fx not in tried])
        if not now:
            break
        tried.update(now)
        texts = fixes.new_texts(now)
        failed = store.write(texts)  # a file not written: the fixes in it are not applied, the others are whole
        for file, why in failed.items():
            choice.refused.setdefault(file, why)
        texts = {file: text for file, text in texts.items() if file not in failed}
        now = [fx for fx in now if fx.edits[0].file in texts]
        if not now:
            continue
        out.findings, kept = _checked(out, now, texts, relint, store)
        out.fixed += len(kept)
    if isinstance(store, Memory):
        out.changes = store.changes()
    return out


def _key(f) -> tuple:  # a finding across edits: lines move, the resource and attribute do not
    return (f.file, f.rule_id, f.resource, f.path, f.message)


def _checked(out: Outcome, now: List[Fix], texts: Texts, relint: Callable[[], list], store: Disk | Memory
             ) -> Tuple[list, List[Fix]]:
    """The run linted again after the pass ``now`` (written as ``texts``), with each fix of it taken back
    that ``_bad`` names; returns the findings then and the fixes kept."""
    after = relint()
    bad = _bad(out.findings, after, now)
    kept = [fx for fx in now if fx not in bad]
    if bad:
        _keep_only(texts, kept, store, out.refused)
        for fx, why in bad.items():
            e = fx.edits[0]
            out.undone.append(f"{e.file}:{e.line}: {fx.title}: {why}")
        after = relint()
    out.uncovered += _uncovered(out.findings, after, kept)
    return after, kept


def _family(rule_id: str) -> str:
    return rule_id.rstrip("0123456789")


def _new(before: list, after: list) -> list:
    known = {_key(f) for f in before}
    return [f for f in after if _key(f) not in known]


def _bad(before: list, after: list, now: List[Fix]) -> Dict[Fix, str]:
    """The fixes of ``now`` to take back, each with why: its finding stays, it brings a finding of its
    concern where it edited, or it breaks its file (see the module's note)."""
    after_keys = {_key(f) for f in after}
    new = _new(before, after)
    out: Dict[Fix, str] = {}
    for fx in now:
        own = [f for f in before if f.fix == fx]
        files = {e.file for e in fx.edits}
        families = {_family(f.rule_id) for f in own} | set(_FORM_FAMILIES)
        places = {(f.file, f.resource, f.path) for f in own}
        stayed = next((f for f in own if _key(f) in after_keys), None)
        broken = next((g for g in new if g.rule_id == "PARSE001" and g.file in files), None)
        brought = next((g for g in new if (g.file, g.resource, g.path) in places
                        and _family(g.rule_id) in families), None)
        if stayed is not None:
            out[fx] = f"its finding {stayed.rule_id} stayed"
        elif broken is not None:
            out[fx] = f"it leaves the file unreadable ({_named(broken)})"
        elif brought is not None:
            out[fx] = f"it brings {_named(brought)}"
    return out


def _uncovered(before: list, after: list, kept: List[Fix]) -> List[str]:
    """Each new finding where a kept fix edited: what the run can judge now that the value is right."""
    places = {(f.file, f.resource, f.path): f.rule_id for f in before if f.fix is not None and f.fix in kept}
    return [f"{g.file}:{g.line}:{g.col}: {g.rule_id}, found once {places[(g.file, g.resource, g.path)]} was "
            f"fixed there" for g in _new(before, after) if (g.file, g.resource, g.path) in places]


def _named(f) -> str:
    return f"{f.file}:{f.line}:{f.col}: {f.rule_id} {f.message}"


def _keep_only(texts: Texts, kept: List[Fix], store: Disk | Memory, refused: Dict[str, str]) -> None:
    """Each file the pass wrote holds again its text before the pass with the edits of ``kept`` only."""
    redo = {file: (written, fixes.apply_to_text(original, [e for fx in kept for e in fx.edits if e.file == file]))
            for file, (original, written) in texts.items()}
    for file, why in store.write(redo).items():
        refused.setdefault(file, why)


def summary(out: Outcome, unsafe: bool, preview: bool) -> str:
    """The line that ends a fix run, as ruff words it: how many problems were (or, for ``preview``, would be)
    fixed, what remains, and how many fixes only --unsafe-fixes applies."""
    n, s = out.fixed, "s" if out.fixed != 1 else ""
    hidden = 0 if unsafe else sum(1 for f in out.findings if f.fix is not None and not f.fix.safe)
    more = f" ({hidden} more fix{'es' if hidden != 1 else ''} available with --unsafe-fixes)" if hidden else ""
    if preview:
        return f"would fix {n} problem{s}{more} (--fix applies the fixes)" if n else f"no problem would be fixed{more}"
    left = len(out.findings)
    return f"fixed {n} problem{s}, {left} remain{'s' if left == 1 else ''}{more}"


def fixable(findings: list, unsafe: bool) -> str:
    """The line after the text output's count, as ruff's: how many findings --fix would fix (those whose fix
    changes one file; the unsafe ones only with ``unsafe``) and how many more --unsafe-fixes would; "" when
    none has a fix."""
    one_file = [f.fix for f in findings if f.fix is not None and len({e.file for e in f.fix.edits}) == 1]
    applicable = sum(1 for fx in one_file if fx.safe or unsafe)
    hidden = len(one_file) - applicable
    es = "es" if hidden != 1 else ""
    if hidden:
        hint = f"{hidden} hidden fix{es} can be enabled with the --unsafe-fixes option"
        return f"[*] {applicable} fixable with the --fix option ({hint})." if applicable else \
            f"No fixes available ({hint})."
    return f"[*] {applicable} fixable with the --fix option." if applicable else ""
