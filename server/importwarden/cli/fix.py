"""``importwarden fix``: rewrite imports and mock targets to the paths the registry names.

Per file: read (keeping encoding, BOM and newlines) -> ``fixes.fix_source`` (safe fixes, unsafe
ones too with ``--unsafe-fixes``, re-checked until stable) -> atomic write that refuses a file
changed since it was read. Prints ``path: fixed N (IW001 ×2, …)`` per changed file and one line
per finding it left, with the reason. ``--diff`` prints a unified diff and writes nothing.

A file that cannot be read, decoded or written is reported on stderr (one line) and the run goes
on; nothing is ever half-written. Exit codes: 0 nothing remains, 1 something remains (left
findings, files that could not be fixed, or with ``--diff`` changes that would be made),
2 usage/config/registry error.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from importwarden.cli import err, keep_until_exit
from importwarden.cli.progress import ProgressBar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATHS",
                        help="files or directories to fix (default: the project)")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff of the changes instead of writing them")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply unsafe fixes (renames, inferred replacements)")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to fix")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to skip")
    parser.add_argument("--registry", action="append", metavar="FILE", default=None,
                        help="registry file (repeatable; overrides discovery)")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml or importwarden.toml to use")
    parser.add_argument("--no-cache", action="store_true",
                        help="accepted for symmetry with check; fix always reads every file")


def _summary(findings) -> str:
    counts = Counter(f.code for f in findings)
    return ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(counts.items()))


def run(args: argparse.Namespace) -> int:
    from importwarden.cli.check import CheckSession, overrides_from_args
    from importwarden.config import load_settings

    cwd = Path.cwd()
    settings = load_settings(cwd, overrides_from_args(args),
                             Path(args.config) if args.config else None)
    for p in args.paths:
        full = Path(p) if Path(p).is_absolute() else cwd / p
        if not full.exists():
            err(f"{p}: no such file or directory")
            return 2
    # Find the files with something to report the way `check` does (parallel, cached); only
    # those are read again and fixed. A file without findings is never parsed by the fixer.
    session = CheckSession(settings, cwd=cwd, use_cache=not args.no_cache,
                           progress=sys.stderr.isatty())
    if session.registry_errors:
        # Fixing against half a registry could rewrite imports the missing part governs.
        for message in session.registry_errors:
            err(message)
        return 2
    findings = session.check([Path(p) for p in args.paths])
    keep_until_exit(session, findings)
    totals: Counter = Counter()
    for message in session.notices:
        err(message)
        totals["failed"] += 1
    project = session.project
    # Only files with a finding that has (or had, before a refusal) a replacement are read and
    # fixed; the others' findings are listed as left straight from the check pass.
    by_rel: dict[str, list] = {}
    for f in findings:
        by_rel.setdefault(f.path, []).append(f)
    files, untouched = [], []
    for rel, found in sorted(by_rel.items()):
        if any(f.fix is not None or f.replacement is not None for f in found):
            files.append(project.abs_path(rel))
        else:
            untouched.append((rel, _left_as_is(project, rel, found)))
    if files and project.index is None:
        # Everything came from the check cache: the fixer still needs the index (it has its
        # own content cache, so this reads no file that did not change).
        from importwarden.workspace.index import WorkspaceIndex

        project.index = WorkspaceIndex.build(settings, cache=session.cache.enabled,
                                             jobs=session.jobs)
        project._ctx = None
    out = sys.stderr if args.diff else sys.stdout
    outcomes = dict(untouched)
    with ProgressBar(len(files), enabled=sys.stderr.isatty(), label="fixing") as bar:
        for path, outcome in zip(files, _fix_all(project, files, diff=args.diff,
                                                 unsafe=args.unsafe_fixes)):
            outcomes[project.rel_path(path)] = outcome
            bar.advance()
    for rel in sorted(outcomes):  # printed after the bar is gone (it lives on stderr)
        outcomes[rel].report(out)
        totals.update(outcomes[rel].counts)
    _print_totals(totals, diff=args.diff, out=out)
    remaining = totals["left"] + totals["failed"] + (totals["fixed"] if args.diff else 0)
    return 1 if remaining else 0


PARALLEL_THRESHOLD = 32  # fewer files than this are fixed in-process
_WORKER: dict[str, Any] = {}


def _fix_all(project: Any, files: list[Path], *, diff: bool, unsafe: bool):
    """Outcomes in file order; in a process pool (fork) when there are many files. Each file
    is independent: its own read, fix and atomic write."""
    import os

    jobs = os.cpu_count() or 1
    if jobs < 2 or len(files) < PARALLEL_THRESHOLD or sys.platform == "win32":
        for path in files:
            yield fix_file(project, path, diff=diff, unsafe=unsafe)
        return
    import concurrent.futures
    import multiprocessing

    _WORKER.update(project=project, diff=diff, unsafe=unsafe)
    ctx = multiprocessing.get_context("fork")
    # Twice the cores: a worker waiting for its atomic write (fsync + rename) leaves the CPU
    # to another one.
    with concurrent.futures.ProcessPoolExecutor(max_workers=2 * jobs, mp_context=ctx) as pool:
        yield from pool.map(_fix_in_worker, files, chunksize=8)


def _fix_in_worker(path: Path) -> "Outcome":
    return fix_file(_WORKER["project"], path, diff=_WORKER["diff"], unsafe=_WORKER["unsafe"])


class Outcome:
    """What fixing one file printed (in order, per stream) and counted; picklable."""

    def __init__(self) -> None:
        self.lines: list[tuple[bool, str]] = []  # (to stderr, text)
        self.diff = ""
        self.counts: Counter = Counter()

    def err(self, message: str) -> "Outcome":
        self.lines.append((True, f"importwarden: {message}"))
        self.counts["failed"] += 1
        return self

    def say(self, text: str) -> None:
        self.lines.append((False, text))

    def report(self, out: Any) -> None:
        if self.diff:
            out.flush()
            sys.stdout.write(self.diff)
            sys.stdout.flush()
        for to_err, text in self.lines:
            print(text, file=sys.stderr if to_err else out)


def _left_as_is(project: Any, rel: str, findings: list) -> Outcome:
    """A file with nothing to fix: its findings, as the check pass found them."""
    from importwarden.fixes.apply import reason_without_replacement

    outcome = Outcome()
    for f in findings:
        reason = reason_without_replacement(project, f)
        outcome.say(f"{rel}:{f.range.start.line + 1}:{f.range.start.character + 1}: "
                    f"{f.code} left: {reason}")
        outcome.counts["left"] += 1
    return outcome


def fix_file(project: Any, path: Path, *, diff: bool, unsafe: bool) -> Outcome:
    """Fix one file (or compute its diff); never raises."""
    import importwarden.fixes as fixes
    from importwarden.textio import FileChangedError, SourceDecodeError, read_source

    rel = project.rel_path(path)
    outcome = Outcome()
    try:
        src = read_source(path)
    except FileNotFoundError:
        return outcome.err(f"{rel}: skipped: file disappeared")
    except (OSError, SourceDecodeError) as exc:
        return outcome.err(f"{rel}: skipped: cannot read: {getattr(exc, 'strerror', None) or exc}")
    if b"\x00" in src.raw:
        return outcome.err(f"{rel}: skipped: binary file (contains NUL bytes)")
    try:
        result = fixes.fix_source(project, path, src.text, unsafe=unsafe)
    except Exception as exc:  # a bug of ours must not end the run or print a traceback
        return outcome.err(f"{rel}: internal error while fixing: {type(exc).__name__}: {exc}")
    if result.applied and result.new_source != src.text:
        if diff:
            outcome.diff = unified_diff(rel, src.text, result.new_source)
        else:
            try:
                _write(path, src, result.new_source)
            except FileChangedError:
                return outcome.err(f"{rel}: changed during the run; left alone")
            except FileNotFoundError:
                return outcome.err(f"{rel}: disappeared during the run; not written")
            except OSError as exc:
                return outcome.err(f"{rel}: cannot write: {exc.strerror or exc}; left unchanged")
        verb = "would fix" if diff else "fixed"
        outcome.say(f"{rel}: {verb} {len(result.applied)} ({_summary(result.applied)})")
        outcome.counts["fixed"] += len(result.applied)
        outcome.counts["files"] += 1
    for finding, reason in result.left:
        line, col = finding.range.start.line + 1, finding.range.start.character + 1
        outcome.say(f"{rel}:{line}:{col}: {finding.code} left: {reason}")
        outcome.counts["left"] += 1
    return outcome


def _write(path: Path, src: Any, text: str) -> None:
    from importwarden.textio import write_atomic

    write_atomic(path, src.encode(text), expect=src.raw)


def unified_diff(rel: str, before: str, after: str) -> str:
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{rel}", tofile=f"b/{rel}")
    text = "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)
    return text


def _print_totals(totals: Counter, *, diff: bool, out: Any) -> None:
    fixed, files, left, failed = totals["fixed"], totals["files"], totals["left"], totals["failed"]
    verb = "Would fix" if diff else "Fixed"
    parts = [f"{verb} {fixed} finding{'s' if fixed != 1 else ''} in {files} "
             f"file{'s' if files != 1 else ''}"]
    parts.append(f"{left} left")
    if failed:
        parts.append(f"{failed} file{'s' if failed != 1 else ''} not fixed")
    print("; ".join(parts) + ".", file=out)
