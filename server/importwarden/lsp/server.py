"""The importwarden language server: feature registrations only.

Each feature is a small function in its own module that converts between lsprotocol and the
engine (``diagnostics``, ``actions``, ``completion``, ``hover``); the features do not import
each other. The project and every change to it (settings, registry, file events) belong to
``controller``, which reports the documents that need new diagnostics through one callback,
installed here. A handler that fails answers with an error (requests) or is
logged (notifications), via ``window/logMessage``; the server keeps running.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCRequest
from pygls.protocol.language_server import lsp_method

from importwarden import __version__
from importwarden.lsp import actions, completion, controller, diagnostics, hover, transport
from importwarden.lsp.convert import RawJson
from importwarden.lsp.document import LspWorkspace
from importwarden.lsp.session import Session

log = logging.getLogger(__name__)


class _RawMessage(str):
    """A whole JSON-RPC message, serialised already."""

    __slots__ = ()


class ImportwardenProtocol(LanguageServerProtocol):
    """pygls' protocol, with LSP's line counting for documents (``document.py``) and answers
    for what pygls drops: bad input (``transport.py``) and requests after ``shutdown``."""

    @property
    def _workspace(self) -> LspWorkspace | None:
        return self.__workspace

    @_workspace.setter
    def _workspace(self, workspace) -> None:
        # pygls builds a plain Workspace at `initialize`, before any document is opened.
        if workspace is not None and not isinstance(workspace, LspWorkspace):
            workspace = LspWorkspace.like(workspace)
        self.__workspace = workspace

    def structure_message(self, data: dict):
        """A request pygls cannot read (invalid params) still gets an error response, so the
        client is not left waiting; pygls then logs it as usual."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            raise

    def handle_message(self, message) -> None:
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            # pygls ignores it; the client would wait for an answer forever.
            self._send_response(message.id, error=JsonRpcInvalidRequest(
                f"the server is shut down: {message.method} refused").to_response_error())
            return
        super().handle_message(message)

    def receive(self, item: Any) -> int | None:
        """One item from the stdin reader (``transport.StdinThread``), on the loop thread.
        Returns the process's exit code once it must end, else None."""
        if item is None:
            log.info("stdin closed")
            return 0 if self._shutdown else 1
        if isinstance(item, transport.Unreadable):
            if item.fatal:
                log.error("importwarden: %s; exiting", item.reason)
                return 1
            self._server.report_input_error(f"skipped bad input: {item.reason}")
            return None
        if isinstance(item, transport.Invalid):
            # A plain dict: pygls' converter would drop an id of null, which JSON-RPC requires.
            self._send_data({"jsonrpc": "2.0", "id": item.id,
                             "error": {"code": item.code, "message": item.reason}})
            self._server.report_input_error(item.reason)
            return None
        data = item.data
        if data.get("method") == types.EXIT:
            return 0 if self._shutdown else 1
        try:
            self.handle_message(self.structure_message(data))
        except Exception as exc:  # pygls has logged it (and answered a request it could read)
            self._server.report_input_error(f"{data.get('method', 'a message')}: {exc}")
        return None

    def _send_response(self, msg_id, result=None, error=None) -> None:
        if error is None and isinstance(result, RawJson):
            # (serialised on the analysis thread: framed here as pygls frames a response)
            self._result_types.pop(msg_id, None)
            self._send_data(_RawMessage(
                f'{{"id": {json.dumps(msg_id)}, "result": {result}, "jsonrpc": "2.0"}}'))
            return
        super()._send_response(msg_id, result, error)

    def _send_data(self, data: Any) -> None:
        # Engine work runs on the analysis thread (worker.py) and may log or notify: every
        # write to the client happens on the loop thread, one message after the other.
        loop = self._loop
        if loop is not None and threading.get_ident() != self._loop_thread:
            loop.call_soon_threadsafe(self._send_data, data)
            return
        if isinstance(data, _RawMessage):
            if self.writer is None:
                return
            body = data.encode(self.CHARSET)
            if self._include_headers:
                body = (b"Content-Length: %d\r\nContent-Type: %s; charset=%s\r\n\r\n"
                        % (len(body), self.CONTENT_TYPE.encode(), self.CHARSET.encode()) + body)
            self.writer.write(body)
            return
        super()._send_data(data)

    _loop: asyncio.AbstractEventLoop | None = None
    _loop_thread: int | None = None

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
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

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio until ``exit`` (or the end of stdin), then end the process: code 0
        after ``shutdown``, 1 otherwise (or when the input cannot be followed)."""
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            code = asyncio.run(self._serve(stdin or sys.stdin.buffer))
        except BrokenPipeError:
            log.error("importwarden: the client closed the connection")
            code = 1
        # Without waiting for threads still analysing or indexing: exit is always honoured.
        transport.end_process(code)

    async def _serve(self, stdin: BinaryIO) -> int:
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[int] = loop.create_future()

        def deliver(item: Any) -> None:
            if finished.done():
                return
            code = self.protocol.receive(item)
            if code is not None:
                finished.set_result(code)

        transport.StdinThread(stdin, loop, deliver).start()
        return await finished

    def report_input_error(self, message: str) -> None:
        """Input that was skipped or answered with an error: stderr and window/logMessage."""
        self._log_error(f"importwarden: {message}")

    def report_server_error(self, error: Exception, source: Any) -> None:
        self._log_error(
            f"importwarden: internal error ({getattr(source, '__name__', source)}): {error}")

    def _log_error(self, message: str) -> None:
        # Log, never pop up: a failing request already answers with an error.
        log.error(message)
        try:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                           message=message))
        except Exception:
            pass


# --- lifecycle ------------------------------------------------------------------------------

def initialize(ls: ImportwardenServer, params: types.InitializeParams) -> None:
    ls.session.configure_client(params)
    # The project loads once the answer is written (pygls writes it when this returns).
    asyncio.get_running_loop().call_soon(controller.begin_loading, ls.session)


async def initialized(ls: ImportwardenServer, params: types.InitializedParams) -> None:
    task = asyncio.ensure_future(controller.start(ls))
    ls.background.add(task)
    task.add_done_callback(ls.background.discard)


def shutdown(ls: ImportwardenServer, params: Any) -> None:
    ls.session.cancel_all()
    for task in ls.background:
        task.cancel()


def create_server() -> ImportwardenServer:
    server = ImportwardenServer()
    server.session.on_stale = lambda uris: diagnostics.stale(server, uris)
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
    server.command(controller.RELOAD_COMMAND)(controller.reload_registry_command)

    feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(
        trigger_characters=completion.TRIGGER_CHARACTERS))(completion.completion)
    feature(types.TEXT_DOCUMENT_HOVER)(hover.hover)

    feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(controller.did_change_configuration)
    feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(controller.did_change_watched_files)
    return server
