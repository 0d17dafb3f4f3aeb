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
import sys
from pathlib import Path
from typing import Any

from importwarden.cli import err, keep_until_exit
from importwarden.cli.progress import terminal_progress


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


def run(args: argparse.Namespace) -> int:
    from importwarden.config import load_settings
    from importwarden.output import OutputContext, render
    from importwarden.project.batch import CheckSession, no_gc

    cwd = Path.cwd()
    settings = load_settings(cwd, overrides_from_args(args),
                             Path(args.config) if args.config else None)
    session = CheckSession(settings, cwd=cwd, use_cache=not args.no_cache,
                           progress=terminal_progress())
    for message in session.registry_errors:
        err(message)
    findings = session.check([Path(p) for p in args.paths])
    for message in session.notices:
        err(message)
    ctx = OutputContext(root=settings.root, cwd=cwd, statistics=args.statistics)
    try:  # registry notes carry emoji; a legacy console encoding must not crash the run
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    with no_gc():  # (the findings and the cache are still alive: see ``check``)
        text = render(args.output_format, findings, ctx)
    sys.stdout.write(text)
    sys.stdout.flush()
    keep_until_exit(session, findings, text)
    if session.registry_errors:
        return 2
    if findings and not args.exit_zero:
        return 1
    return 0
