"""The fix engine: plans edits that point imports and mock targets at their registry
replacements (``plan_fix``) and applies them to whole files (``fix_source``).

Modules, one transform each: ``move_import`` (from-imports: module change, split, merge),
``module_import`` (``import a.b`` and ``a.b.X`` uses), ``rename`` (name changes),
``mock_target`` (strings), ``statement`` (one statement out of a file that may not parse),
``scope`` (whole-file facts when the file parses), ``apply`` (edits and the fix loop).
"""

from __future__ import annotations

from importwarden.fixes.apply import apply_edits, fix_source
from importwarden.fixes.plan import can_fix, plan_fix, plan_statement
from importwarden.fixes.result import FixResult, Refusal

__all__ = ["FixResult", "Refusal", "apply_edits", "can_fix", "fix_source", "plan_fix",
           "plan_statement"]
