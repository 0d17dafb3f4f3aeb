"""Which Python files belong to the workspace: a deterministic walk of the roots.

Honours ``settings.exclude`` (gitignore-style, relative to the project root) and every
``.gitignore`` on the way down (nested ones apply to their own directory, as in git), through
pathspec's ``GitIgnoreSpec``. Directories that are never project code are skipped by name
(``DEFAULT_SKIP_DIRS``, ruff's default excludes plus caches). Symlinked files are followed when
their target exists; symlinked directories are not entered (no cycles, no walking out of the
project). Broken symlinks and unreadable directories are reported through ``notice`` and
skipped. Files named explicitly in ``paths`` are yielded even when excluded (as ruff does).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pathspec

from importwarden.config import Settings

DEFAULT_SKIP_DIRS = frozenset({
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".importwarden_cache",
    ".ipynb_checkpoints", ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache",
    ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", ".vscode", "__pycache__",
    "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages",
    "venv",
})
PY_SUFFIXES = (".py",)

Notice = Callable[[str], None]


def _ignore(_msg: str) -> None:
    pass


def _spec(lines: Iterable[str]) -> pathspec.PathSpec | None:
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _read_gitignore(directory: str, notice: Notice) -> pathspec.PathSpec | None:
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return _spec(fh.read().splitlines())
    except FileNotFoundError:
        return None
    except OSError as exc:
        notice(f"{path}: cannot read .gitignore ({exc.strerror or exc}); ignored")
        return None


def _matches(specs: list[tuple[str, pathspec.PathSpec]], path: str, is_dir: bool) -> bool:
    for base, spec in specs:
        if not path.startswith(base + os.sep):
            continue
        rel = path[len(base) + 1 :]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        if spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False


def iter_python_files(settings: Settings, paths: Iterable[Path | str] | None = None,
                      notice: Notice | None = None) -> Iterator[Path]:
    """Python files under ``paths`` (default: the project root), sorted per directory."""
    for p in iter_python_paths(settings, paths, notice):
        yield Path(p)


def iter_python_paths(settings: Settings, paths: Iterable[Path | str] | None = None,
                      notice: Notice | None = None) -> Iterator[str]:
    """``iter_python_files`` as strings: a ``Path`` per file costs ~20 us, which is most of a
    warm run's walk over 10^4 files."""
    notice = notice or _ignore
    root = str(Path(settings.root).resolve())
    base_specs: list[tuple[str, pathspec.PathSpec]] = []
    exclude = _spec(settings.exclude)
    if exclude is not None:
        base_specs.append((root, exclude))
    starts = [Path(p) for p in paths] if paths else [Path(root)]
    seen: set[str] = set()
    for start in starts:
        start = start if start.is_absolute() else Path(root) / start
        if start.is_file() or (start.is_symlink() and not start.is_dir()):
            if not start.exists():
                notice(f"{start}: broken symlink; skipped")
                continue
            key = str(start)
            if key not in seen:
                seen.add(key)
                yield key
            continue
        if not start.is_dir():
            notice(f"{start}: no such file or directory; skipped")
            continue
        # .gitignore files above the start directory (up to the project root) apply too
        specs = list(base_specs)
        top = str(start.resolve())
        chain = []
        d = top
        while d.startswith(root) and len(d) > len(root):
            d = os.path.dirname(d)
            chain.append(d)
        for d in reversed(chain):
            spec = _read_gitignore(d, notice)
            if spec is not None:
                specs.append((d, spec))
        for p in _walk(top, specs, notice):
            if p not in seen:
                seen.add(p)
                yield p


def _walk(directory: str, specs: list[tuple[str, pathspec.PathSpec]],
          notice: Notice) -> Iterator[str]:
    own = _read_gitignore(directory, notice)
    if own is not None:
        specs = [*specs, (directory, own)]
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        notice(f"{directory}: cannot list directory ({exc.strerror or exc}); skipped")
        return
    subdirs = []
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if name in DEFAULT_SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                if not _matches(specs, entry.path, True):
                    subdirs.append(entry.path)
                continue
            if not name.endswith(PY_SUFFIXES):
                continue
            if entry.is_symlink():
                if not os.path.exists(entry.path):
                    notice(f"{entry.path}: broken symlink; skipped")
                    continue
                if os.path.isdir(entry.path):
                    continue
            if specs and _matches(specs, entry.path, False):
                continue
            yield entry.path
        except OSError as exc:
            notice(f"{entry.path}: {exc.strerror or exc}; skipped")
    for sub in subdirs:
        yield from _walk(sub, specs, notice)
