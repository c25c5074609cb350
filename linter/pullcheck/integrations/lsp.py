"""``pullcheck lsp``: a language server on standard input and output (Language Server Protocol, pygls).

Diagnostics are published when a document is opened, changed or saved, from the text in the editor
(unsaved changes included). A Terraform file is linted with the other ``.tf`` files of its folder (and
the modules it calls); a template or task definition on its own. The configuration found above the file
applies, as on the command line. Columns are UTF-16 code units, as the protocol counts them.

``pullcheck lsp --network FILE|FOLDER [--region R] [--stacks FILE]`` gives every lint the account's snapshot
and the stacks, chosen as the command line chooses them: ``--network``, else the stacks file's ``network``,
else the configuration's; the stacks file's entries, else the configuration's ``[stacks]``. The snapshot is
read once and again only when it changes on disk; one that cannot be used is a diagnostic, as a
configuration error is.

Between changes the server keeps each top-level block of a ``.tf`` file and each resource of a YAML
template as parsed (by its text), and each resource as evaluated while nothing it can read has changed
(the session: ``pullcheck.sources.session``): a keystroke parses and evaluates again only the block it is
in, then the rules run over the whole graph as always.

A diagnostic whose rule knows the edit offers it as a quick fix (its ``data`` carries the edits and the
document version they were made for), and the document offers "fix all safe" (``source.fixAll``): every safe
fix of the document applied as ``--fix`` applies them (in passes, linted again after each, a fix taken back
as there), in one edit, computed when first asked for and kept for that version. Hovering a diagnostic shows
its rule's summary. Edits are offered only while the linted version is the document's current one,
addressed to that version (``documentChanges``), so a client never applies them to a newer text.

``shutdown`` and ``exit`` cancel the lints pending (a change waiting for quiet, a lint under way publishes
nothing) and the server leaves at once, without waiting for a lint to end.
"""
from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import unquote, urlparse

from pullcheck.sources import session

LINTED = (".yaml", ".yml", ".json", ".template", ".cfn", ".tf")
DEBOUNCE = 0.15  # seconds of quiet after a change before it is linted
_SEVERITY = {"error": 1, "warning": 2, "info": 3}


def _path(uri: str) -> str:
    parsed = urlparse(uri)
    return os.path.abspath(unquote(parsed.path)) if parsed.scheme == "file" else ""


def scope_roots(path: str, folders: Iterable[str]) -> List[str]:
    """The scope (``pullcheck.sources.scope``) of a lint of ``path``: the workspace folders that hold it, as a run at
    the repository's root has, so that ``file("../shared/x")`` reads the same in the editor; a file outside
    every workspace folder has its own folder, as when it is named on the command line."""
    from pullcheck.sources.scope import under

    real = os.path.realpath(path)
    return [folder for folder in folders if under(real, os.path.realpath(folder))] or [path]


@dataclass(frozen=True)
class Given:
    """What the server was started with, as a command line gives a run: the account's snapshot, its Region,
    a stacks file (each "" when not given)."""

    network: str = ""
    region: str = ""
    stacks: str = ""


def diagnostics(path: str, text: str, rules: Dict[str, Any], roots: Optional[List[str]] = None,
                given: Given = Given()) -> List[Dict[str, Any]]:
    """Diagnostics (LSP shape, 0-based) for one document whose current text is ``text``. ``roots``: the
    run's scope (see ``scope_roots``), by default the document's own folder."""
    from pullcheck.engine.stages import INTERNAL_ID

    try:
        linter = _linter(path, rules, roots, given)
    except ValueError as e:
        return [_diag(0, 0, 0, 1, 1, "CONFIG", str(e))]
    if linter is None:
        return []
    overlay = session.current().overlay
    overlay[path] = text
    try:
        findings = linter()
    finally:
        overlay.pop(path, None)
    lines = text.splitlines()
    out = []
    for f in findings:
        if f.rule_id == INTERNAL_ID:  # a rule or a step that failed is said, not silently dropped
            out.append(_diag(0, 0, 0, 1, 2, f.rule_id, f"pullcheck could not check everything: {f.message}"))
            continue
        if os.path.abspath(f.file) != path:
            continue
        line, col = f.line - 1, f.col - 1
        end_line, end_col = max(f.end_line, f.line) - 1, max(f.end_col, f.col) - 1
        if (end_line, end_col) == (line, col):  # underline to the end of the line
            end_col = len(lines[line]) if line < len(lines) else col + 1
            end_col = max(end_col, col + 1)
        d = _diag(line, _utf16(lines, line, col), end_line, _utf16(lines, end_line, end_col),
                  _SEVERITY.get(f.severity, 1), f.rule_id, f"{f.message} [{f.name}]")
        if f.fix is not None and all(os.path.abspath(e.file) == path for e in f.fix.edits):
            d["data"] = {"fix": {"title": f.fix.title, "safe": f.fix.safe,
                                 "edits": [_text_edit(lines, e) for e in f.fix.edits]}}
        out.append(d)
    return out


def _linter(path: str, rules: Dict[str, Any], roots: Optional[List[str]], given: Given = Given()
            ) -> Optional[Callable[[], list]]:
    """What lints the document ``path`` (reading the session's overlay for its text), judged by the
    configuration above it; None when that configuration excludes it, ValueError (its message the
    diagnostic's) when it, the stacks or the snapshot is wrong."""
    from pullcheck.engine import config as cfgmod
    from pullcheck.engine import stacks as stacksmod
    from pullcheck.engine.stages import finish, lint_graph
    from pullcheck.engine.registry import select_rules

    cfg = cfgmod.Config()
    found = cfgmod.find([path])
    if found:
        try:
            cfg = cfgmod.load(found, rules)
        except cfgmod.ConfigError as e:
            raise ValueError(f"configuration error: {e}") from None
    if cfg.exclude and cfg.excluded(path):
        return None
    selected = select_rules(rules, cfg.select, cfg.ignore)
    try:
        stacks = stacksmod.load(given.stacks) if given.stacks else (
            stacksmod.parse(cfg.stacks, cfg.root, cfg.path) if cfg.stacks else [])
        network = _network(given, cfg)
    except stacksmod.StacksError as e:
        raise ValueError(f"stacks error: {e}") from None
    # a .tf file names its folder's module (its own files and the modules it calls, not the subtree)
    return lambda: finish(lint_graph([path], selected, stacks=stacks, roots=roots, network=network)[1], cfg)


_SNAPSHOT: Dict[str, Any] = {}  # the one snapshot read, under the key of what it was read from
_SNAPSHOT_LOCK = threading.Lock()


def _network(given: Given, cfg: Any) -> Any:
    """The account's snapshot of a lint, chosen as the command line chooses it (the server's --network, else
    the stacks file's, else the configuration's), read again only when it changed on disk; None without one."""
    from pullcheck.engine import stacks as stacksmod
    from pullcheck.formats import snapshot

    network, region = given.network, given.region
    if given.stacks:
        named, theirs = stacksmod.account(given.stacks)
        network, region = network or named, region or theirs
    network, region = os.path.abspath(network or cfg.network) if network or cfg.network else "", region or cfg.region
    if not network:
        return None
    try:
        key = repr((network, region, _stamp(network)))
        with _SNAPSHOT_LOCK:
            if key not in _SNAPSHOT:
                _SNAPSHOT.clear()
                _SNAPSHOT[key] = snapshot.load(network, region or None)
            return _SNAPSHOT[key]
    except OSError:
        raise ValueError(f"snapshot error: {network}: no such snapshot file or folder") from None
    except snapshot.SnapshotError as e:
        raise ValueError(f"snapshot error: {e}") from None


def _stamp(path: str) -> List[Tuple[str, int, int]]:
    """What changes when a snapshot, or a file of a folder of CLI outputs, is written again."""
    names = [path] + ([os.path.join(path, n) for n in sorted(os.listdir(path))] if os.path.isdir(path) else [])
    return [(n, st.st_mtime_ns, st.st_size) for n in names for st in [os.stat(n)]]


def fix_all(path: str, text: str, rules: Dict[str, Any], roots: Optional[List[str]] = None,
            given: Given = Given()) -> Optional[str]:
    """The document's text once "fix all safe" is applied: the safe fixes of this document (``text``), in
    passes as ``--fix`` applies them (``pullcheck.engine.fixing``: linted again after each pass, a fix taken
    back as there), kept in memory. None when nothing would change."""
    from pullcheck.engine import fixing

    try:
        linter = _linter(path, rules, roots, given)
    except ValueError:
        return None
    if linter is None:
        return None
    overlay = session.current().overlay
    overlay[path] = text
    store = fixing.Memory(refusal=lambda file: "" if os.path.abspath(file) == path else "not this document")
    try:
        changes = fixing.apply(linter(), linter, False, store).changes
    finally:
        store.close()
        overlay.pop(path, None)
    return next((after for file, (_, after) in changes.items() if os.path.abspath(file) == path), None)


def text_edits(before: str, after: str) -> List[Dict[str, Any]]:
    """LSP text edits that make ``before`` into ``after``, a run of changed lines each (so the editor keeps
    its marks on the lines that stay)."""
    import difflib
    import re

    # lines as the protocol counts them: only CR, LF and CRLF end one (not str.splitlines's others)
    old, new = (re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) for text in (before, after))
    plain = [x.rstrip("\r\n") for x in old]

    def position(n: int) -> Dict[str, int]:  # the start of line n, or the end of a last line without a break
        if n < len(old) or not old or old[-1].endswith(("\n", "\r")):
            return {"line": n, "character": 0}
        return {"line": len(old) - 1, "character": _utf16(plain, len(old) - 1, len(old[-1]))}

    return [{"range": {"start": position(i1), "end": position(i2)}, "newText": "".join(new[j1:j2])}
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
            if op != "equal"]


def _utf16(lines: List[str], line: int, col: int) -> int:
    """A 0-based character column as UTF-16 code units (what LSP positions count)."""
    if line >= len(lines):
        return col
    text = lines[line][:col]
    return col + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _text_edit(lines: List[str], e: Any) -> Dict[str, Any]:
    start = {"line": e.line - 1, "character": _utf16(lines, e.line - 1, e.col - 1)}
    end = {"line": e.end_line - 1, "character": _utf16(lines, e.end_line - 1, e.end_col - 1)}
    return {"range": {"start": start, "end": end}, "newText": e.text}


def code_actions(uri: str, diagnostics: List[Dict[str, Any]], version: Optional[int] = None,
                 fix_all_edits: Optional[List[Dict[str, Any]]] = None) -> List[Dict]:
    """A quick fix per diagnostic that carries one, and "fix all safe" (``fix_all_edits``: the edits that
    make the document what ``fix_all`` makes it) when there is anything to fix.

    ``version`` is the document version the diagnostics were published for. Every edit is addressed to it
    (a versioned ``documentChanges`` entry), so a client whose text has moved on rejects the edit instead
    of applying it lines off; a diagnostic whose data names another version offers no quick fix."""
    out = []
    for d in diagnostics:
        data = d.get("data") or {}
        fix = data.get("fix")
        if fix and data.get("version") == version:
            out.append({"title": f"pullcheck: {fix['title']} ({d.get('code')})", "kind": "quickfix",
                        "diagnostics": [d], "isPreferred": bool(fix["safe"]),
                        "edit": _versioned_edit(uri, version, fix["edits"])})
    if fix_all_edits:
        out.append({"title": "pullcheck: fix all safe problems", "kind": "source.fixAll.pullcheck",
                    "edit": _versioned_edit(uri, version, fix_all_edits)})
    return out


def _versioned_edit(uri: str, version: Optional[int], edits: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"documentChanges": [{"textDocument": {"uri": uri, "version": version}, "edits": edits}]}


def hover(line: int, character: int, published: List[Dict[str, Any]], rules: Dict[str, Any]) -> Any:
    """The rule's summary for the diagnostics under the cursor (Markdown), or None."""
    parts = []
    for d in published:
        start, end = d["range"]["start"], d["range"]["end"]
        if (start["line"], start["character"]) <= (line, character) <= (end["line"], end["character"]):
            rule = rules.get(d["code"])
            if rule is not None:
                fix = " Has a fix: use the quick fix." if (d.get("data") or {}).get("fix") else ""
                parts.append(f"**{rule.id} {rule.name}** ({rule.severity}): {rule.summary}{fix}  \n"
                             f"Documentation: `pullcheck rule {rule.id}`")
    return "\n\n".join(parts) or None


def _diag(line: int, col: int, end_line: int, end_col: int, severity: int, code: str, message: str) -> Dict:
    return {"range": {"start": {"line": line, "character": col}, "end": {"line": end_line, "character": end_col}},
            "severity": severity, "code": code, "source": "pullcheck", "message": message}


@dataclass
class _State:
    """What the handlers of one server share."""

    rules: Dict[str, Any]
    given: Given = Given()  # the account's snapshot and stacks the server was started with
    # uri -> (the document version they were computed for, the diagnostics last published in LSP shape)
    published: Dict[str, Tuple[Any, List[Dict[str, Any]]]] = field(default_factory=dict)
    # one lint at a time (the editor buffers are shared with the readers)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failed: Dict[str, str] = field(default_factory=dict)  # uri -> the last failure said, so that it is said once
    # uri -> (the version, the edits of its "fix all safe"), computed when first asked for
    fix_all: Dict[str, Tuple[Any, List[Dict[str, Any]]]] = field(default_factory=dict)
    # set by shutdown and exit: a change waiting for quiet is dropped and a lint under way publishes nothing
    closing: threading.Event = field(default_factory=threading.Event)
    # held while a message goes out, and while ``closing`` is set: nothing is written once it is
    out: threading.Lock = field(default_factory=threading.Lock)
    exit_code: int = 0  # 1 when exit came without shutdown, as the protocol says
    waiting: Dict[str, threading.Timer] = field(default_factory=dict)  # uri -> the lint after its last change


def _server_class() -> Any:
    """pygls's server, leaving without waiting for its worker threads: a lint under way ends with the
    process (it writes nothing: ``closing`` keeps it from publishing)."""
    from pygls.lsp.server import LanguageServer

    class Server(LanguageServer):
        def shutdown(self) -> None:
            pool, self._thread_pool = self._thread_pool, None
            super().shutdown()
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    return Server


def _arguments(argv: List[str]) -> Optional[Given]:
    """The server's options, or None when they are wrong (argparse has said why)."""
    import argparse

    p = argparse.ArgumentParser(prog="pullcheck lsp",
                                description="Speak the Language Server Protocol on standard input and output.")
    p.add_argument("--network", metavar="FILE|FOLDER", default="",
                   help="a snapshot of the account (pullcheck snapshot), or a folder of AWS CLI outputs")
    p.add_argument("--region", default="", help="the Region the lints are for: a snapshot of another is refused")
    p.add_argument("--stacks", metavar="FILE", default="",
                   help="which template is deployed as which stack, with which parameters")
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        if e.code in (0, None):
            raise
        return None
    return Given(args.network, args.region, args.stacks)


def serve(argv: List[str]) -> int:
    try:
        given = _arguments(argv)
    except SystemExit:
        return 0  # --help
    if given is None:
        return 2
    try:
        from lsprotocol import types as t
        server_class = _server_class()
    except ImportError:
        print("pullcheck: error: the language server needs pygls: pip install 'pullcheck[lsp]'", file=sys.stderr)
        return 2
    from pullcheck import __version__
    from pullcheck.engine.registry import load_rules

    # each .tf block's and each template resource's parse, by its text, and each resource's evaluation
    # while nothing it can read has changed: a keystroke works again only on the block it is in
    session.begin(keep_parses=True)
    state = _State(load_rules(), given)
    server = server_class("pullcheck", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Full)
    _register(server, state)
    server.start_io()
    return state.exit_code


def _register(server: Any, state: _State) -> None:
    """A handler for each request and notification the server answers, handing it on with the shared state."""
    from lsprotocol import types as t

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix,
                                                           t.CodeActionKind.SourceFixAll]))
    @server.thread()  # a fix-all lints the document again, pass by pass: not on the loop that reads messages
    def code_action(ls: Any, params: Any) -> Any:
        return _on_code_action(state, ls, params)

    @server.feature(t.SHUTDOWN)
    def on_shutdown(ls: Any, params: Any) -> None:
        _close(state)

    @server.feature(t.EXIT)
    def on_exit(ls: Any, params: Any) -> None:
        if not state.closing.is_set():
            state.exit_code = 1
        _close(state)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: Any, params: Any) -> Any:
        return _on_hover(state, params)

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    @server.thread()
    def did_open(ls: Any, params: Any) -> None:
        _publish(state, ls, params.text_document.uri, params.text_document.version)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Any, params: Any) -> None:
        _later(state, ls, params.text_document.uri, params.text_document.version)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    @server.thread()
    def did_save(ls: Any, params: Any) -> None:
        uri = params.text_document.uri
        _publish(state, ls, uri, _version(ls, uri))

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: Any) -> None:
        _on_close(state, ls, params)


def _close(state: _State) -> None:
    """No lint publishes any more (the one under way ends with the process), no change waits for quiet."""
    with state.out:
        state.closing.set()
        for timer in state.waiting.values():
            timer.cancel()


def _later(state: _State, ls: Any, uri: str, version: Any) -> None:
    """Lint the document once it has been quiet for DEBOUNCE seconds: each change restarts its one timer
    (no worker thread of the server waits, so messages keep being read during a burst of changes)."""
    with state.out:
        if state.closing.is_set():
            return
        timer = state.waiting.pop(uri, None)
        if timer is not None:
            timer.cancel()
        timer = state.waiting[uri] = threading.Timer(DEBOUNCE, _publish, (state, ls, uri, version))
        timer.daemon = True
        timer.start()


def _version(ls: Any, uri: str) -> Any:
    return ls.workspace.get_text_document(uri).version


def _workspace_folders(ls: Any) -> List[str]:
    ws = ls.workspace
    uris = [f.uri for f in ws.folders.values()] or ([ws.root_uri] if ws.root_uri else [])
    return [p for p in map(_path, uris) if p]


def _range(r: Dict[str, Any]) -> Any:
    from lsprotocol import types as t

    return t.Range(start=t.Position(**r["start"]), end=t.Position(**r["end"]))


def _publish(state: _State, ls: Any, uri: str, wanted: Any) -> None:
    """Lint a document and publish, in a thread of its own, only while ``wanted`` is still the document's
    version (a newer change supersedes an older lint, whose result is dropped) and the server is not
    closing. When the engine fails, the last good diagnostics stay and the failure is said once."""
    from lsprotocol import types as t

    path = _path(uri)
    if not path or not path.lower().endswith(LINTED):
        return
    if state.closing.is_set() or _version(ls, uri) != wanted:
        return
    linted = _lint(state, ls, uri, path, wanted)
    if linted is None or _version(ls, uri) != wanted:
        return
    doc, found = linted
    for d in found:
        if d.get("data"):  # a quick fix names the text it was made for; the client sends it back
            d["data"]["version"] = wanted
    params = t.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=[t.Diagnostic(
        range=_range(d["range"]), severity=t.DiagnosticSeverity(d["severity"]), code=d["code"],
        source=d["source"], message=d["message"], data=d.get("data")) for d in found])
    with state.out:
        if not state.closing.is_set():
            state.published[uri] = (wanted, found)
            ls.text_document_publish_diagnostics(params)


def _lint(state: _State, ls: Any, uri: str, path: str, wanted: Any) -> Optional[Tuple[Any, List[Dict[str, Any]]]]:
    """(the document, its diagnostics) while ``wanted`` is its version, one lint at a time; None when a newer
    change came first, or when the engine fails (said to the user unless it was the last failure said)."""
    from lsprotocol import types as t

    with state.lock:
        doc = ls.workspace.get_text_document(uri)
        if doc.version != wanted or state.closing.is_set():
            return None
        try:
            found = diagnostics(path, doc.source, state.rules, roots=scope_roots(path, _workspace_folders(ls)),
                                given=state.given)
        except Exception as e:  # keep what the editor shows; say why once
            why = f"pullcheck could not lint {os.path.basename(path)}: {type(e).__name__}: {e}"
            with state.out:
                if state.failed.get(uri) != why and not state.closing.is_set():
                    state.failed[uri] = why
                    ls.window_show_message(t.ShowMessageParams(type=t.MessageType.Warning, message=why))
            return None
        state.failed.pop(uri, None)
    return doc, found


def _on_code_action(state: _State, ls: Any, params: Any) -> Any:
    uri = params.text_document.uri
    computed, found = state.published.get(uri, (None, []))
    # edits made for another text than the editor's (a change not linted yet, as in fix-on-save) would
    # land lines off: none is offered until the current text is linted
    if computed is None or computed != _version(ls, uri):
        return []
    only = params.context.only
    asked = [{"code": d.code, "data": d.data} for d in params.context.diagnostics] if _asked("quickfix", only) else []
    everything = _fix_all_edits(state, ls, uri, computed, found) if _asked("source.fixAll.pullcheck", only) else []
    # a client that cannot take versioned edits gets plain ones: the check above already keeps them to the
    # text they were made for
    capabilities = getattr(getattr(ls, "client_capabilities", None), "workspace", None)
    versioned = bool(getattr(getattr(capabilities, "workspace_edit", None), "document_changes", False))
    return [_code_action(a, versioned) for a in code_actions(uri, asked, computed, everything)]


def _asked(kind: str, only: Optional[List[str]]) -> bool:
    """Whether a code action request that asks for the kinds ``only`` (all when None) wants ``kind``."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _fix_all_edits(state: _State, ls: Any, uri: str, version: Any, found: List[Dict[str, Any]]
                   ) -> List[Dict[str, Any]]:
    """The edits of "fix all safe" for ``version`` of the document (kept for it once computed), none when
    no diagnostic has a safe fix or the document has moved on."""
    if not any(((d.get("data") or {}).get("fix") or {}).get("safe") for d in found):
        return []
    with state.lock:
        kept = state.fix_all.get(uri)
        if kept is not None and kept[0] == version:
            return kept[1]
        doc = ls.workspace.get_text_document(uri)
        if doc.version != version or state.closing.is_set():
            return []
        path = _path(uri)
        try:
            after = fix_all(path, doc.source, state.rules, roots=scope_roots(path, _workspace_folders(ls)),
                            given=state.given)
        except Exception:  # the engine failed: the lint said so already, and the quick fixes stay
            after = None
        edits = text_edits(doc.source, after) if after is not None else []
        state.fix_all[uri] = (version, edits)
    return edits


def _code_action(a: Dict[str, Any], versioned: bool) -> Any:
    """One action of ``code_actions`` as the protocol's type, its edit versioned or plain."""
    from lsprotocol import types as t

    changes = [t.TextDocumentEdit(
        text_document=t.OptionalVersionedTextDocumentIdentifier(uri=c["textDocument"]["uri"],
                                                                 version=c["textDocument"]["version"]),
        edits=[t.TextEdit(range=_range(e["range"]), new_text=e["newText"]) for e in c["edits"]])
        for c in a["edit"]["documentChanges"]]
    edit = t.WorkspaceEdit(document_changes=changes) if versioned else t.WorkspaceEdit(
        changes={c.text_document.uri: list(c.edits) for c in changes})
    return t.CodeAction(title=a["title"], kind=a["kind"], is_preferred=a.get("isPreferred"), edit=edit)


def _on_hover(state: _State, params: Any) -> Any:
    from lsprotocol import types as t

    text = hover(params.position.line, params.position.character,
                 state.published.get(params.text_document.uri, (None, []))[1], state.rules)
    if text is None:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=text))


def _on_close(state: _State, ls: Any, params: Any) -> None:
    from lsprotocol import types as t

    state.published.pop(params.text_document.uri, None)
    state.fix_all.pop(params.text_document.uri, None)
    with state.out:
        timer = state.waiting.pop(params.text_document.uri, None)
    if timer is not None:
        timer.cancel()
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                    diagnostics=[]))
