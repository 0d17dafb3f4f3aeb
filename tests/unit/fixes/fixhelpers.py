"""Build ImportRefs for fix tests straight from source text (ast positions), independent of the
analysis helper's extractor, plus a one-call "fix this name" helper."""

from __future__ import annotations

import ast
import re

from importwarden.analysis.findings import Position, Range
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.fixes import Refusal, apply_edits, plan_fix
from importwarden.registry.model import Applicability, Target


def _col(lines: list[str], line0: int, byte_col: int) -> int:
    return len(lines[line0].encode()[:byte_col].decode())


def _range(lines, node) -> Range:
    return Range(Position(node.lineno - 1, _col(lines, node.lineno - 1, node.col_offset)),
                 Position(node.end_lineno - 1, _col(lines, node.end_lineno - 1, node.end_col_offset)))


def refs(source: str, package: str = "pkg") -> list[ImportRef]:
    """FROM and IMPORT refs of a parseable source (relative imports resolved in ``package``)."""
    lines = re.split(r"\r\n|\r|\n", source)
    out = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            rng = _range(lines, node)
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for a in node.names:
                out.append(ImportRef(RefKind.FROM, module, a.name, a.asname, rng, rng, rng,
                                     level=node.level))
        elif isinstance(node, ast.Import):
            rng = _range(lines, node)
            for a in node.names:
                out.append(ImportRef(RefKind.IMPORT, a.name, None, a.asname, rng, rng, rng))
    return out


def ref_for(source: str, name: str, package: str = "pkg", avoid: str | None = None) -> ImportRef:
    """The ref of ``name`` (FROM: the imported name, or "name as alias"; IMPORT: the module),
    skipping imports from module ``avoid`` (the destination)."""
    found = []
    for r in refs(source, package):
        key = r.name if r.kind is RefKind.FROM else r.module
        shown = f"{key} as {r.alias}" if r.alias else key
        if name in (shown, key):
            found.append(r)
    found.sort(key=lambda r: r.module == avoid)
    if not found:
        raise LookupError(name)
    return found[0]


def fix(source: str, name: str, replacement: str, applicability=Applicability.SAFE,
        exists=None, package: str = "pkg") -> str:
    target = Target.parse(replacement)
    plan = plan_fix(source, ref_for(source, name, package, target.module), target,
                    applicability, exists)
    assert not isinstance(plan, Refusal), plan.reason
    return apply_edits(source, plan.edits)


def mock_ref(source: str, target: str) -> ImportRef:
    """A MOCK ref for the first string literal holding exactly ``target``."""
    lines = re.split(r"\r\n|\r|\n", source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value == target:
            stmt = _range(lines, node)
            text = lines[stmt.start.line][stmt.start.character:]
            m = re.match(r"(?i)[rbu]{0,2}('''|\"\"\"|'|\")", text)
            q = m.group(1)
            inner = Range(Position(stmt.start.line, stmt.start.character + m.end()),
                          Position(stmt.end.line, stmt.end.character - len(q)))
            return ImportRef(RefKind.MOCK, target, None, None, inner, inner, stmt, quote=q)
    raise LookupError(target)
