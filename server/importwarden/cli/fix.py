"""``importwarden fix``: rewrite imports and mock targets to the paths the registry names.

Per file: read (keeping encoding, BOM and newlines) -> ``fixes.fix_source`` (safe fixes, unsafe
ones too with ``--unsafe-fixes``, re-checked until stable) -> atomic write that refuses a file
changed since it was read. Prints ``path: fixed N (IW001 ×2, …)`` per changed file and one line
per finding it left, with the reason. ``--diff`` prints a unified diff and writes nothing.

A file that cannot be read, decoded or written is reported on stderr (one line) and the run goes
on; nothing is ever half-written. Exit codes: 0 nothing remains, 1 something remains (left
findings at or above ``fail-level``, files that could not be fixed, or with ``--diff`` changes
that would be made), 2 usage/config/registry error or a path that does not exist (the other
paths are still fixed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importwarden.cli import err, keep_until_exit
from importwarden.cli.options import add_common, open_session, paths_and_settings
from importwarden.cli.progress import ProgressBar

if TYPE_CHECKING:
    from importwarden.config import Settings
    from importwarden.project.fix_run import FileFix


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATHS",
                        help="files or directories to fix (default: the project)")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff of the changes instead of writing them")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply unsafe fixes (renames, inferred replacements)")
    add_common(parser, "fix")


def _summary(findings) -> str:
    counts = Counter(f.code for f in findings)
    return ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(counts.items()))


def run(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    paths, missing, settings = paths_and_settings(args, cwd)
    if settings is None:
        return 2
    code = fix_run(args, settings, cwd, paths, diff=args.diff)
    return 2 if missing else code


def fix_run(args: argparse.Namespace, settings: "Settings", cwd: Path, paths: list[str], *,
            diff: bool, report_left: bool = True) -> int:
    """Fix ``paths`` (the project when empty); also ``check --fix``/``--diff``, which report
    what is left themselves (``report_left=False``: status lines go to stderr)."""
    from importwarden.project.fix_run import files_to_fix, fix_files, sweep_stale_temps

    quiet = args.quiet
    # Find the files with something to report the way `check` does (parallel, cached); only
    # those are read again and fixed. A file without findings is never parsed by the fixer.
    session, errors = open_session(args, settings, cwd, announce_no_registry=report_left)
    if errors:
        # Fixing against half a registry could rewrite imports the missing part governs.
        for message in errors:
            err(message)
        return 2
    findings = session.check([Path(p) for p in paths])
    keep_until_exit(session, findings)
    totals: Counter = Counter()
    for message in session.notices:
        if report_left:  # (check reports them itself)
            err(message)
        totals["failed"] += 1
    project = session.project
    files, untouched = files_to_fix(project, findings)
    if not args.diff and session.state is not None:
        sweep_stale_temps(project, session.state.files)  # what killed runs left anywhere
    if files:
        session.ensure_index()
    out = sys.stderr if diff or not report_left else sys.stdout
    # Files named one by one may be written wherever their links lead (fix_run.write_refusal).
    explicit = frozenset(os.path.realpath(cwd / p) for p in paths if not (cwd / p).is_dir())
    outcomes = {done.rel: done for done in untouched}
    with ProgressBar(len(files), enabled=sys.stderr.isatty(), label="fixing") as bar:
        for done in fix_files(project, files, diff=diff, unsafe=args.unsafe_fixes,
                              explicit=explicit):
            outcomes[done.rel] = done
            bar.advance()
    for rel in sorted(outcomes):  # printed after the bar is gone (it lives on stderr)
        _report(outcomes[rel], out, totals, diff=diff, settings=settings, quiet=quiet,
                report_left=report_left)
    if not quiet:
        _print_totals(totals, diff=diff, out=out)
    remaining = totals["failing"] + totals["failed"] + (totals["fixed"] if diff else 0)
    return 1 if remaining else 0


def _report(done: "FileFix", out: Any, totals: Counter, *, diff: bool, settings: "Settings",
            quiet: bool, report_left: bool) -> None:
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
        if not quiet:
            print(f"{done.rel}: {verb} {len(done.applied)} ({_summary(done.applied)})", file=out)
        totals["fixed"] += len(done.applied)
        totals["files"] += 1
    for finding, reason in done.left:
        line, col = finding.range.start.line + 1, finding.range.start.character + 1
        if report_left:
            print(f"{done.rel}:{line}:{col}: {finding.code} left: {reason}", file=out)
        totals["left"] += 1
        # Left findings below fail-level (an IW004 hint) do not fail the run, as in check.
        if settings.fails(finding.severity):
            totals["failing"] += 1


def _print_totals(totals: Counter, *, diff: bool, out: Any) -> None:
    fixed, files, left, failed = totals["fixed"], totals["files"], totals["left"], totals["failed"]
    verb = "Would fix" if diff else "Fixed"
    parts = [f"{verb} {fixed} finding{'s' if fixed != 1 else ''} in {files} "
             f"file{'s' if files != 1 else ''}"]
    parts.append(f"{left} left")
    if failed:
        parts.append(f"{failed} file{'s' if failed != 1 else ''} not fixed")
    print("; ".join(parts) + ".", file=out)
