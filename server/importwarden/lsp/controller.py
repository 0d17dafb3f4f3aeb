"""The controller: the one owner of the project behind the server and of every change to it.

It loads the project (settings, registry), builds the workspace index in the background (with
``$/progress``) and keeps both current: editor settings (``workspace/didChangeConfiguration``),
registry edits, saves and reloads, files changed on disk (``workspace/didChangeWatchedFiles``,
registered dynamically when the client allows) and open-document edits. Whatever it changes,
it reports through one callback, ``session.on_stale(uris)``: these open documents (``None``:
every one) need new diagnostics. The feature modules read the project; only this module
changes it.

Until the index is built, diagnostics wait (a half-known workspace would report imports that
work as broken); completion and hover answer from the registry alone.

Editing a registry reloads it from the unsaved text (coalesced, as diagnostics are). A registry that stops parsing
mid-edit (invalid TOML) does not take the others down: the last good registry stays in force
and the new problems are shown in the file being edited.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from lsprotocol import types
from pygls.uris import to_fs_path

from importwarden.errors import ImportwardenError
from importwarden.lsp import status
from importwarden.lsp.session import path_key
from importwarden.lsp.settings import SECTION, build_settings, fetch_configuration, log_warnings
from importwarden.lsp.worker import settle
from importwarden.workspace.contract import PendingIndex

if TYPE_CHECKING:
    from importwarden.analysis.usages import Usages
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Document, Session
    from importwarden.registry.model import Entry, MockEntry, Problem

log = logging.getLogger(__name__)
_tokens = itertools.count(1)

RELOAD_KEY = "importwarden/registry-reload"
RELOAD_COMMAND = "importwarden.reloadRegistry"
# Problems that mean "this file could not be read as a registry at all".
FATAL_CODES = frozenset({"IWR009", "IWR010"})

WATCH_GLOBS = ("**/*.py", "**/*.pyi", "**/pyproject.toml", "**/importwarden.toml",
               "**/*IMPORT_REGISTRY*.md", "**/.gitignore")


# --- loading --------------------------------------------------------------------------------

def load_project(session: "Session") -> None:
    """Settings + registry now (fast); the index comes later from ``build_index``."""
    settings, warnings = build_settings(session)
    _use_project(session, warnings, *_load(settings))


def begin_loading(session: Session) -> None:
    """``load_project`` for ``initialize``, which is answered without waiting for it: loading
    the registry is ~150 ms (most of it importing the registry loader and ``ftfy``). It runs
    as the analysis thread's first job, so the requests that read the project there
    (completion, hover, code actions) come after it; ``start`` waits for it."""
    settings, warnings = build_settings(session)
    future = session.analysis.run(_load_and_use, session, settings, warnings)
    session.loading = future

    def done(_future: asyncio.Future) -> None:
        if session.loading is future:
            session.loading = None

    future.add_done_callback(done)


def _load_and_use(session: Session, settings: Any, warnings: list[str]) -> None:
    if session.project is None:
        _use_project(session, warnings, *_load(settings))


async def _loaded(session: Session) -> None:
    """Wait for the load begun at ``initialize``, if it is still running; load here if it
    failed."""
    loading = session.loading
    if loading is None:
        return
    try:
        await asyncio.shield(loading)
    except Exception:
        log.exception("loading the project failed")
    if session.project is None:
        load_project(session)


def _load(settings) -> tuple[Any, list[tuple[str, types.MessageType]]]:
    """(the project for ``settings``, with its index pending; what to log about it)."""
    from importwarden.project.engine import Project
    from importwarden.registry.model import Registry

    messages: list[tuple[str, types.MessageType]] = []
    try:
        project = Project.from_settings(settings, index=PendingIndex())
    except ImportwardenError as exc:
        messages.append((f"importwarden: {exc}", types.MessageType.Warning))
        project = Project(settings, Registry(), PendingIndex(), [str(exc)], [])
    except Exception as exc:  # a loader bug must not keep the server from starting
        log.exception("loading the registry failed")
        message = f"importwarden: loading the registry failed: {type(exc).__name__}: {exc}"
        messages.append((message, types.MessageType.Error))
        project = Project(settings, Registry(), PendingIndex(), [str(exc)], [])
    for error in project.registry_errors:
        messages.append((f"importwarden: {error}", types.MessageType.Error))
    return project, messages


def _use_project(session: Session, warnings: list[str], project: Any,
                 messages: list[tuple[str, types.MessageType]]) -> None:
    log_warnings(session, warnings)
    for message, kind in messages:
        session.log(message, kind)
    session.project = project
    session.index_ready = False
    relint(session)


async def start(ls: "ImportwardenServer") -> None:
    """After ``initialized``: the project (loading since ``initialize``), settings from the
    client, then the index in the background."""
    session = ls.session
    await _loaded(session)
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
    await _loaded(session)
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
    _everything_changed(session)


async def did_change_configuration(ls: "ImportwardenServer",
                                   params: types.DidChangeConfigurationParams) -> None:
    session = ls.session
    pushed = params.settings
    if isinstance(pushed, Mapping) and SECTION in pushed:
        section = pushed[SECTION]
        session.editor_settings = dict(section) if isinstance(section, Mapping) else {}
    elif session.support.configuration:
        # Pull-style clients send null (or everything) and expect us to ask.
        await fetch_configuration(ls, session)
    elif isinstance(pushed, Mapping):
        session.editor_settings = dict(pushed)
    await apply_settings(ls)


# --- what needs new diagnostics -------------------------------------------------------------

def _everything_changed(session: "Session") -> None:
    """Something every document depends on changed (registry, settings, index)."""
    session.generation += 1
    session.on_stale(None)


def module_changed(session: "Session", uri: str, module: str,
                   names: frozenset[str] | None = None) -> None:
    """``module``'s bindings changed (an edit of ``uri``): the other open documents whose
    findings can change need new diagnostics; nothing else does. ``names``: the names it
    gained or lost (None: unknown, every importer of the module is affected)."""
    stale = []
    for other in session.open_uris():
        if other == uri:
            continue
        doc = session.document(other)
        if doc is None or doc.path.suffix not in (".py", ".pyi"):
            continue
        if may_change(session.refs(doc), module, names):
            session.invalidate(other)
            stale.append(other)
    if stale:
        session.on_stale(stale)


def may_change(refs: Iterable[Any], module: str, names: frozenset[str] | None) -> bool:
    """Whether a document with these refs can get other findings when ``module`` gains or
    loses ``names``: it imports one of those names (from ``module``, or from elsewhere, where
    the rules say which module defines it), star-imports ``module``, uses one as an attribute
    or patches it. ``names`` None: whenever it refers to ``module`` at all."""
    prefix = module + "."
    for ref in refs:
        target = ref.module
        if target != module and not target.startswith(prefix):
            if names is not None and ref.name is not None and ref.name in names:
                return True  # (IW005's "it is defined in ..." asks every module)
            continue
        if names is None or ref.name == "*" or (ref.name is not None and ref.name in names):
            return True
        if ref.name is None and target.startswith(prefix) and (
                target[len(prefix):].partition(".")[0] in names):
            return True  # a mock target or `import module.name` naming one of them
    return False


# --- the index ------------------------------------------------------------------------------

async def build_index(ls: "ImportwardenServer") -> None:
    """Build the workspace index on a daemon thread, reporting ``$/progress``; then install
    it and re-check every open document."""
    session = ls.session
    project = session.project
    if project is None:
        return
    session.index_ready = False
    status.publish(session)  # "indexing", whatever the registry's state
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

    # The fix engine's imports (libcst, ~0.3 s) alongside the build, on a thread of their
    # own: much of the build waits for the file system or for worker processes, and the first
    # code action then finds them done. The index is handed over once both are, so the first
    # documents opened do not share the interpreter with them.
    imports = threading.Thread(target=_import_fix_engine, name="importwarden-imports",
                               daemon=True)
    imports.start()

    def work() -> None:
        try:
            index = _build(settings, report)
            _warm_up(index)
            imports.join()
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
    current = session.project is project and index is not None
    if current:
        await session.analysis.run(install_index, session, index)
    # ended once the index is in use: a client (or a benchmark) that waits for the end of the
    # progress finds the diagnostics of what it opens next computed with it
    if token is not None:
        # (on the analysis thread, which owns the index once installed)
        modules = await session.analysis.run(_count_modules, index)
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(
            message=f"{modules} modules indexed" if index is not None else "indexing failed"))
    if not current:
        return  # settings changed while we were building: a newer build is on its way
    _everything_changed(session)


def _import_fix_engine() -> None:
    import importwarden.fixes  # noqa: F401
    import libcst  # noqa: F401  (the fix engine imports it only when first needed)


def _build(settings, report):
    from importwarden.workspace.index import WorkspaceIndex

    return WorkspaceIndex.build(settings, progress=report)


def _warm_up(index: Any) -> None:
    """Pay the one-time costs off the critical path, while still on the indexing thread: the
    index's derived tables (first query, and which namespace directories are first-party)
    and the table of which module defines which name (the first unresolved `from M import x`
    asks it: 0.1-0.2 s on the real and synthetic trees, which the first open used to pay),
    so the first document opened gets its diagnostics at the steady-state speed. (The fix
    engine's imports run meanwhile: ``_import_fix_engine``.)"""
    index.resolves("importwarden_warm_up")
    index.modules()  # (which namespace directories are first-party: every file's refs)
    index.definers("importwarden_warm_up")


def _count_modules(index: Any) -> int:
    return sum(1 for _ in index.modules()) if index is not None else 0


def install_index(session: "Session", index: Any) -> None:
    """Swap the built index in; replay the open documents' unsaved text into it."""
    project = session.project
    assert project is not None
    gc.unfreeze()  # (the index this one replaces may be collected now)
    project.use_index(index)
    for uri in session.open_uris():
        doc = session.document(uri)
        if doc is not None and doc.path.suffix in (".py", ".pyi"):
            _update_index(session, doc.path, doc.text)
    session.index_ready = True
    relint(session)
    # The index is ~10^6 long-lived objects: left to the collector, each of its full passes
    # walks them all (40-125 ms on the real and synthetic trees), a pause that lands on some
    # keystroke. Frozen, they are never walked; the objects made after still are.
    gc.collect()
    gc.freeze()


def _update_index(session: "Session", path: Path, source: str | None) -> None:
    project = session.project
    if project is None:
        return
    project.update_file(path, source)


def document_changed(session: "Session", path: Path, text: str, first: bool = False
                     ) -> tuple[str, frozenset[str] | None] | None:
    """An open Python document's text changed: only that file is re-read into the index.
    Returns (its module, the names it gained or lost; None: unknown) when what the module
    binds changed (other documents importing from it may have new or fewer findings), else
    None. ``first``: just opened, and if the text is what the index read from disk, there is
    nothing to do."""
    if not session.index_ready or path.suffix not in (".py", ".pyi"):
        return None
    project = session.project
    assert project is not None
    if first and _same_as_disk(project, path, text):
        return None
    from importwarden.workspace.index import ANY

    before = _binds(project, path)
    _update_index(session, path, text)
    after = _binds(project, path)
    if after == before:
        return None
    module, _ = project.module_for(path)
    if module is None:
        return None
    known = before is not None and after is not None and ANY not in (before, after)
    return module, (frozenset(before ^ after) if known else None)


def _same_as_disk(project, path: Path, text: str) -> bool:
    try:
        if project.index.file_imports(path) is None:
            return False
        from importwarden.textio import read_source

        return read_source(path).text == text
    except (OSError, ValueError, AttributeError):
        return False


def _binds(project, path: Path):
    module, _ = project.module_for(path)
    return project.index.module_binds(module) if module else None


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
        if is_registry(session, path):
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
        reload_registry(session)
        return
    if python_changed:
        _everything_changed(session)


def file_on_disk_changed(session: "Session", path: Path) -> None:
    """A Python file nobody has open changed, appeared or went away on disk."""
    if not session.index_ready or session.project is None:
        return
    # reads the file itself (size limits, decoding) or drops it when gone
    session.project.index.refresh_file(path)


# --- the registry files ---------------------------------------------------------------------

def registry_paths(session: "Session") -> list[Path]:
    project = session.project
    return [path_key(p) for p in project.registry_paths] if project is not None else []


def is_registry(session: "Session", path: Path) -> bool:
    project = session.project
    if project is None or not project.registry_paths:
        return False
    return path_key(path) in registry_paths(session)


def registry_uris(session: "Session") -> list[str]:
    return [p.as_uri() for p in registry_paths(session)]


def relint(session: "Session") -> None:
    """Recompute the registry's problems: what loading found, plus lint (which asks the
    workspace whether entries resolve, once the index is built); then tell the client."""
    project = session.project
    if project is None:
        session.registry.problems = []
        return
    from importwarden.registry.lint import lint

    problems: list["Problem"] = list(project.registry.problems)
    index = session.index
    resolves = None
    if index is not None:
        def resolves(target):  # noqa: E306 - small adapter
            return index.resolves(target.module, target.name)
    problems.extend(lint(project.registry, resolves))
    session.registry.problems = sorted(set(problems))
    status.publish(session)


def registry_edited(session: "Session", doc: "Document") -> None:
    """The registry buffer changed: reload from its text (coalesced as diagnostics are: a
    burst of keystrokes reloads once or twice, ``Session.schedule``)."""
    session.registry.overlays[path_key(doc.path)] = doc.text
    # Its own key, apart from the registry document's diagnostics.
    session.schedule(RELOAD_KEY, lambda _key: reload_registry(session))


def registry_saved(session: "Session", doc: "Document") -> None:
    session.registry.overlays.pop(path_key(doc.path), None)
    session.cancel_pending(RELOAD_KEY)
    reload_registry(session)


def registry_closed(session: "Session", path: Path) -> None:
    """Closed without saving: the file on disk is the registry again."""
    if session.registry.overlays.pop(path_key(path), None) is not None:
        reload_registry(session)


def reload_registry_command(ls: Any, *args: Any) -> None:
    # (``ls`` is the ImportwardenServer; not annotated so: pygls evaluates a command handler's
    # type hints at call time, and that name exists here only for the type checker)
    """``workspace/executeCommand importwarden.reloadRegistry``: re-read the registry files from
    disk (unsaved registry buffers still win), re-lint, refresh every open document."""
    reload_registry(ls.session)


def reload_registry(session: "Session") -> None:
    """Re-read the registries (open buffers' unsaved text first), keep the last good one for
    a file that stopped parsing, re-lint, and refresh every open document."""
    project = session.project
    if project is None:
        return
    previous = project.registry
    previous_errors = list(project.registry_errors)
    try:
        registry, errors = load_registry(project.registry_paths, dict(session.registry.overlays))
    except (ImportwardenError, OSError) as exc:
        session.log(f"importwarden: reloading the registry failed: {exc}; keeping the last one",
                    types.MessageType.Error)
        return
    fatal: dict[Path, list["Problem"]] = {}
    for p in registry.problems:
        if p.code in FATAL_CODES:
            fatal.setdefault(path_key(p.file), []).append(p)
    previously_fatal = {path_key(p.file) for p in previous.problems if p.code in FATAL_CODES}
    newly_broken = {path for path in fatal if path not in previously_fatal}
    session.registry.rejected = {}
    if newly_broken:
        # Keep what worked; show why the edit did not take.
        for path in newly_broken:
            session.registry.rejected[path] = fatal[path]
        session.log("importwarden: the registry does not parse any more ("
                    + "; ".join(f"{p.file}:{p.line}: {p.message}" for ps in fatal.values()
                                for p in ps[:1])
                    + "); keeping the last good one", types.MessageType.Warning)
        project.use_registry(previous, previous_errors)
    else:
        project.use_registry(registry, errors)
        for error in errors:
            session.log(f"importwarden: {error}", types.MessageType.Error)
    relint(session)
    _everything_changed(session)


def load_registry(paths: Iterable[Path], overlays: dict[Path, str]):
    """Load and merge the registries, reading ``overlays`` (unsaved editor text) instead of
    the files they name. Invalid TOML is a problem (IWR009) here, not an error: the user is
    typing. Returns (registry, load errors)."""
    from importwarden.project.engine import load_registry_files
    from importwarden.errors import RegistryLoadError
    from importwarden.registry.load import load_registries

    paths = list(paths)
    texts = {str(p): overlays[path_key(p)] for p in paths if path_key(p) in overlays}
    try:
        return load_registries(paths, toml_errors_as_problems=True, texts=texts), []
    except RegistryLoadError:
        return load_registry_files(paths)  # a file cannot be read at all: load the others


def registry_entries_on_line(session: "Session", path: Path, line: int
                             ) -> list["Entry | MockEntry"]:
    """Registry entries (imports and mock targets) written on a 1-based line of ``path``."""
    project = session.project
    if project is None:
        return []
    state = session.registry
    if state.lines_of is not project.registry:
        by_line: dict[tuple[Path, int], list] = {}
        for item in (*project.registry.entries.values(), *project.registry.mocks.values()):
            key = (path_key(item.provenance.file), item.provenance.line)
            by_line.setdefault(key, []).append(item)
        state.lines_of, state.by_line = project.registry, by_line
    return state.by_line.get((path_key(path), line), [])


def usage_counts(session: "Session") -> "Usages | None":
    """Counts of the workspace's imports and mock targets, once per workspace state (None while
    indexing)."""
    index = session.index
    if index is None:
        return None
    docs = list(session.server.workspace.text_documents.values())
    key = (id(session.project), session.generation, tuple((d.uri, d.version) for d in docs))
    state = session.registry
    if state.usages is None or state.usages_key != key:
        from importwarden.analysis.usages import count_usages

        # (an open document's unsaved text counts before a diagnostics run indexes it)
        opened = [session.document(uri) for uri in session.open_uris()]
        open_refs = {doc.path: session.refs(doc) for doc in opened
                     if doc is not None and doc.path.suffix in (".py", ".pyi")
                     and not session.too_big(doc)}
        state.usages, state.usages_key = count_usages(index, open_refs), key
    return state.usages
