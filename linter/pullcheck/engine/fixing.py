"""The fix loop of ``--fix`` and ``--diff``: the fixes a run applies (the safe ones, or all), in passes while
their edits overlap; after each pass the whole run is linted again and a fix whose finding stays, or that
brings a new finding, is undone.

A fix that would rewrite a file it may not (``fixes.not_fixable``: outside the named paths, a symlink, a
file with other hard links) or one saved since it was read is left out, and the file and the reason are
kept for the caller to say; its finding is reported as usual. Nothing here prints: ``apply`` and
``preview`` return what happened."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Set, Tuple

from pullcheck.engine import fixes
from pullcheck.engine.fixes import Fix

Texts = Dict[str, Tuple[str, str]]  # file -> (text before, text after)


@dataclass
class Outcome:
    findings: list  # what remains (after a preview: nothing)
    fixed: int = 0  # fixes applied and kept; for a preview, the fixes that would be applied
    undone: List[str] = field(default_factory=list)  # "file:line: title" of each fix taken back
    refused: Dict[str, str] = field(default_factory=dict)  # file -> why no fix rewrites it in this run
    changes: Texts = field(default_factory=dict)  # a preview's files, before and after


class _Choice:
    """The fixes a run may apply, and the files none may rewrite (``refused``: file -> why)."""

    def __init__(self, unsafe: bool) -> None:
        self.unsafe = unsafe
        self.refused: Dict[str, str] = {}
        self._fine: Set[str] = set()

    def allowed(self, fx: Fix) -> bool:
        for e in fx.edits:
            if e.file not in self._fine and e.file not in self.refused:
                why = fixes.not_fixable(e.file)
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


def preview(findings: list, unsafe: bool = False) -> Outcome:
    """What the first pass would change (``changes``), changing nothing."""
    choice = _Choice(unsafe)
    now = fixes.plan(choice.wanted(findings))
    return Outcome([], len(now), refused=choice.refused, changes=fixes.new_texts(now))


def apply(findings: list, relint: Callable[[], list], unsafe: bool = False) -> Outcome:
    """Apply the fixes of ``findings`` in passes; ``relint`` lints the whole run again (stacks and exports
    span files) and judges it as ``findings`` were. Returns what remains and what was fixed, undone and
    refused."""
    choice = _Choice(unsafe)
    out = Outcome(findings, refused=choice.refused)
    tried: Set[Fix] = set()
    for _ in range(fixes.MAX_PASSES):
        now = fixes.plan([fx for fx in choice.wanted(out.findings) if fx not in tried])
        if not now:
            break
        tried.update(now)
        texts = fixes.new_texts(now)
        failed = fixes.write(texts)  # a file not written: the fixes in it are not applied, the others are whole
        for file, why in failed.items():
            choice.refused.setdefault(file, why)
        texts = {file: text for file, text in texts.items() if file not in failed}
        now = [fx for fx in now if fx.edits[0].file in texts]
        if not now:
            continue
        out.findings, kept = _checked(out, now, texts, relint)
        out.fixed += len(kept)
    return out


def _key(f) -> tuple:  # a finding across edits: lines move, the resource and attribute do not
    return (f.file, f.rule_id, f.resource, f.path, f.message)


def _checked(out: Outcome, now: List[Fix], texts: Texts, relint: Callable[[], list]) -> Tuple[list, List[Fix]]:
    """The run linted again after the pass ``now`` (written as ``texts``), with each fix of it undone whose
    finding stays or that brings a new one; returns the findings then and the fixes kept."""
    after = relint()
    bad = _bad(out.findings, after, now)
    if not bad:
        return after, now
    kept = [fx for fx in now if fx not in bad]
    _keep_only(texts, kept, out.refused)
    for fx in bad:
        e = fx.edits[0]
        out.undone.append(f"{e.file}:{e.line}: {fx.title}")
    return relint(), kept


def _bad(before: list, after: list, now: List[Fix]) -> List[Fix]:
    """The fixes of ``now`` whose finding stays, that bring a new finding where they edited, or that break
    their file."""
    before_keys = {_key(f) for f in before}
    after_keys = {_key(f) for f in after}
    # a new finding where a fix edited (same resource and attribute) is the fix's doing; one elsewhere
    # was hidden behind the fixed problem (an image that now pulls from ECR needs the role's
    # permissions) and is reported, not undone
    new_places = {(k[0], k[2], k[3]) for k in after_keys - before_keys}
    broken = {k[0] for k in after_keys - before_keys if k[1] == "PARSE001"}  # an edit that breaks its file
    return [fx for fx in now
            if any(_key(f) in after_keys or (f.file, f.resource, f.path) in new_places
                   for f in before if f.fix == fx) or any(e.file in broken for e in fx.edits)]


def _keep_only(texts: Texts, kept: List[Fix], refused: Dict[str, str]) -> None:
    """Each file the pass wrote holds again its text before the pass with the edits of ``kept`` only."""
    redo = {file: (written, fixes.apply_to_text(original, [e for fx in kept for e in fx.edits if e.file == file]))
            for file, (original, written) in texts.items()}
    for file, why in fixes.write(redo).items():
        refused.setdefault(file, why)
