"""Workspace-dependent registry problems: IWR003, IWR006, IWR007."""

from __future__ import annotations

from importwarden.registry.lint import lint
from importwarden.registry.model import Target

from .conftest import block, md


def test_lint_needs_a_workspace():
    assert lint(md(block("from a.b import X")), None) == []


def test_stale_entries_and_unresolvable_replacements():
    registry = md(block(
        "from p.gone import Gone  # ✅\n"          # 4: verified, does not resolve -> IWR006
        "from p.here import Here  # ❌\n\n"        # 5: broken, resolves -> IWR007
        "from p.old import Old  # ❌\n"            # 7: broken, replacement missing -> IWR003
        "# USE INSTEAD: from p.nowhere import Old\n"
        "from ext.lib import Thing  # ✅"))        # 9: not first-party: cannot tell
    exists = {Target("p.here", "Here")}

    def resolves(target: Target):
        if target.top_level != "p":
            return None
        return target in exists

    got = [(p.code, p.line) for p in lint(registry, resolves)]
    assert got == [("IWR006", 4), ("IWR007", 5), ("IWR003", 7)]


def test_conflict_broken_claim_that_resolves_is_stale():
    registry = md(block("from p.a import X  # ✅\nfrom p.a import X  # ❌"))
    got = [(p.code, p.line) for p in lint(registry, lambda t: True)]
    assert got == [("IWR007", 5)]
