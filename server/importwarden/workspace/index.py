"""The workspace index: first-party modules under the roots and what each binds at top level.

Static only: files are read and scanned with the regex scanner (``analysis.scanner``), never
imported or run. One read per file gives both the index entry and the file's import refs
(``file_imports``), so a full check reads each file once; with the cache, unchanged files are
not read at all.

First-party: what lies under the roots (default: the project root, plus ``src/`` when it
exists; a file belongs to the deepest root that contains it). A top-level package (directory
with ``__init__.py``) or module is first-party; a top-level directory *without*
``__init__.py`` is first-party only when some file imports a module that exists inside it (it
may be a folder that shares an installed package's name, like ``alembic/``).

What a module binds: defs, classes, assignments and module-level imports (also inside
module-level if/try/with blocks), plus star re-exports followed transitively (``__all__`` when
literal, else public names; cycle-safe); a star import of a non-first-party module or a
module-level ``__getattr__`` makes the module bind anything (``ANY``). Submodules count as
attributes of their package for ``resolves``.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from importwarden.analysis.imports import FileImports, file_imports_from_raw
from importwarden.analysis.raw_refs import FLAG_IN_DEF
from importwarden.analysis.raw_refs import BindingField as _B
from importwarden.analysis.raw_refs import KeyField as _K
from importwarden.analysis.raw_refs import RawField
from importwarden.analysis.raw_refs import RecordField as _R
from importwarden.analysis.scanner import scan_all
from importwarden.config import Settings
from importwarden.textio import MAX_FILE_BYTES, SourceDecodeError, decode_source
from importwarden.workers import process_pool
from importwarden.workspace import index_cache
from importwarden.workspace.files import iter_python_paths

PARALLEL_MIN_FILES = 400  # below this a process pool costs more than it saves

Progress = Callable[[int, int], None]
UNCHANGED = "="

# One file's entry (marshal-friendly): (module | None, is_package, refs blob, bindings blob,
# tops, stars) where the blobs are marshalled (version 2: equal values give equal bytes) raw refs and
# bindings = (defined, imported, all | None, stars, dynamic) as from ``scanner.scan_all``, and
# tops the NUL-joined top-level names of the modules its imports/mocks name, stars the
# NUL-joined modules it star-imports at module level (kept apart from the bindings blob: a
# change to one of those modules changes what this one binds). Blobs, not
# tuples: a run after one change loads 11k entries and looks inside a few dozen; ~400k name
# strings would cost more than the rest of that run.
Record = tuple  # fields: ``raw_refs.RecordField``
BLOB_VERSION = 2
_KIND, _MODULE = RawField.KIND.value, RawField.MODULE.value  # (exact ints: loops over all refs)


class _Any(frozenset):
    """``module_binds`` result for a module that binds anything (``__getattr__``, star imports
    of modules we cannot see): contains every name."""

    def __contains__(self, item: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()


def effective_roots(settings: Settings) -> tuple[Path, ...]:
    if settings.roots:
        roots = [Path(r) if Path(r).is_absolute() else Path(settings.root) / r
                 for r in settings.roots]
    else:
        roots = [Path(settings.root)]
        src = Path(settings.root) / "src"
        if src.is_dir():
            roots.append(src)
    return tuple(sorted({r.resolve() for r in roots}, key=lambda p: -len(p.parts)))


def _abs_path(p: Path | str, root: Path | str) -> str:
    """``str(Path(p))`` made absolute under ``root``; a string that is already absolute and
    normal (as the walker yields) is taken as is: a ``Path`` per file is ~20 us."""
    if (isinstance(p, str) and os.sep == "/" and p.startswith("/") and "//" not in p
            and "/./" not in p and "/../" not in p and not p.endswith(("/", "/.", "/.."))):
        return p  # (what ``Path`` would normalise is absent)
    return str(Path(p) if Path(p).is_absolute() else Path(root) / p)


def _memo_module_for(roots: Sequence[Path]) -> Callable[[str], tuple[str, bool] | None]:
    """``module_for_path_in`` for many files: a directory's part is computed once (a full
    build asks for 10^4 files in 10^3 directories)."""
    dirs: dict[str, str | None] = {}

    def module_for(path: str) -> tuple[str, bool] | None:
        head, sep, name = path.rpartition(os.sep)
        if not sep or not os.path.isabs(path) or not name.endswith(".py"):
            return module_for_path_in(roots, path)
        if head not in dirs:  # the dotted name of a file "x.py" in it, minus the "x"
            found = module_for_path_in(roots, head + os.sep + "x.py")
            if found is None:
                dirs[head] = None
            else:
                x_module, _is_package = found
                dirs[head] = x_module[:-1]
        prefix = dirs[head]
        if prefix is None:  # not under a root, or a directory that is not an identifier
            return None
        stem = name[:-3]
        if stem == "__init__":
            return (prefix[:-1], True) if prefix else None
        if not stem.isidentifier():
            return None
        return prefix + stem, False

    return module_for


def module_for_path_in(roots: Sequence[Path], path: Path | str) -> tuple[str, bool] | None:
    """Dotted module name for a file under one of ``roots`` (deepest first); string ops only,
    since this runs once per file on every build."""
    p = str(path)
    if not os.path.isabs(p):
        p = os.path.abspath(p)
    if not p.endswith(".py"):
        return None
    for root in roots:
        r = str(root)
        prefix = r if r.endswith(os.sep) else r + os.sep
        if not p.startswith(prefix):
            continue
        parts = p[len(prefix) : -3].split(os.sep)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        if not parts or not all(x.isidentifier() for x in parts):
            return None
        return ".".join(parts), is_package
    return None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def scan_file(path: str, module: str | None, is_package: bool, digest: bytes = b""
              ) -> tuple[Record | str | None, str | None, tuple]:
    """(record, notice, cache key) for one file; record is None when the file is skipped, and
    ``UNCHANGED`` when its content hash equals ``digest`` (the cached record still holds)."""
    try:
        # (os.open/fstat/read: half the system calls of stat + open() + read(), ~0.1 s of CPU
        # on a 15k-file cold run)
        fd = os.open(path, _READ_FLAGS)
        try:
            st = os.fstat(fd)
            if st.st_size > MAX_FILE_BYTES:
                notice = f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB; skipped"
                return None, notice, (st.st_size, st.st_mtime_ns, b"")
            raw = os.read(fd, st.st_size + 1)
            if len(raw) != st.st_size:  # (it changed size since the fstat: read to the end)
                raw += b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
        finally:
            os.close(fd)
    except OSError as exc:
        return None, f"{path}: cannot read ({exc.strerror or exc}); skipped", (0, 0, b"")
    # (sha256 runs in the CPU's SHA instructions where it has them: 2.5x blake2b here)
    key = (st.st_size, st.st_mtime_ns, hashlib.sha256(raw).digest()[:16])
    if digest and key[_K.DIGEST] == digest:
        return UNCHANGED, None, key
    if b"\0" in raw:
        return None, f"{path}: binary file (NUL bytes); skipped", key
    try:
        text = decode_source(raw).text
    except SourceDecodeError as exc:
        return None, f"{path}: {exc}; skipped", key
    return record_for_text(text, module, is_package), None, key


def record_for_text(text: str, module: str | None, is_package: bool) -> Record:
    refs, bindings = scan_all(text, module, is_package)
    # refs stay a marshal blob until someone asks for them: loading 11k files' worth of ref
    # tuples from the cache would otherwise dominate a warm start. The top-level names the
    # file refers to are kept apart, to decide namespace directories without the blobs.
    tops = "\0".join(sorted({raw[_MODULE].partition(".")[0] for raw in refs
                             if raw[_KIND] != "attribute"}))
    return (module, is_package, marshal.dumps(tuple(refs), BLOB_VERSION),
            marshal.dumps(bindings, BLOB_VERSION), tops, "\0".join(bindings[_B.STARS]))


def record_for_source(text: str, module: str | None, is_package: bool) -> Record | None:
    """``record_for_text``, or None for a text the index leaves out (larger than
    ``MAX_FILE_BYTES`` or with NUL characters), as ``update_file`` decides."""
    if len(text) > MAX_FILE_BYTES or "\0" in text:
        return None
    return record_for_text(text, module, is_package)


def refs_of(record: Record) -> tuple:
    return marshal.loads(index_cache.unpack_refs(record[_R.REFS]))


def bindings_of(record: Record) -> tuple:
    """(defined, imported, all | None, stars, dynamic) of a record."""
    return marshal.loads(record[_R.BINDINGS])


def _scan_chunk(items: list[tuple[str, str | None, bool, bytes]]) -> list[tuple]:
    return [(path, *scan_file(path, module, is_pkg, digest))
            for path, module, is_pkg, digest in items]


def _scan_chunk_joined(items: list[tuple[str, str | None, bool, bytes]]) -> tuple[list[tuple], bytes]:
    """``_scan_chunk`` in a worker process, its records' two blobs joined into one bytes and
    replaced by their (start, end) in it (``_split_chunk`` makes them views again). The parent
    then holds one large buffer per chunk instead of two small objects per file: the forked
    checkers (``project.batch``) read every file's refs, and a read of a small object writes
    its reference count, so each checker would copy the page of every blob it reads; views of a
    buffer leave its pages shared (the 25k-file tree's cold check: 576 -> 470 MB summed PSS,
    benchmarks/results/check.md, 2026-12-03). The refs blobs are compressed as the cache stores
    them (``index_cache.pack_refs``, which then has nothing left to do): plain, they were the
    largest thing a large run holds (114 MB of the 25k-file tree's refs, 27 MB packed)."""
    rows: list[tuple] = []
    parts: list[bytes] = []
    pos = 0
    for path, record, notice, key in _scan_chunk(items):
        if isinstance(record, tuple):
            refs, binds = index_cache.pack_refs(record[_R.REFS]), record[_R.BINDINGS]
            parts += (refs, binds)
            mid, end = pos + len(refs), pos + len(refs) + len(binds)
            record = (*record[:_R.REFS], (pos, mid), (mid, end), *record[_R.BINDINGS + 1:])
            pos = end
        rows.append((path, record, notice, key))
    return rows, b"".join(parts)


def _split_chunk(joined: tuple[list[tuple], bytes]) -> list[tuple]:
    """``_scan_chunk``'s result from ``_scan_chunk_joined``'s: blobs as views of the buffer (as
    records loaded from the cache are views of its mapped file)."""
    rows, buffer = joined
    view = memoryview(buffer)
    out = []
    for path, record, notice, key in rows:
        if isinstance(record, tuple):
            (a, b), (c, d) = record[_R.REFS], record[_R.BINDINGS]
            record = (*record[:_R.REFS], view[a:b], view[c:d], *record[_R.BINDINGS + 1:])
        out.append((path, record, notice, key))
    return out


class WorkspaceIndex:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.roots = effective_roots(settings)
        self.notices: list[str] = []
        self._records: dict[str, Record] = {}  # path -> record
        self._keys: dict[str, tuple] = {}  # path -> (size, mtime_ns, digest) for the cache
        self._imports_cache: dict[str, FileImports] = {}
        self._reset_derived()

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, settings: Settings, files: Iterable[Path | str] | None = None,
              progress: Progress | None = None, *, cache: bool | Path = True,
              jobs: int | None = None,
              stats: Mapping[str, os.stat_result] | None = None,
              while_scanning: Callable[[], None] | None = None) -> WorkspaceIndex:
        """Index ``files`` (default: every Python file under the roots).

        ``cache``: True (``<root>/.importwarden_cache/``), a directory, or False (no cache).
        ``jobs``: worker processes (default: all cores; 1 = in this process).
        ``stats``: ``os.stat`` results the caller already has, by path (not taken again).
        ``while_scanning``: called once the worker processes run (when there are any): the
        parent is idle until they finish, and may prepare something meanwhile.
        """
        enabled = gc.isenabled()
        gc.disable()  # ~10^5 long-lived tuples: generational GC passes are pure overhead here
        try:
            return cls._build(settings, files, progress, cache, jobs, stats or {},
                              while_scanning)
        finally:
            if enabled:
                gc.enable()

    @classmethod
    def _build(cls, settings, files, progress, cache, jobs, stats,
               while_scanning=None) -> WorkspaceIndex:
        index = cls(settings)
        notices = index.notices
        if files is None:
            paths: list[str] = []
            for top in index._walk_tops():
                paths.extend(iter_python_paths(settings, [top], notices.append))
        else:
            paths = [_abs_path(p, settings.root) for p in files]
        paths = list(dict.fromkeys(paths))
        cache_dir = None
        if cache:
            cache_dir = Path(cache) if not isinstance(cache, bool) else (
                Path(settings.root) / ".importwarden_cache")
        roots = [str(r) for r in index.roots]
        cached = index_cache.load(cache_dir) if cache_dir else {}
        # Module names are a function of the path and the roots: entries written under the
        # same roots need no second computation (saves ~0.03 s on 11k files).
        same_roots = getattr(cached, "roots", None) == roots
        todo: list[tuple[str, str | None, bool, bytes]] = []
        total = len(paths)
        done = 0
        records, keys = index._records, index._keys
        module_for = _memo_module_for(index.roots)
        for path in paths:
            hit = cached.get(path)
            if hit is not None:
                key, record = hit
                st = stats.get(path)
                if st is None:
                    try:
                        st = os.stat(path)
                    except OSError:
                        st = None
                fresh = st is not None and st.st_size == key[_K.SIZE] and st.st_mtime_ns == key[_K.MTIME_NS]
                if same_roots:
                    module, is_package, same_module = record[_R.MODULE], record[_R.IS_PACKAGE], True
                else:
                    mod = module_for(path)
                    module, is_package = mod if mod else (None, False)
                    same_module = record[_R.MODULE] == module and record[_R.IS_PACKAGE] == is_package
                if fresh and same_module:
                    records[path] = record
                    keys[path] = key
                    done += 1
                    continue
                todo.append((path, module, is_package, key[_K.DIGEST] if same_module else b""))
                continue
            mod = module_for(path)
            module, is_package = mod if mod else (None, False)
            todo.append((path, module, is_package, b""))
        if progress:
            progress(done, total)
        results = index._scan_many(todo, progress, done, total, jobs, cached, while_scanning)
        for path, record, notice, key in results:
            if notice:
                notices.append(notice)
            if record is not None:
                index._records[path] = record
                index._keys[path] = key
        index._records = dict(sorted(index._records.items()))
        if cache_dir and (todo or len(cached) != len(index._records)):
            entries = {p: (index._keys[p], r) for p, r in index._records.items()}
            if files is not None:  # a partial build keeps the other files' entries
                entries = {**cached, **entries}
            try:
                index_cache.save(cache_dir, entries, previous=cached, roots=roots)
            except OSError as exc:
                notices.append(f"{cache_dir}: cannot write the index cache ({exc}); continuing")
        index._reset_derived()
        return index

    def _scan_many(self, todo, progress, done, total, jobs, cached,
                   while_scanning=None) -> list[tuple]:
        out: list[tuple] = []
        jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES:
            n = max(1, min(jobs * 8, len(todo) // 50))
            chunks = [todo[i::n] for i in range(n)]
            with process_pool(jobs) as pool:
                results = pool.map(_scan_chunk_joined, chunks)  # (the workers exist from here on)
                if while_scanning is not None:
                    while_scanning()
                for joined in results:
                    chunk = _split_chunk(joined)
                    out.extend(self._content_hits(chunk, cached))
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        else:
            step = max(1, len(todo) // 100)
            for i, item in enumerate(todo):
                out.extend(self._content_hits(_scan_chunk([item]), cached))
                if progress and (i % step == 0 or i == len(todo) - 1):
                    progress(done + i + 1, total)
        return out

    @staticmethod
    def _content_hits(results: list[tuple], cached: dict) -> list[tuple]:
        # Same content as cached (only mtime moved): keep the cached record.
        return [(path, cached[path][1] if record == UNCHANGED else record, notice, key)
                for path, record, notice, key in results]

    def _walk_tops(self) -> list[Path]:
        tops = [Path(self.settings.root).resolve()]
        for r in self.roots:
            if not any(r == t or t in r.parents for t in tops):
                tops.append(r)
        return tops

    # -- incremental updates -------------------------------------------------------------------
    def _key(self, path: Path | str) -> str:
        """The path as the index spells it (absolute; symlinks resolved like the walk)."""
        p = str(path)
        if p in self._records:
            return p
        if not os.path.isabs(p):
            p = os.path.join(str(self.settings.root), p)
        if p in self._records:
            return p
        return str(Path(p).resolve())

    def update_file(self, path: Path | str, source: str | None) -> None:
        """One file changed (``source``: its new text) or was deleted (``source=None``)."""
        key = self._key(path)
        self._imports_cache.pop(key, None)
        if source is None:
            if self._records.pop(key, None) is not None:
                self._reset_derived()
            return
        mod = self.module_for_path(key)
        module, is_package = mod if mod else (None, False)
        record = record_for_source(source, module, is_package)
        if record is None:
            self._records.pop(key, None)
            self._reset_derived()
            return
        self._replace(key, record, (0, 0, b""))

    def put_record(self, path: str, record: Record) -> None:
        """``update_file`` with the scan already done: ``record`` is ``record_for_source`` of
        the file's text for its module (made in a worker process, or earlier for the same
        content). ``path``: absolute and normal, as the walk gives it (not resolved again:
        ``history/report.py`` indexes files that exist only in git)."""
        self._replace(path, record, (0, 0, b""))

    def refresh_file(self, path: Path | str) -> None:
        """Re-read one file from disk (deleted when it no longer exists)."""
        p = self._key(path)
        if not os.path.exists(p):
            self.update_file(p, None)
            return
        mod = self.module_for_path(p)
        module, is_package = mod if mod else (None, False)
        record, notice, key = scan_file(p, module, is_package)
        if notice:
            self.notices.append(notice)
        self._imports_cache.pop(p, None)
        if record is None:
            if self._records.pop(p, None) is not None:
                self._reset_derived()
        else:
            self._replace(p, record, key)

    def _replace(self, path: str, record: Record, key: tuple) -> None:
        """Store a file's new record and bring the derived tables along, incrementally: an
        editor adds or edits one file at a time, and re-deriving 10^4 files costs ~30 ms."""
        old = self._records.get(path)
        self._records[path] = record
        self._keys[path] = key
        self._imports_cache.pop(path, None)
        if old is None or old[_R.STARS] != record[_R.STARS]:
            self._star_importers = None
        if not self._derived:
            return  # (derived from scratch when first asked)
        if old is None:
            self._file_added(path, record)
            return
        if old[_R.MODULE] != record[_R.MODULE] or old[_R.IS_PACKAGE] != record[_R.IS_PACKAGE]:
            self._reset_derived()
            return
        if old[_R.BINDINGS] != record[_R.BINDINGS]:  # what the module binds changed
            self._bindings.pop(path, None)
            self._binds_memo.clear()  # (star imports of it, transitively)
            if self._definers is not None and record[_R.MODULE] is not None:
                self._redefine(record[_R.MODULE], bindings_of(old)[_B.DEFINED], bindings_of(record)[_B.DEFINED])
        if self._ns_tops and old[_R.REFS] != record[_R.REFS] and (
                self._namespace_refs(old) != self._namespace_refs(record)):
            # refs decide which namespace directories are first-party (an edit that only
            # moves them, as typing does, keeps the answer: re-deriving it reads every
            # file's refs, 0.1-0.2 s on the real tree)
            self._ns_used = None
            self._listed = None
            self._binds_memo.clear()

    def _file_added(self, path: str, record: Record) -> None:
        module = record[_R.MODULE]
        if module is None:
            return
        if module in self._modules:  # it was a namespace directory, or a second file for it
            self._reset_derived()
            return
        self._modules[module] = path
        if "." not in module:
            self._regular_tops.add(module)
        self._link(path, record)
        self._ns_used = None
        self._listed = None
        self._binds_memo.clear()  # (a module that star-imports it, or a new first party)
        if self._definers is not None:
            self._redefine(module, (), bindings_of(record)[_B.DEFINED])

    def _redefine(self, module: str, before: Iterable[str], after: Iterable[str]) -> None:
        """Keep the ``definers`` table in step with one module's new definitions."""
        import bisect

        table = self._definers
        assert table is not None
        before, after = set(before), set(after)
        for name in before - after:
            found = table.get(name)
            if found and module in found:
                found.remove(module)
        for name in after - before:
            bisect.insort(table.setdefault(name, []), module)

    # -- derived tables (rebuilt lazily after a change) ----------------------------------------
    def _reset_derived(self) -> None:
        self._derived = False
        self._modules: dict[str, str] = {}  # module -> path (file, or directory for namespace)
        self._namespace: set[str] = set()
        self._children: dict[str, set[str]] = {}
        self._ns_tops: set[str] = set()
        self._regular_tops: set[str] = set()
        self._ns_used: set[str] | None = None
        # (``modules()``, ``top_modules()``), until the modules or the above change
        self._listed: tuple[list[str], list[str]] | None = None
        self._binds_memo: dict[str, frozenset[str]] = {}
        self._bindings: dict[str, tuple] = {}  # path -> decoded bindings
        self._definers: dict[str, list[str]] | None = None
        self._star_importers: dict[str, list[str]] | None = None

    def _bindings_at(self, path: str) -> tuple | None:
        found = self._bindings.get(path)
        if found is None:
            record = self._records.get(path)
            if record is None:
                return None
            found = self._bindings[path] = bindings_of(record)
        return found

    def _derive(self) -> None:
        if self._derived:
            return
        modules = self._modules
        for path, record in self._records.items():
            if record[_R.MODULE] is not None:
                modules[record[_R.MODULE]] = path
        link = self._link
        for path, record in self._records.items():
            link(path, record)
        for module in modules:
            if "." not in module:
                (self._ns_tops if module in self._namespace else self._regular_tops).add(module)
        self._derived = True

    def _link(self, path: str, record: Record) -> None:
        """Record a module (already in ``_modules``) as a child of its package, up the chain;
        a package without a file of its own is a namespace package (its directory)."""
        module = record[_R.MODULE]
        if module is None or "." not in module:
            return
        modules, children = self._modules, self._children
        n = module.count(".") + 1
        child = module
        for i in range(n - 1, 0, -1):
            parent = child.rpartition(".")[0]
            kids = children.get(parent)
            if kids is None:
                kids = children[parent] = set()
            elif child in kids:
                break  # (an earlier file went up this chain: its ancestors are done)
            kids.add(child)
            if parent not in modules:
                # the directory of parts[:i]: up from the file's (package: its
                # ``__init__.py``'s) directory
                d = os.path.dirname(path)
                for _ in range((n if record[_R.IS_PACKAGE] else n - 1) - i):
                    d = os.path.dirname(d)
                modules[parent] = d
                self._namespace.add(parent)
                if "." not in parent:
                    self._ns_tops.add(parent)
            child = parent

    def _namespace_refs(self, record: Record) -> set[tuple[str, str | None]]:
        """What of a record ``_namespace_used`` reads: (module, name of a from-import) of its
        refs into namespace top-level directories."""
        tops = self._ns_tops
        if tops.isdisjoint(record[_R.TOPS].split("\0")):
            return set()
        return {(raw[_MODULE], raw[RawField.NAME] if raw[_KIND] == "from" else None)
                for raw in refs_of(record) if raw[_MODULE].partition(".")[0] in tops}

    def _namespace_used(self) -> set[str]:
        if self._ns_used is None:
            used: set[str] = set()
            tops = self._ns_tops
            modules = self._modules
            if tops:
                for record in self._records.values():
                    if len(used) == len(tops):
                        break  # (every namespace top is used: the other records cannot add one)
                    if tops.isdisjoint(record[_R.TOPS].split("\0")):
                        continue
                    for raw in refs_of(record):
                        m = raw[_MODULE]
                        top = m.partition(".")[0]
                        if top not in tops or top in used:
                            continue
                        if (m in modules and m != top) or (
                                raw[_KIND] == "from" and f"{m}.{raw[RawField.NAME]}" in modules):
                            used.add(top)
            self._ns_used = used
        return self._ns_used

    # -- queries -------------------------------------------------------------------------------
    def module_for_path(self, path: Path | str) -> tuple[str, bool] | None:
        return module_for_path_in(self.roots, path)

    def is_first_party(self, module: str) -> bool:
        self._derive()
        top = module.partition(".")[0]
        return top in self._regular_tops or (top in self._ns_tops and
                                             top in self._namespace_used())

    def resolves(self, module: str, name: str | None = None) -> bool | None:
        """Whether ``module`` (and ``name`` in it) exists; None when not first-party."""
        if not module or not self.is_first_party(module):
            return None
        if module not in self._modules:
            return False
        if name is None or name == "*":
            return True
        if f"{module}.{name}" in self._modules:
            return True
        return name in self.module_binds(module)

    def module_binds(self, module: str) -> frozenset[str]:
        """Names bound at the top level of ``module`` (``ANY`` when it binds anything)."""
        self._derive()
        return self._binds(module, set())

    def _binds(self, module: str, visiting: set[str]) -> frozenset[str]:
        memo = self._binds_memo.get(module)
        if memo is not None:
            return memo
        path = self._modules.get(module)
        # Decoded for this answer only (the answer is memoised), its names interned: a check
        # asks about most modules, whose names repeat (``logging``, ``Any``...); each module's
        # own decoded copy held 25 MB per checking process on the 25k-file tree (400k names,
        # 120k distinct: 8 MB interned).
        bindings = self._bindings.get(path) if path else None
        if bindings is None and path:
            record = self._records.get(path)
            bindings = bindings_of(record) if record is not None else None
        if bindings is None:
            return frozenset()
        defined, imported, _all, stars, dynamic = bindings
        if dynamic:
            self._binds_memo[module] = ANY
            return ANY
        intern = sys.intern
        names = set(map(intern, defined))
        names.update(map(intern, imported))
        visiting.add(module)
        result: frozenset[str] | None = None
        for star in stars:
            if not self.is_first_party(star):
                result = ANY
                break
            if star in visiting:
                continue  # a cycle: what the other side binds is added on its own turn
            exported = self._exports(star, visiting)
            if exported is ANY:
                result = ANY
                break
            names |= exported
        visiting.discard(module)
        if result is None:
            result = frozenset(names)
        if not visiting:
            self._binds_memo[module] = result  # only memoise complete (cycle-free) answers
        return result

    def _exports(self, module: str, visiting: set[str]) -> frozenset[str]:
        """What ``from module import *`` binds."""
        path = self._modules.get(module)
        bindings = self._bindings_at(path) if path else None
        if bindings is None:
            return frozenset()
        all_names = bindings[_B.ALL]
        if all_names is not None:
            return frozenset(all_names)
        binds = self._binds(module, visiting)
        if binds is ANY:
            return ANY
        return frozenset(n for n in binds if not n.startswith("_"))

    def module_exports(self, module: str) -> frozenset[str]:
        """What ``module`` means to export (what completion offers after ``from module
        import``): its literal ``__all__`` when it has one; else the names it defines, plus
        those it imports on purpose, as type checkers read a package's public names: the
        redundant alias (``import x as x``, ``from m import y as y``), ``from . import y`` in
        a package's ``__init__``, and what its first-party star imports export. Not the names
        it only imports for its own use (``from typing import Any``)."""
        self._derive()
        path = self._modules.get(module)
        bindings = self._bindings_at(path) if path else None
        if bindings is None:
            return frozenset()
        defined, _imported, all_names, stars, _dynamic = bindings
        if all_names is not None:
            return frozenset(all_names)
        names = set(defined)
        record = self._records[path]
        own_package = module if record[_R.IS_PACKAGE] else None
        for raw in refs_of(record):
            kind, alias = raw[_KIND], raw[RawField.ALIAS]
            if kind not in ("import", "from") or raw[RawField.FLAGS] & FLAG_IN_DEF:
                continue
            if kind == "import":
                if alias is not None and alias == raw[_MODULE]:
                    names.add(alias)
            elif raw[RawField.NAME] == "*":
                continue  # (below, from the bindings' star modules)
            elif alias is not None:
                if alias == raw[RawField.NAME]:
                    names.add(alias)
            elif raw[RawField.LEVEL] == 1 and raw[_MODULE] == own_package:
                names.add(raw[RawField.NAME])
        for star in stars:
            if self.is_first_party(star):
                exported = self._exports(star, {module})
                if exported is not ANY:
                    names |= exported
        return frozenset(names)

    def definers(self, name: str) -> list[str]:
        """Modules that define ``name`` (def, class or assignment; not imports), sorted."""
        if self._definers is None:
            self._derive()
            table: dict[str, list[str]] = {}
            enabled = gc.isenabled()
            # ~10^5 new lists on a heap of 10^6 objects: with the collector on, its passes
            # cost twice the build itself (0.56 s against 0.19 s on the synthetic 11k files)
            gc.disable()
            try:
                for record in self._records.values():
                    module = record[_R.MODULE]
                    if module is None:
                        continue
                    for n in bindings_of(record)[_B.DEFINED]:
                        found = table.get(n)
                        if found is None:
                            table[n] = [module]
                        else:
                            found.append(module)
            finally:
                if enabled:
                    gc.enable()
            for v in table.values():
                v.sort()
            self._definers = table
        return list(self._definers.get(name, ()))

    def star_importers(self, module: str) -> list[str]:
        """Modules that do ``from module import *`` at module level (what they bind changes
        with what ``module`` binds)."""
        if self._star_importers is None:
            table: dict[str, list[str]] = {}
            for record in self._records.values():
                if record[_R.STARS] and record[_R.MODULE] is not None:
                    for star in record[_R.STARS].split("\0"):
                        table.setdefault(star, []).append(record[_R.MODULE])
            self._star_importers = table
        return sorted(self._star_importers.get(module, ()))

    def modules(self) -> list[str]:
        """All first-party modules (packages, namespace packages and modules), sorted."""
        return list(self._lists()[0])

    def top_modules(self) -> list[str]:
        """The top-level names of ``modules()``, sorted."""
        return list(self._lists()[1])

    def _lists(self) -> tuple[list[str], list[str]]:
        self._derive()
        if self._listed is None:
            # Kept until the modules or which of them are first-party change (``_reset_derived``,
            # ``_file_added``, a new ``_ns_used``): completing a top-level module asks on
            # keystrokes, and the two cost ~20 ms and ~10 ms on the real tree's 32k modules.
            modules = sorted(m for m in self._modules if self.is_first_party(m))
            self._listed = modules, sorted({m.partition(".")[0] for m in modules})
        return self._listed

    def submodules(self, module: str) -> list[str]:
        """Direct submodules of ``module`` (full dotted names), sorted."""
        self._derive()
        return sorted(self._children.get(module, ()))

    def path_of(self, module: str) -> Path | None:
        """The module's file (``__init__.py`` for packages; the directory of a namespace
        package)."""
        self._derive()
        p = self._modules.get(module)
        return Path(p) if p else None

    def is_namespace(self, module: str) -> bool:
        self._derive()
        return module in self._namespace

    def files(self) -> list[Path]:
        return [Path(p) for p in self._records]

    def file_imports(self, path: Path | str) -> FileImports | None:
        """The refs of an indexed file (as ``extract`` would give), without re-reading it."""
        key = self._key(path)
        fi = self._imports_cache.get(key)
        if fi is None:
            record = self._records.get(key)
            if record is None:
                return None
            fi = self._imports_cache[key] = file_imports_from_raw(refs_of(record))
        return fi

    def indexed(self, path: Path | str) -> tuple[tuple, str | None, tuple] | None:
        """(cache key (size, mtime_ns, digest), module, raw refs) of an indexed file: what a
        check needs of it, without reading it or computing its module name again."""
        key = self._key(path)
        record = self._records.get(key)
        if record is None:
            return None
        return self._keys.get(key, (0, 0, b"")), record[_R.MODULE], refs_of(record)
