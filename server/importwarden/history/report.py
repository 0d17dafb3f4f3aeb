"""``importwarden report``: findings by rule along the first-parent history.

Nothing is checked out. Each sampled commit's tree is listed (``git ls-tree``), the blobs that
differ from the previous sampled commit are read through one ``git cat-file --batch`` process,
and the workspace index is updated file by file as an editor would update it. Files are checked
with the project's engine (``Project.check_extracted``, the code ``check`` runs), against the
registry as of that commit (its files' blobs in that tree) or today's (``--registry-at head``).

What is reused between commits: a file whose blob did not change keeps its findings unless a
module it imports changed (its resolution may have) or the registry changed (its statuses
may have). Scans are reused by blob id (``BlobScans``; persisted, sealed, in the project's
cache directory), so a revert or a second run parses nothing again.
"""

from __future__ import annotations

import datetime
import marshal
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from importwarden.history.git import BlobReader, GitError, Repo
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
                 ) -> tuple[Registry, tuple]:
    """The registry as its files were in ``tree`` (a file missing there contributes nothing),
    and the blob ids it was built from."""
    from importwarden.registry.combine import build
    from importwarden.registry.load import load_text
    from importwarden.registry.text import decode_bytes

    bundles, key = [], []
    for path in paths:
        rel = os.path.relpath(path, top).replace(os.sep, "/")
        sha = tree.get(rel)
        key.append(sha)
        if sha is None:
            continue
        data = blobs.read(sha) or b""
        bundles.append(load_text(decode_bytes(data), str(path), toml_errors_as_problems=True))
    return build(bundles), tuple(key)


def build_report(settings, repo: Repo, *, since: str | None = None, every: str = "1",
                 registry_at: str = "commit", cache_dir: Path | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Report:
    import pathspec

    from importwarden.analysis.suppress import skip_file
    from importwarden.config import discover_registries
    from importwarden.project.engine import Project, load_registry_files
    from importwarden.registry.text import decode_bytes
    from importwarden.workspace.index import WorkspaceIndex, effective_roots, module_for_path_in

    commits = sample(first_parent_commits(repo, since), every)
    report = Report(registry_at=registry_at)
    if not commits:
        return report
    root = Path(settings.root).resolve()
    top = repo.top.resolve()
    roots = effective_roots(settings)
    excluded = pathspec.PathSpec.from_lines("gitwildmatch", settings.exclude) \
        if settings.exclude else None
    registry_files = [Path(p).resolve() for p in discover_registries(settings)]
    head_registry = load_registry_files(registry_files)[0] if registry_at == "head" else None
    scans = BlobScans(cache_dir)

    def wanted(rel: str) -> str | None:
        """The absolute path of a repository file importwarden checks, else None."""
        if not rel.endswith(".py"):
            return None
        path = os.path.join(str(top), *rel.split("/"))
        if not path.startswith(str(root) + os.sep):
            return None
        if excluded is not None and excluded.match_file(os.path.relpath(path, root)):
            return None
        return path

    index = WorkspaceIndex(settings)
    project = Project(settings, head_registry or Registry(), index)
    current: dict[str, str] = {}  # absolute path -> blob id
    counts: dict[str, Counter] = {}  # absolute path -> findings by code
    importers: dict[str, set[str]] = {}  # module (or module.name) -> files importing it
    imported_by: dict[str, tuple[str, ...]] = {}  # file -> its keys in ``importers``
    registry_key: tuple | None = None
    texts: dict[str, str] = {}  # blob id -> text, for files checked again later
    keys_memo: dict[str, tuple[str, ...]] = {}  # blob id -> its keys in ``importers``
    modules_of: dict[str, str | None] = {}  # absolute path -> module name
    rel_paths: dict[str, str] = {}

    def text_of(sha: str, data: bytes | None = None) -> str:
        found = texts.get(sha)
        if found is None:
            found = texts[sha] = decode_bytes(data if data is not None else
                                              (blobs.read(sha) or b""))
        return found

    with BlobReader(repo) as blobs:
        for n, (sha, date, subject) in enumerate(commits):
            tree = repo.ls_tree(sha)
            files = {p: s for rel, s in tree.items() if (p := wanted(rel))}
            changed = {p for p, s in files.items() if current.get(p) != s}
            deleted = set(current) - set(files)
            new_blobs = sorted({files[p] for p in changed} - set(texts))
            for blob_id, data in blobs.read_many(new_blobs).items():
                text_of(blob_id, data)
            # What the modules about to change bind now: afterwards, only the importers of
            # names whose existence changed need checking again.
            watched = {m for p in (*deleted, *changed) if (m := modules_of.get(p) or
                                                           _module(roots, p, modules_of))}
            before = _bindings(index, watched) if n else {}
            for path in deleted:
                index.update_file(path, None)
                current.pop(path)
                counts.pop(path, None)
                for key in imported_by.pop(path, ()):
                    importers.get(key, set()).discard(path)
            for path in sorted(changed):
                blob_id = files[path]
                found = module_for_path_in(roots, path)
                module, is_package = found if found else (None, False)
                record = scans.records.get((blob_id, module, is_package))
                if record is None:
                    index.update_file(path, text_of(blob_id))
                    record = index._records.get(index._key(path))
                    if record is not None:
                        scans.records[(blob_id, module, is_package)] = record
                else:
                    # The engine's incremental update with a record already scanned.
                    index._replace(index._key(path), record, (0, 0, b""))
                current[path] = blob_id
            if head_registry is None:
                registry, key = _registry_at(registry_files, top, tree, blobs)
                if key != registry_key:
                    project.use_registry(registry, [])
                    registry_key = key
                    dirty = set(files)
                else:
                    dirty = set(changed)
            else:
                dirty = set(changed) if n else set(files)
            project.use_index(index)
            if n and len(dirty) < len(files):
                for key in _changed_keys(index, before, _bindings(index, watched)):
                    dirty |= importers.get(key, set())
            for path in sorted(dirty):
                if path not in current:
                    continue
                blob_id = current[path]
                fi = index.file_imports(path)
                refs = fi.refs if fi else ()
                keys = keys_memo.get(blob_id)
                if keys is None:
                    keys = keys_memo[blob_id] = _import_keys(refs)
                for key in imported_by.get(path, ()):
                    importers.get(key, set()).discard(path)
                for key in keys:
                    importers.setdefault(key, set()).add(path)
                imported_by[path] = keys
                source = text_of(blob_id)
                if skip_file(source):
                    counts[path] = Counter()
                    continue
                rel = rel_paths.get(path)
                if rel is None:
                    rel = rel_paths[path] = os.path.relpath(path, root).replace(os.sep, "/")
                findings = project.analyze(rel, modules_of.get(path), refs, source,
                                           with_edits=False)
                counts[path] = Counter(f.code for f in findings)
            # Only the texts of today's files can be needed again (a revert reads its blob anew).
            live = set(current.values())
            for blob_id in [b for b in texts if b not in live]:
                del texts[blob_id]
            total: Counter = Counter()
            for c in counts.values():
                total.update(c)
            report.rows.append(Row(sha, date, subject, dict(total), len(files),
                                   len(changed) + len(deleted)))
            if progress:
                progress(n + 1, len(commits))
    scans.save()
    return report


def _module(roots, path: str, memo: dict[str, str | None]) -> str | None:
    from importwarden.workspace.index import module_for_path_in

    found = module_for_path_in(roots, path)
    memo[path] = found[0] if found else None
    return memo[path]


def _prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _bindings(index, modules: set[str]) -> dict[str, object]:
    """module (and each enclosing package) -> what it binds (None: does not resolve)."""
    out: dict[str, object] = {}
    for module in modules:
        for name in _prefixes(module):
            if name not in out:
                out[name] = index.module_binds(name) if index.resolves(name) else None
        for star in index.star_importers(module):
            out.setdefault(star, index.module_binds(star))
    return out


def _changed_keys(index, before: dict[str, object], after: dict[str, object]) -> set[str]:
    """The ``importers`` keys whose answer may have changed: a module that appeared, went or
    binds anything (all its importers), else its names that appeared or went."""
    from importwarden.workspace.index import ANY

    keys: set[str] = set()
    for module in set(before) | set(after):
        old, new = before.get(module), after.get(module)
        if old == new:
            continue
        if old is None or new is None or old is ANY or new is ANY:
            keys.add(module)
            continue
        keys.update(f"{module}.{name}" for name in old ^ new)  # type: ignore[operator]
    return keys


def _import_keys(refs) -> tuple[str, ...]:
    keys = set()
    for ref in refs:
        parts = ref.module.split(".")
        for i in range(1, len(parts) + 1):
            keys.add(".".join(parts[:i]))
        if ref.name:
            keys.add(f"{ref.module}.{ref.name}")
    return tuple(sorted(keys))


