"""Output formats for ``importwarden check``: one module per format (text, json, sarif, github).

Each module has ``render(findings, ctx) -> str``. ``OutputContext`` says how to print paths:
findings carry paths relative to the project root; output shows them relative to the cwd.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from importwarden.analysis.findings import Finding

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class OutputContext:
    root: Path
    cwd: Path
    statistics: bool = False

    def path(self, rel_or_abs: str) -> str:
        """A finding's path as printed: relative to the cwd, posix slashes."""
        return _display(str(self.root), str(self.cwd), rel_or_abs)


@lru_cache(maxsize=65536)
def _display(root_s: str, cwd_s: str, rel_or_abs: str) -> str:
    p = Path(rel_or_abs)
    if not p.is_absolute():
        p = Path(root_s) / p
    try:
        shown = os.path.relpath(p, cwd_s)
    except ValueError:  # another drive (Windows)
        return p.as_posix()
    return Path(shown).as_posix()


def fixable(finding: Finding) -> bool:
    """Fixed by plain ``importwarden fix`` (safe fixes only)."""
    return finding.fix is not None and finding.fix.applicability.value == "safe"


def unsafe_fixable(finding: Finding) -> bool:
    return finding.fix is not None and finding.fix.applicability.value == "unsafe"


def render(fmt: str, findings: list[Finding], ctx: OutputContext) -> str:
    if fmt == "text":
        from importwarden.output import text as mod
    elif fmt == "json":
        from importwarden.output import json as mod  # type: ignore[no-redef]
    elif fmt == "sarif":
        from importwarden.output import sarif as mod  # type: ignore[no-redef]
    elif fmt == "github":
        from importwarden.output import github as mod  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown output format {fmt!r}")
    return mod.render(findings, ctx)
