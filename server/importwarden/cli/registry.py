"""``importwarden registry show|lint|export``: look at the registry as importwarden reads it.

- ``show``: the effective model, as a table (rich on a terminal, plain aligned columns when
  piped) or as the ``registry show --format json`` object of docs/design.md.
- ``lint``: registry problems as ``file:line: IWRnnn message``; exit 1 when there are any.
  With a workspace index available, entries are also checked against the code (stale entries).
- ``export``: the strict TOML form (or JSON), to stdout or ``-o FILE``.

Configuration, discovery and load errors end the command with exit 2 and one line on stderr
(``ImportwardenError``, printed by ``importwarden.cli.main``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ACTIONS = ("show", "lint", "export", "suggest")
FORMATS = {"show": ("table", "json", "toml"), "lint": ("table", "json"),
           "export": ("toml", "json"), "suggest": ("markdown", "toml", "json")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS,
                        help="show the effective registry, lint it, export it, or suggest entries "
                             "from the git history")
    parser.add_argument("--registry", action="append", metavar="FILE", default=None,
                        help="registry file to use instead of discovery (repeatable; "
                             "later files override earlier ones)")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="read settings from this file instead of searching for "
                             "pyproject.toml / importwarden.toml")
    parser.add_argument("--format", choices=("table", "json", "toml", "markdown"), default=None,
                        help="output format (show: table, json, toml; lint: table, json; "
                             "export: toml, json; suggest: markdown, toml, json)")
    parser.add_argument("-o", "--output", metavar="FILE", default=None,
                        help="write to FILE instead of stdout")
    parser.add_argument("--no-workspace", action="store_true",
                        help="lint: do not index the workspace (skips the stale-entry checks)")
    from importwarden.cli.suggest import add_suggest_arguments

    add_suggest_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from importwarden.cli import UsageError

    fmt = args.format or FORMATS[args.action][0]
    if fmt not in FORMATS[args.action]:
        raise UsageError(f"registry {args.action} does not support --format {fmt} "
                         f"(use {' or '.join(FORMATS[args.action])})")
    settings = _settings(args)
    registry = _load(settings)

    if args.action == "suggest":
        from importwarden.cli.suggest import run_suggest

        return run_suggest(args, fmt, settings, registry)

    if args.action == "lint":
        problems = _lint(registry, settings, use_workspace=not args.no_workspace)
        if fmt == "json":
            _emit(args, _dumps([_problem_json(p) for p in problems]))
        else:
            _emit(args, "".join(f"{_where(p.file, p.line)}: {p.code} {p.message}\n"
                                for p in problems))
            if not args.output:
                n = len(problems)
                if n:  # the files the problems are in, not every file that was read
                    where = ", ".join(dict.fromkeys(_relative(p.file) for p in problems
                                                    if p.file)) or _files(registry)
                    summary = f"{n} registry problem{'s' if n != 1 else ''} in {where}"
                else:
                    summary = f"no problems in {_files(registry)}"
                print(summary, file=sys.stderr)
        return 1 if problems else 0

    from importwarden.registry import export

    if fmt == "toml":
        _emit(args, export.to_toml(registry, relative_to=settings.root))
    elif fmt == "json":
        _emit(args, _dumps(export.to_json(registry)))
    else:
        _show_table(args, export.to_json(registry), registry)
    return 0


# --- loading ----------------------------------------------------------------------------------


def _settings(args: argparse.Namespace):
    from importwarden.config import settings_for_paths

    overrides: dict[str, object] = {}
    if args.registry:
        overrides["registry"] = args.registry
    config = Path(args.config) if args.config else None
    # The project of the current directory, found as ``check`` finds it (never $HOME or /tmp).
    return settings_for_paths([], Path.cwd(), overrides or None, config)


def _load(settings):
    """The merged registry, with the settings' ``services`` override applied like the engine."""
    from dataclasses import replace

    from importwarden.analysis.rules import effective_services
    from importwarden.config import discover_registries
    from importwarden.registry.load import load_registries

    registry = load_registries(discover_registries(settings))
    _warn_about_empty_files(registry)
    if settings.services_members is not None or settings.services_shared is not None:
        registry = replace(registry, services=effective_services(
            registry, settings.services_members, settings.services_shared,
            settings_line=_services_setting_line(settings)))
    return registry


def _services_setting_line(settings):
    """Where the ``services`` setting is written (for ``show``: why a package is a service)."""
    from importwarden.registry.model import Provenance

    config = settings.config_file
    if config is None:
        return None
    try:
        lines = config.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    keys = [n for n, text in enumerate(lines, 1) if re.match(r"\s*(?:members|shared)\s*=", text)
            or "services" in text]
    number = next((n for n in keys if "services" not in lines[n - 1]), keys[0] if keys else 0)
    return Provenance(str(config), number, (), lines[number - 1].strip() if number else "")


def _warn_about_empty_files(registry) -> None:
    """A registry file that yields nothing at all is most likely not an import registry (or
    not text): say so on stderr, since reading it "succeeded"."""
    used = {e.provenance.file for e in registry.entries.values()}
    used |= {m.provenance.file for m in registry.mocks.values()}
    used |= {p.file for p in registry.problems}
    for claim_file in (c.provenance.file for e in registry.entries.values() for c in e.claims):
        used.add(claim_file)
    if registry.services.provenance is not None:
        used.add(registry.services.provenance.file)
    for file in registry.files:
        if file not in used:
            print(f"importwarden: warning: {_relative(file)}: no registry entries found",
                  file=sys.stderr)


def _lint(registry, settings, *, use_workspace: bool) -> list:
    """Loader problems plus ``lint.lint``'s, checked against the workspace when there is one."""
    from importwarden.registry import lint

    resolves = None
    if use_workspace:
        try:
            from importwarden.workspace.index import WorkspaceIndex
        except ImportError:  # the workspace index is optional for linting
            WorkspaceIndex = None
        if WorkspaceIndex is not None:
            index = WorkspaceIndex.build(settings)
            resolves = lambda target: index.resolves(target.module, target.name)
    return sorted({*registry.problems, *lint.lint(registry, resolves)},
                  key=lambda p: (p.file, p.line, p.code, p.message))


# --- output -----------------------------------------------------------------------------------


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _emit(args: argparse.Namespace, text: str) -> None:
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _problem_json(problem) -> dict[str, Any]:
    return {"code": problem.code, "file": problem.file, "line": problem.line,
            "message": problem.message}


def _relative(file: str) -> str:
    """A registry path relative to the current directory when it lies below it."""
    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith("..") else rel


def _where(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return f"{_relative(file)}:{line}" if line else _relative(file)


def _files(registry) -> str:
    files = [_relative(f) for f in registry.files]
    return ", ".join(files) if files else "the registry"


_ENTRY_COLUMNS = ("target", "status", "replacement", "fix", "where")


def _rows(items: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [(str(item.get("target", "")), str(item.get("status", "")),
             str(item.get("replacement") or "-"), str(item.get("fix", "")),
             _where(item.get("file"), item.get("line"))) for item in items]


def _summary(data: dict[str, Any], registry) -> list[str]:
    from importwarden.registry.model import Status

    entries, mocks = data.get("entries", []), data.get("mocks", [])
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.get("status", "?")] = counts.get(entry.get("status", "?"), 0) + 1
    order = [status.value for status in Status]  # most severe first
    by_status = ", ".join(f"{counts[s]} {s}" for s in sorted(
        counts, key=lambda s: order.index(s) if s in order else len(order)))
    lines = [f"{len(entries)} import entries ({by_status or 'none'}), {len(mocks)} mock targets"
             f" from {_files(registry)}"]
    services = data.get("services") or {}
    if services.get("members"):
        shared = ", ".join(services.get("shared") or []) or "none"
        lines.append(f"services: {', '.join(services['members'])} (shared: {shared})")
        for origin in services.get("origins") or []:
            lines.append(f"  {origin['package']}: {origin['role']} "
                         f"({_where(origin['file'], origin['line'])}: {origin['text']})")
    problems = data.get("problems") or []
    if problems:
        lines.append(f"{len(problems)} registry problem{'s' if len(problems) != 1 else ''}: "
                     "run `importwarden registry lint`")
    return lines


def _show_table(args: argparse.Namespace, data: dict[str, Any], registry) -> None:
    entries = _rows(data.get("entries", []))
    mocks = _rows(data.get("mocks", []))
    summary = _summary(data, registry)
    if not args.output and sys.stdout.isatty():
        _rich_tables(entries, mocks, summary)
        return
    out: list[str] = []
    for title, rows in (("imports", entries), ("mock targets", mocks)):
        if rows:
            out.append(f"# {title}")
            out.extend(_aligned([tuple(c.upper() for c in _ENTRY_COLUMNS), *rows]))
            out.append("")
    out.extend(summary)
    _emit(args, "\n".join(out) + "\n")


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


_STATUS_STYLE = {"broken": "bold red", "deprecated": "yellow", "compatible": "cyan",
                 "unverified": "magenta", "canonical": "bold green", "verified": "green"}


def _rich_tables(entries: list[tuple[str, ...]], mocks: list[tuple[str, ...]],
                 summary: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    for title, rows in (("Imports", entries), ("Mock targets", mocks)):
        if not rows:
            continue
        table = Table(title=title, title_justify="left", show_lines=False)
        for column in _ENTRY_COLUMNS:
            # Short columns never wrap, so the long dotted paths get the width.
            short = column in ("status", "fix", "where")
            table.add_column(column, overflow="fold", no_wrap=short, ratio=None if short else 1)
        for row in rows:
            # Text cells: registry names such as "[AUTH_MODEL_CLASSES]" are not rich markup.
            cells = [Text(cell) for cell in row]
            cells[1].stylize(_STATUS_STYLE.get(row[1], ""))
            table.add_row(*cells)
        console.print(table)
    for line in summary:
        console.print(line, markup=False)
