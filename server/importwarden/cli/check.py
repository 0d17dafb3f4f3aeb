"""``importwarden check``: report imports and mock targets that stray from the registry.

The run: settings -> registry -> files (exclude + .gitignore) -> per-file findings (from the
cache when a file's stat and content are unchanged) -> one output format on stdout. Notices
about files that cannot be checked (unreadable, binary, too large, undecodable, broken
symlinks) and registries that cannot be loaded go to stderr, one line each; the run goes on.

Exit codes: 0 nothing found (or ``--exit-zero``), 1 findings, 2 usage/config error or a
registry that failed to load.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    from importwarden.analysis.engine import Project
    from importwarden.analysis.findings import Finding
    from importwarden.cache import CacheState, FileState

MAX_FILE_SIZE = 5 * 1024 * 1024  # larger files are skipped with a notice
PARALLEL_THRESHOLD = 64  # fewer files than this are checked in-process
CHUNK_SIZE = 32


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATHS",
                        help="files or directories to check (default: the project)")
    parser.add_argument("--registry", action="append", metavar="FILE", default=None,
                        help="registry file (repeatable; overrides discovery)")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml or importwarden.toml to use")
    parser.add_argument("--output-format", choices=("text", "json", "sarif", "github"),
                        default="text", help="output format (default: text)")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to report")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to skip")
    parser.add_argument("--statistics", action="store_true", help="show counts per code")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def _codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if getattr(args, "registry", None):
        overrides["registry"] = list(args.registry)
    if getattr(args, "select", None) is not None:
        overrides["select"] = _codes(args.select)
    if getattr(args, "ignore", None) is not None:
        overrides["ignore"] = _codes(args.ignore)
    return overrides


def _err(message: str) -> None:
    print(f"importwarden: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from importwarden.errors import ImportwardenError

    try:
        return _run(args)
    except ImportwardenError as exc:
        _err(str(exc))
        return 2


def _run(args: argparse.Namespace) -> int:
    from importwarden.cache import Cache, run_key
    from importwarden.config import load_settings
    from importwarden.output import OutputContext, render

    cwd = Path.cwd()
    settings = load_settings(cwd, overrides_from_args(args),
                             Path(args.config) if args.config else None)
    session = CheckSession(settings, cwd=cwd, use_cache=not args.no_cache,
                           progress=sys.stderr.isatty())
    for message in session.registry_errors:
        _err(message)
    findings = session.check([Path(p) for p in args.paths])
    for message in session.notices:
        _err(message)
    ctx = OutputContext(root=settings.root, cwd=cwd, statistics=args.statistics)
    sys.stdout.write(render(args.output_format, findings, ctx))
    sys.stdout.flush()
    if session.registry_errors:
        return 2
    if findings and not args.exit_zero:
        return 1
    return 0


# --- one file -------------------------------------------------------------------------------


@dataclass
class FileResult:
    rel: str
    size: int = 0
    mtime_ns: int = 0
    digest: str = ""
    findings: tuple = ()
    deps: frozenset = frozenset()
    module: str | None = None
    notice: str | None = None  # the file was skipped: why
    unchanged: bool = False  # content equals the cached digest: findings not recomputed
    source: str | None = None  # kept only when the caller asked (index update)


def refs_deps(refs: Iterable[Any]) -> frozenset[str]:
    """The modules a file's findings depend on (a change to one of them re-checks the file)."""
    deps: set[str] = set()
    for ref in refs:
        deps.add(ref.module)
        if ref.name and ref.name != "*":
            deps.add(f"{ref.module}.{ref.name}")
    return frozenset(deps)


def check_path(project: "Project", path: Path, rel: str, *, known_digest: str | None = None,
               keep_source: bool = False, text: str | None = None) -> FileResult:
    """Read (unless ``text`` is given), decode and check one file; never raises."""
    from importwarden.analysis.suppress import skip_file
    from importwarden.cache import digest
    from importwarden.textio import SourceDecodeError, decode_source

    result = FileResult(rel)
    try:
        st = path.stat()
        result.size, result.mtime_ns = st.st_size, st.st_mtime_ns
        if text is None:
            if st.st_size > MAX_FILE_SIZE:
                result.notice = f"{rel}: skipped: larger than 5 MB ({st.st_size} bytes)"
                return result
            raw = path.read_bytes()
            result.digest = digest(raw)
            if known_digest is not None and result.digest == known_digest:
                result.unchanged = True
                return result
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
        result.notice = f"{rel}: skipped: {exc}"
        return result
    if keep_source:
        result.source = text
    try:
        if skip_file(text):
            return result
        module, _ = project.module_for(path)
        imports = project.extract(path, text)
        result.module = module
        result.deps = refs_deps(imports.refs)
        result.findings = tuple(project.analyze(rel, module, imports.refs, text))
    except Exception as exc:  # a bug of ours must not end the run or print a traceback
        result.notice = f"{rel}: internal error while checking: {type(exc).__name__}: {exc}"
    return result


# --- worker processes -----------------------------------------------------------------------

_WORKER_PROJECT: "Project | None" = None


def _init_worker(project: "Project") -> None:
    global _WORKER_PROJECT
    _WORKER_PROJECT = project


def _work(item: tuple[str, str, str | None]) -> FileResult:
    path, rel, known = item
    assert _WORKER_PROJECT is not None
    return check_path(_WORKER_PROJECT, Path(path), rel, known_digest=known)


# --- the whole run --------------------------------------------------------------------------


class CheckSession:
    """One ``check`` run: settings, registry, cache, and the files' findings."""

    def __init__(self, settings: Any, *, cwd: Path, use_cache: bool = True, progress: bool = False,
                 jobs: int | None = None):
        from importwarden.analysis.engine import Project, load_registry_files, registry_paths
        from importwarden.cache import Cache, run_key

        self.settings = settings
        self.cwd = cwd
        self.progress = progress
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        paths, errors = registry_paths(settings)
        registry, load_errors = load_registry_files(paths)
        self.registry_errors = errors + load_errors
        self.project = Project(settings, registry, None, self.registry_errors, paths)
        self.cache = Cache(settings.root, run_key(settings, paths), enabled=use_cache)
        self.notices: list[str] = []

    # --- files ------------------------------------------------------------------------------

    def files(self, paths: Sequence[Path]) -> list[Path]:
        """The files to report on: the given paths (files and directories, walked with the
        project's exclude and .gitignore rules), or the whole project."""
        from importwarden.workspace.files import iter_python_files

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
        return sorted(set(iter_python_files(self.settings, wanted)))

    def check(self, paths: Sequence[Path]) -> list["Finding"]:
        """Findings for the given paths (all files when empty), sorted by path and position."""
        files = self.files(paths)
        # Change detection always covers the whole project: a module deleted or changed
        # anywhere can change the findings of the files asked about.
        every = files if not paths else sorted(set(self.files([])) | set(files))
        state = self.cache.load_state()
        findings = self._check_files(files, every, state)
        findings.sort(key=lambda f: f.sort_key())
        return findings

    def _check_files(self, files: list[Path], every: list[Path],
                     state: "CacheState") -> list["Finding"]:
        from importwarden.cache import FileState

        project = self.project
        rel_of = {path: project.rel_path(path) for path in every}
        wanted = set(files)
        stale: list[Path] = []
        for path in every:
            cached = state.files.get(rel_of[path])
            if cached is None:
                stale.append(path)
                continue
            try:
                st = path.stat()
            except OSError:
                stale.append(path)
                continue
            if st.st_size != cached.size or st.st_mtime_ns != cached.mtime_ns:
                stale.append(path)
        current = set(rel_of.values())
        deleted = [rel for rel in state.files if rel not in current]
        if state.files and not stale and not deleted and self.cache.enabled:
            # The fast path: nothing changed since the last run; nothing is read.
            return [f for path in files for f in state.files[rel_of[path]].findings]

        index, warm = self._index(state)
        project.index = index
        project._ctx = None
        results: dict[str, FileResult] = {}
        if warm:
            changed_modules: set[str] = set()
            for path in stale:
                rel = rel_of[path]
                cached = state.files.get(rel)
                res = check_path(project, path, rel, known_digest=cached.digest if cached else None,
                                 keep_source=True)
                if res.unchanged or res.notice:
                    results[rel] = res
                    continue
                module, _ = project.module_for(path)
                before = _binds(index, module) if module else None
                project.update_file(path, res.source)
                after = _binds(index, module) if module else None
                if module and before != after:
                    changed_modules.add(module)
                # Check with the updated index (the file may import itself, relatively).
                first_digest = res.digest
                res = check_path(project, path, rel, text=res.source)
                res.digest = first_digest
                results[rel] = res
            for rel in deleted:
                gone = state.files.pop(rel)
                try:
                    project.update_file(self.settings.root / rel, None)
                except Exception:
                    pass
                if gone.module:
                    changed_modules.add(gone.module)
            if changed_modules:
                todo = []
                for path in every:
                    rel = rel_of[path]
                    cached = state.files.get(rel)
                    if rel in results or cached is None or not _affected(cached, changed_modules):
                        continue
                    if path in wanted:
                        todo.append(path)
                    else:  # not asked about: forget it, the next run that needs it re-checks
                        state.files.pop(rel, None)
                results.update(self._run_many(todo, rel_of, state=None))
            self._save_index(index)
        else:
            # Cold: no index to update, so everything asked about is checked afresh.
            results.update(self._run_many(files, rel_of, state=None))
            self._save_index(index)
            if len(files) != len(every):
                state.files.clear()  # the rest was never checked against this index

        findings: list[Finding] = []
        for path in every:
            rel = rel_of[path]
            res = results.get(rel)
            cached = state.files.get(rel)
            if res is None:
                if cached is not None and path in wanted:
                    findings.extend(cached.findings)
                continue
            if res.notice:
                if path in wanted:
                    self.notices.append(res.notice)
                state.files.pop(rel, None)
                continue
            if res.unchanged and cached is not None:
                cached.size, cached.mtime_ns = res.size, res.mtime_ns
            else:
                state.files[rel] = FileState(res.size, res.mtime_ns, res.digest, res.findings,
                                             res.deps, res.module)
            if path in wanted:
                findings.extend(state.files[rel].findings)
        warning = self.cache.save_state(state)
        if warning:
            self.notices.append(warning)
        return findings

    def _index(self, state: "CacheState") -> tuple[Any, bool]:
        """The workspace index: restored from the cache (warm) or built (cold)."""
        if state.files:
            index = self.cache.load_index()
            if index is not None:
                return index, True
        from importwarden.workspace.index import WorkspaceIndex

        return WorkspaceIndex.build(self.settings), False

    def _save_index(self, index: Any) -> None:
        self.cache.save_index(index)  # best effort: without it the next run rebuilds

    def _run_many(self, paths: list[Path], rel_of: dict[Path, str],
                  state: "CacheState | None") -> dict[str, FileResult]:
        """Check files, in a process pool when there are many (the cold path)."""
        items = []
        for path in paths:
            rel = rel_of[path]
            cached = state.files.get(rel) if state is not None else None
            items.append((str(path), rel, cached.digest if cached else None))
        out: dict[str, FileResult] = {}
        with _Progress(len(items), enabled=self.progress) as bar:
            if self.jobs > 1 and len(items) >= PARALLEL_THRESHOLD:
                import concurrent.futures
                import multiprocessing

                ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
                with concurrent.futures.ProcessPoolExecutor(
                        max_workers=self.jobs, mp_context=ctx,
                        initializer=_init_worker, initargs=(self.project,)) as pool:
                    for res in pool.map(_work, items, chunksize=CHUNK_SIZE):
                        out[res.rel] = res
                        bar.advance()
            else:
                for path_s, rel, known in items:
                    out[rel] = check_path(self.project, Path(path_s), rel, known_digest=known)
                    bar.advance()
        return out


def _binds(index: Any, module: str) -> Any:
    try:
        return (index.resolves(module), index.module_binds(module))
    except Exception:
        return None


def _affected(cached: "FileState", changed: set[str]) -> bool:
    if any(f.code == "IW005" for f in cached.findings):
        return True  # its fix suggestion depends on every module's names
    for dep in cached.deps:
        for mod in changed:
            if dep == mod or dep.startswith(mod + ".") or mod.startswith(dep + "."):
                return True
    return False


class _Progress:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total > 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task("check", total=self.total)
        return self

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
