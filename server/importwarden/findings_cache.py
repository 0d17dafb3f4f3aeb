"""The CLI's cache of per-file findings, under ``.importwarden_cache/`` in the project root.

A cache directory is keyed by everything findings depend on besides the files themselves:
the importwarden version, the Python version, the settings, and the registry files' content.
Inside it, ``state.pickle`` maps each checked file to ``(size, mtime_ns, sha256, findings,
deps)``: a warm run only ``stat``s files (the fast path), hashes a file only when its stat
changed, and re-checks it only when its content changed. A run that changed a few files writes
only their entries, to ``state.journal.pickle`` (applied on load). The workspace index keeps its own
cache next to it (``importwarden.workspace.index_cache``): a changed file is re-read and re-scanned,
every other file's entry is reused, so the index is updated, not rebuilt.

Nothing here is trusted blindly: an unreadable or incompatible cache is ignored and rewritten.
Writes are atomic (temp file + rename), so parallel runs never see half a file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Sequence

from importwarden import __version__
from importwarden.analysis.findings import Finding
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
_FORMAT = 3


@dataclass(slots=True)
class FileState:
    size: int
    mtime_ns: int
    digest: str
    findings: tuple[Finding, ...]
    # Modules the file refers to, newline-separated (for invalidation when one changes). One
    # string, not a set: a warm run unpickles 11k of these and reads none of them.
    deps: str
    module: str | None = None
    binds: str = ""  # fingerprint of what the module binds (``project.batch.binds_fingerprint``)

    def __reduce__(self):
        return (FileState, (self.size, self.mtime_ns, self.digest, self.findings, self.deps,
                            self.module, self.binds))


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
    where the cache lives and where settings came from, not what they say)."""
    parts = []
    for f in fields(settings):
        if f.name in ("config_file",):
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
        data = self._load("state.pickle")
        if not isinstance(data, CacheState):
            data = CacheState()
        journal = self._load("state.journal.pickle") if data.base_id else None
        files: dict = {}
        removed: Sequence[str] = ()
        # A journal applies only to the state it was written against (another run may have
        # rewritten the state since): otherwise it is ignored.
        if (isinstance(journal, tuple) and len(journal) == 3 and journal[0] == data.base_id
                and isinstance(journal[1], dict)):
            _, files, removed = journal
            data.files.update(files)
            for rel in removed:
                data.files.pop(rel, None)
        self._seen = (data.base_id, dict(data.files), frozenset(files), frozenset(removed))
        return data

    def save_state(self, state: CacheState) -> str | None:
        """Write the entries that differ from the saved state to a journal (rewriting 11k
        entries costs ~0.1 s); the whole state once the journal grows past 1/20 of it."""
        seen = self._seen
        if seen is not None and seen[0]:
            base_id, before, in_journal, removed_before = seen
            files = state.files
            changed = set(in_journal)
            changed.update(rel for rel, fs in files.items() if before.get(rel) is not fs)
            changed &= files.keys()
            removed = (set(removed_before) | (before.keys() - files.keys())) - files.keys()
            if len(changed) + len(removed) <= max(JOURNAL_MIN, len(files) // JOURNAL_SHARE):
                warning = self._save("state.journal.pickle", (
                    base_id, {rel: files[rel] for rel in sorted(changed)}, sorted(removed)))
                if warning is None:
                    self._seen = (base_id, dict(files), frozenset(changed), frozenset(removed))
                return warning
        state.base_id = os.urandom(8).hex()
        warning = self._save("state.pickle", state)
        if warning is None and self.enabled:
            self._seen = (state.base_id, dict(state.files), frozenset(), frozenset())
            try:  # (a reader in between ignores it: it names the old state)
                os.unlink(self.dir / "state.journal.pickle")
            except OSError:
                pass
        return warning

    # --- the parsed registry ------------------------------------------------------------------

    def has_registry(self) -> bool:
        return self.enabled and (self.dir / "registry.pickle").is_file()

    def load_registry(self) -> Any | None:
        return self._load("registry.pickle")

    def save_registry(self, value: Any) -> str | None:
        return self._save("registry.pickle", value)

    # --- workspace index (kept for callers; the index has its own cache) ----------------------

    def load_index(self) -> Any | None:
        return self._load("index.pickle")

    def save_index(self, index: Any) -> str | None:
        return self._save("index.pickle", index)

    # --- storage ----------------------------------------------------------------------------

    def _load(self, name: str) -> Any | None:
        if not self.enabled:
            return None
        try:
            with open(self.dir / name, "rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # corrupt or from an incompatible build: start over
            return None

    def _save(self, name: str, obj: Any) -> str | None:
        """Write atomically; returns a one-line warning instead of raising."""
        if not self.enabled:
            return None
        try:
            self._prepare()
            write_atomic(self.dir / name, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL),
                         durable=False)
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
