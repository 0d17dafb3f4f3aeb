"""The registry files themselves: their problems as diagnostics in the ``.md``/``.toml``,
hover on an entry (how many places in the workspace use it), and reloading on edit and save.

Editing a registry reloads it from the unsaved text (debounced) and refreshes every open
document's diagnostics. A registry that stops parsing mid-edit (invalid TOML) does not take
the others down: the last good registry stays in force and the new problems are shown in the
file being edited.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from lsprotocol import types

from importwarden.lsp.convert import ProblemSpan, problem_to_diagnostic

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Document, Session
    from importwarden.registry.model import Problem

log = logging.getLogger(__name__)

RELOAD_KEY = "importwarden/registry-reload"

# Problems that mean "this file could not be read as a registry at all".
FATAL_CODES = frozenset({"IWR009", "IWR010"})
_SEVERITY = {
    "IWR009": types.DiagnosticSeverity.Error,
    "IWR010": types.DiagnosticSeverity.Error,
    "IWR002": types.DiagnosticSeverity.Warning,
    "IWR003": types.DiagnosticSeverity.Warning,
    "IWR004": types.DiagnosticSeverity.Warning,
    "IWR001": types.DiagnosticSeverity.Warning,
    "IWR011": types.DiagnosticSeverity.Warning,
}


def _key(path: Path | str) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path)


def registry_paths(session: "Session") -> list[Path]:
    project = session.project
    return [_key(p) for p in project.registry_paths] if project is not None else []


def is_registry(session: "Session", path: Path) -> bool:
    project = session.project
    if project is None or not project.registry_paths:
        return False
    return _key(path) in registry_paths(session)


def registry_uris(session: "Session") -> list[str]:
    return [p.as_uri() for p in registry_paths(session)]


# --- problems -------------------------------------------------------------------------------

def relint(session: "Session") -> None:
    """Recompute the registry's problems: what loading found, plus lint (which asks the
    workspace whether entries resolve, once the index is built)."""
    project = session.project
    if project is None:
        session.registry_problems = []
        return
    from importwarden.lsp import status
    from importwarden.registry.lint import lint

    problems: list["Problem"] = list(project.registry.problems)
    index = session.index
    resolves = None
    if index is not None:
        def resolves(target):  # noqa: E306 - small adapter
            return index.resolves(target.module, target.name)
    try:
        problems.extend(lint(project.registry, resolves))
    except Exception as exc:
        log.warning("registry lint failed: %s", exc)
    session.registry_problems = sorted(set(problems))
    status.publish(session)


def _problems_for(session: "Session", path: Path) -> list["Problem"]:
    key = _key(path)
    out = [p for p in session.registry_problems if _key(p.file) == key]
    out.extend(session.registry_rejected.get(key, ()))
    return out


def diagnostics(session: "Session", doc: "Document") -> list[types.Diagnostic]:
    positions = session.positions(doc)
    seen: set[tuple[int, str, str]] = set()
    out = []
    for problem in _problems_for(session, doc.path):
        key = (problem.line, problem.code, problem.message)
        if key in seen:
            continue
        seen.add(key)
        span = ProblemSpan(max(problem.line - 1, 0), problem.code, problem.message,
                           _SEVERITY.get(problem.code, types.DiagnosticSeverity.Information))
        out.append(problem_to_diagnostic(span, positions))
    return out


# --- reloading ------------------------------------------------------------------------------

def schedule_reload(ls: "ImportwardenServer", doc: "Document") -> None:
    """The registry buffer changed: reload from its text once the user pauses."""
    session = ls.session
    session.registry_overlay[_key(doc.path)] = doc.text
    # Its own key: a refresh of the registry document's diagnostics must not cancel it.
    session.schedule(RELOAD_KEY, session.debounce, lambda _key: reload(ls))


def saved(ls: "ImportwardenServer", doc: "Document") -> None:
    session = ls.session
    session.registry_overlay.pop(_key(doc.path), None)
    session.cancel_pending(RELOAD_KEY)
    reload(ls)


def closed(ls: "ImportwardenServer", path: Path) -> None:
    """Closed without saving: the file on disk is the registry again."""
    if ls.session.registry_overlay.pop(_key(path), None) is not None:
        reload(ls)


def reload(ls: "ImportwardenServer") -> None:
    """Re-read the registries (open buffers' unsaved text first), keep the last good one for
    a file that stopped parsing, re-lint, and refresh every open document."""
    session = ls.session
    project = session.project
    if project is None:
        return
    previous = project.registry
    previous_errors = list(project.registry_errors)
    overlays = {k: v for k, v in session.registry_overlay.items()}
    try:
        registry, errors = load(project.registry_paths, overlays)
    except Exception as exc:
        session.log(f"importwarden: reloading the registry failed: {exc}; keeping the last one",
                    types.MessageType.Error)
        return
    fatal = {_key(p.file): [] for p in registry.problems if p.code in FATAL_CODES}
    for p in registry.problems:
        if p.code in FATAL_CODES:
            fatal[_key(p.file)].append(p)
    previously_fatal = {_key(p.file) for p in previous.problems if p.code in FATAL_CODES}
    newly_broken = {path for path in fatal if path not in previously_fatal}
    session.registry_rejected = {}
    if newly_broken:
        # Keep what worked; show why the edit did not take.
        for path in newly_broken:
            session.registry_rejected[path] = fatal[path]
        session.log("importwarden: the registry does not parse any more ("
                    + "; ".join(f"{p.file}:{p.line}: {p.message}" for ps in fatal.values()
                                for p in ps[:1])
                    + "); keeping the last good one", types.MessageType.Warning)
        _install(project, previous, previous_errors)
    else:
        _install(project, registry, errors)
        for error in errors:
            session.log(f"importwarden: {error}", types.MessageType.Error)
    relint(session)
    from importwarden.lsp.diagnostics import refresh_all

    refresh_all(ls)


def _install(project, registry, errors: Iterable[str]) -> None:
    project.registry = registry
    project.registry_errors = list(errors)
    project.update_settings(project.settings)  # drops the rules' cached context


def load(paths: Iterable[Path], overlays: dict[Path, str]):
    """Load and merge the registries, reading ``overlays`` (unsaved editor text) instead of
    the files they name. Invalid TOML is a problem (IWR009) here, not an error: the user is
    typing. Returns (registry, load errors)."""
    from importwarden.project.engine import load_registry_files
    from importwarden.errors import RegistryLoadError
    from importwarden.registry.load import load_registries

    paths = list(paths)
    texts = {str(p): overlays[_key(p)] for p in paths if _key(p) in overlays}
    try:
        return load_registries(paths, toml_errors_as_problems=True, texts=texts), []
    except RegistryLoadError:
        return load_registry_files(paths)  # a file cannot be read at all: load the others


# --- hover on an entry ----------------------------------------------------------------------

def entries_on_line(session: "Session", path: Path, line: int) -> list:
    """Registry entries (imports and mock targets) written on a 1-based line of ``path``."""
    project = session.project
    if project is None:
        return []
    key = _key(path)
    cache = session.registry_lines
    if cache.get("registry") is not project.registry:
        by_line: dict[tuple[Path, int], list] = {}
        for item in (*project.registry.entries.values(), *project.registry.mocks.values()):
            by_line.setdefault((_key(item.provenance.file), item.provenance.line), []).append(item)
        cache.clear()
        cache.update(registry=project.registry, by_line=by_line)
    return cache["by_line"].get((key, line), [])


def hover(session: "Session", doc: "Document", pos):
    """How many places in the workspace use the entries on this registry line."""
    from importwarden.analysis.findings import Position, Range
    from importwarden.analysis.hover import HoverInfo
    from importwarden.history.render import evidence_from_note
    from importwarden.registry.model import MockEntry

    lines = doc.text.splitlines()
    line = pos.line
    entries = entries_on_line(session, doc.path, line + 1)
    if not entries and doc.path.suffix == ".toml":
        # A TOML entry is recorded on its `[[import]]` header: hovering any key of it counts.
        while line > 0 and not lines[line].lstrip().startswith("["):
            line -= 1
        entries = entries_on_line(session, doc.path, line + 1)
    if not entries:
        return None
    counts = usage_counts(session)
    parts = []
    for entry in entries:
        if isinstance(entry, MockEntry):
            n = counts.mocks.get(entry.target, 0) if counts else None
            label = f"mock target `{entry.target}`"
        else:
            n = counts.of(entry.target) if counts else None
            label = f"`{entry.target}`"
        status = entry.status.value
        use = f" → `{entry.replacement}`" if entry.replacement else ""
        where = ("not counted yet (the workspace is being indexed)" if n is None
                 else f"used in {n} place{'s' if n != 1 else ''} in the workspace")
        parts.append(f"{label} · {status}{use} · {where}")
        evidence = evidence_from_note(entry.provenance.note)
        if evidence:  # an entry `registry suggest --write` wrote: the commit behind it
            parts.append(evidence)
    text = lines[pos.line] if pos.line < len(lines) else ""
    rng = Range(Position(pos.line, len(text) - len(text.lstrip())), Position(pos.line, len(text)))
    return HoverInfo(rng, "**importwarden** registry entry\n\n" + "\n\n".join(parts))


def usage_counts(session: "Session"):
    """Counts of the workspace's imports and mock targets (computed once per workspace state,
    from the files on disk and the open documents' text)."""
    if session.project is None or not session.index_ready:
        return None
    docs = list(session.server.workspace.text_documents.values())
    key = (id(session.project), session.generation, tuple((d.uri, d.version) for d in docs))
    cached = session.registry_lines.get("usages")
    if cached is not None and cached[0] == key:
        return cached[1]
    from importwarden.lsp.usages import count_usages

    counts = count_usages(session)
    session.registry_lines["usages"] = (key, counts)
    return counts
