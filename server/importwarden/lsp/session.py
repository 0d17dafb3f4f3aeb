"""The server's state: the project, what the client can do, and per-document caches.

One ``Session`` per server. Everything runs on the event loop thread except the background
index build (``workspace.py``), which hands its result back to the loop. Per-document results
(extracted imports, findings, position tables) are cached by document version and by the
session's ``generation``, which goes up whenever something all documents depend on changes
(registry, settings, index).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from importwarden.analysis.findings import Finding
from importwarden.analysis.imports import ImportRef
from importwarden.lsp.convert import DocumentPositions, encoding_name
from importwarden.lsp.settings import (DEFAULT_CONFIGURATION_TIMEOUT, DEFAULT_DEBOUNCE,
                                       server_options)
from importwarden.lsp.worker import AnalysisThread
from importwarden.textio import MAX_FILE_BYTES

if TYPE_CHECKING:
    from importwarden.analysis.usages import Usages
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.project.engine import Project
    from importwarden.registry.model import Entry, MockEntry, Problem, Registry

log = logging.getLogger(__name__)


def path_key(path: Path | str) -> Path:
    """How registry files are told apart: by their resolved path."""
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path)


@dataclass
class RegistryState:
    """What the server knows about the registry files beyond the loaded registry."""

    problems: list["Problem"] = field(default_factory=list)  # load + lint problems
    overlays: dict[Path, str] = field(default_factory=dict)  # path -> unsaved editor text
    rejected: dict[Path, list["Problem"]] = field(default_factory=dict)  # a bad edit's problems
    # entries by (registry file, 1-based line), for the registry they were built from
    lines_of: "Registry | None" = None
    by_line: dict[tuple[Path, int], list["Entry | MockEntry"]] = field(default_factory=dict)
    # usage counts, for the workspace state they were counted in
    usages_key: tuple | None = None
    usages: "Usages | None" = None

    def problems_for(self, path: Path) -> list["Problem"]:
        key = path_key(path)
        out = [p for p in self.problems if path_key(p.file) == key]
        out.extend(self.rejected.get(key, ()))
        return out


@dataclass
class Document:
    """A document's text at one version, as the server sees it."""

    uri: str
    path: Path
    text: str
    version: int | None
    is_open: bool


@dataclass
class _Cache:
    version: int | None = None
    text: str | None = None
    generation: int = -1
    refs: tuple[ImportRef, ...] | None = None
    findings: list[Finding] | None = None
    positions: DocumentPositions | None = None
    indexed: bool = False  # this version's text is in the workspace index


@dataclass
class ClientSupport:
    """What the client said it can do, read once at ``initialize``."""

    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    document_changes: bool = False
    show_document: bool = False
    work_done_progress: bool = False
    configuration: bool = False
    watched_files_dynamic: bool = False
    markdown_hover: bool = True
    markdown_completion: bool = True
    completion_tags: bool = False
    completion_deprecated: bool = False
    action_resolve_edit: bool = False

    @classmethod
    def of(cls, caps: types.ClientCapabilities, mode: str = "auto") -> "ClientSupport":
        def has(path: str, default: Any = None) -> Any:
            return get_capability(caps, path, default)

        pull = has("text_document.diagnostic") is not None
        refresh = bool(has("workspace.diagnostics.refresh_support", False))
        if mode == "push":
            pull = False
        elif mode == "auto":
            # Pull only when the client can also be told to pull again: the registry and the
            # workspace change diagnostics of documents nobody is typing in.
            pull = pull and refresh
        hover_formats = has("text_document.hover.content_format", None) or []
        doc_formats = has("text_document.completion.completion_item.documentation_format",
                          None) or []
        tag_set = has("text_document.completion.completion_item.tag_support.value_set", None) or []
        resolve = has("text_document.code_action.resolve_support.properties", None) or []
        return cls(
            pull_diagnostics=pull,
            diagnostic_refresh=refresh,
            document_changes=bool(has("workspace.workspace_edit.document_changes", False)),
            show_document=bool(has("window.show_document.support", False)),
            work_done_progress=bool(has("window.work_done_progress", False)),
            configuration=bool(has("workspace.configuration", False)),
            watched_files_dynamic=bool(
                has("workspace.did_change_watched_files.dynamic_registration", False)),
            markdown_hover=not hover_formats or types.MarkupKind.Markdown in hover_formats,
            markdown_completion=types.MarkupKind.Markdown in doc_formats,
            completion_tags=types.CompletionItemTag.Deprecated in tag_set,
            completion_deprecated=bool(
                has("text_document.completion.completion_item.deprecated_support", False)),
            action_resolve_edit="edit" in resolve,
        )


@dataclass
class Session:
    server: "ImportwardenServer"
    root: Path | None = None
    project: "Project | None" = None
    index_ready: bool = False
    generation: int = 0
    support: ClientSupport = field(default_factory=ClientSupport)
    encoding: str = "utf-16"
    debounce: float = DEFAULT_DEBOUNCE
    configuration_timeout: float = DEFAULT_CONFIGURATION_TIMEOUT
    init_options: dict = field(default_factory=dict)
    editor_settings: dict = field(default_factory=dict)
    registry: RegistryState = field(default_factory=RegistryState)
    # The controller's one report: these open documents (None: every one) need new
    # diagnostics. The diagnostics feature installs it (server.py).
    on_stale: Callable[[list[str] | None], None] = lambda uris: None
    _caches: dict[str, _Cache] = field(default_factory=dict)
    _runs: dict[str, "_Run"] = field(default_factory=dict)  # key -> coalescing state
    _last_start: dict[str, float] = field(default_factory=dict)  # key -> when a run started
    _synced: set[str] = field(default_factory=set)
    _stamps: dict[str, int] = field(default_factory=dict)  # uri -> times invalidated
    analysis: AnalysisThread = field(default_factory=AnalysisThread)
    # The project loading since ``initialize`` (``controller.begin_loading``), until it is in use
    loading: "asyncio.Future[None] | None" = None

    # --- initialize ------------------------------------------------------------------------

    def configure_client(self, params: types.InitializeParams) -> None:
        options = params.initialization_options
        self.init_options = dict(options) if isinstance(options, dict) else {}
        server_opts = server_options(self.init_options)
        self.debounce = server_opts.debounce
        self.configuration_timeout = server_opts.configuration_timeout
        self.support = ClientSupport.of(params.capabilities, server_opts.diagnostic_mode)
        self.encoding = encoding_name(self.server.workspace.position_encoding)
        self.root = _root_of(params)

    # --- logging ---------------------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        # The client shows window/logMessage; editors also show our stderr, so the same line
        # goes there only when the client cannot be told (or at --log-level debug).
        try:
            self.server.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no connection (tests calling us directly, or shutting down)
            log.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, message)
        else:
            log.debug(message)

    # --- documents -------------------------------------------------------------------------

    def document(self, uri: str) -> Document | None:
        """The open document, else the file on disk; None when neither can be read as text."""
        docs = self.server.workspace.text_documents
        from urllib.parse import unquote

        doc = docs.get(unquote(uri))
        path = Path(to_fs_path(uri) or uri)
        if doc is not None:
            return Document(uri, path, doc.source, doc.version, True)
        try:
            from importwarden.textio import read_source

            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return Document(uri, path, read_source(path).text, None, False)
        except (OSError, ValueError):
            return None

    def open_uris(self) -> list[str]:
        # list() copies in one step: the analysis thread may call this while the loop opens
        # or closes a document.
        return [doc.uri for doc in list(self.server.workspace.text_documents.values())]

    def _cache(self, doc: Document) -> _Cache:
        cache = self._caches.get(doc.uri)
        # `!=` on str is an identity check first, so an unchanged document costs nothing.
        if cache is None or cache.version != doc.version or cache.text != doc.text:
            cache = _Cache(version=doc.version, text=doc.text)
            self._caches[doc.uri] = cache
        return cache

    def first_sync(self, uri: str) -> bool:
        """True the first time a just-opened document is synced into the index."""
        if uri in self._synced:
            return False
        self._synced.add(uri)
        return True

    def forget(self, uri: str) -> None:
        self._caches.pop(uri, None)
        self._synced.discard(uri)
        self.cancel_pending(uri)

    def positions(self, doc: Document) -> DocumentPositions:
        cache = self._cache(doc)
        if cache.positions is None:
            cache.positions = DocumentPositions(doc.text, self.encoding)
        return cache.positions

    def _indexed_refs(self, doc: Document, cache: _Cache) -> tuple[ImportRef, ...] | None:
        """The refs the workspace index extracted from exactly this text (it scans each file
        it indexes once; no need to scan it again), else None."""
        if not (cache.indexed and self.index_ready and self.project is not None):
            return None
        try:
            imports = self.project.index.file_imports(doc.path)
        except Exception:
            return None
        return tuple(imports.refs) if imports is not None else None

    def refs(self, doc: Document) -> tuple[ImportRef, ...]:
        cache = self._cache(doc)
        if cache.refs is None:
            if self.project is None:
                return ()
            cache.refs = self._indexed_refs(doc, cache)
            if cache.refs is None:
                cache.refs = tuple(self.project.extract(doc.path, doc.text).refs)
        return cache.refs

    @staticmethod
    def too_big(doc: Document) -> bool:
        """Larger than ``check`` reads: not analysed (one notice instead, see diagnostics)."""
        return len(doc.text) > MAX_FILE_BYTES

    def findings(self, doc: Document) -> list[Finding]:
        """The findings for this version of the document: what ``check`` reports (the same
        engine calls as ``Project.check_source``, with the refs the index already has).
        Fixes are not planned here, only when a code action asks (``Project.plan_fix``)."""
        cache = self._cache(doc)
        if cache.findings is None or cache.generation != self.generation:
            project = self.project
            if project is None or not self.index_ready or self.too_big(doc):
                return []
            # Read before the work: a change that lands meanwhile makes this result stale.
            generation = self.generation
            refs = self._indexed_refs(doc, cache)
            if refs is not None:
                cache.refs = refs
            cache.findings = project.check_extracted(doc.path, doc.text, refs, with_edits=False)
            cache.generation = generation
        return cache.findings

    def invalidate(self, uri: str) -> None:
        """Forget a document's findings (something it depends on changed)."""
        self._stamps[uri] = self._stamps.get(uri, 0) + 1
        cache = self._caches.get(uri)
        if cache is not None:
            cache.findings = None

    def result_id(self, doc: Document) -> str:
        """Changes whenever this document's diagnostics may have: its version, its own
        invalidations, or something every document depends on (``generation``)."""
        return f"{self.generation}:{self._stamps.get(doc.uri, 0)}:{doc.version}"

    def cached(self, doc: Document) -> _Cache:
        return self._cache(doc)

    @property
    def index(self):
        """The workspace index once built (None while indexing: registry-only answers)."""
        return self.project.index if self.project is not None and self.index_ready else None

    # --- scheduling ------------------------------------------------------------------------

    def throttle_wait(self, key: str) -> float:
        """Seconds until a run for ``key`` may start: ``debounce`` after the last one started
        (0 with the default settings)."""
        last = self._last_start.get(key)
        if last is None or self.debounce <= 0:
            return 0.0
        return max(0.0, last + self.debounce - time.monotonic())

    def started(self, key: str) -> None:
        self._last_start[key] = time.monotonic()

    def schedule(self, key: str, job: Callable[[str], Any]) -> None:
        """Run ``job(key)`` (a function or a coroutine function) soon, coalescing: at once when
        nothing runs for ``key`` (leading edge; ``debounce`` after the previous start at the
        earliest); while a run is in progress or about to start, the requests made meanwhile
        become one more run after it (trailing), with ``job`` as last given. So a burst of N
        changes costs at most two runs in flight or waiting per key, never N, and the last
        run sees the latest text (jobs read the document when they start)."""
        run = self._runs.get(key)
        if run is None:
            run = self._runs[key] = _Run()
        run.job = job
        if run.running:
            run.again = True
            return
        if run.waiting is not None:
            return  # (it starts soon, and reads the latest state then)
        run.waiting = asyncio.get_running_loop().create_task(self._start(key, run))

    async def _start(self, key: str, run: "_Run") -> None:
        try:
            # Once round the loop at least: changes already read from the client coalesce
            # into this run instead of each starting one.
            await asyncio.sleep(self.throttle_wait(key))
        except asyncio.CancelledError:
            return
        run.waiting = None
        if self._runs.get(key) is not run:
            return  # forgotten meanwhile (closed, shut down)
        run.running, run.again = True, False
        self.started(key)
        try:
            result = run.job(key)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            return
        except Exception as exc:  # a failing job must not kill the server
            log.exception("background job failed for %s", key)
            self.log(f"importwarden: {type(exc).__name__}: {exc} ({key})",
                     types.MessageType.Error)
        finally:
            run.running = False
        if run.again and self._runs.get(key) is run:
            self.schedule(key, run.job)

    def cancel_pending(self, key: str) -> bool:
        """Drop a run of ``key`` that has not started (a running one finishes, without its
        trailing run)."""
        run = self._runs.pop(key, None)
        if run is None:
            return False
        if run.waiting is not None:
            run.waiting.cancel()
        return True

    def cancel_all(self) -> None:
        for key in list(self._runs):
            self.cancel_pending(key)


@dataclass
class _Run:
    """The coalescing state of one key's runs (``Session.schedule``)."""

    job: Callable[[str], Any] | None = None
    waiting: asyncio.Task | None = None  # created, not started yet
    running: bool = False
    again: bool = False  # asked again while running: one more run after this one


def _root_of(params: types.InitializeParams) -> Path | None:
    if params.workspace_folders:
        path = to_fs_path(params.workspace_folders[0].uri)
        if path:
            return Path(path)
    if params.root_uri:
        path = to_fs_path(params.root_uri)
        if path:
            return Path(path)
    if params.root_path:
        return Path(params.root_path)
    return None
