"""apply_edits and the greedy non-overlapping selection used by the fix loop."""

from __future__ import annotations

import pytest

from importwarden.analysis.findings import Fix, Range, TextEdit
from importwarden.fixes.apply import EditConflict, apply_edits, select
from importwarden.registry.model import Applicability


def edit(l0, c0, l1, c1, text):
    return TextEdit(Range.of(l0, c0, l1, c1), text)


def test_applies_in_any_order_and_keeps_newlines():
    src = "ab\r\ncd\nef"
    out = apply_edits(src, [edit(2, 0, 2, 2, "EF"), edit(0, 1, 1, 1, "-"), edit(2, 2, 2, 2, "!")])
    assert out == "a-d\nEF!"


def test_identical_edits_count_once():
    assert apply_edits("x\n", [edit(1, 0, 1, 0, "y\n"), edit(1, 0, 1, 0, "y\n")]) == "x\ny\n"


@pytest.mark.parametrize("edits", [
    [edit(0, 0, 0, 3, "a"), edit(0, 2, 0, 4, "b")],
    [edit(0, 1, 0, 1, "a"), edit(0, 1, 0, 1, "b")],
    [edit(0, 1, 0, 3, "a"), edit(0, 1, 0, 1, "b")],
])
def test_conflicts_raise(edits):
    with pytest.raises(EditConflict):
        apply_edits("abcdef", edits)


def test_position_past_line_end_is_an_error():
    from importwarden.fixes.statement import StatementError

    with pytest.raises(StatementError):
        apply_edits("ab\n", [edit(0, 5, 0, 6, "x")])


def test_select_keeps_first_of_overlapping_fixes():
    a = Fix(Applicability.SAFE, "a", (edit(0, 0, 0, 3, "A"),))
    b = Fix(Applicability.SAFE, "b", (edit(0, 2, 0, 5, "B"),))
    c = Fix(Applicability.SAFE, "c", (edit(1, 0, 1, 1, "C"), edit(0, 0, 0, 3, "A")))
    chosen = select("abcdef\nx\n", [("a", a), ("b", b), ("c", c)])
    assert [k for k, _ in chosen] == ["a", "c"]


def test_select_skips_fix_with_out_of_range_edit():
    bad = Fix(Applicability.SAFE, "bad", (edit(7, 0, 7, 1, "Z"),))
    good = Fix(Applicability.SAFE, "good", (edit(0, 0, 0, 1, "A"),))
    assert [k for k, _ in select("abc\n", [("bad", bad), ("good", good)])] == ["good"]
