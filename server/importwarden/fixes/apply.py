"""Apply edits to a source text, and fix a whole file: the ``fix_source`` loop.

``fix_source`` checks the file, takes every applicable fix whose edits do not overlap one
already taken, applies them, and checks again, until nothing applicable is left (bounded).
Re-checking is what lets fixes compose: a name moved out of a statement leaves a smaller
statement whose remaining names are fixed in the next round, and a replacement that is itself
reported (a chain the registry did not collapse) is followed. A round that brings the file back
to an earlier state means the fixes loop; then nothing is applied at all.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Iterable, Sequence

from importwarden.analysis.findings import Finding, Fix, TextEdit
from importwarden.analysis.imports import RefKind
from importwarden.fixes.plan import plan_fix, plan_statement
from importwarden.fixes.result import FixResult, Refusal
from importwarden.fixes.statement import StatementError, to_offset
from importwarden.registry.model import Applicability

MAX_ROUNDS = 10


class EditConflict(ValueError):
    pass


def _span(source: str, edit: TextEdit) -> tuple[int, int]:
    return to_offset(source, edit.range.start), to_offset(source, edit.range.end)


def _clash(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] == b[0] or (a[0] < b[1] and b[0] < a[1])


def apply_edits(source: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (identical duplicates count once)."""
    spans: dict[tuple[int, int], str] = {}
    for edit in edits:
        span = _span(source, edit)
        if spans.get(span, edit.content) != edit.content:
            raise EditConflict(f"two different edits of the same text at offset {span[0]}")
        spans[span] = edit.content
    ordered = sorted(spans.items())
    for (a, _), (c, _) in zip(ordered, ordered[1:]):
        if _clash(a, c):
            raise EditConflict(f"overlapping edits at offsets {a[0]} and {c[0]}")
    # One pass, joined once: slicing the whole text per edit made n edits cost O(n x size).
    pieces = []
    at = 0
    for (start, end), content in ordered:
        pieces += (source[at:start], content)
        at = end
    pieces.append(source[at:])
    return "".join(pieces)


class _Taken:
    """The spans of the edits kept so far, sorted, for overlap questions in O(log n): they
    never overlap one another, so only the neighbours of a new span can clash with it."""

    def __init__(self) -> None:
        self.starts: list[tuple[int, int]] = []  # sorted spans
        self.content: dict[tuple[int, int], str] = {}

    def allows(self, span: tuple[int, int], content: str) -> bool:
        if span in self.content:
            return self.content[span] == content  # the very same edit is fine
        i = bisect.bisect_left(self.starts, span)
        near = self.starts[max(i - 1, 0):i + 2]
        return not any(_clash(span, t) for t in near)

    def add(self, span: tuple[int, int], content: str) -> None:
        if span not in self.content:
            bisect.insort(self.starts, span)
            self.content[span] = content


def select(source: str, fixes: Sequence[tuple[object, Fix]]) -> list[tuple[object, Fix]]:
    """Greedily keep fixes whose edits touch nothing a kept fix touches."""
    taken = _Taken()
    chosen = []
    for key, fix in fixes:
        try:
            spans = [(_span(source, e), e.content) for e in fix.edits]
        except StatementError:  # a range that does not fit this text: not this fix
            continue
        if not all(taken.allows(s, c) for s, c in spans):
            continue
        for s, c in spans:
            taken.add(s, c)
        chosen.append((key, fix))
    return chosen


def _allowed(applicability: Applicability, unsafe: bool) -> bool:
    return applicability is Applicability.SAFE or (unsafe and applicability is Applicability.UNSAFE)


def _exists(project):
    index = getattr(project, "index", None)
    resolves = getattr(index, "resolves", None)
    if resolves is None:
        return None
    return lambda target: resolves(target.module, target.name)


def plan_round(project, source: str, findings: Sequence[Finding], unsafe: bool):
    """The fixes to try this round, and why the other findings are left."""
    exists = _exists(project)
    candidates: list[tuple[list[Finding], Fix]] = []
    left: dict[int, str] = {}
    by_statement: dict[object, list[Finding]] = defaultdict(list)
    for i, finding in enumerate(findings):
        fix = finding.fix
        if fix is None or not fix.edits:
            left[i] = _why_not(source, finding, exists, project)
            continue
        if not _allowed(fix.applicability, unsafe):
            left[i] = "unsafe fix (use --unsafe-fixes)"
            continue
        ref = finding.ref
        if ref is not None and ref.kind is RefKind.FROM and finding.replacement is not None:
            by_statement[ref.statement_range].append(finding)
        else:
            candidates.append(([finding], fix))
    for group in by_statement.values():
        if len(group) == 1:
            candidates.append((group, group[0].fix))  # type: ignore[arg-type]
            continue
        # Several names of one statement: one combined edit (they compose in one round).
        worst = Applicability.UNSAFE if any(f.fix.applicability is Applicability.UNSAFE
                                            for f in group) else Applicability.SAFE  # type: ignore[union-attr]
        plan = plan_statement(source, [(f.ref, f.replacement) for f in group], worst)  # type: ignore[misc]
        if isinstance(plan, Refusal):
            candidates.extend(([f], f.fix) for f in group)  # type: ignore[misc]
        else:
            candidates.append((group, plan))
    candidates.sort(key=lambda c: min(f.range.start for f in c[0]))
    return candidates, {id(findings[i]): reason for i, reason in left.items()}


def reason_without_replacement(project, finding: Finding) -> str:
    """Why a finding with no replacement is left (shared with the CLI's report)."""
    if finding.code in ("IW004", "IW006"):
        return "not fixable"
    problem = _registry_problem(project, finding)
    return f"no replacement ({problem})" if problem else "no replacement"


def _why_not(source: str, finding: Finding, exists, project=None) -> str:
    if finding.replacement is None:
        return reason_without_replacement(project, finding)
    if finding.ref is None:
        return "no fix"
    plan = plan_fix(source, finding.ref, finding.replacement, Applicability.UNSAFE, exists)
    if isinstance(plan, Refusal):
        return f"refused: {plan.reason}"
    return "no fix"


def _registry_problem(project, finding: Finding) -> str | None:
    """A registry problem on the entry behind the finding (e.g. a replacement cycle, IWR004),
    which is usually why the registry offers no replacement."""
    prov = finding.registry
    registry = getattr(project, "registry", None)
    if prov is None or registry is None:
        return None
    for problem in getattr(registry, "problems", ()):
        if problem.line == prov.line and problem.file == prov.file:
            return f"registry {problem.code} at {problem.file}:{problem.line}: {problem.message}"
    return None


def fix_source(project, path, source: str, unsafe: bool = False,
               findings: Sequence[Finding] | None = None) -> FixResult:
    """Apply every applicable fix in one file until stable; never raises on content.

    ``findings``: the findings of ``project.check_source(path, source)`` when the caller already
    has them for exactly this text (the CLI's check pass); saves the first check.
    """
    original = source
    seen = {source}
    applied: list[Finding] = []
    findings = list(findings) if findings is not None else project.check_source(path, source)
    first = findings
    for _ in range(MAX_ROUNDS):
        candidates, _left = plan_round(project, source, findings, unsafe)
        chosen = select(source, candidates)
        if not chosen:
            break
        try:
            new = apply_edits(source, [e for _, fix in chosen for e in fix.edits])
        except (EditConflict, StatementError):  # pragma: no cover - select() prevents it
            break
        if new in seen:
            reason = "fixes loop: applying them brings the file back to an earlier state " \
                     "(replacement chain cycle?)"
            _, left_first = plan_round(project, original, first, unsafe)
            return FixResult(original, [], [(f, left_first.get(id(f), reason)) for f in first])
        seen.add(new)
        source = new
        applied.extend(f for group, _ in chosen for f in group)  # type: ignore[misc]
        findings = project.check_source(path, source)
    candidates, left = plan_round(project, source, findings, unsafe)
    pending = {id(f) for group, _ in candidates for f in group}
    result_left = []
    for f in findings:
        if id(f) in left:
            result_left.append((f, left[id(f)]))
        elif id(f) in pending:
            result_left.append((f, "fix conflicts with another fix (run again)"))
    return FixResult(source, applied, result_left)
