"""``importwarden check``: report imports and mock targets that stray from the registry.

The run: settings (the project is found from the paths) -> registry -> files (exclude +
.gitignore) -> per-file findings (from the cache when a file's stat and content are unchanged)
-> one output format on stdout (or ``--output-file``). Notices about files that cannot be
checked and registries that cannot be loaded go to stderr, one line each; the run goes on.
``--fix`` applies the safe fixes first (``fix``'s engine) and reports what remains; ``--diff``
is ``fix --diff``.

Exit codes: 0 nothing at or above ``fail-level`` (default: warning) was found, or
``--exit-zero``; 1 such findings; 2 usage/config error, a path that does not exist, or a
registry that failed to load (also with ``--exit-zero``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from importwarden.cli import err, keep_until_exit
from importwarden.cli.options import add_common, open_session, paths_and_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATHS",
                        help="files or directories to check (default: the project)")
    parser.add_argument("--output-format", choices=("text", "json", "sarif", "github"),
                        default="text", help="output format (default: text)")
    parser.add_argument("-o", "--output-file", metavar="FILE",
                        help="write the report to FILE instead of stdout")
    parser.add_argument("--statistics", action="store_true", help="show counts per code")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when there are findings")
    parser.add_argument("--fix", action="store_true",
                        help="apply the safe fixes, then report what remains")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix or --diff: also apply unsafe fixes")
    parser.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff instead of the findings; "
                             "write nothing")
    add_common(parser, "report")


def run(args: argparse.Namespace) -> int:
    from importwarden.output import OutputContext, prints_edits, render, render_bytes
    from importwarden.output.text import line
    from importwarden.project.batch import no_gc

    cwd = Path.cwd()
    paths, missing, settings = paths_and_settings(args, cwd)
    if settings is None:
        return 2
    if args.fix or args.diff:
        from importwarden.cli.fix import fix_run

        code = fix_run(args, settings, cwd, paths, diff=args.diff, report_left=False)
        if args.diff or code == 2:
            return 2 if missing else code
    session, errors = open_session(args, settings, cwd, announce_no_registry=True,
                                   with_edits=prints_edits(args.output_format, args.statistics))
    for message in errors:
        err(message)
    findings = session.check([Path(p) for p in paths])
    for message in session.notices:
        err(message)
    ctx = OutputContext(root=settings.root, cwd=cwd, statistics=args.statistics)
    failed_setup = bool(errors or missing)
    with no_gc():  # (the findings and the cache are still alive: see ``check``)
        if args.output_format == "text" and not args.statistics and (
                args.quiet or (failed_setup and not findings)):
            # No summary: quiet asks for findings only, and "All checks passed!" would be
            # false when a path or a registry was missing.
            text: str | bytes = "".join(line(f, ctx) + "\n" for f in findings)
        elif args.output_format == "json" and _utf8_stdout(args.output_file):
            text = render_bytes(args.output_format, findings, ctx)  # (10 MB: no str copies)
        else:
            text = render(args.output_format, findings, ctx)
    _write(text, args.output_file)
    keep_until_exit(session, findings, text)
    if failed_setup:
        return 2
    if not args.exit_zero and any(settings.fails(f.severity) for f in findings):
        return 1
    return 0


def _utf8_stdout(output_file: str | None) -> bool:
    """Whether bytes can go to stdout as they are: UTF-8, no newline translation."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return (not output_file and os.linesep == "\n" and encoding == "utf8"
            and hasattr(sys.stdout, "buffer"))


def _write(text: str | bytes, output_file: str | None) -> None:
    if isinstance(text, bytes):  # (``_utf8_stdout``)
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
        return
    if output_file:
        from importwarden.cli import UsageError

        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{output_file}: cannot write: {exc.strerror or exc}") from None
        return
    try:  # registry notes carry emoji; a legacy console encoding must not crash the run
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    sys.stdout.write(text)
    sys.stdout.flush()
