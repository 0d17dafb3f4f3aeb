"""``importwarden registry suggest``: registry entries from the project's git history.

Prints the suggestions (Markdown section, TOML tables or JSON) and, on stderr, where history
contradicts the registry. ``--write`` appends the section to the registry file that was read
(the last one, which wins); a second run finds nothing new and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path


def add_suggest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="REV", default=None,
                        help="suggest: read only the history after this commit")
    parser.add_argument("--write", action="store_true",
                        help="suggest: append the suggestions to the registry file, in its form")


def run_suggest(args: argparse.Namespace, fmt: str, settings, registry) -> int:
    from importwarden.config import discover_registries
    from importwarden.history import render, write
    from importwarden.history.git import Repo
    from importwarden.history.suggest import Workspace, suggest
    from importwarden.workspace.index import WorkspaceIndex, effective_roots

    repo = Repo(Path(settings.root))
    index = WorkspaceIndex.build(settings)
    result = suggest(repo, effective_roots(settings), registry, Workspace(index), args.since)
    date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    for line in render.contradiction_lines(result):
        print(f"importwarden: contradiction: {line}", file=sys.stderr)

    if args.write:
        files = [Path(p) for p in discover_registries(settings)]
        if not files:
            from importwarden.cli import UsageError

            raise UsageError("registry suggest --write: no registry file to write to (create "
                             "IMPORT_REGISTRY.md or pass --registry FILE)")
        target = files[-1]
        written = write.append(target, result, date)
        print(f"importwarden: {written} suggestion{'s' if written != 1 else ''} written to "
              f"{target}" if written else f"importwarden: nothing new to write to {target}",
              file=sys.stderr)
        return 0

    if fmt == "json":
        text = render.json_text(result)
    elif not result.suggestions:
        text = ""
    elif fmt == "toml":
        text = render.toml_section(result, date)
    else:
        text = render.markdown_section(result, date)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if not result.suggestions:
        print(f"importwarden: no suggestions from {result.commits} commits", file=sys.stderr)
    return 0
