"""The scanner's line table (server/importwarden/analysis/scanner.py ``_Scan._ensure_lines``):
``starts[i]`` is the offset where line ``i`` begins, for every line break convention (the
LF-only path computes it from running sums of line lengths, not from the breaks)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.analysis import scanner

_TEXTS = st.lists(st.sampled_from(["a", " ", "\t", "\n", "\r", "\r\n", "#", "é"]),
                  max_size=200).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_line_starts_are_the_offsets_after_each_line_break(text: str) -> None:
    sc = scanner._Scan(text)
    sc._ensure_lines()
    breaks = r"\r\n|\r|\n" if "\r" in text else r"\n"
    assert sc.starts == [0] + [m.end() for m in re.finditer(breaks, text)]
    assert len(sc.starts) == len(sc.lines)
    assert all(text.startswith(line, start) for line, start in zip(sc.lines, sc.starts))
