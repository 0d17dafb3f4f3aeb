"""Findings and fixes: what the engine reports, in editor-neutral terms.

Positions are 0-based lines and 0-based columns counted in *code points* (Python ``str``
indices). The CLI prints them 1-based; the language server converts them to the negotiated
LSP position encoding in ``lsp/convert.py`` and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from importwarden.analysis.codes import RULES, Severity
from importwarden.registry.model import Applicability, Provenance, Target

if TYPE_CHECKING:
    from importwarden.analysis.imports import ImportRef


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 0-based
    character: int  # 0-based, code points


@dataclass(frozen=True, order=True)
class Range:
    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, col: int, end_line: int, end_col: int) -> "Range":
        return cls(Position(line, col), Position(end_line, end_col))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end


@dataclass(frozen=True)
class TextEdit:
    range: Range
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Applicability  # SAFE or UNSAFE (a finding without a fix has fix=None)
    message: str  # e.g. "Import `X` from `b` instead of `a`"
    edits: tuple[TextEdit, ...] = ()


@dataclass(frozen=True)
class Finding:
    code: str  # IW001 …
    severity: Severity
    message: str
    path: str  # as given to the engine (relative to the project root for the CLI)
    range: Range
    target: Target | None = None  # what the code imports/patches (module, name)
    registry: Provenance | None = None  # the registry line behind it
    replacement: Target | None = None  # where it should point instead (mock targets: module=dotted, name=None)
    fix: Fix | None = None
    # Editors render these struck through (DiagnosticTag.Deprecated).
    deprecated_tag: bool = False
    related: tuple[tuple[str, Range, str], ...] = field(default=())  # (path, range, message)
    ref: "ImportRef | None" = field(default=None, compare=False)  # the import/mock it is about

    @property
    def name(self) -> str:
        return RULES[self.code].name

    def sort_key(self) -> tuple:
        return (self.path, self.range.start, self.code)
