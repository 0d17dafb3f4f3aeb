"""Claims -> Registry: rules 8-11, conflicts (IWR002), chains (IWR003/IWR004), duplicates
(IWR005), merging files (IWR008), look-ups."""

from __future__ import annotations

from importwarden.registry.combine import Claims, build
from importwarden.registry.markdown import load_markdown
from importwarden.registry.model import Applicability, Claim, Provenance, Status, Target

from .conftest import block, md


def claim(target: str, status: str, line: int, use: str | None = None, file: str = "t.toml",
          **kw) -> Claim:
    return Claim(Target.parse(target), Status(status), Provenance(file, line),
                 Target.parse(use) if use else None, **kw)


def reg(*claims: Claim, file: str = "t.toml"):
    return build([Claims(file, list(claims))])


# --- rule 8 --------------------------------------------------------------------------------


def test_rule8_same_name_canonical_in_the_run():
    registry = md(block("from a.new import X  # Original SSOT location\n"
                        "from a.old import X  # New compatibility export"))
    entry = registry.entries[Target("a.old", "X")]
    assert entry.status is Status.COMPATIBLE
    assert entry.replacement == Target("a.new", "X") and entry.fix is Applicability.SAFE


def test_rule8_one_compat_name_beside_one_canonical_name_is_a_rename():
    registry = md(block("from a.t import Tracker  # New compatibility alias\n"
                        "from a.t import AgentTracker  # Original SSOT class\n"
                        "from a.t import get_tracker  # Factory function",
                        heading="## ✅ VERIFIED"))
    entry = registry.entries[Target("a.t", "Tracker")]
    assert entry.replacement == Target("a.t", "AgentTracker")
    assert entry.fix is Applicability.UNSAFE
    assert registry.entries[Target("a.t", "get_tracker")].replacement is None


def test_rule8_only_within_one_run():
    registry = md(block("from a.new import X  # SSOT\n\nfrom a.old import X  # compatibility alias"))
    # Not the same run; rule 9 still infers it (same name, same package) but unsafe.
    entry = registry.entries[Target("a.old", "X")]
    assert entry.replacement == Target("a.new", "X") and entry.fix is Applicability.UNSAFE


# --- rule 9 --------------------------------------------------------------------------------


def test_rule9_inference_same_top_level_package_only():
    registry = reg(claim("pkg.new:X", "canonical", 1), claim("other.mod:Y", "verified", 2),
                   claim("pkg.old:X", "broken", 3), claim("pkg.old:Y", "broken", 4))
    assert registry.entries[Target("pkg.old", "X")].replacement == Target("pkg.new", "X")
    assert registry.entries[Target("pkg.old", "X")].fix is Applicability.UNSAFE
    assert registry.entries[Target("pkg.old", "Y")].replacement is None  # never across services


def test_rule9_ambiguity_gives_nothing_but_canonical_beats_verified():
    registry = reg(claim("p.a:X", "verified", 1), claim("p.b:X", "verified", 2),
                   claim("p.old:X", "broken", 3))
    assert registry.entries[Target("p.old", "X")].replacement is None
    registry = reg(claim("p.a:X", "verified", 1), claim("p.b:X", "canonical", 2),
                   claim("p.old:X", "broken", 3))
    assert registry.entries[Target("p.old", "X")].replacement == Target("p.b", "X")


def test_rule9_compatible_without_replacement_reads_as_its_other_claims():
    registry = reg(claim("p.a:X", "canonical", 1), claim("p.a:X", "compatible", 2),
                   claim("p.b:Y", "compatible", 3))
    assert registry.entries[Target("p.a", "X")].status is Status.CANONICAL
    assert registry.entries[Target("p.b", "Y")].status is Status.VERIFIED


# --- rule 10 -------------------------------------------------------------------------------


def test_rule10_most_specific_works_claim_wins():
    registry = reg(claim("p.a:X", "verified", 1), claim("p.a:X", "deprecated", 2),
                   claim("p.a:X", "canonical", 3))
    entry = registry.entries[Target("p.a", "X")]
    assert entry.status is Status.DEPRECATED and not entry.conflict
    assert entry.provenance.line == 2


def test_rule10_conflict_later_line_wins_and_workspace_decides():
    registry = reg(claim("p.a:X", "verified", 1), claim("p.a:X", "broken", 2))
    entry = registry.entries[Target("p.a", "X")]
    assert entry.conflict and entry.status is Status.BROKEN
    assert entry.works_status is Status.VERIFIED
    assert entry.status_given(True) is Status.VERIFIED
    assert entry.status_given(False) is Status.BROKEN
    assert entry.status_given(None) is Status.BROKEN
    assert [(p.code, p.line) for p in registry.problems] == [("IWR002", 2)]
    flipped = reg(claim("p.a:X", "broken", 1), claim("p.a:X", "compatible", 2, "p.b:X"))
    entry = flipped.entries[Target("p.a", "X")]
    assert entry.conflict and entry.status is Status.COMPATIBLE
    assert entry.replacement == Target("p.b", "X")


def test_broken_entry_that_resolves_is_deprecated_given_the_workspace():
    entry = reg(claim("p.a:X", "broken", 1)).entries[Target("p.a", "X")]
    assert entry.status_given(True) is Status.DEPRECATED


# --- chains, cycles, broken replacements ---------------------------------------------------


def test_chain_is_followed_to_its_end():
    registry = reg(claim("p.a:X", "broken", 1, "p.b:X"), claim("p.b:X", "deprecated", 2, "p.c:X"),
                   claim("p.c:X", "canonical", 3))
    entry = registry.entries[Target("p.a", "X")]
    assert entry.replacement == Target("p.c", "X") and entry.fix is Applicability.SAFE


def test_chain_through_a_rename_is_unsafe():
    registry = reg(claim("p.a:X", "broken", 1, "p.b:X"), claim("p.b:X", "deprecated", 2, "p.c:Y"),
                   claim("p.c:Y", "canonical", 3))
    entry = registry.entries[Target("p.a", "X")]
    assert entry.replacement == Target("p.c", "Y") and entry.fix is Applicability.UNSAFE


def test_chain_through_a_moved_module():
    registry = reg(claim("p.a:X", "broken", 1, "p.old.sub:X"), claim("p.old", "deprecated", 2, "p.new"))
    assert registry.entries[Target("p.a", "X")].replacement == Target("p.new.sub", "X")


def test_cycle_is_iwr004_once_and_leaves_no_replacement():
    registry = reg(claim("p.a:X", "broken", 1, "p.b:X"), claim("p.b:X", "broken", 2, "p.c:X"),
                   claim("p.c:X", "broken", 3, "p.a:X"))
    assert [(p.code, p.line) for p in registry.problems] == [("IWR004", 1)]
    assert "p.a:X -> p.b:X -> p.c:X -> p.a:X" in registry.problems[0].message
    assert all(e.replacement is None for e in registry.entries.values())


def test_replacement_that_is_itself_broken_is_iwr003():
    registry = reg(claim("p.a:X", "broken", 1, "p.b:X"), claim("p.b:X", "broken", 2))
    assert [(p.code, p.line) for p in registry.problems] == [("IWR003", 1)]
    assert registry.entries[Target("p.a", "X")].replacement is None


# --- duplicates and merging ----------------------------------------------------------------


def test_duplicate_with_different_own_notes_is_iwr005_once():
    # Notes whose markers differ (issue 11: notes that differ only in wording are not reported,
    # see test_fidelity.py).
    registry = md(block("from a.b import X  # ❌ BROKEN\nfrom a.b import X  # ❌ BROKEN, legacy\n"
                        "from a.b import X  # ❌ WRONG MODULE, deprecated"))
    assert [(p.code, p.line) for p in registry.problems] == [("IWR005", 5)]


def test_plain_repeats_and_status_updates_are_not_duplicates():
    registry = md(block("# Group one\nfrom a.b import X\n\n# Group two\nfrom a.b import X\n"
                        "from a.b import X  # compatibility alias"))
    assert [p.code for p in registry.problems] == []


def test_later_file_overrides_entry_by_entry_iwr008():
    first = load_markdown(block("from a.b import X  # ✅\nfrom a.b import Y  # ✅"), "one.md")
    second = load_markdown(block("from a.b import X  # ❌\nfrom a.b import Y  # ✅"), "two.md")
    registry = build([first, second])
    assert registry.entries[Target("a.b", "X")].status is Status.BROKEN
    assert registry.entries[Target("a.b", "X")].provenance.file == "two.md"
    assert [(p.code, p.file, p.line) for p in registry.problems] == [("IWR008", "one.md", 4)]


# --- rule 11: mocks ------------------------------------------------------------------------


def test_mock_derived_from_moved_module():
    text = block("from p.new.mod import Service  # ✅\nfrom p.old.mod import Service  # ❌\n\n"
                 "@patch('p.old.mod.helper')  # ❌")
    mock = md(text).mocks["p.old.mod.helper"]
    assert mock.replacement == "p.new.mod.helper" and mock.fix is Applicability.UNSAFE


def test_mock_derived_from_single_correct_mock_with_same_suffix():
    text = block("@patch('p.good.Thing.run')  # ✅\n@patch('p.bad.Thing.run')  # ❌\n"
                 "@patch('q.bad.Thing.run')  # ❌")
    registry = md(text)
    assert registry.mocks["p.bad.Thing.run"].replacement == "p.good.Thing.run"
    assert registry.mocks["q.bad.Thing.run"].replacement is None  # other package


# --- look-ups ------------------------------------------------------------------------------


def test_lookup_exact_then_module_then_prefix():
    registry = reg(claim("p.a:X", "broken", 1), claim("p.a", "deprecated", 2),
                   claim("p", "unverified", 3))
    assert registry.lookup("p.a", "X").target == Target("p.a", "X")
    assert registry.lookup("p.a", "Y").target == Target("p.a")
    assert registry.lookup("p.a.sub", "Z").target == Target("p.a")
    assert registry.lookup("p.b").target == Target("p")
    assert registry.lookup("q") is None


def test_mock_targets_are_verified_or_broken():
    registry = md(block("@patch('p.a.X.run')  # ⚠️ LEGACY\n@patch('p.b.X.run')  # ❓\n"
                        "@patch('p.c.X.run')  # ❌"))
    assert {t: m.status.value for t, m in registry.mocks.items()} == {
        "p.a.X.run": "verified", "p.b.X.run": "verified", "p.c.X.run": "broken"}


def test_lookup_sees_entries_added_without_reindex():
    registry = reg(claim("p.a:X", "verified", 1))
    extra = reg(claim("p.b", "broken", 1)).entries[Target("p.b")]
    registry.entries[Target("p.b")] = extra
    assert registry.lookup("p.b.c", "Y") is extra
