"""Settings: ``[tool.importwarden]`` in pyproject.toml (or importwarden.toml), CLI options and
editor settings, merged into one ``Settings`` object (later sources override earlier ones).

CONTRACT: fields below are what the engine, CLI and server read. Loading/discovery lives in
``load_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from importwarden.analysis.findings import Severity


@dataclass(frozen=True)
class Settings:
    root: Path  # project root (directory of the pyproject.toml that configured us, else cwd)
    registry: tuple[Path, ...] = ()  # explicit registry files; empty -> discovery
    roots: tuple[Path, ...] = ()  # first-party roots; empty -> root (+ root/src when present)
    select: frozenset[str] | None = None  # None = all rules; code prefixes allowed ("IW00")
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (glob, codes)
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, plus .gitignore itself
    services_members: tuple[str, ...] | None = None  # overrides the registry's services
    services_shared: tuple[str, ...] | None = None
    severity: dict[str, Severity] = field(default_factory=dict)  # per-code overrides
    completion_auto_import: bool = True
    config_file: Path | None = None  # where the settings came from, for messages

    def rule_enabled(self, code: str) -> bool:
        if any(code.startswith(p) for p in self.ignore):
            return False
        return self.select is None or any(code.startswith(p) for p in self.select)
