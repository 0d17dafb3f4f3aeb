"""``importwarden report``: findings by rule along the first-parent history.

Nothing is checked out. The first sampled commit's tree is listed (``git ls-tree``); the later
ones follow from one ``git log --raw`` of the first-parent history. Only the blobs that differ
from the previous sample are read (``git cat-file --batch``), scanned and put into one
workspace index, as an editor updates it. Files are checked with the engine ``check`` runs
(``Project.analyze`` on the refs some rule may report), against the registry as of that commit
(its files' blobs in that tree) or today's (``--registry-at head``). A commit with many files
to scan or check (the first, one that changes the registry) is done in a fork pool, as
``check`` does it.

What is reused between commits: a file whose blob did not change keeps its findings unless the
registry changed or a change reaches it by name (``project/invalidation.py``, shared with
``check``: a module it imports appeared or went, or gained or lost a name it takes). Scans are
reused by blob id (``BlobScans``; persisted, sealed, in the project's cache directory), so a
revert or a second run parses nothing again.
"""

from __future__ import annotations

import datetime
import marshal
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from importwarden.history.git import LOG_FORMAT, BlobReader, GitError, Repo, parse_raw
from importwarden.registry.model import Registry

SAMPLES = ("commit", "day")


@dataclass(frozen=True)
class Row:
    commit: str
    date: str
    subject: str
    counts: dict[str, int]  # rule code -> findings
    files: int  # Python files checked at that commit
    touched: int  # Python files that differ from the previous row's commit
    checked: int = 0  # files checked at this commit: the touched ones and those they reach

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict:
        return {"commit": self.commit, "date": self.date, "subject": self.subject,
                "counts": dict(sorted(self.counts.items())), "total": self.total,
                "files": self.files, "files_touched": self.touched}


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    registry_at: str = "commit"

    def codes(self) -> list[str]:
        return sorted({code for row in self.rows for code in row.counts})

    def to_json(self) -> dict:
        return {"registry_at": self.registry_at, "codes": self.codes(),
                "rows": [r.to_json() for r in self.rows]}


# --- choosing commits ---------------------------------------------------------------------------


def first_parent_commits(repo: Repo, since: str | None) -> list[tuple[str, str, str]]:
    """(sha, ISO date, subject) of the first-parent history, oldest first. ``since``: a commit
    (the history after it) or a date (``git log --since``)."""
    if repo.is_shallow():
        hint = " (use --since with a commit inside the fetched history)" if since is None else ""
        shallow = _shallow_boundary(repo)
        if since is None or not _is_commit(repo, since):
            raise GitError(f"{repo.top}: a shallow clone: the history before {shallow} was "
                           f"not fetched{hint}; fetch it with `git fetch --unshallow`")
    args = ["log", "--first-parent", "--reverse", "--format=%H%x1f%cI%x1f%s"]
    if since is not None:
        if _is_commit(repo, since):
            args.append(f"{repo.resolve(since)}..HEAD")
        else:
            if not _looks_like_date(since):
                raise GitError(f"{since}: no such commit in {repo.top} (and not a date)")
            args += [f"--since={since}", "HEAD"]
    else:
        args.append("HEAD")
    out = repo.run(*args)
    rows = []
    for line in out.splitlines():
        sha, date, subject = (line.split("\x1f") + ["", ""])[:3]
        rows.append((sha, date, subject))
    return rows


def _shallow_boundary(repo: Repo) -> str:
    path = Path(repo.run("rev-parse", "--git-path", "shallow").strip())
    path = path if path.is_absolute() else repo.top / path
    try:
        first = path.read_text(encoding="ascii").split()
    except OSError:
        first = []
    return first[0][:12] if first else "the first fetched commit"


def _is_commit(repo: Repo, rev: str) -> bool:
    try:
        repo.resolve(rev)
    except GitError:
        return False
    return True


def _looks_like_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text[:10])
        return True
    except ValueError:
        return any(word in text for word in ("ago", "week", "day", "month", "year", "yesterday"))


def sample(commits: list[tuple[str, str, str]], every: str) -> list[tuple[str, str, str]]:
    """Every N-th commit (the newest always included), or the last commit of each day."""
    if not commits:
        return []
    if every == "day":
        last: dict[str, tuple[str, str, str]] = {}
        for commit in commits:
            last[commit[1][:10]] = commit
        return list(last.values())
    step = int(every)
    picked = commits[::-1][::step][::-1]
    return picked


# --- checking a commit ----------------------------------------------------------------------------


class BlobScans:
    """Scanner records by (blob id, module, is package), kept in a sealed cache file."""

    KIND, FORMAT = b"IWHB", 1

    def __init__(self, directory: Path | None):
        self.path = directory / "history-blobs.bin" if directory else None
        self.records: dict[tuple, tuple] = {}
        self.loaded = 0
        if self.path is not None:
            self._load()

    def _load(self) -> None:
        from importwarden.cache_seal import unseal

        assert self.path is not None
        try:
            raw = self.path.read_bytes()
        except OSError:
            return
        payload = unseal(self.path, raw, self.KIND, self.FORMAT)
        if payload is None:
            return
        try:
            value = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return
        if type(value) is not dict:
            return
        for key, record in value.items():
            if (type(key) is tuple and len(key) == 3 and type(key[0]) is str
                    and (key[1] is None or type(key[1]) is str) and type(key[2]) is bool
                    and type(record) is tuple and len(record) == 6):
                self.records[key] = record
        self.loaded = len(self.records)

    def save(self) -> None:
        from importwarden.cache_seal import seal
        from importwarden.findings_cache import prepare_cache_dir

        if self.path is None or len(self.records) == self.loaded:
            return
        try:
            prepare_cache_dir(self.path.parent)
            chunks = seal(self.path, self.KIND, self.FORMAT, [marshal.dumps(self.records)])
            if chunks is None:
                return
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as out:
                out.writelines(chunks)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _registry_at(paths: list[Path], top: Path, tree: dict[str, str], blobs: BlobReader,
                 ) -> Registry:
    """The registry as its files were in ``tree`` (a file missing there contributes nothing)."""
    from importwarden.registry.combine import build
    from importwarden.registry.load import load_text
    from importwarden.registry.text import decode_bytes

    bundles = []
    for path in paths:
        sha = tree.get(_repo_rel(path, top))
        if sha is None:
            continue
        data = blobs.read(sha) or b""
        bundles.append(load_text(decode_bytes(data), str(path), toml_errors_as_problems=True))
    return build(bundles)


def _registry_changes(old: Registry, new: Registry) -> set[str] | None:
    """The modules whose registry entries mean something else in ``new`` (a target's status,
    replacement, fix or conflict); None when more changed (mock entries, services), so that
    any file may count differently. Where a claim's line moved is left out: it changes a
    finding's message, never what the report counts (``check`` reports messages, so a
    registry change re-checks everything there)."""
    if (old.services.members, old.services.shared) != (new.services.members,
                                                       new.services.shared):
        return None

    def mocks(registry: Registry) -> dict:
        return {k: (m.status, m.replacement, m.fix) for k, m in registry.mocks.items()}

    if mocks(old) != mocks(new):
        return None

    def meaning(registry: Registry) -> dict:
        return {t: (e.status, e.replacement, e.fix, e.conflict, e.works_status, e.inferred)
                for t, e in registry.entries.items()}

    before, after = meaning(old), meaning(new)
    return {t.module for t in before.keys() | after.keys() if before.get(t) != after.get(t)}


def _repo_rel(path: Path, top: Path) -> str:
    return os.path.relpath(path, top).replace(os.sep, "/")


def _trees(repo: Repo, commits: list[tuple[str, str, str]]
           ) -> Iterator[tuple[dict[str, str], set[str]]]:
    """For each sampled commit: its whole tree (path -> blob id; the same dict, updated) and the
    paths that may differ from the previous sample's. The first tree is listed (``git
    ls-tree``); the rest follow from one ``git log --raw`` of the first-parent history after
    it, applied commit by commit: listing 10^4 files per commit costs more than its changes."""
    first = commits[0][0]
    # (started before the first commit is checked, which it runs beside: 0.8 s on the corpus)
    log = repo.run_later("log", "--first-parent", "-m", "--reverse", "-r", "--raw", "-z",
                         "--no-renames", "--no-abbrev", LOG_FORMAT,
                         f"{first}..{commits[-1][0]}") if len(commits) > 1 else None
    tree = repo.ls_tree(first)
    read = False
    try:
        yield tree, set(tree)
        if log is None:
            return
        wanted = {sha for sha, _date, _subject in commits[1:]}
        touched: set[str] = set()
        seen = 0
        text, read = log(), True
        for commit, changes in parse_raw(text):
            for change in changes:
                if change.new_path is not None:
                    tree[change.new_path] = change.new_blob  # type: ignore[assignment]
                    touched.add(change.new_path)
                if change.old_path is not None and change.old_path != change.new_path:
                    tree.pop(change.old_path, None)
                    touched.add(change.old_path)
            if commit.sha in wanted:
                seen += 1
                yield tree, touched
                touched = set()
        if seen != len(wanted):  # (not expected: the samples lie on that first-parent line)
            raise GitError(f"{repo.top}: git log did not list {len(wanted) - seen} of the "
                           "sampled commits after the first")
    finally:
        if log is not None and not read:  # (a walk that stopped early: reap git)
            try:
                log()
            except GitError:
                pass


@dataclass(frozen=True)
class Checked:
    """What the walk keeps of a checked file: enough for ``invalidation.affected_by``."""

    deps: str  # ``raws_deps`` of its refs
    findings: tuple  # its IW005 findings (the only ones ``affected_by`` reads)
    counts: Counter  # all its findings, by rule


UNCHECKED = Checked("", (), Counter())

# In a worker process of the walk's pool: (project, repo, memo)
_walker: tuple = ()


def _start_walker(project, repo: Repo, memo: dict) -> None:
    global _walker
    _walker = (project, repo, memo)


def _scan_chunk(items: list[tuple[str, str, str | None, bool]]) -> list[tuple]:
    """(path, blob id, module, is package, record or None) for blobs read by this worker's own
    ``git cat-file --batch`` (the parent's pipe is not shared)."""
    _project, repo, _memo = _walker
    with BlobReader(repo) as blobs:
        return _scan(items, blobs)


def _scan(items, blobs: BlobReader) -> list[tuple]:
    from importwarden.registry.text import decode_bytes
    from importwarden.workspace.index import record_for_source

    data = blobs.read_many(sorted({blob for _path, blob, _m, _p in items}))
    return [(path, blob, module, is_package,
             record_for_source(decode_bytes(data.get(blob, b"")), module, is_package))
            for path, blob, module, is_package in items]


def _check_chunk(items: list[tuple[str, str, str]]) -> list[tuple[str, Checked]]:
    project, repo, memo = _walker
    with BlobReader(repo) as blobs:
        return _check(project, items, blobs, memo)


def _check(project, items: list[tuple[str, str, str]], blobs: BlobReader,
           memo: dict) -> list[tuple[str, Checked]]:
    """``batch.analyze_indexed`` for blobs: the refs come from the index, rules run on those
    some rule may report, and the text is read (for noqa and skip-file) only when there are
    findings. ``items``: (path, path relative to the root, blob id)."""
    from importwarden.analysis.imports import ref_from_raw
    from importwarden.analysis.rules import interesting_raw
    from importwarden.analysis.suppress import skip_file
    from importwarden.project.invalidation import raws_deps
    from importwarden.registry.text import decode_bytes

    index = project.index
    out = []
    for path, rel, blob in items:
        found = index.indexed(path)
        if found is None:  # left out by the index (NUL characters, too large)
            out.append((path, UNCHECKED))
            continue
        _key, module, raws = found
        refs = [ref_from_raw(r) for r in interesting_raw(raws, module=module,
                                                          ctx=project.context, memo=memo)]
        findings = project.analyze(rel, module, refs, None, with_edits=False) if refs else []
        if findings:
            text = decode_bytes(blobs.read(blob) or b"")
            findings = [] if skip_file(text) else project.analyze(rel, module, refs, text,
                                                                   with_edits=False)
        iw005 = tuple(replace(f, ref=None) for f in findings if f.code == "IW005")
        out.append((path, Checked(raws_deps(raws), iw005, Counter(f.code for f in findings))))
    return out


def _in_pool(work, items: list, jobs: int, minimum: int, initargs: tuple,
             here: Callable[[list], list]) -> list:
    """``work`` over ``items`` in a fork pool (chunks as ``project/batch.py`` cuts them) when
    there are at least ``minimum``, else ``here(items)`` in this process."""
    if jobs <= 1 or len(items) < minimum or sys.platform == "win32":
        return here(items)
    from importwarden.project.batch import CHUNK_SIZE
    from importwarden.workers import process_pool

    n = max(1, min(jobs * 8, len(items) // CHUNK_SIZE))
    chunks = [items[i::n] for i in range(n)]
    out: list = []
    with process_pool(jobs, initializer=_start_walker, inherit=True, initargs=initargs) as pool:
        for chunk in pool.map(work, chunks):
            out.extend(chunk)
    return out


def build_report(settings, repo: Repo, *, since: str | None = None, every: str = "1",
                 registry_at: str = "commit", cache_dir: Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 jobs: int | None = None) -> Report:
    """``jobs``: worker processes for a commit with many files to scan or check (the first,
    and any whose registry changed); default: all cores; 1: all in this process."""
    from importwarden.project.batch import no_gc

    commits = sample(first_parent_commits(repo, since), every)
    report = Report(registry_at=registry_at)
    if not commits:
        return report
    with no_gc():  # (as ``check``: 10^5 long-lived records make GC passes pure overhead)
        _walk(report, settings, repo, commits, registry_at, cache_dir, progress,
              jobs if jobs is not None else (os.cpu_count() or 1))
    return report


def _walk(report: Report, settings, repo: Repo, commits, registry_at: str,
          cache_dir: Path | None, progress, jobs: int) -> None:
    import pathspec

    from importwarden.config import discover_registries
    from importwarden.project.engine import Project, load_registry_files
    from importwarden.project.invalidation import (
        affected_by,
        binds_summary,
        bound_names_changed,
        spread_through_star_imports,
    )
    from importwarden.workspace.index import (
        PARALLEL_MIN_FILES,
        WorkspaceIndex,
        effective_roots,
        module_for_path_in,
    )

    root = Path(settings.root).resolve()
    top = repo.top.resolve()
    roots = effective_roots(settings)
    excluded = pathspec.PathSpec.from_lines("gitwildmatch", settings.exclude) \
        if settings.exclude else None
    registry_files = [Path(p).resolve() for p in discover_registries(settings)]
    registry_rels = [_repo_rel(p, top) for p in registry_files]
    head_registry = load_registry_files(registry_files)[0] if registry_at == "head" else None
    scans = BlobScans(cache_dir)
    root_prefix = str(root) + os.sep

    def wanted(rel: str) -> tuple[str, str] | None:
        """(absolute path, path relative to the root) of a repository file importwarden
        checks, else None."""
        if not rel.endswith(".py"):
            return None
        path = os.path.join(str(top), *rel.split("/"))
        if not path.startswith(root_prefix):
            return None
        rel_root = path[len(root_prefix):].replace(os.sep, "/")
        if excluded is not None and excluded.match_file(rel_root):
            return None
        return path, rel_root

    index = WorkspaceIndex(settings)
    project = Project(settings, head_registry or Registry(), index)
    current: dict[str, str] = {}  # absolute path -> blob id
    rel_of: dict[str, str] = {}  # absolute path -> path relative to the root
    module_of: dict[str, tuple[str | None, bool]] = {}  # absolute path -> (module, is package)
    checked: dict[str, Checked] = {}  # absolute path -> what its last check found
    total: Counter = Counter()
    registry_key: tuple | None = None
    with BlobReader(repo) as blobs:
        for n, ((sha, date, subject), (tree, touched)) in enumerate(
                zip(commits, _trees(repo, commits))):
            changed: dict[str, str] = {}  # path -> its new blob id
            deleted: list[str] = []
            for rel in touched:
                found = wanted(rel)
                if found is None:
                    continue
                path, rel_root = found
                blob = tree.get(rel)
                if blob is None:
                    if path in current:
                        deleted.append(path)
                elif current.get(path) != blob:
                    changed[path] = blob
                    rel_of[path] = rel_root
            # What the modules about to change bind now: afterwards, only the importers of
            # names that came or went need checking again (``project/invalidation.py``).
            before = {path: binds_summary(index, module_of[path][0])
                      for path in (*deleted, *changed) if path in current} if n else {}
            # Scans: by blob id from the cache, else made now (in workers when many).
            todo = []
            records: dict[str, object] = {}
            for path, blob in changed.items():
                mod = module_of.get(path)
                if mod is None:
                    found_module = module_for_path_in(roots, path)
                    mod = module_of[path] = found_module if found_module else (None, False)
                record = scans.records.get((blob, *mod))
                if record is None:
                    todo.append((path, blob, *mod))
                else:
                    records[path] = record
            for path, blob, module, is_package, record in _in_pool(
                    _scan_chunk, sorted(todo), jobs, PARALLEL_MIN_FILES,
                    (project, repo, {}), partial(_scan, blobs=blobs)):
                records[path] = record
                if record is not None:
                    scans.records[(blob, module, is_package)] = record
            for path in deleted:
                index.update_file(path, None)
                current.pop(path)
                total.subtract(checked.pop(path, UNCHECKED).counts)
            for path in sorted(changed):
                record = records[path]
                if record is None:
                    index.update_file(path, None)
                else:
                    index.put_record(path, record)  # type: ignore[arg-type]
                current[path] = changed[path]
            dirty: set[str] = set(changed)
            # module -> the names it gained or lost (None: more than names changed, or its
            # registry entries did)
            moved: dict[str, frozenset[str] | None] = {}
            if head_registry is None:
                key = tuple(tree.get(rel) for rel in registry_rels)
                if key != registry_key:
                    registry = _registry_at(registry_files, top, tree, blobs)
                    entries_changed = _registry_changes(project.registry, registry) if n else None
                    project.use_registry(registry, [])
                    registry_key = key
                    if entries_changed is None:
                        dirty = set(current)
                    else:  # an entry reaches the files that import its module (or below it)
                        moved.update(dict.fromkeys(entries_changed))
            if n and len(dirty) < len(current):
                for path in deleted:
                    if module_of[path][0]:
                        moved[module_of[path][0]] = None  # type: ignore[index]
                for path in changed:
                    module = module_of[path][0]
                    if not module or (module in moved and moved[module] is None):
                        continue  # (already reaches every importer)
                    old = before.get(path)
                    now = binds_summary(index, module)
                    if old is None:
                        moved[module] = None
                    elif old != now:
                        moved[module] = bound_names_changed(old, now)
                spread_through_star_imports(index, moved)
                if moved:
                    affected = affected_by(moved)
                    dirty.update(p for p, c in checked.items()
                                 if p not in dirty and affected(c))
            # Answers by import target for this commit's registry and index only.
            memo: dict = {}
            items = [(path, rel_of[path], current[path]) for path in sorted(dirty)]
            # (``check``'s lower threshold does not pay here: a further commit's 200 files
            # took 0.48 s in a pool and 0.36 s in this process, benchmarks/results/report.md)
            for path, result in _in_pool(_check_chunk, items, jobs, PARALLEL_MIN_FILES,
                                         (project, repo, memo),
                                         partial(_check, project, blobs=blobs, memo=memo)):
                total.subtract(checked.get(path, UNCHECKED).counts)
                total.update(result.counts)
                checked[path] = result
            counts = {code: k for code, k in total.items() if k}
            report.rows.append(Row(sha, date, subject, counts, len(current),
                                   len(changed) + len(deleted), len(items)))
            if progress:
                progress(n + 1, len(commits))
    scans.save()
