"""``lines.line_starts``: the offset after each LSP line break (``\\r\\n``, ``\\r``, ``\\n``, nothing
else), whichever path computes it (the LF-only path sums line lengths instead of matching)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.lines import line_starts

# With the characters str.splitlines would also break at: LSP does not.
_TEXTS = st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "é", "😀", "\f", "\v", "\x85",
                                   "\u2028"]), max_size=200).map("".join)


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_line_starts_are_the_offsets_after_each_line_break(text: str) -> None:
    assert line_starts(text) == [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def test_examples() -> None:
    assert line_starts("") == [0]
    assert line_starts("a\nbc\n") == [0, 2, 5]
    assert line_starts("a\r\nb\rc\n\fd") == [0, 3, 5, 7]
