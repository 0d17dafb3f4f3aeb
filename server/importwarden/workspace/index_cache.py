"""Persistent cache of the workspace index: a base file and a journal under
``.importwarden_cache/``.

Per file: ((size, mtime_ns, content digest: sha256's first 16 bytes), record) where the record
is the compact tuple the index keeps (module, is_package, refs blob, bindings blob, tops,
stars). A file whose size and mtime are unchanged is not read; one whose content hash is
unchanged is not scanned. The base also records the roots the module names were computed under
(the same roots mean they need not be computed again). File names carry the importwarden version
and a format number, so an upgrade never reads an old layout (older files are removed when the
base is next written); a corrupt or unreadable cache is ignored (rebuilt), never an error.

The base file is one marshalled table (paths, keys, module names, where each blob lies)
followed by the blobs, which are memory-mapped, not read: a run after one change needs the
table and a few dozen blobs, and reading 60 MB of blobs would cost more than the rest of it.
The file is only ever replaced by a rename, so a mapping keeps seeing the file it opened.

Both files are sealed (``importwarden.cache_seal``: a header and a keyed MAC, checked before
anything is unmarshalled), since the blobs are unmarshalled when used and the cache lives in the
project. The base's MAC covers the table and a SHA-256 of the blobs; the blobs are hashed in
a thread (hashing releases the GIL) while the table is turned into entries, and nothing is
returned before both check out. A file that does not verify is ignored (one debug line).

A run that changed a few files writes only their entries, to a journal next to the base file
(a marshalled dict, blobs inline); the base is rewritten once the journal grows past 1/20 of
the files. The journal names the base it applies to, so a base rewritten by another run is
never patched with a journal written against an older one.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import mmap
import os
import struct
import sys
import threading
import zlib
from pathlib import Path

from importwarden import __version__
from importwarden.analysis.raw_refs import KeyField, RecordField
from importwarden.cache_seal import HEADER_SIZE, log, seal, unseal
from importwarden.textio import write_atomic

FORMAT = 8
_HEAD = struct.Struct("<Q32s")  # the length of the table that follows, the blobs' SHA-256
_BASE_KIND, _JOURNAL_KIND = b"IDXB", b"IDXJ"

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
    return Path(directory) / f"index-{__version__}-f{FORMAT}.journal.bin"


def _valid(value: object) -> bool:
    return isinstance(value, dict) and value.get("__version__") == (__version__, FORMAT)


class _BlobCheck(threading.Thread):
    """Hashes the blobs while the caller decodes the table; ``ok()`` waits for the answer."""

    def __init__(self, blobs: memoryview, expected: bytes):
        super().__init__(name="importwarden-index-cache-check", daemon=True)
        self.blobs, self.expected, self.digest = blobs, expected, b""
        self.start()

    def run(self) -> None:
        self.digest = hashlib.sha256(self.blobs).digest()

    def ok(self) -> bool:
        self.join()
        return self.digest == self.expected


def _read_base(path: Path) -> tuple[dict, memoryview, _BlobCheck] | None:
    """The base's table, a view of its blobs (mapped; read on Windows, where a mapped file
    could not be replaced by the next run) and the running check of the blobs."""
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            if sys.platform == "win32":
                whole = memoryview(fh.read())
            else:
                whole = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError):  # (missing, unreadable, or empty: mmap refuses 0 bytes)
        return None
    try:
        size, blobs_digest = _HEAD.unpack(whole[HEADER_SIZE:HEADER_SIZE + _HEAD.size])
    except struct.error:
        size, blobs_digest = 0, b""
    payload = unseal(path, whole, _BASE_KIND, FORMAT, verify_to=_HEAD.size + size)
    if payload is None:
        return None
    blobs = payload[_HEAD.size + size:]
    check = _BlobCheck(blobs, blobs_digest)
    try:
        table = marshal.loads(payload[_HEAD.size:_HEAD.size + size])
    except (ValueError, EOFError, TypeError) as exc:
        check.join()
        log.debug("cache file %s ignored (%s); rebuilding it", path, exc)
        return None
    if (not _valid(table) or not isinstance(table.get("files"), dict)
            or table.get("blobs") != len(blobs)):
        check.join()
        log.debug("cache file %s ignored (unexpected table); rebuilding it", path)
        return None
    return table, blobs, check


def _read_journal(path: Path) -> dict | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    payload = unseal(path, raw, _JOURNAL_KIND, FORMAT)
    if payload is None:
        return None
    try:
        value = marshal.loads(payload)
    except (ValueError, EOFError, TypeError) as exc:
        log.debug("cache file %s ignored (%s)", path, exc)
        return None
    return value if _valid(value) else None


def _entry_ok(path: object, entry: object) -> bool:
    """An entry of the shape ``save`` writes: (path, ((size, mtime_ns, digest), record))."""
    if type(path) is not str or type(entry) is not tuple or len(entry) != 2:
        return False
    key, record = entry
    if (type(key) is not tuple or len(key) != len(KeyField) or type(record) is not tuple
            or len(record) != len(RecordField)):
        return False
    size, mtime_ns, digest = key
    module, is_package, refs, bindings, tops, stars = record
    return (type(size) is int and type(mtime_ns) is int and type(digest) is bytes
            and (module is None or type(module) is str) and type(is_package) is bool
            and type(refs) is bytes and type(bindings) is bytes and type(tops) is str
            and type(stars) is str)


def load(directory: Path) -> dict[str, tuple]:
    enabled = gc.isenabled()
    gc.disable()  # ~10^5 new tuples; generational passes would be pure overhead
    try:
        base = _read_base(cache_file(directory))
        if base is None:
            return {}
        table, blobs, check = base
        out = Entries()
        try:
            for path, (key, module, is_package, tops, stars, at, n_refs, n_binds) in \
                    table["files"].items():
                mid = at + n_refs
                if not (0 <= at <= mid <= mid + n_binds <= len(blobs)):
                    raise ValueError("blob out of range")
                out[path] = (key, (module, is_package, blobs[at:mid], blobs[mid:mid + n_binds],
                                   tops, stars))
        except (TypeError, ValueError):  # a table of another shape: not ours to trust
            check.join()
            log.debug("cache file %s ignored (unexpected table); rebuilding it",
                      cache_file(directory))
            return {}
        if not check.ok():
            log.debug("cache file %s ignored (blob checksum mismatch); rebuilding it",
                      cache_file(directory))
            return {}
        out.base_id = table.get("id", "")
        out.roots = table.get("roots")
        # The journal applies only to the base it was written against (a base rewritten
        # since by another run makes it stale: ignored).
        journal = _read_journal(journal_file(directory)) if out.base_id else None
        if (journal is not None and journal.get("base") == out.base_id
                and isinstance(journal.get("files"), dict)
                and isinstance(journal.get("removed"), (list, tuple))
                and all(_entry_ok(p, e) for p, e in journal["files"].items())
                and all(type(p) is str for p in journal["removed"])):
            out.update(journal["files"])
            for path in journal["removed"]:
                out.pop(path, None)
            out.journal = frozenset(journal["files"])
            out.removed = frozenset(journal["removed"])
        return out
    finally:
        if enabled:
            gc.enable()


# A refs blob is stored compressed (zlib, fastest level): refs are ~80% of the base (50 of
# 61 MB on the synthetic corpus), compress to a quarter, and are read back only for the files a
# run re-checks. A marshalled tuple starts with "(" and a zlib stream with "x", so a blob says
# which it is; records fresh from the scanner hold plain ones. ``unpack_refs`` reads both.
_PACK_MIN = 128  # (smaller blobs stay plain: the stream's header would eat the gain)


def pack_refs(blob: bytes | memoryview) -> bytes:
    """``blob`` as stored: compressed when it is a plain one worth compressing."""
    if len(blob) < _PACK_MIN or blob[:1] == b"x":
        return bytes(blob)
    return zlib.compress(blob, 1)


def unpack_refs(blob: bytes | memoryview) -> bytes | memoryview:
    """The marshalled refs of a stored or fresh refs blob."""
    return zlib.decompress(blob) if blob[:1] == b"x" else blob


def _plain(entry: tuple) -> tuple:
    """An entry as stored, its blobs as bytes (a loaded one holds views of the mapped base)."""
    key, (module, is_package, refs, binds, tops, stars) = entry
    return key, (module, is_package, pack_refs(refs), bytes(binds), tops, stars)


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
            path = journal_file(directory)
            chunks = seal(path, _JOURNAL_KIND, FORMAT, [marshal.dumps({
                "__version__": (__version__, FORMAT), "base": previous.base_id,
                "files": {p: _plain(files[p]) for p in sorted(changed)},
                "removed": sorted(removed)})])
            if chunks is not None:  # (no key: nothing written could be trusted when read)
                write_atomic(path, chunks, durable=False)
            return
    chunks = _base_chunks(cache_file(directory), files, roots)
    if chunks is None:
        return
    write_atomic(cache_file(directory), chunks, durable=False)
    try:  # (a reader in between ignores it: it names the old base)
        os.unlink(journal_file(directory))
    except FileNotFoundError:
        pass
    _remove_other_formats(directory)


def _base_chunks(path: Path, files: dict[str, tuple], roots: list | None) -> list | None:
    table: dict[str, tuple] = {}
    blobs: list = []
    at = 0
    blobs_hash = hashlib.sha256()
    for name, (key, (module, is_package, refs, binds, tops, stars)) in files.items():
        refs = pack_refs(refs)
        table[name] = (key, module, is_package, tops, stars, at, len(refs), len(binds))
        blobs += (refs, binds)
        blobs_hash.update(refs)
        blobs_hash.update(binds)
        at += len(refs) + len(binds)
    head = marshal.dumps({"__version__": (__version__, FORMAT), "id": os.urandom(8).hex(),
                          "roots": roots, "files": table, "blobs": at})
    sealed = seal(path, _BASE_KIND, FORMAT, [_HEAD.pack(len(head), blobs_hash.digest()), head],
                  trailing=at)
    return None if sealed is None else sealed + blobs


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
