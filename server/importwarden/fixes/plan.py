"""``plan_fix``: the one entry point that turns (import ref, registry replacement) into a ``Fix``
or a ``Refusal``, dispatching on the kind of reference to one transform module."""

from __future__ import annotations

from typing import Callable, Sequence

from importwarden.analysis.findings import Fix
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.fixes.mock_target import new_target, plan_mock
from importwarden.fixes.module_import import plan_attribute, plan_import
from importwarden.fixes.move_import import Move, can_move, plan_moves
from importwarden.fixes.result import Refusal
from importwarden.fixes.statement import StatementError
from importwarden.registry.model import Applicability, Target

Exists = Callable[[Target], "bool | None"]


def _precheck(ref: ImportRef, replacement: Target | None, applicability: Applicability,
              exists: Exists | None) -> Refusal | None:
    if replacement is None or applicability is Applicability.NONE:
        return Refusal("no replacement in the registry")
    if ref.unresolved_relative and ref.kind is not RefKind.MOCK:
        return Refusal("the relative import cannot be resolved to an absolute module")
    if exists is not None and exists(replacement) is False:
        return Refusal(f"`{replacement}` does not exist in the workspace")
    current = ref.module if ref.kind is RefKind.MOCK else str(Target(ref.module, ref.name))
    wanted = new_target(replacement.module, replacement.name) if ref.kind is RefKind.MOCK \
        else str(replacement if replacement.name or ref.kind is RefKind.IMPORT
                 else replacement.with_name(ref.name))
    if current == wanted and ref.level == 0:
        return Refusal(f"the replacement `{wanted}` is what is already written")
    return None


def plan_fix(source: str, ref: ImportRef, replacement: Target | None,
             applicability: Applicability, exists: Exists | None = None) -> Fix | Refusal:
    """Plan the edits that point ``ref`` at ``replacement``.

    Edits stay inside the import statement (or the mock string); merging into an existing
    ``from b import …``, and ``import a.b`` attribute uses, reach further when the file parses.
    """
    refused = _precheck(ref, replacement, applicability, exists)
    if refused is not None:
        return refused
    assert replacement is not None
    try:
        if ref.kind is RefKind.FROM:
            return plan_statement(source, [(ref, replacement)], applicability)
        if ref.kind is RefKind.IMPORT:
            if replacement.name is not None:
                return Refusal(f"`import {ref.module}` cannot point at a name "
                               f"(`{replacement}`); change the uses by hand")
            edits, message = plan_import(source, ref, replacement.module)
        elif ref.kind is RefKind.ATTRIBUTE:
            edits, message = plan_attribute(source, ref, replacement.module,
                                            replacement.name or ref.name or "")
        elif ref.kind is RefKind.MOCK:
            edits, message = plan_mock(source, ref,
                                       new_target(replacement.module, replacement.name))
        else:  # pragma: no cover - RefKind is closed
            return Refusal(f"cannot fix a {ref.kind} reference")
    except StatementError as exc:
        return Refusal(str(exc))
    return Fix(applicability, message, tuple(edits))


def can_fix(source: str, ref: ImportRef, replacement: Target | None,
            applicability: Applicability, exists: Exists | None = None) -> bool:
    """Exactly whether ``plan_fix`` with these arguments returns a ``Fix`` (not a
    ``Refusal``), at a fraction of its cost for from-imports (most fixable findings): the
    edits are not written. ``check`` calls it when its output shows only whether a finding is
    fixable (the text format's ``[*]``, the fix counts); ``tests/unit/fixes/test_can_fix.py``
    compares the two."""
    if _precheck(ref, replacement, applicability, exists) is not None:
        return False
    assert replacement is not None
    if ref.kind is RefKind.FROM:
        if ref.name == "*" and replacement.name is not None:
            return False  # (``plan_statement``'s refusal)
        return can_move(source, ref.statement_range, [_move(ref, replacement)])
    # The other kinds are rare (imports, attribute uses, mock strings): planning them is
    # the exact answer.
    return isinstance(plan_fix(source, ref, replacement, applicability, exists), Fix)


def _move(ref: ImportRef, replacement: Target) -> Move:
    return Move(ref.name or "", ref.alias, replacement.module, replacement.name or ref.name or "")


def plan_statement(source: str, items: Sequence[tuple[ImportRef, Target]],
                   applicability: Applicability) -> Fix | Refusal:
    """Several names of ONE ``from … import`` statement moving at once (they compose in one
    edit instead of one round each)."""
    moves = []
    for ref, replacement in items:
        if ref.name == "*" and replacement.name is not None:
            return Refusal(f"`from {ref.module} import *` cannot move to a single name "
                           f"(`{replacement}`)")
        moves.append(_move(ref, replacement))
    try:
        edits, message = plan_moves(source, items[0][0].statement_range, moves)
    except StatementError as exc:
        return Refusal(str(exc))
    return Fix(applicability, message, tuple(edits))
