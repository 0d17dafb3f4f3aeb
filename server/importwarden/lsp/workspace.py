"""The project behind the server: loading it, building the workspace index in the background
(with ``$/progress``), and keeping it current (``workspace/didChangeWatchedFiles``, registered
dynamically when the client allows, plus open-document edits).

Until the index is built, diagnostics wait (a half-known workspace would report imports that
work as broken); completion and hover answer from the registry alone.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import to_fs_path

from importwarden.lsp import registry_files
from importwarden.lsp.settings import build_settings, fetch_configuration, log_warnings
from importwarden.lsp.worker import settle
from importwarden.workspace.contract import PendingIndex

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Session

log = logging.getLogger(__name__)
_tokens = itertools.count(1)

WATCH_GLOBS = ("**/*.py", "**/*.pyi", "**/pyproject.toml", "**/importwarden.toml",
               "**/*IMPORT_REGISTRY*.md", "**/.gitignore")


# --- loading --------------------------------------------------------------------------------

def load_project(session: "Session") -> None:
    """Settings + registry now (fast); the index comes later from ``build_index``."""
    from importwarden.project.engine import Project
    from importwarden.errors import ImportwardenError
    from importwarden.registry.model import Registry

    settings, warnings = build_settings(session)
    log_warnings(session, warnings)
    try:
        project = Project.from_settings(settings, index=PendingIndex())
    except ImportwardenError as exc:
        session.log(f"importwarden: {exc}", types.MessageType.Warning)
        project = Project(settings, Registry(), PendingIndex(), [str(exc)], [])
    except Exception as exc:  # a loader bug must not keep the server from starting
        log.exception("loading the registry failed")
        session.log(f"importwarden: loading the registry failed: {type(exc).__name__}: {exc}",
                    types.MessageType.Error)
        project = Project(settings, Registry(), PendingIndex(), [str(exc)], [])
    for error in project.registry_errors:
        session.log(f"importwarden: {error}", types.MessageType.Error)
    session.project = project
    session.index_ready = False
    registry_files.relint(session)


async def start(ls: "ImportwardenServer") -> None:
    """After ``initialized``: settings from the client, then the index in the background."""
    session = ls.session
    if await fetch_configuration(ls, session):
        reconfigure(session)
    await register_watchers(ls)
    await build_index(ls)


def reconfigure(session: "Session") -> None:
    """New editor settings before the index exists: reload the registry only if they name
    other registry files."""
    settings, warnings = build_settings(session)
    project = session.project
    if project is None or settings.registry != project.settings.registry:
        load_project(session)
        return
    log_warnings(session, warnings)
    project.update_settings(settings)


async def apply_settings(ls: "ImportwardenServer") -> None:
    """Settings changed: reload what depends on them and re-check every open document."""
    session = ls.session
    old = session.project.settings if session.project else None
    settings, warnings = build_settings(session)
    log_warnings(session, warnings)
    if session.project is None or old is None:
        load_project(session)
        await build_index(ls)
        return
    index_inputs = lambda s: (s.roots, s.exclude, s.root)  # noqa: E731
    if settings.registry != old.registry:
        load_project(session)
        await build_index(ls)
        return
    session.project.update_settings(settings)
    if index_inputs(settings) != index_inputs(old):
        await build_index(ls)
        return
    _refresh(ls)


# --- the index ------------------------------------------------------------------------------

async def build_index(ls: "ImportwardenServer") -> None:
    """Build the workspace index on a daemon thread, reporting ``$/progress``; then install
    it and re-check every open document."""
    session = ls.session
    project = session.project
    if project is None:
        return
    session.index_ready = False
    token: str | None = None
    if session.support.work_done_progress:
        token = f"importwarden/index/{next(_tokens)}"
        try:
            await asyncio.wait_for(asyncio.shield(ls.work_done_progress.create_async(token)),
                                   session.configuration_timeout)
        except (Exception, asyncio.TimeoutError) as exc:  # refused or no answer: no progress
            log.info("work done progress not available: %r", exc)
            token = None
    if token is not None:
        ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title="importwarden", message="indexing the workspace", percentage=0,
            cancellable=False))
    loop = asyncio.get_running_loop()
    result: asyncio.Future = loop.create_future()

    def report(done: int, total: int) -> None:
        if token is None or total <= 0:
            return
        pct = min(99, int(done * 100 / total))
        loop.call_soon_threadsafe(ls.work_done_progress.report, token,
                                  types.WorkDoneProgressReport(
                                      message=f"{done}/{total} files", percentage=pct))

    settings = project.settings

    def work() -> None:
        try:
            index = _build(settings, report)
            _warm_up(index)
        except BaseException as exc:  # handed to the loop, which logs it
            loop.call_soon_threadsafe(settle, result, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, index, None)

    # A daemon thread: a server asked to exit mid-build must not wait for it.
    threading.Thread(target=work, name="importwarden-index", daemon=True).start()
    try:
        index = await result
    except Exception as exc:
        session.log(f"importwarden: building the workspace index failed: {exc}",
                    types.MessageType.Error)
        index = None
    if token is not None:
        modules = _count_modules(index)
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(
            message=f"{modules} modules indexed" if index is not None else "indexing failed"))
    if session.project is not project or index is None:
        return  # settings changed while we were building: a newer build is on its way
    await session.analysis.run(install_index, session, index)
    _refresh(ls)


def _refresh(ls: "ImportwardenServer") -> None:
    from importwarden.lsp.diagnostics import refresh_all

    refresh_all(ls)


def _build(settings, report):
    from importwarden.workspace.index import WorkspaceIndex

    build = WorkspaceIndex.build
    try:
        accepts = {p for p in inspect.signature(build).parameters}
    except (TypeError, ValueError):
        accepts = set()
    if "progress" in accepts:
        return build(settings, progress=report)
    return build(settings)


def _warm_up(index: Any) -> None:
    """Pay the one-time costs off the critical path, while still on the indexing thread: the
    index's derived tables (first query) and the fix engine's imports (libcst, ~0.5 s), so
    the first document opened gets its diagnostics at the steady-state speed."""
    try:
        index.resolves("importwarden_warm_up")
        import importwarden.fixes  # noqa: F401
    except Exception as exc:
        log.info("warm-up failed: %s", exc)


def _count_modules(index: Any) -> int:
    try:
        return sum(1 for _ in index.modules())
    except Exception:
        return 0


def install_index(session: "Session", index: Any) -> None:
    """Swap the built index in; replay the open documents' unsaved text into it."""
    project = session.project
    assert project is not None
    project.index = index
    project.update_settings(project.settings)  # drops the rules' cached context
    for uri in session.open_uris():
        doc = session.document(uri)
        if doc is not None and doc.path.suffix in (".py", ".pyi"):
            _update_index(session, doc.path, doc.text)
    session.index_ready = True
    registry_files.relint(session)


def _update_index(session: "Session", path: Path, source: str | None) -> None:
    project = session.project
    if project is None:
        return
    try:
        project.update_file(path, source)
    except Exception as exc:
        log.warning("index update failed for %s: %s", path, exc)


def document_changed(session: "Session", path: Path, text: str, first: bool = False) -> str | None:
    """An open Python document's text changed: only that file is re-read into the index.
    Returns its module when what the module binds changed (other documents importing from it
    may have new or fewer findings), else None. ``first``: just opened, and if the text is
    what the index read from disk, there is nothing to do."""
    if not session.index_ready or path.suffix not in (".py", ".pyi"):
        return None
    project = session.project
    assert project is not None
    if first and _same_as_disk(project, path, text):
        return None
    before = _binds(project, path)
    _update_index(session, path, text)
    if _binds(project, path) == before:
        return None
    module, _ = project.module_for(path)
    return module


def _same_as_disk(project, path: Path, text: str) -> bool:
    try:
        if project.index.file_imports(path) is None:
            return False
        from importwarden.textio import read_source

        return read_source(path).text == text
    except (OSError, ValueError, AttributeError):
        return False


def _binds(project, path: Path):
    try:
        module, _ = project.module_for(path)
        return project.index.module_binds(module) if module else None
    except Exception:
        return None


# --- watched files --------------------------------------------------------------------------

async def register_watchers(ls: "ImportwardenServer") -> None:
    session = ls.session
    if not session.support.watched_files_dynamic:
        return
    watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCH_GLOBS]
    for path in session.project.registry_paths if session.project else ():
        watchers.append(types.FileSystemWatcher(glob_pattern=str(path)))
    params = types.RegistrationParams(registrations=[types.Registration(
        id="importwarden-watched-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )])
    try:
        await asyncio.wait_for(asyncio.shield(ls.client_register_capability_async(params)),
                               session.configuration_timeout)
    except Exception as exc:
        session.log(f"importwarden: could not register file watchers ({exc or 'timeout'}); "
                    "files changed outside the editor are noticed when opened",
                    types.MessageType.Warning)


def _is_config(session: "Session", path: Path) -> bool:
    if path.name not in ("pyproject.toml", "importwarden.toml", ".gitignore"):
        return False
    project = session.project
    config = project.settings.config_file if project else None
    return path.parent == session.root or (config is not None and path == config)


async def did_change_watched_files(ls: "ImportwardenServer",
                                   params: types.DidChangeWatchedFilesParams) -> None:
    session = ls.session
    if session.project is None:
        return
    open_paths = {Path(to_fs_path(u) or u) for u in session.open_uris()}
    registry_changed = settings_changed = False
    python_changed = False
    for event in params.changes:
        path = Path(to_fs_path(event.uri) or event.uri)
        if registry_files.is_registry(session, path):
            # An open registry is reloaded from its buffer (didChange/didSave) instead.
            if path not in open_paths or event.type != types.FileChangeType.Changed:
                registry_changed = True
        elif _is_config(session, path):
            settings_changed = True
        elif path.suffix in (".py", ".pyi") and path not in open_paths and session.index_ready:
            python_changed = True
            await session.analysis.run(file_on_disk_changed, session, path)
    if settings_changed:
        await apply_settings(ls)
        return
    if registry_changed:
        registry_files.reload(ls)
        return
    if python_changed:
        _refresh(ls)


def _read_text(path: Path) -> str | None:
    from importwarden.textio import read_source

    try:
        return read_source(path).text
    except (OSError, ValueError):
        return None  # unreadable or not text: as good as gone


def file_on_disk_changed(session: "Session", path: Path) -> None:
    """A Python file nobody has open changed, appeared or went away on disk."""
    if not session.index_ready or session.project is None:
        return
    refresh = getattr(session.project.index, "refresh_file", None)
    if refresh is None:
        _update_index(session, path, _read_text(path) if path.exists() else None)
        return
    try:
        refresh(path)  # reads the file itself (size limits, decoding) or drops it when gone
    except Exception as exc:
        log.warning("index refresh failed for %s: %s", path, exc)
