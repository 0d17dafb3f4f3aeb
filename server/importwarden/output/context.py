"""What every output format shares: how paths are shown, which findings are fixable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from importwarden.analysis.findings import Finding


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
    # os.path, not pathlib: this runs once per file with findings (thousands per run), and
    # pathlib objects cost ~60 us each to build.
    if (cwd_s == root_s and os.sep == "/" and not rel_or_abs.startswith("/")
            and os.path.normpath(rel_or_abs) == rel_or_abs and rel_or_abs != "."):
        return rel_or_abs  # (what relpath gives, at a fifth of its cost: the usual case)
    p = rel_or_abs if os.path.isabs(rel_or_abs) else os.path.join(root_s, rel_or_abs)
    try:
        shown = os.path.relpath(p, cwd_s)
    except ValueError:  # another drive (Windows)
        shown = p
    return shown.replace(os.sep, "/") if os.sep != "/" else shown


def fixable(finding: Finding) -> bool:
    """Fixed by plain ``importwarden fix`` (safe fixes only)."""
    return finding.fix is not None and finding.fix.applicability.value == "safe"


def unsafe_fixable(finding: Finding) -> bool:
    return finding.fix is not None and finding.fix.applicability.value == "unsafe"
