"""plan_fix over every import and mock target of every fixture file (including broken and
oddly encoded ones): it returns a Fix or a Refusal, never raises, and a fix applied to a file
that parses leaves a file that parses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from importwarden.analysis.imports import RefKind, extract
from importwarden.fixes import Refusal, apply_edits, plan_fix
from importwarden.registry.model import Applicability, Target
from importwarden.textio import SourceDecodeError, read_source

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FILES = sorted(p for p in FIXTURES.rglob("*.py"))


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        return False


def _replacements(ref):
    if ref.kind is RefKind.MOCK:
        return [Target("moved.somewhere." + ref.module.rsplit(".", 1)[-1])]
    if ref.kind is RefKind.IMPORT:
        return [Target("moved.pkg")]
    return [Target("moved.pkg", ref.name), Target("moved.pkg", "Renamed"), Target("moved.pkg")]


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(FIXTURES).as_posix() for p in FILES])
def test_every_ref_of_every_fixture(path):
    try:
        source = read_source(path).text
    except (SourceDecodeError, OSError):
        pytest.skip("not decodable: the CLI reports it before any fix")
    parses = _parses(source)
    for ref in extract(source, "pkg.mod", False).refs:
        for replacement in _replacements(ref):
            plan = plan_fix(source, ref, replacement, Applicability.UNSAFE)
            if isinstance(plan, Refusal):
                assert plan.reason and "\n" not in plan.reason
                continue
            out = apply_edits(source, plan.edits)
            if parses:
                assert _parses(out), (ref, replacement, plan.edits)
