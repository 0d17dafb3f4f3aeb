"""Fixing many files: the engine behind ``importwarden fix``.

The files come from a ``check`` pass (``batch.CheckSession``): only a file with a finding that
has (or had, before a refusal) a replacement is read again and fixed. Per file: read (keeping
encoding, BOM and newlines) -> ``fixes.fix_source`` -> ``textio.replace_source`` (atomic,
checked against the file as read right before and after the swap; a file changed meanwhile is
planned again), or a unified diff instead of the write. ``write_refusal`` says which files
are never written (links out of the workspace, hard links, read-only files). Each file is independent; many are
fixed in a process pool (fork). Nothing here prints: each file's ``FileFix`` says what happened.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

if TYPE_CHECKING:
    from importwarden.analysis.findings import Finding
    from importwarden.project.engine import Project

PARALLEL_THRESHOLD = 32  # fewer files than this are fixed in-process


@dataclass
class FileFix:
    """What fixing one file did (picklable: it comes back from a worker process)."""

    rel: str
    applied: tuple["Finding", ...] = ()  # the fixes made (or, with ``diff``, that would be)
    left: tuple[tuple["Finding", str], ...] = ()  # findings not fixed, each with the reason
    diff: str = ""  # with ``diff``: the changes as a unified diff (nothing is written)
    error: str | None = None  # the file could not be read, fixed or written: why


def files_to_fix(project: "Project",
                 findings: Sequence["Finding"]) -> tuple[list[Path], list[FileFix]]:
    """The files worth fixing, and what the others keep (their findings as the check pass
    found them, each with the reason it has no fix)."""
    from importwarden.fixes.apply import reason_without_replacement

    by_rel: dict[str, list] = {}
    for f in findings:
        by_rel.setdefault(f.path, []).append(f)
    files: list[Path] = []
    untouched: list[FileFix] = []
    for rel, found in sorted(by_rel.items()):
        if any(f.fix is not None or f.replacement is not None for f in found):
            files.append(project.abs_path(rel))
        else:
            untouched.append(FileFix(rel, left=tuple(
                (f, reason_without_replacement(project, f)) for f in found)))
    return files, untouched


def fix_files(project: "Project", files: list[Path], *, diff: bool, unsafe: bool,
              explicit: frozenset[str] = frozenset()) -> Iterator[FileFix]:
    """``fix_file`` for each file, in order; in a process pool (fork) when there are many.

    ``explicit``: the real paths (``os.path.realpath``) of the files named on the command line
    (see ``write_refusal``).
    """
    jobs = os.cpu_count() or 1
    if jobs < 2 or len(files) < PARALLEL_THRESHOLD or sys.platform == "win32":
        for path in files:
            yield fix_file(project, path, diff=diff, unsafe=unsafe, explicit=explicit)
        return
    from importwarden.workers import process_pool

    # Twice the cores: a worker waiting for its atomic write (fsync + rename) leaves the CPU
    # to another one.
    with process_pool(2 * jobs, initializer=_start_fixer,
                      initargs=(project, diff, unsafe, explicit), inherit=True) as pool:
        yield from pool.map(_fix_in_worker, files, chunksize=8)


_fixer: tuple = ()  # in a fixing worker process: (project, diff, unsafe, explicit)


def _start_fixer(project: "Project", diff: bool, unsafe: bool, explicit: frozenset[str]) -> None:
    global _fixer
    _fixer = (project, diff, unsafe, explicit)


def _fix_in_worker(path: Path) -> FileFix:
    project, diff, unsafe, explicit = _fixer
    return fix_file(project, path, diff=diff, unsafe=unsafe, explicit=explicit)


def sweep_stale_temps(project: "Project", rels: "Iterable[str]") -> None:
    """Remove the temp files killed runs left in the directories of these files (the whole
    project's, after a check pass): ``textio.remove_stale_temps`` says which are stale. One
    directory listing per directory."""
    from importwarden.textio import sweep_once

    for directory in sorted({os.path.dirname(os.fspath(project.abs_path(r))) for r in rels}):
        sweep_once(directory)


ATTEMPTS = 3  # a file edited under us is read and planned again, this many times in all


def write_refusal(root: Path, path: Path, explicit: frozenset[str] = frozenset()
                  ) -> tuple[str | None, str]:
    """(why ``fix`` must not write ``path``, or None; the real file to write).

    - A symlink is written through: the file it points to is replaced, the link stays.
    - A file whose real location is outside the workspace (a symlink to it, or a symlinked
      directory on the way) is written only when named on the command line (``explicit``
      holds their real paths): a link planted in a repository must not let ``fix`` rewrite
      files elsewhere on the machine.
    - A read-only file (no write permission bit) is refused, as an editor would; ``os.replace``
      would ignore the mode, and so would root.
    - A file with several hard links is refused: replacing it would split the links, and
      writing it in place could leave it half-written if the run were killed.
    """
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    inside = real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
    if not inside and real not in explicit:
        return (f"not written: it resolves to {real}, outside the workspace (name the file on "
                "the command line to fix it there)"), Path(real)
    try:
        st = os.stat(real)
    except OSError:
        return None, Path(real)  # the read that follows reports it
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        return "not written: the file is read-only", Path(real)
    if st.st_nlink > 1:
        return (f"not written: the file has {st.st_nlink} hard links, and replacing it would "
                "split them"), Path(real)
    return None, Path(real)


def fix_file(project: "Project", path: Path, *, diff: bool, unsafe: bool,
             explicit: frozenset[str] = frozenset()) -> FileFix:
    """Fix one file (or compute its diff); never raises."""
    rel = project.rel_path(path)
    refusal, real = write_refusal(project.settings.root, path, explicit)
    if refusal is not None:
        return FileFix(rel, error=f"{rel}: {refusal}")
    for _ in range(ATTEMPTS):
        done = _fix_once(project, path, real, rel, diff=diff, unsafe=unsafe)
        if done is not _CHANGED:
            return done
    return FileFix(rel, error=f"{rel}: changed during the run; left alone "
                              f"(tried {ATTEMPTS} times)")


_CHANGED = FileFix("")  # the file changed between reading and writing: plan again


def _fix_once(project: "Project", path: Path, real: Path, rel: str, *, diff: bool,
              unsafe: bool) -> FileFix:
    import importwarden.fixes as fixes
    from importwarden.textio import (FileChangedError, SourceDecodeError, TextKeptError,
                                     read_for_update, replace_source, sweep_once)

    sweep_once(os.fspath(real.parent))  # temp files a killed run left beside this one
    try:
        src, identity = read_for_update(real)
    except FileNotFoundError:
        return FileFix(rel, error=f"{rel}: skipped: file disappeared")
    except (OSError, SourceDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        return FileFix(rel, error=f"{rel}: skipped: cannot read: {reason}")
    if b"\x00" in src.raw:
        return FileFix(rel, error=f"{rel}: skipped: binary file (contains NUL bytes)")
    try:
        result = fixes.fix_source(project, path, src.text, unsafe=unsafe)
    except Exception as exc:  # a bug of ours must not end the run or print a traceback
        return FileFix(rel, error=f"{rel}: internal error while fixing: "
                                  f"{type(exc).__name__}: {exc}")
    done = FileFix(rel, left=tuple(result.left))
    if result.applied and result.new_source != src.text:
        if diff:
            done.diff = unified_diff(rel, src.text, result.new_source)
        else:
            try:
                replace_source(real, src.encode(result.new_source), expect=src.raw,
                               identity=identity)
            except TextKeptError as exc:
                kept = project.rel_path(exc.kept)
                return FileFix(rel, error=f"{rel}: changed twice while being written; the "
                                          f"newest text is kept, the one before it is in {kept}")
            except FileChangedError:
                return _CHANGED
            except FileNotFoundError:
                return FileFix(rel, error=f"{rel}: disappeared during the run; not written")
            except OSError as exc:
                return FileFix(rel, error=f"{rel}: cannot write: {exc.strerror or exc}; "
                                          "left unchanged")
        done.applied = tuple(result.applied)
    return done


def unified_diff(rel: str, before: str, after: str) -> str:
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{rel}", tofile=f"b/{rel}")
    # Every diff line ends with "\n", also in a file with CR-only newlines (its "\r" stays part
    # of the line), so the last one is never glued to what is printed after the diff.
    text = "".join(line if line.endswith("\n") else line + "\n" if line.endswith("\r")
                   else line + "\n\\ No newline at end of file\n" for line in lines)
    return text
