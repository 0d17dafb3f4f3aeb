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
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importwarden.cli import err, keep_until_exit
from importwarden.cli.progress import ProgressBar, terminal_progress

if TYPE_CHECKING:
    from importwarden.project.fix_run import FileFix


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
    from importwarden.cli.check import overrides_from_args
    from importwarden.config import load_settings
    from importwarden.project.batch import CheckSession
    from importwarden.project.fix_run import files_to_fix, fix_files

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
                           progress=terminal_progress())
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
    files, untouched = files_to_fix(project, findings)
    if files:
        session.ensure_index()
    out = sys.stderr if args.diff else sys.stdout
    # Files named one by one may be written wherever their links lead (fix_run.write_refusal).
    explicit = frozenset(os.path.realpath(cwd / p) for p in args.paths
                         if not (cwd / p).is_dir())
    outcomes = {done.rel: done for done in untouched}
    with ProgressBar(len(files), enabled=sys.stderr.isatty(), label="fixing") as bar:
        for done in fix_files(project, files, diff=args.diff, unsafe=args.unsafe_fixes,
                              explicit=explicit):
            outcomes[done.rel] = done
            bar.advance()
    for rel in sorted(outcomes):  # printed after the bar is gone (it lives on stderr)
        _report(outcomes[rel], out, totals, diff=args.diff)
    _print_totals(totals, diff=args.diff, out=out)
    remaining = totals["left"] + totals["failed"] + (totals["fixed"] if args.diff else 0)
    return 1 if remaining else 0


def _report(done: "FileFix", out: Any, totals: Counter, *, diff: bool) -> None:
    """Print what fixing one file did (the diff on stdout) and count it."""
    if done.error is not None:
        err(done.error)
        totals["failed"] += 1
        return
    if done.diff:
        out.flush()
        sys.stdout.write(done.diff)
        sys.stdout.flush()
    if done.applied:
        verb = "would fix" if diff else "fixed"
        print(f"{done.rel}: {verb} {len(done.applied)} ({_summary(done.applied)})", file=out)
        totals["fixed"] += len(done.applied)
        totals["files"] += 1
    for finding, reason in done.left:
        line, col = finding.range.start.line + 1, finding.range.start.character + 1
        print(f"{done.rel}:{line}:{col}: {finding.code} left: {reason}", file=out)
        totals["left"] += 1


def _print_totals(totals: Counter, *, diff: bool, out: Any) -> None:
    fixed, files, left, failed = totals["fixed"], totals["files"], totals["left"], totals["failed"]
    verb = "Would fix" if diff else "Fixed"
    parts = [f"{verb} {fixed} finding{'s' if fixed != 1 else ''} in {files} "
             f"file{'s' if files != 1 else ''}"]
    parts.append(f"{left} left")
    if failed:
        parts.append(f"{failed} file{'s' if failed != 1 else ''} not fixed")
    print("; ".join(parts) + ".", file=out)
