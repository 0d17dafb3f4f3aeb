"""Persistent cache of the workspace index: one marshal file under ``.importwarden_cache/``.

Per file: ((size, mtime_ns, blake2b digest), record) where the record is the compact tuple the
index keeps (module, is_package, raw refs, bindings). A file whose size and mtime are unchanged
is not read; one whose content hash is unchanged is not scanned. The file name carries the
importwarden version and a format number, so an upgrade never reads an old layout; a corrupt
or unreadable cache is ignored (rebuilt), never an error.

A run that changed a few files writes only their entries, to a journal next to the base file
(rewriting 11k entries costs ~0.1 s); the base is rewritten once the journal grows past 1/20
of the files. The journal names the base it applies to, so a base rewritten by another run
is never patched with a journal written against an older one.
"""

from __future__ import annotations

import gc
import marshal
import os
from pathlib import Path

from importwarden import __version__
from importwarden.textio import write_atomic

FORMAT = 3


DELTA_MIN = 256  # a journal this small is always cheaper than rewriting the base
DELTA_SHARE = 20  # ... and up to 1/20 of the files; beyond, the base is rewritten


class Entries(dict):
    """The loaded entries (base + journal), remembering what the journal already holds, so a
    save can write only the entries that differ from the base."""

    base_id: str = ""
    journal: frozenset = frozenset()  # paths whose entry comes from the journal
    removed: frozenset = frozenset()  # paths the journal deletes from the base


def cache_file(directory: Path) -> Path:
    return Path(directory) / f"index-{__version__}-f{FORMAT}.marshal"


def journal_file(directory: Path) -> Path:
    return Path(directory) / f"index-{__version__}-f{FORMAT}.journal.marshal"


def _read(path: Path) -> dict | None:
    try:
        value = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(value, dict) or value.get("__version__") != (__version__, FORMAT):
        return None
    return value


def load(directory: Path) -> dict[str, tuple]:
    enabled = gc.isenabled()
    gc.disable()  # marshal builds ~10^5 tuples; generational passes would be pure overhead
    try:
        base = _read(cache_file(directory))
        if base is None or not isinstance(base.get("files"), dict):
            return {}
        out = Entries(base["files"])
        out.base_id = base.get("id", "")
        # The journal applies only to the base it was written against (a base rewritten
        # since by another run makes it stale: ignored).
        journal = _read(journal_file(directory)) if out.base_id else None
        if (journal is not None and journal.get("base") == out.base_id
                and isinstance(journal.get("files"), dict)
                and isinstance(journal.get("removed"), (list, tuple))):
            out.update(journal["files"])
            for path in journal["removed"]:
                out.pop(path, None)
            out.journal = frozenset(journal["files"])
            out.removed = frozenset(journal["removed"])
        return out
    finally:
        if enabled:
            gc.enable()


def save(directory: Path, files: dict[str, tuple], previous: dict | None = None) -> None:
    """Write ``files``; given the ``previous`` entries (as ``load`` returned them), only the
    entries that differ from the base on disk go to a small journal while it stays small."""
    from importwarden.cache import prepare_cache_dir

    directory = Path(directory)
    prepare_cache_dir(directory)
    if isinstance(previous, Entries) and previous.base_id:
        changed = set(previous.journal)
        changed.update(p for p, e in files.items() if previous.get(p) != e)
        removed = (set(previous.removed) | (previous.keys() - files.keys())) - files.keys()
        changed &= files.keys()
        if len(changed) + len(removed) <= max(DELTA_MIN, len(files) // DELTA_SHARE):
            write_atomic(journal_file(directory), marshal.dumps({
                "__version__": (__version__, FORMAT), "base": previous.base_id,
                "files": {p: files[p] for p in sorted(changed)}, "removed": sorted(removed)}),
                durable=False)
            return
    base_id = os.urandom(8).hex()
    write_atomic(cache_file(directory), marshal.dumps(
        {"__version__": (__version__, FORMAT), "id": base_id, "files": files}), durable=False)
    try:  # (a reader in between ignores it: it names the old base)
        os.unlink(journal_file(directory))
    except FileNotFoundError:
        pass
