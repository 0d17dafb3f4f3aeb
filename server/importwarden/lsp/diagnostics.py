"""Diagnostics: the same findings as ``importwarden check``, pushed or pulled.

Pull (``textDocument/diagnostic``, ``workspace/diagnostic``) when the client supports it and
can be asked to pull again (``workspace/diagnostic/refresh``); push
(``textDocument/publishDiagnostics``) otherwise. Either way a run re-reads only that document
(its imports, and its entry in the workspace index), and is never published for a version the
client has moved past.

When a push run starts (``Session.schedule``): at once when the document is idle (leading
edge), so the first keystroke's diagnostics do not wait for a pause; changes that arrive while
a run is in progress are coalesced into one trailing run of the latest text. The ``debounce``
setting is the least time between the starts of two runs of one document (default 0).

What else needs new diagnostics comes from the controller (``on_stale``): in push mode those
documents are re-published; in pull mode the client is asked to pull again
(``workspace/diagnostic/refresh``) and each document's ``resultId`` changes only when its
result can have, so the others answer ``unchanged``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

from importwarden.lsp import controller
from importwarden.lsp.convert import findings_to_diagnostics, notice, problems_to_diagnostics
from importwarden.textio import MAX_FILE_BYTES

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Document, Session


def is_python(doc: "Document") -> bool:
    return doc.path.suffix in (".py", ".pyi")


def compute(ls: "ImportwardenServer", doc: "Document"
            ) -> tuple[list[types.Diagnostic], tuple[str, frozenset[str] | None] | None]:
    """Diagnostics for one document's text (Python file or registry file), on the analysis
    thread; and (the module whose bindings this text changed, the names gained or lost):
    the importers those names concern need a re-check."""
    session = ls.session
    if controller.is_registry(session, doc.path):
        return problems_to_diagnostics(session.registry.problems_for(doc.path),
                                       session.positions(doc)), None
    if not is_python(doc):
        return [], None
    if session.too_big(doc):
        return [notice(f"importwarden: not checked: larger than {MAX_FILE_BYTES // 2**20} MB "
                       f"({len(doc.text)} characters), as `importwarden check` skips it")], None
    changed = _sync_index(session, doc)
    findings = session.findings(doc)
    root = session.project.settings.root if session.project else None
    return findings_to_diagnostics(findings, session.positions(doc), root), changed


async def diagnose(ls: "ImportwardenServer", doc: "Document") -> list[types.Diagnostic]:
    """``compute`` off the event loop; then the importers of a changed module are queued."""
    # (behind any request waiting for the analysis thread: completion and hover first)
    items, changed = await ls.session.analysis.run_background(compute, ls, doc)
    if changed:
        module, names = changed
        controller.module_changed(ls.session, doc.uri, module, names)
    return items


def _sync_index(session: "Session", doc: "Document"
                ) -> tuple[str, frozenset[str] | None] | None:
    """Bring the index up to this document's text once per version (runs coalesce, so a
    burst of keystrokes re-reads it once or twice). Returns what ``document_changed``
    does."""
    cache = session.cached(doc)
    if not doc.is_open or cache.indexed:
        return None
    first = session.first_sync(doc.uri)
    changed = controller.document_changed(session, doc.path, doc.text, first=first)
    cache.indexed = session.index_ready
    return changed


# --- push -----------------------------------------------------------------------------------

async def publish(ls: "ImportwardenServer", uri: str) -> None:
    session = ls.session
    doc = session.document(uri)
    if doc is None or not doc.is_open:
        return
    if not session.index_ready and not controller.is_registry(session, doc.path):
        return  # published when the index is ready (``stale``)
    items = await diagnose(ls, doc)
    current = session.document(uri)
    if current is None or current.version != doc.version:
        return  # stale: a newer version is already scheduled
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, diagnostics=items, version=doc.version))


def clear(ls: "ImportwardenServer", uri: str) -> None:
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def schedule(ls: "ImportwardenServer", uri: str) -> None:
    session = ls.session
    if session.support.pull_diagnostics:
        return
    session.schedule(uri, lambda u: publish(ls, u))


def stale(ls: "ImportwardenServer", uris: list[str] | None) -> None:
    """The controller's report: these open documents (None: every one) need new diagnostics;
    their cached findings are already dropped."""
    session = ls.session
    if session.support.pull_diagnostics:
        # A client that pulls but cannot be told to pull again (diagnosticMode "pull" forced
        # on it) gets no refresh request it would not understand; it re-pulls on its own.
        if session.support.diagnostic_refresh:
            _request_refresh(ls)
        return
    for uri in session.open_uris() if uris is None else uris:
        schedule(ls, uri)


def _request_refresh(ls: "ImportwardenServer") -> None:
    try:
        ls.workspace_diagnostic_refresh(None)
    except Exception as exc:
        ls.session.log(f"importwarden: workspace/diagnostic/refresh failed: {exc}")


# --- document events ------------------------------------------------------------------------

def did_open(ls: "ImportwardenServer", params: types.DidOpenTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri)


def did_change(ls: "ImportwardenServer", params: types.DidChangeTextDocumentParams) -> None:
    session = ls.session
    uri = params.text_document.uri
    doc = session.document(uri)
    if doc is not None and controller.is_registry(session, doc.path):
        controller.registry_edited(session, doc)
        return
    schedule(ls, uri)


def did_save(ls: "ImportwardenServer", params: types.DidSaveTextDocumentParams) -> None:
    session = ls.session
    doc = session.document(params.text_document.uri)
    if doc is not None and controller.is_registry(session, doc.path):
        controller.registry_saved(session, doc)


def did_close(ls: "ImportwardenServer", params: types.DidCloseTextDocumentParams) -> None:
    # Not a coroutine: pygls runs a coroutine handler as a task, after a didOpen read with
    # this message, and it would then cancel and clear the reopened document's diagnostics.
    session = ls.session
    uri = params.text_document.uri
    session.forget(uri)
    if not session.support.pull_diagnostics:
        clear(ls, uri)
    path = Path(to_fs_path(uri) or uri)
    if controller.is_registry(session, path):
        controller.registry_closed(session, path)
    elif path.suffix in (".py", ".pyi"):
        # The file on disk is the truth again (or it is gone). Keyed apart from the
        # document's own jobs, so a reopen does not cancel it.
        session.schedule(f"{uri}#on-disk", lambda _: session.analysis.run(
            controller.file_on_disk_changed, session, path))


# --- pull -----------------------------------------------------------------------------------

async def pull_document(ls: "ImportwardenServer", params: types.DocumentDiagnosticParams
                        ) -> types.DocumentDiagnosticReport:
    session = ls.session
    uri = params.text_document.uri
    # The client asks when it likes (after each change, for VS Code); ``debounce`` spaces
    # the runs of one document as in push mode.
    wait = session.throttle_wait(uri)
    if wait > 0:
        await asyncio.sleep(wait)
    session.started(uri)
    doc = session.document(uri)
    if doc is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    if not session.index_ready and not controller.is_registry(session, doc.path):
        # Not yet: an empty report now, a workspace/diagnostic/refresh when the index is built.
        return types.RelatedFullDocumentDiagnosticReport(items=[], result_id="indexing")
    result_id = session.result_id(doc)
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=await diagnose(ls, doc),
                                                     result_id=result_id)


async def pull_workspace(ls: "ImportwardenServer", params: types.WorkspaceDiagnosticParams
                   ) -> types.WorkspaceDiagnosticReport:
    """Open documents and the registry files (their problems show even when closed)."""
    session = ls.session
    previous = {p.uri: p.value for p in params.previous_result_ids or []}
    uris = list(dict.fromkeys([*session.open_uris(), *controller.registry_uris(session)]))
    reports: list = []
    for uri in uris:
        doc = session.document(uri)
        if doc is None:
            continue
        if not session.index_ready and not controller.is_registry(session, doc.path):
            continue
        result_id = session.result_id(doc)
        if previous.get(uri) == result_id:
            reports.append(types.WorkspaceUnchangedDocumentDiagnosticReport(
                uri=uri, result_id=result_id, version=doc.version))
        else:
            reports.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, items=await diagnose(ls, doc), result_id=result_id,
                version=doc.version))
    return types.WorkspaceDiagnosticReport(items=reports)
