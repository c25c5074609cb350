"""``pullcheck lsp``: a language server on standard input and output (Language Server Protocol, pygls).

Diagnostics are published when a document is opened, changed or saved, from the text in the editor
(unsaved changes included). A Terraform file is linted with the other ``.tf`` files of its folder; a
template or task definition on its own. The configuration found above the file applies, as on the
command line.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Dict, List
from urllib.parse import unquote, urlparse

LINTED = (".yaml", ".yml", ".json", ".template", ".cfn", ".tf")
_SEVERITY = {"error": 1, "warning": 2, "info": 3}


def _path(uri: str) -> str:
    parsed = urlparse(uri)
    return os.path.abspath(unquote(parsed.path)) if parsed.scheme == "file" else ""


def diagnostics(path: str, text: str, rules: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Diagnostics (LSP shape, 0-based) for one document whose current text is ``text``."""
    from pullcheck import config as cfgmod
    from pullcheck.engine import finish, lint
    from pullcheck.parsers import errors
    from pullcheck.registry import select_rules

    cfg = cfgmod.Config()
    found = cfgmod.find([path])
    if found:
        try:
            cfg = cfgmod.load(found, rules)
        except cfgmod.ConfigError as e:
            return [_diag(0, 0, 0, 1, 1, "CONFIG", f"configuration error: {e}")]
    if cfg.exclude and cfg.excluded(path):
        return []
    selected = select_rules(rules, cfg.select, cfg.ignore)
    target = os.path.dirname(path) if path.endswith(".tf") else path
    errors.OVERLAY[path] = text
    try:
        findings = finish(lint([target], selected), cfg)
    finally:
        errors.OVERLAY.pop(path, None)
    lines = text.splitlines()
    out = []
    for f in findings:
        if os.path.abspath(f.file) != path:
            continue
        line, col = f.line - 1, f.col - 1
        end_line, end_col = max(f.end_line, f.line) - 1, max(f.end_col, f.col) - 1
        if (end_line, end_col) == (line, col):  # underline to the end of the line
            end_col = len(lines[line]) if line < len(lines) else col + 1
            end_col = max(end_col, col + 1)
        out.append(_diag(line, col, end_line, end_col, _SEVERITY.get(f.severity, 1), f.rule_id,
                         f"{f.message} [{f.name}]"))
    return out


def _diag(line: int, col: int, end_line: int, end_col: int, severity: int, code: str, message: str) -> Dict:
    return {"range": {"start": {"line": line, "character": col}, "end": {"line": end_line, "character": end_col}},
            "severity": severity, "code": code, "source": "pullcheck", "message": message}


def serve(argv: List[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: pullcheck lsp   (speaks the Language Server Protocol on stdin/stdout)")
        return 0
    try:
        from lsprotocol import types as t
        from pygls.lsp.server import LanguageServer
    except ImportError:
        print("pullcheck: error: the language server needs pygls: pip install 'pullcheck[lsp]'", file=sys.stderr)
        return 2
    from pullcheck import __version__
    from pullcheck.registry import load_rules

    rules = load_rules()
    server = LanguageServer("pullcheck", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Full)

    def publish(ls: Any, uri: str) -> None:
        path = _path(uri)
        if not path or not path.lower().endswith(LINTED):
            return
        doc = ls.workspace.get_text_document(uri)
        found = diagnostics(path, doc.source, rules)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
            uri=uri, version=doc.version,
            diagnostics=[t.Diagnostic(
                range=t.Range(start=t.Position(**d["range"]["start"]), end=t.Position(**d["range"]["end"])),
                severity=t.DiagnosticSeverity(d["severity"]), code=d["code"], source=d["source"],
                message=d["message"]) for d in found]))

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: Any) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Any, params: Any) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Any, params: Any) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: Any) -> None:
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                        diagnostics=[]))

    server.start_io()
    return 0
