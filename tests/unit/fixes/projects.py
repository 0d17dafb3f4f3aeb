"""A real engine ``Project`` over a hand-written registry (no loader needed) for fix tests."""

from __future__ import annotations

from pathlib import Path

from importwarden.project.engine import Project
from importwarden.config import Settings
from importwarden.registry.model import (
    Applicability, Entry, MockEntry, Provenance, Registry, Status, Target,
    replacement_applicability,
)


def entry(target: str, status: str, use: str | None = None, unsafe: bool = False) -> Entry:
    t = Target.parse(target)
    r = Target.parse(use) if use else None
    fix = replacement_applicability(t, r, inferred=unsafe, different_api=False)
    return Entry(t, Status(status), Provenance("REG.md", 1), r, fix)


def mock(target: str, use: str | None, fix=Applicability.SAFE) -> MockEntry:
    return MockEntry(target, Status.BROKEN, Provenance("REG.md", 2), use,
                     fix if use else Applicability.NONE)


def project(root: Path, entries=(), mocks=(), index=None) -> Project:
    registry = Registry(entries={e.target: e for e in entries},
                        mocks={m.target: m for m in mocks})
    return Project(Settings(root=root), registry, index)
