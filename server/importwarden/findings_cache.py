"""The CLI's cache of per-file findings, under ``.importwarden_cache/`` in the project root.

A cache directory is keyed by everything findings depend on besides the files themselves:
the importwarden version, the Python version, the settings, the registry files' content and
the plain-data schema (``cache_plain.SCHEMA``). Inside it, ``state.bin`` maps each checked
file to ``(size, mtime_ns, sha256, findings, deps)``: a warm run only ``stat``s files (the fast
path), hashes a file only when its stat changed, and re-checks it only when its content
changed. A run that changed a few files writes only their entries, to ``state.journal.bin``
(applied on load); ``registry.bin`` holds the parsed registry. The workspace index keeps its
own cache next to it (``importwarden.workspace.index_cache``): a changed file is re-read and
re-scanned, every other file's entry is reused, so the index is updated, not rebuilt.

Nothing here is trusted blindly: every file is sealed (``cache_seal``: a header and a keyed
MAC, checked before anything is decoded) and holds plain data only, converted back by
``cache_plain`` and the ``FileState`` converters below, which reject any other shape. A file
that does not verify is ignored (one debug line) and rewritten. Writes are atomic (temp file +
rename), so parallel runs never see half a file.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from importwarden import __version__
from importwarden.analysis.findings import Finding
from importwarden.cache_plain import SCHEMA, PlainDataError, from_plain, to_plain
from importwarden.cache_seal import log, seal, unseal
from importwarden.registry.model import Registry
from importwarden.textio import write_atomic

CACHE_DIR_NAME = ".importwarden_cache"


def prepare_cache_dir(base: Path) -> None:
    """Create a cache directory that, like ruff's, git and backup tools ignore."""
    base.mkdir(parents=True, exist_ok=True)
    if not (base / ".gitignore").exists():
        (base / ".gitignore").write_text("# Automatically created by importwarden.\n*\n")
    if not (base / "CACHEDIR.TAG").exists():
        (base / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by importwarden.\n")
KEEP_KEYS = 4  # cache directories kept per project (others are pruned, oldest first)
_FORMAT = 4
STATE, JOURNAL, REGISTRY = "state.bin", "state.journal.bin", "registry.bin"
_KINDS = {STATE: b"STAT", JOURNAL: b"JRNL", REGISTRY: b"REGY"}


class FileState(NamedTuple):
    """What the cache knows about one file. A tuple, so that 11k of them load in a few ms."""

    size: int
    mtime_ns: int
    digest: str
    findings: tuple[Finding, ...]
    # Modules the file refers to, newline-separated (for invalidation when one changes). One
    # string, not a set: a warm run loads 11k of these and reads none of them.
    deps: str
    module: str | None = None
    binds: str = ""  # what the module binds (``project.invalidation.binds_summary``)


def file_state_to_plain(fs: FileState, memo: dict | None = None) -> tuple:
    """A ``FileState`` as a plain tuple (``memo``: shared with the other entries of a file,
    see ``cache_plain``)."""
    if not fs.findings:
        return tuple(fs)
    memo = {} if memo is None else memo
    return (*fs[:3], tuple([to_plain(Finding, f, memo) for f in fs.findings]), *fs[4:])


_new_state = tuple.__new__


def file_state_from_plain(value: Any, memo: dict | None = None) -> FileState:
    """The inverse of ``file_state_to_plain``; ``PlainDataError`` on any other shape."""
    if type(value) is not tuple or len(value) != 7:
        raise PlainDataError("expected a 7-tuple (FileState)")
    size, mtime_ns, digest_, findings, deps, module, binds = value
    if (type(size) is not int or type(mtime_ns) is not int or type(digest_) is not str
            or type(findings) is not tuple or type(deps) is not str
            or not (module is None or type(module) is str) or type(binds) is not str):
        raise PlainDataError("bad FileState fields")
    if not findings:
        return _new_state(FileState, value)
    memo = {} if memo is None else memo
    return FileState(size, mtime_ns, digest_,
                     tuple([from_plain(Finding, f, memo) for f in findings]), deps, module, binds)


def _files_from_plain(pairs: Any) -> dict[str, FileState]:
    if type(pairs) is not tuple:
        raise PlainDataError("expected a tuple of entries")
    out = {}
    memo: dict = {}
    for pair in pairs:
        if type(pair) is not tuple or len(pair) != 2:
            raise PlainDataError("expected (path, FileState)")
        path, plain = pair
        if type(path) is not str:
            raise PlainDataError("expected (path, FileState)")
        out[path] = file_state_from_plain(plain, memo)
    return out


def _files_to_plain(files: dict[str, FileState]) -> tuple:
    memo: dict = {}
    return tuple([(rel, file_state_to_plain(fs, memo)) for rel, fs in files.items()])


@dataclass
class CacheState:
    files: dict[str, FileState] = field(default_factory=dict)  # key: path relative to root
    base_id: str = ""  # names this saved state, for the journal written against it


JOURNAL_MIN = 256  # a journal this small is always cheaper than rewriting the state
JOURNAL_SHARE = 20  # ... and up to 1/20 of the files; beyond, the state is rewritten


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings_fingerprint(settings: Any) -> str:
    """A stable text form of the settings (dataclass fields; ``root`` and ``config_file`` are
    where the cache lives and where settings came from, not what they say; ``fail_level`` only
    decides the exit code)."""
    parts = []
    for f in fields(settings):
        if f.name in ("config_file", "fail_level"):
            continue
        value = getattr(settings, f.name)
        if isinstance(value, (set, frozenset)):
            value = sorted(value)
        elif isinstance(value, dict):
            value = sorted((k, str(v)) for k, v in value.items())
        parts.append(f"{f.name}={value!r}")
    return "\n".join(parts)


def run_key(settings: Any, registry_files: Sequence[Path]) -> str:
    h = hashlib.sha256()
    h.update(f"importwarden {__version__} format {_FORMAT} python {sys.version}\n".encode())
    h.update(SCHEMA.encode())
    h.update(settings_fingerprint(settings).encode())
    for path in registry_files:
        h.update(f"\nregistry {path}\n".encode())
        try:
            h.update(Path(path).read_bytes())
        except OSError as exc:  # an unreadable registry is part of what the run saw
            h.update(f"unreadable: {exc}".encode())
    return h.hexdigest()[:32]


class Cache:
    """One project's cache for one run key. ``enabled=False`` (``--no-cache``) reads and
    writes nothing."""

    def __init__(self, root: Path, key: str, *, enabled: bool = True):
        self.root = Path(root)
        self.base = self.root / CACHE_DIR_NAME
        self.dir = self.base / __version__ / key
        self.enabled = enabled
        # (base_id, entries, journal paths, journal removals) as last loaded or saved
        self._seen: tuple | None = None

    # --- state ------------------------------------------------------------------------------

    def load_state(self) -> CacheState:
        data = CacheState()
        state = self._load(STATE)
        try:
            if state is not None:
                if type(state) is not tuple or len(state) != 2:
                    raise PlainDataError("expected (base id, entries)")
                base_id, entries = state
                if type(base_id) is not str:
                    raise PlainDataError("expected (base id, entries)")
                data = CacheState(_files_from_plain(entries), base_id)
        except PlainDataError as exc:
            log.debug("cache file %s ignored (%s); rebuilding it", self.dir / STATE, exc)
            data = CacheState()
        journal = self._load(JOURNAL) if data.base_id else None
        files: dict = {}
        removed: Sequence[str] = ()
        # A journal applies only to the state it was written against (another run may have
        # rewritten the state since): otherwise it is ignored.
        journal_base, changed, gone = (journal if type(journal) is tuple and len(journal) == 3
                                       else (None, None, None))
        if (journal_base == data.base_id and type(gone) is tuple
                and all(type(r) is str for r in gone)):
            try:
                files = _files_from_plain(changed)
            except PlainDataError as exc:
                log.debug("cache file %s ignored (%s)", self.dir / JOURNAL, exc)
            else:
                removed = gone
                data.files.update(files)
                for rel in removed:
                    data.files.pop(rel, None)
        self._seen = (data.base_id, dict(data.files), frozenset(files), frozenset(removed))
        return data

    def save_state(self, state: CacheState) -> str | None:
        """Write the entries that differ from the saved state to a journal (rewriting 11k
        entries costs ~0.1 s); the whole state once the journal grows past 1/20 of it."""
        seen = self._seen
        base_id, before, in_journal, removed_before = seen or ("", {}, frozenset(), frozenset())
        if base_id:
            files = state.files
            changed = set(in_journal)
            changed.update(rel for rel, fs in files.items() if before.get(rel) is not fs)
            changed &= files.keys()
            removed = (set(removed_before) | (before.keys() - files.keys())) - files.keys()
            if len(changed) + len(removed) <= max(JOURNAL_MIN, len(files) // JOURNAL_SHARE):
                warning = self._save(JOURNAL, lambda: (
                    base_id, _files_to_plain({rel: files[rel] for rel in sorted(changed)}),
                    tuple(sorted(removed))))
                if warning is None:
                    self._seen = (base_id, dict(files), frozenset(changed), frozenset(removed))
                return warning
        state.base_id = os.urandom(8).hex()
        warning = self._save(STATE, lambda: (state.base_id, _files_to_plain(state.files)))
        if warning is None and self.enabled:
            self._seen = (state.base_id, dict(state.files), frozenset(), frozenset())
            try:  # (a reader in between ignores it: it names the old state)
                os.unlink(self.dir / JOURNAL)
            except OSError:
                pass
        return warning

    # --- the parsed registry ------------------------------------------------------------------

    def has_registry(self) -> bool:
        return self.enabled and (self.dir / REGISTRY).is_file()

    def load_registry(self) -> tuple[Registry, list[str]] | None:
        """(registry, []) as saved by ``save_registry``, or None."""
        value = self._load(REGISTRY)
        if value is None:
            return None
        try:
            return from_plain(Registry, value), []
        except PlainDataError as exc:
            log.debug("cache file %s ignored (%s); rebuilding it", self.dir / REGISTRY, exc)
            return None

    def save_registry(self, value: tuple[Registry, list[str]]) -> str | None:
        """Save ``(registry, load errors)``: only a registry that loaded without errors is
        cached, so a cached one stands for no errors."""
        registry, errors = value
        if errors:
            return None
        return self._save(REGISTRY, lambda: to_plain(Registry, registry))

    # --- storage ----------------------------------------------------------------------------

    def _load(self, name: str) -> Any | None:
        """The plain data in a sealed file, or None (missing, or it does not verify)."""
        if not self.enabled:
            return None
        path = self.dir / name
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return None
        payload = unseal(path, raw, _KINDS[name], _FORMAT)
        if payload is None:
            return None
        try:  # (verified: written by this user's importwarden; the shape is checked after)
            return marshal.loads(payload)
        except (ValueError, EOFError, TypeError) as exc:
            log.debug("cache file %s ignored (%s); rebuilding it", path, exc)
            return None

    def _save(self, name: str, plain: Any) -> str | None:
        """Write ``plain()`` sealed and atomically; returns a one-line warning instead of
        raising."""
        if not self.enabled:
            return None
        try:
            path = self.dir / name
            chunks = seal(path, _KINDS[name], _FORMAT, [marshal.dumps(plain())])
            if chunks is None:  # no key: nothing written could be trusted when read back
                return None
            self._prepare()
            write_atomic(path, chunks, durable=False)
        except Exception as exc:  # read-only checkout, full disk: the run still succeeds
            return f"{self.base}: cannot write the cache: {exc}"
        return None

    def _prepare(self) -> None:
        prepare_cache_dir(self.base)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._prune()

    def _prune(self) -> None:
        version_dir = self.dir.parent
        try:
            keys = sorted((p for p in version_dir.iterdir() if p.is_dir() and p != self.dir),
                          key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for old in keys[KEEP_KEYS - 1:]:
            shutil.rmtree(old, ignore_errors=True)
