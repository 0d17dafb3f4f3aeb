"""What ``check`` and ``fix`` share: their common options, the settings they make, the paths
that do not exist, and the one line said when the project has no registry.

Options follow ruff's names: ``--config FILE`` or ``--config KEY=VALUE`` (repeatable),
``--exclude``/``--extend-exclude`` (comma-separated, replace/extend the configured list),
``--fail-level``, ``-q/--quiet``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importwarden.config import Settings
    from importwarden.project.batch import CheckSession

LEVELS = ("error", "warning", "information", "hint")


def add_common(parser: argparse.ArgumentParser, verb: str) -> None:
    """Options both commands take (after their own, so that ``--help`` reads the same)."""
    parser.add_argument("--select", metavar="CODES",
                        help=f"comma-separated codes or prefixes to {verb}")
    parser.add_argument("--ignore", metavar="CODES",
                        help="comma-separated codes or prefixes to skip")
    parser.add_argument("--registry", action="append", metavar="FILE", default=None,
                        help="registry file (repeatable; overrides discovery)")
    parser.add_argument("--config", action="append", metavar="FILE|KEY=VALUE", default=None,
                        help="a pyproject.toml or importwarden.toml to use instead of the "
                             "project's, or one setting as TOML (e.g. 'fail-level = \"hint\"');"
                             " repeatable")
    parser.add_argument("--exclude", metavar="PATTERNS",
                        help="comma-separated gitignore-style patterns; replaces the "
                             "configured exclude")
    parser.add_argument("--extend-exclude", metavar="PATTERNS",
                        help="comma-separated patterns added to exclude")
    parser.add_argument("--fail-level", choices=LEVELS, metavar="LEVEL",
                        help="lowest severity that fails the run: error, warning (default), "
                             "information, hint")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print findings (and errors) only: no summary, no notices")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the cache (fix: the check pass that "
                             "finds the files to fix)")


def _codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The dedicated options as setting overrides (they win over the configuration)."""
    overrides: dict[str, Any] = {}
    if getattr(args, "registry", None):
        overrides["registry"] = list(args.registry)
    for option, key in (("select", "select"), ("ignore", "ignore"), ("exclude", "exclude"),
                        ("extend_exclude", "extend-exclude")):
        value = getattr(args, option, None)
        if value is not None:
            overrides[key] = _codes(value)
    if getattr(args, "fail_level", None):
        overrides["fail-level"] = args.fail_level
    return overrides


def split_config_args(values: list[str] | None) -> tuple[Path | None, list[str]]:
    """``--config`` values: at most one file, any number of ``KEY = VALUE`` lines (ruff: a value
    that is an existing file is a file; otherwise it must be TOML)."""
    from importwarden.cli import UsageError

    files: list[Path] = []
    lines: list[str] = []
    for value in values or ():
        if "=" in value and not Path(value).is_file():
            lines.append(value)
        else:
            files.append(Path(value))
    if len(files) > 1:
        raise UsageError(f"--config: one configuration file at most (got {files[0]} and "
                         f"{files[1]}); use --config KEY=VALUE for single settings")
    return (files[0] if files else None), lines


def missing_paths(paths: list[str], cwd: Path) -> list[str]:
    """The given paths that do not exist (a broken symlink exists: it is reported as one)."""
    missing = []
    for p in paths:
        full = Path(p) if Path(p).is_absolute() else cwd / p
        if not full.exists() and not full.is_symlink():
            missing.append(p)
    return missing


def existing_paths(paths: list[str], cwd: Path) -> tuple[list[str], bool]:
    """``paths`` without the missing ones, each reported on its own line; and whether any
    was missing (``check`` and ``fix`` then exit 2 whatever else happens)."""
    from importwarden.cli import err

    missing = missing_paths(paths, cwd)
    for p in missing:
        err(f"{p}: no such file or directory")
    return [p for p in paths if p not in missing], bool(missing)


def paths_and_settings(args: argparse.Namespace,
                       cwd: Path) -> tuple[list[str], bool, "Settings | None"]:
    """What ``check`` and ``fix`` start from: the command line's paths that exist, whether
    any was missing (see ``existing_paths``), and the settings for those paths (None when
    every path was missing: exit 2)."""
    from importwarden.config import settings_for_paths

    paths, missing = existing_paths(args.paths, cwd)
    if missing and not paths:
        return paths, missing, None
    config_file, config_lines = split_config_args(getattr(args, "config", None))
    settings = settings_for_paths([Path(p) for p in paths], cwd, overrides_from_args(args),
                                  config_file, config_lines)
    return paths, missing, settings


def no_registry_notice(settings: "Settings") -> str | None:
    """The discovery error when the project has no registry at all (and none is configured):
    the run goes on with the rules that need none. None when there is one (or one is set)."""
    from importwarden.config import discover_registries
    from importwarden.errors import ImportwardenError, NoRegistryFound

    if settings.registry:
        return None
    try:
        discover_registries(settings)
    except NoRegistryFound as exc:
        return str(exc)
    except ImportwardenError:  # (another discovery error: reported when the registry loads)
        pass
    return None


def open_session(args: argparse.Namespace, settings: "Settings", cwd: Path, *,
                 announce_no_registry: bool,
                 with_edits: bool = False) -> tuple["CheckSession", list[str]]:
    """The batch session ``check`` and ``fix`` run on, and its registry errors other than
    "there is no registry" (which is announced in one line instead, unless quiet).
    ``with_edits``: the findings' fixes carry their edits (``CheckSession``); ``fix`` plans
    its own."""
    from importwarden.cli import err
    from importwarden.cli.progress import terminal_progress
    from importwarden.project.batch import CheckSession

    no_registry = no_registry_notice(settings)
    if no_registry and announce_no_registry and not args.quiet:
        err(no_registry_line(settings))
    session = CheckSession(settings, cwd=cwd, use_cache=not args.no_cache,
                           progress=terminal_progress(), with_edits=with_edits)
    return session, [m for m in session.registry_errors if m != no_registry]


def no_registry_line(settings: "Settings") -> str:
    root = settings.root
    return (f"no import registry in {root} or {root / 'docs'} (looked for "
            "SSOT_IMPORT_REGISTRY.md, IMPORT_REGISTRY.md, *_IMPORT_REGISTRY.md, "
            "importwarden.toml); checking the rules that need none (IW005, IW007)")
