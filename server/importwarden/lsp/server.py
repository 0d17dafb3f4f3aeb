"""The importwarden language server: feature registrations only.

Each feature is a small function in its own module that converts between lsprotocol and the
engine (``diagnostics``, ``actions``, ``completion``, ``hover``, ``registry_files``,
``workspace``, ``settings``). A handler that fails answers with an error (requests) or is
logged (notifications), via ``window/logMessage``; the server keeps running.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from importwarden import __version__
from importwarden.lsp import actions, completion, diagnostics, hover, settings, status, workspace
from importwarden.lsp.session import Session

log = logging.getLogger(__name__)


class ImportwardenProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict):
        """A request pygls cannot read (invalid params) still gets an error response, so the
        client is not left waiting; pygls then logs it as usual."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            raise

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        result = yield from super().lsp_initialize(params)
        # pygls advertises every registered feature; pull diagnostics only when we use them,
        # or a client that supports both would show every diagnostic twice.
        if not self._server.session.support.pull_diagnostics:
            result.capabilities.diagnostic_provider = None
        return result


class ImportwardenServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("importwarden", __version__, protocol_cls=ImportwardenProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.session = Session(self)
        self.background: set[asyncio.Task] = set()

    def report_server_error(self, error: Exception, source: Any) -> None:
        # Log, never pop up: a failing request already answers with an error.
        message = f"importwarden: internal error ({getattr(source, '__name__', source)}): {error}"
        log.error(message)
        try:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                           message=message))
        except Exception:
            pass


# --- lifecycle ------------------------------------------------------------------------------

def initialize(ls: ImportwardenServer, params: types.InitializeParams) -> None:
    ls.session.configure_client(params)
    workspace.load_project(ls.session)


async def initialized(ls: ImportwardenServer, params: types.InitializedParams) -> None:
    task = asyncio.ensure_future(workspace.start(ls))
    ls.background.add(task)
    task.add_done_callback(ls.background.discard)


def shutdown(ls: ImportwardenServer, params: Any) -> None:
    ls.session.cancel_all()
    for task in ls.background:
        task.cancel()


def create_server() -> ImportwardenServer:
    server = ImportwardenServer()
    feature = server.feature
    feature(types.INITIALIZE)(initialize)
    feature(types.INITIALIZED)(initialized)
    feature(types.SHUTDOWN)(shutdown)

    feature(types.TEXT_DOCUMENT_DID_OPEN)(diagnostics.did_open)
    feature(types.TEXT_DOCUMENT_DID_CHANGE)(diagnostics.did_change)
    feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(
        diagnostics.did_save)
    feature(types.TEXT_DOCUMENT_DID_CLOSE)(diagnostics.did_close)
    feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier="importwarden", inter_file_dependencies=True, workspace_diagnostics=True))(
        diagnostics.pull_document)
    feature(types.WORKSPACE_DIAGNOSTIC)(diagnostics.pull_workspace)

    feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=actions.KINDS, resolve_provider=True))(actions.code_actions)
    feature(types.CODE_ACTION_RESOLVE)(actions.resolve)
    server.command(actions.OPEN_ENTRY_COMMAND)(actions.open_registry_entry)
    server.command(status.RELOAD_COMMAND)(status.reload_registry)

    feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(
        trigger_characters=completion.TRIGGER_CHARACTERS))(completion.completion)
    feature(types.TEXT_DOCUMENT_HOVER)(hover.hover)

    feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(settings.did_change_configuration)
    feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(workspace.did_change_watched_files)
    return server
