"""The incremental batch engine behind ``importwarden check`` and ``importwarden fix``.

A run: the files (exclude + .gitignore) -> change detection against the findings cache (stat,
then content digest) -> the workspace index updated for what changed -> the files whose
findings may have changed (their own content, a module they name, a star re-export of one)
re-checked, in a fork pool when there are many -> the cache written back. Files that cannot be
checked become one-line notices; the run goes on.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from importwarden.config import Settings
from importwarden.project.invalidation import (
    affected_by,
    binds_summary,
    bound_names_changed,
    raws_deps,
    refs_deps,
    spread_through_star_imports,
)
from importwarden.textio import MAX_FILE_BYTES

if TYPE_CHECKING:
    from importwarden.analysis.findings import Finding
    from importwarden.findings_cache import CacheState, FileState
    from importwarden.project.engine import Project

PARALLEL_THRESHOLD = 64  # fewer files than this are checked in-process
CHUNK_SIZE = 32



class NoProgress:
    """A progress display that shows nothing (the engine's default; the CLI passes its bar)."""

    def __init__(self, total: int, label: str):
        pass

    def __enter__(self) -> "NoProgress":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def set(self, done: int, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


# ``factory(total, label)``: a context manager with ``set(done, total)`` and ``advance(n)``
ProgressFactory = Callable[[int, str], Any]


# --- one file -------------------------------------------------------------------------------


@dataclass
class FileResult:
    rel: str
    size: int = 0
    mtime_ns: int = 0
    digest: str = ""
    findings: tuple = ()
    deps: str = ""  # the modules it refers to, sorted, one a line (``FileState.deps``)
    module: str | None = None
    notice: str | None = None  # the file was skipped: why
    binds: str = ""  # fingerprint of what the file's module binds


def check_path(project: "Project", path: Path, rel: str, with_edits: bool = True) -> FileResult:
    """Read, decode and check one file; never raises. ``with_edits=False``: fixes are not
    planned, only decided (``Project.analyze``'s ``fixable_only``)."""
    from importwarden.analysis.suppress import skip_file
    from importwarden.findings_cache import digest
    from importwarden.textio import SourceDecodeError, decode_source

    result = FileResult(rel)
    try:
        st = path.stat()
        result.size, result.mtime_ns = st.st_size, st.st_mtime_ns
        if st.st_size > MAX_FILE_BYTES:
            result.notice = (f"{rel}: skipped: larger than {MAX_FILE_BYTES // 2**20} MB "
                             f"({st.st_size} bytes)")
            return result
        raw = path.read_bytes()
        result.digest = digest(raw)
        if b"\x00" in raw:
            result.notice = f"{rel}: skipped: binary file (contains NUL bytes)"
            return result
        text = decode_source(raw).text
    except FileNotFoundError:
        kind = "broken symlink" if path.is_symlink() else "file disappeared"
        result.notice = f"{rel}: skipped: {kind}"
        return result
    except PermissionError:
        result.notice = f"{rel}: skipped: permission denied"
        return result
    except IsADirectoryError:
        result.notice = f"{rel}: skipped: is a directory"
        return result
    except OSError as exc:
        result.notice = f"{rel}: skipped: cannot read: {exc.strerror or exc}"
        return result
    except SourceDecodeError as exc:
        result.notice = f"{rel}{_decode_line(raw, str(exc))}: skipped: {exc}"
        return result
    try:
        if skip_file(text):
            return result
        module, _ = project.module_for(path)
        imports = project.extract(path, text)
        result.module = module
        result.deps = refs_deps(imports.refs)
        result.findings = tuple(map(_without_ref, project.analyze(
            rel, module, imports.refs, text, with_edits=with_edits, fixable_only=True)))
    except Exception as exc:  # a bug of ours must not end the run or print a traceback
        result.notice = f"{rel}: internal error while checking: {type(exc).__name__}: {exc}"
    return result


def _decode_line(raw: bytes, message: str) -> str:
    """``:N`` for the line of the first undecodable byte (from the codec's "position N")."""
    import re

    m = re.search(r"position (\d+)", message)
    if not m:
        return ""
    line = raw[: int(m.group(1))].count(b"\n") + 1
    return f":{line}"


def analyze_indexed(project: "Project", path: str, rel: str,
                    memo: dict | None = None, for_cache: bool = True,
                    with_edits: bool = True) -> FileResult:
    """Check a file the workspace index has already read: its refs come from the index (no
    read); the source is read again only when there are findings (for ``# noqa`` comments and
    fix edits). Files the index skipped are read here, to say why. ``memo``: shared by the
    files of one run (see ``rules.interesting_raw``). ``for_cache=False``: the result will not
    be cached, so what only the cache needs (deps, bindings fingerprint) is not computed.
    ``with_edits=False``: fixes are decided, not planned (see ``CheckSession``). The findings
    carry no ref (``_without_ref``): what a worker sends back is pickled."""
    from importwarden.analysis.suppress import skip_file
    from importwarden.textio import SourceDecodeError, read_source

    from importwarden.analysis.imports import ref_from_raw
    from importwarden.analysis.rules import interesting_raw

    index = project.index
    found_in_index = index.indexed(path) if index is not None else None
    if found_in_index is None:
        return check_path(project, Path(path), rel, with_edits)
    (size, mtime_ns, _digest), module, raws = found_in_index
    # (size and mtime as the index read the file: its refs are of that content)
    result = FileResult(rel, size=size, mtime_ns=mtime_ns, module=module)
    try:
        if for_cache:
            result.deps = raws_deps(raws)
            result.binds = binds_summary(index, module)
        # Only refs some rule may report become ImportRef objects (most imports are fine).
        refs = [ref_from_raw(r) for r in interesting_raw(raws, module=module,
                                                          ctx=project.context, memo=memo)]
        found = project.analyze(rel, module, refs, None, with_edits=False) if refs else []
        if found:
            text = read_source(path).text
            if skip_file(text):
                return result
            result.findings = tuple(map(_without_ref, project.analyze(
                rel, module, refs, text, with_edits=with_edits, fixable_only=True)))
    except (OSError, SourceDecodeError) as exc:
        result.notice = f"{rel}: skipped: cannot read: {getattr(exc, 'strerror', None) or exc}"
    except Exception as exc:  # a bug of ours must not end the run or print a traceback
        result.notice = f"{rel}: internal error while checking: {type(exc).__name__}: {exc}"
    return result


# --- worker processes -----------------------------------------------------------------------

_checker: tuple = ()  # in a checking worker process: (project, memo, for_cache, with_edits)


def _start_checker(project: "Project", memo: dict, for_cache: bool, with_edits: bool) -> None:
    global _checker
    _checker = (project, memo, for_cache, with_edits)


def _work_chunk(items: list[tuple[str, str]]) -> list[FileResult]:
    project, memo, for_cache, with_edits = _checker
    with no_gc():
        return [analyze_indexed(project, path, rel, memo, for_cache, with_edits)
                for path, rel in items]


class no_gc:
    """Generational GC passes over ~10^6 young objects are pure overhead in a batch run."""

    def __enter__(self) -> None:
        import gc

        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        import gc

        if self.enabled:
            gc.enable()


# --- the whole run --------------------------------------------------------------------------


class CheckSession:
    """One ``check`` run: settings, registry, cache, and the files' findings.

    Used by ``check`` and by ``fix`` (to find the files with something to fix).

    ``with_edits``: whether the findings' fixes must carry their edits (the JSON and SARIF
    formats print them). Without, a fix is only decided (``fixes.can_fix``: kept exactly when
    planning would give one) and stays unplanned, which the text format's ``[*]`` marks and
    fix counts need no more than; planning every edit was 29% of a cold run. The cache keeps
    either kind; a run with edits re-checks the files whose cached fixes are unplanned.
    """

    def __init__(self, settings: Settings, *, cwd: Path, use_cache: bool = True,
                 progress: "ProgressFactory | None" = None, jobs: int | None = None,
                 with_edits: bool = True):
        from importwarden.findings_cache import Cache, run_key
        from importwarden.project.engine import Project, load_registry_files, registry_paths
        from importwarden.registry.model import Registry

        self.settings = settings
        self.cwd = cwd
        self.progress: ProgressFactory = progress or NoProgress
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.with_edits = with_edits
        paths, errors = registry_paths(settings)
        self.cache = Cache(settings.root, run_key(settings, paths), enabled=use_cache)
        # The parsed registry is cached under the run key (which hashes the registry files'
        # bytes): parsing Markdown with text repair costs more than a whole warm run. Only a
        # registry that loaded without errors is cached, so a cached one means no errors, and
        # it is unpickled only when something has to be checked (``project``).
        self._registry_pending = not errors and self.cache.has_registry()
        if self._registry_pending:
            registry, load_errors = Registry(), []
        else:
            registry, load_errors = load_registry_files(paths)
            if not errors and not load_errors:
                self.cache.save_registry((registry, load_errors))
        self.registry_errors = errors + load_errors
        self._project = Project(settings, registry, None, self.registry_errors, paths)
        self.notices: list[str] = []
        self.state: CacheState | None = None  # the last ``check``'s cache state

    @property
    def project(self) -> "Project":
        """The engine (its registry loaded from the cache on first use)."""
        if self._registry_pending:
            self._registry_pending = False
            cached = self.cache.load_registry()
            if cached is not None:
                self._project.use_registry(cached[0])
            else:  # the cache vanished since: parse after all
                from importwarden.project.engine import load_registry_files

                registry, load_errors = load_registry_files(self._project.registry_paths)
                self.registry_errors += load_errors
                self._project.use_registry(registry, self.registry_errors)
        return self._project

    def ensure_index(self) -> None:
        """Give the project a workspace index when ``check`` answered everything from the
        findings cache (the fixer needs one). The index has its own content cache, so this
        reads no file that did not change."""
        project = self.project
        if project.index is None:
            from importwarden.workspace.index import WorkspaceIndex

            project.use_index(WorkspaceIndex.build(self.settings, cache=self.cache.enabled,
                                                   jobs=self.jobs))

    def _notice(self, message: str) -> None:
        """A walker/index notice (absolute path first) as a cwd-relative line."""
        path, sep, rest = message.partition(": ")
        if sep and os.path.isabs(path):
            try:
                path = os.path.relpath(path, self.cwd)
            except ValueError:
                pass
            rest = rest.removesuffix("; skipped")
            message = f"{path}: skipped: {rest}"
        if message not in self.notices:
            self.notices.append(message)

    # --- files ------------------------------------------------------------------------------

    def files(self, paths: Sequence[Path], *, quiet: bool = False) -> list[Path]:
        """The files to report on: the given paths (files and directories, walked with the
        project's exclude and .gitignore rules), or the whole project."""
        return [Path(p) for p in self._file_paths(paths, quiet=quiet)]

    def _file_paths(self, paths: Sequence[Path], *, quiet: bool = False) -> list[str]:
        """``files`` as sorted strings (what ``check`` works with: no ``Path`` per file)."""
        from importwarden.workspace.files import iter_python_paths

        notice = (lambda _m: None) if quiet else self._notice
        wanted: list[Path] | None = None
        if paths:
            wanted = []
            for p in paths:
                full = p if p.is_absolute() else self.cwd / p
                if not full.exists() and not full.is_symlink():
                    self.notices.append(f"{p}: skipped: no such file or directory")
                    continue
                wanted.append(full)
            if not wanted:
                return []
        return sorted(set(iter_python_paths(self.settings, wanted, notice)))

    def _covers_project(self, paths: Sequence[Path]) -> bool:
        """Whether one of ``paths`` is the project root itself (``check .``): its walk is then
        the whole project's walk, which needs not be repeated."""
        root = Path(self.settings.root).resolve()
        for p in paths:
            full = p if p.is_absolute() else self.cwd / p
            if full.is_dir() and full.resolve() == root:
                return True
        return False

    def _rel_paths(self, paths: Sequence[str]) -> dict[str, str]:
        """Paths relative to the project root (posix), by string ops: pathlib costs ~0.1 s
        per 10k files, a tenth of the warm-run budget."""
        root = os.fspath(self.settings.root).rstrip(os.sep) + os.sep
        out = {}
        for path in paths:
            s = os.fspath(path)
            if s.startswith(root):
                rel = s[len(root):]
                out[path] = rel.replace(os.sep, "/") if os.sep != "/" else rel
            else:
                out[path] = self._project.rel_path(path)
        return out

    def check(self, paths: Sequence[Path]) -> list["Finding"]:
        """Findings for the given paths (all files when empty), sorted by path and position."""
        with no_gc():  # the loaded cache is ~10^6 objects: a full GC pass costs ~0.1 s
            return self._check(paths)

    def _check(self, paths: Sequence[Path]) -> list["Finding"]:
        files = self._file_paths(paths)
        # Change detection always covers the whole project: a module deleted or changed
        # anywhere can change the findings of the files asked about.
        if not paths or self._covers_project(paths):
            every = files
        else:
            every = sorted(set(self._file_paths([], quiet=True)) | set(files))
        state = self.state = self.cache.load_state()
        findings = self._check_files(files, every, state)
        findings.sort(key=lambda f: f.sort_key())
        return findings

    def _check_files(self, files: list[str], every: list[str],
                     state: "CacheState") -> list["Finding"]:
        from importwarden.findings_cache import FileState

        rel_of = self._rel_paths(every)
        wanted = set(files)
        stale: list[str] = []
        stats: dict[str, os.stat_result] = {}  # (the index needs not stat them again)
        for path in every:
            cached = state.files.get(rel_of[path])
            if cached is None:
                stale.append(path)
                continue
            try:
                st = stats[path] = os.stat(path)
            except OSError:
                stale.append(path)
                continue
            if st.st_size != cached.size or st.st_mtime_ns != cached.mtime_ns:
                stale.append(path)
        current = set(rel_of.values())
        deleted = [rel for rel in state.files if rel not in current]
        # Unchanged files whose cached fixes were decided but not planned, when edits are due.
        unplanned = _unplanned(files, state, rel_of, set(stale)) if self.with_edits else []
        if state.files and not stale and not deleted and not unplanned and self.cache.enabled:
            # The fast path: nothing changed since the last run; nothing is read.
            return [f for path in files for f in state.files[rel_of[path]].findings]

        project = self.project
        # The index reads every changed file once (all of them on a cold run, in parallel)
        # and keeps its own content cache; the rules then run on the refs it extracted.
        from importwarden.workspace.index import WorkspaceIndex

        # ``files``: the walk was just done; the index needs not repeat it.
        fixer = _ImportInBackground("importwarden.fixes", "libcst")
        with self.progress(len(every), "indexing") as bar:
            index = WorkspaceIndex.build(self.settings, files=every, cache=self.cache.enabled,
                                         jobs=self.jobs, progress=bar.set, stats=stats,
                                         while_scanning=fixer.start)
        fixer.join()  # (before any fork: no thread may be mid-import then)
        # (Files the index skipped are read again by ``analyze_indexed``, which says why.)
        project.use_index(index)
        if not state.files:
            todo = [p for p in every if p in wanted] if len(files) != len(every) else list(every)
        else:
            # module -> the names it gained or lost (None: more than names changed)
            changed: dict[str, frozenset[str] | None] = {}
            todo = list(stale) + unplanned
            for rel in deleted:
                gone = state.files.pop(rel)
                if gone.module:
                    changed[gone.module] = None
            for path in stale:
                cached = state.files.get(rel_of[path])
                module, _ = project.module_for(path)
                if not module:
                    continue
                now = binds_summary(index, module)
                if cached is None:
                    changed[module] = None
                elif cached.binds != now:
                    changed[module] = bound_names_changed(cached.binds, now)
            # A module that star-imports a changed one binds something else too (at most the
            # same names); its own file is not re-checked, so its cached summary is renewed.
            star_changed = spread_through_star_imports(index, changed)
            if star_changed:
                for rel, cached in state.files.items():
                    if cached.module in star_changed:
                        state.files[rel] = cached._replace(binds=binds_summary(index, cached.module))
            if changed:
                affected = affected_by(changed)
                stale_set = set(stale) | set(unplanned)
                for path in every:
                    cached = state.files.get(rel_of[path])
                    if path in stale_set or cached is None:
                        continue
                    if affected(cached):
                        todo.append(path)
        results = self._run_many(todo, rel_of)

        findings: list[Finding] = []
        for path in every:
            rel = rel_of[path]
            res = results.get(rel)
            if res is not None:
                if res.notice:
                    if path in wanted:
                        self.notices.append(res.notice)
                    state.files.pop(rel, None)
                    continue
                state.files[rel] = FileState(res.size, res.mtime_ns, res.digest, res.findings,
                                             res.deps, res.module, res.binds)
            cached = state.files.get(rel)
            if cached is not None and path in wanted:
                findings.extend(cached.findings)
        warning = self.cache.save_state(state)
        if warning:
            self.notices.append(warning)
        return findings

    def _run_many(self, paths: list[str], rel_of: dict[str, str]) -> dict[str, FileResult]:
        """Check files from the index's refs, in a process pool (fork) when there are many."""
        items = [(path, rel_of[path]) for path in paths]
        out: dict[str, FileResult] = {}
        memo: dict = {}  # this run's registry and index: see ``rules.interesting_raw``
        with self.progress(len(items), "checking") as bar:
            if self.jobs > 1 and len(items) >= PARALLEL_THRESHOLD and sys.platform != "win32":
                from importwarden.workers import process_pool, release_free_memory

                # Filled here, the memo and the index tables behind its answers (module
                # bindings) are shared by the forked checkers; each filled its own copy of
                # nearly all of it (~25 MB each on the 25k-file tree) and computed it twice.
                _fill_memo(self.project, items, memo)
                release_free_memory()  # (the forked checkers would share the free pages)
                n = max(1, min(self.jobs * 8, len(items) // CHUNK_SIZE))
                chunks = [items[i::n] for i in range(n)]
                with process_pool(self.jobs, initializer=_start_checker, inherit=True,
                                  initargs=(self.project, memo, self.cache.enabled,
                                            self.with_edits)) as pool:
                    for chunk in pool.map(_work_chunk, chunks):
                        for res in chunk:
                            out[res.rel] = res
                        bar.advance(len(chunk))
            else:
                with no_gc():
                    for path_s, rel in items:
                        out[rel] = analyze_indexed(self.project, path_s, rel, memo,
                                                   self.cache.enabled, self.with_edits)
                        bar.advance()
        return out


def _fill_memo(project: "Project", items: list[tuple[str, str]], memo: dict) -> None:
    """``rules.interesting_raw``'s answers for every target the indexed files name."""
    from importwarden.analysis.rules import interesting_raw

    index, ctx = project.index, project.context
    for path, _rel in items:
        found = index.indexed(path)
        if found is not None:
            _key, module, raws = found
            interesting_raw(raws, module=module, ctx=ctx, memo=memo)


def _unplanned(files: list[str], state: "CacheState", rel_of: dict[str, str],
               stale: set[str]) -> list[str]:
    """The files asked about, unchanged since cached, with a fix whose edits were not
    planned."""
    from importwarden.project.engine import unplanned

    out = []
    for path in files:
        cached = state.files.get(rel_of[path])
        if (cached is not None and cached.findings and path not in stale
                and any(map(unplanned, cached.findings))):
            out.append(path)
    return out


def _without_ref(finding: Any) -> Any:
    """Results and cached findings drop their ref (the ImportRef): no output needs it, it
    would triple what a warm run unpickles, and it was a third of what the checking workers
    pickled back to the parent."""
    from dataclasses import replace

    return replace(finding, ref=None) if finding.ref is not None else finding


class _ImportInBackground:
    """Import modules in a thread while the index's worker processes scan.

    The fix engine plans or decides the fix of every fixable finding, and libcst (~0.25 s to
    import; the engine imports it only when a statement needs it) parses the statements that
    are not one plain line; in a large run each checking worker would import them for itself.
    Imported once in the parent, while it only waits for the scanners, the forked checkers
    inherit them. Started only after the scanners are forked, and joined before the checkers
    are (a fork while another thread holds an import lock could deadlock the child)."""

    def __init__(self, *modules: str):
        self.modules = modules
        self.thread: Any = None

    def start(self) -> None:
        import threading

        def run() -> None:
            import importlib

            try:
                for module in self.modules:
                    importlib.import_module(module)
            except Exception:  # imported again (and reported) where it is needed
                pass

        self.thread = threading.Thread(target=run, name="importwarden-warmup", daemon=True)
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
