"""``importwarden report``: findings by rule along the first-parent history, as JSON rows, an
SVG chart or a self-contained HTML page (the format follows ``--output``'s suffix; JSON on
stdout without it)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="DATE|REV", default=None,
                        help="start after this commit, or at this date (git log --since)")
    parser.add_argument("--every", metavar="N|day", default="1",
                        help="sample every N-th commit (default 1), or the last commit of each "
                             "day; the newest commit is always included")
    parser.add_argument("--registry-at", choices=("commit", "head"), default="commit",
                        help="judge each commit with its own registry (default) or today's")
    parser.add_argument("--output", "-o", metavar="FILE", default=None,
                        help="write FILE.html, FILE.svg or FILE.json instead of JSON on stdout")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="read settings from this file")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the history cache")


def run(args: argparse.Namespace) -> int:
    from importwarden.cli import UsageError
    from importwarden.cli.progress import ProgressBar
    from importwarden.config import load_settings
    from importwarden.history.chart import html_page, svg_text
    from importwarden.history.git import Repo
    from importwarden.history.report import build_report

    if args.every != "day" and not re.fullmatch(r"[1-9]\d*", args.every):
        raise UsageError(f"--every {args.every}: expected a number of commits or 'day'")
    suffix = Path(args.output).suffix.lower() if args.output else ".json"
    if suffix not in (".json", ".html", ".htm", ".svg"):
        raise UsageError(f"--output {args.output}: expected a .html, .svg or .json file")
    settings = load_settings(Path.cwd(), None, Path(args.config) if args.config else None)
    repo = Repo(Path(settings.root))
    if not repo.has_commits():
        raise UsageError(f"{repo.top}: the repository has no commits yet")
    cache = None if args.no_cache else Path(settings.root) / ".importwarden_cache"
    with ProgressBar(1, sys.stderr.isatty(), "reading history") as bar:
        report = build_report(settings, repo, since=args.since, every=args.every,
                              registry_at=args.registry_at, cache_dir=cache,
                              progress=bar.set)
    if suffix == ".json":
        import json

        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif suffix == ".svg":
        text = svg_text(report)
    else:
        text = html_page(report, f"importwarden report: {settings.root.name}")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"importwarden: {len(report.rows)} commits -> {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
