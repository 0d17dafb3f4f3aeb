"""Persistent cache of the workspace index: a base file and a journal under
``.importwarden_cache/``.

Per file: ((size, mtime_ns, blake2b digest), record) where the record is the compact tuple the
index keeps (module, is_package, refs blob, bindings blob, tops, stars). A file whose size and mtime
are unchanged is not read; one whose content hash is unchanged is not scanned. The base also
records the roots the module names were computed under (the same roots mean they need not be
computed again). File names carry the importwarden version and a format number, so an upgrade
never reads an old layout (older files are removed when the base is next written); a corrupt
or unreadable cache is ignored (rebuilt), never an error.

The base file is one marshalled table (paths, keys, module names, where each blob lies)
followed by the blobs, which are memory-mapped, not read: a run after one change needs the
table and a few dozen blobs, and reading 60 MB of blobs would cost more than the rest of it.
The file is only ever replaced by a rename, so a mapping keeps seeing the file it opened.

A run that changed a few files writes only their entries, to a journal next to the base file
(a marshalled dict, blobs inline); the base is rewritten once the journal grows past 1/20 of
the files. The journal names the base it applies to, so a base rewritten by another run is
never patched with a journal written against an older one.
"""

from __future__ import annotations

import gc
import marshal
import mmap
import os
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

from importwarden import __version__
from importwarden.textio import write_atomic

FORMAT = 6
_HEAD = struct.Struct("<Q")  # the length of the table that follows

DELTA_MIN = 256  # a journal this small is always cheaper than rewriting the base
DELTA_SHARE = 20  # ... and up to 1/20 of the files; beyond, the base is rewritten


class Entries(dict):
    """The loaded entries (base + journal), remembering what the journal already holds, so a
    save can write only the entries that differ from the base."""

    base_id: str = ""
    roots: list | None = None  # the roots the entries' module names were computed under
    journal: frozenset = frozenset()  # paths whose entry comes from the journal
    removed: frozenset = frozenset()  # paths the journal deletes from the base


def cache_file(directory: Path) -> Path:
    return Path(directory) / f"index-{__version__}-f{FORMAT}.bin"


def journal_file(directory: Path) -> Path:
    return Path(directory) / f"index-{__version__}-f{FORMAT}.journal.marshal"


def _valid(value: object) -> bool:
    return isinstance(value, dict) and value.get("__version__") == (__version__, FORMAT)


def _read_base(path: Path) -> tuple[dict, memoryview] | None:
    """The base's table and a view of the whole file (mapped; read on Windows, where a mapped
    file could not be replaced by the next run)."""
    try:
        with open(path, "rb") as fh:
            size = _HEAD.unpack(fh.read(_HEAD.size))[0]
            table = marshal.loads(fh.read(size))
            if sys.platform == "win32":
                fh.seek(0)
                whole = memoryview(fh.read())
            else:
                whole = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        return None
    blobs = whole[_HEAD.size + size:]
    if (not _valid(table) or not isinstance(table.get("files"), dict)
            or table.get("blobs") != len(blobs)):  # (a truncated file)
        return None
    return table, blobs


def _read_journal(path: Path) -> dict | None:
    try:
        value = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return value if _valid(value) else None


def load(directory: Path) -> dict[str, tuple]:
    enabled = gc.isenabled()
    gc.disable()  # ~10^5 new tuples; generational passes would be pure overhead
    try:
        base = _read_base(cache_file(directory))
        if base is None:
            return {}
        table, blobs = base
        out = Entries()
        try:
            for path, (key, module, is_package, tops, stars, at, n_refs, n_binds) in \
                    table["files"].items():
                mid = at + n_refs
                out[path] = (key, (module, is_package, blobs[at:mid], blobs[mid:mid + n_binds],
                                   tops, stars))
        except (TypeError, ValueError):  # a table of another shape: not ours to trust
            return {}
        out.base_id = table.get("id", "")
        out.roots = table.get("roots")
        # The journal applies only to the base it was written against (a base rewritten
        # since by another run makes it stale: ignored).
        journal = _read_journal(journal_file(directory)) if out.base_id else None
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


def _plain(entry: tuple) -> tuple:
    """An entry with its blobs as bytes (a loaded one holds views of the mapped base)."""
    key, (module, is_package, refs, binds, tops, stars) = entry
    return key, (module, is_package, bytes(refs), bytes(binds), tops, stars)


def save(directory: Path, files: dict[str, tuple], previous: dict | None = None,
         roots: list | None = None) -> None:
    """Write ``files`` (module names computed under ``roots``); given the ``previous`` entries
    (as ``load`` returned them), only the entries that differ from the base on disk go to a
    small journal while it stays small and the roots are the base's."""
    from importwarden.findings_cache import prepare_cache_dir

    directory = Path(directory)
    prepare_cache_dir(directory)
    if isinstance(previous, Entries) and previous.base_id and previous.roots == roots:
        changed = set(previous.journal)
        changed.update(p for p, e in files.items() if previous.get(p) != e)
        removed = (set(previous.removed) | (previous.keys() - files.keys())) - files.keys()
        changed &= files.keys()
        if len(changed) + len(removed) <= max(DELTA_MIN, len(files) // DELTA_SHARE):
            write_atomic(journal_file(directory), marshal.dumps({
                "__version__": (__version__, FORMAT), "base": previous.base_id,
                "files": {p: _plain(files[p]) for p in sorted(changed)},
                "removed": sorted(removed)}), durable=False)
            return
    write_atomic(cache_file(directory), _base_chunks(files, roots), durable=False)
    try:  # (a reader in between ignores it: it names the old base)
        os.unlink(journal_file(directory))
    except FileNotFoundError:
        pass
    _remove_other_formats(directory)


def _base_chunks(files: dict[str, tuple], roots: list | None) -> Iterator[bytes]:
    table: dict[str, tuple] = {}
    blobs: list = []
    at = 0
    for path, (key, (module, is_package, refs, binds, tops, stars)) in files.items():
        table[path] = (key, module, is_package, tops, stars, at, len(refs), len(binds))
        blobs += (refs, binds)
        at += len(refs) + len(binds)
    head = marshal.dumps({"__version__": (__version__, FORMAT), "id": os.urandom(8).hex(),
                          "roots": roots, "files": table, "blobs": at})
    yield _HEAD.pack(len(head))
    yield head
    yield from blobs


def _remove_other_formats(directory: Path) -> None:
    """Index caches of other versions or formats: never read again (the cache directory is
    ours; ``prepare_cache_dir`` tags it)."""
    keep = {cache_file(directory).name, journal_file(directory).name}
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith("index-") and name not in keep:  # (temp files start with ".")
            try:
                os.unlink(directory / name)
            except OSError:
                pass
