"""What the fix engine hands back: a plan (``Fix``) or a ``Refusal`` saying why not, and the
outcome of fixing one file (``FixResult``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from importwarden.analysis.findings import Finding


@dataclass(frozen=True)
class Refusal:
    """No fix: ``reason`` is one line, shown to users as ``refused: <reason>``."""

    reason: str

    def __bool__(self) -> bool:  # `if plan:` reads as "is there a fix?"
        return False


@dataclass
class FixResult:
    new_source: str
    applied: list[Finding] = field(default_factory=list)
    left: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, reason)

    @property
    def changed(self) -> bool:
        return bool(self.applied)
