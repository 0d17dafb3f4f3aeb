"""The scanner's line arithmetic (server/importwarden/analysis/scanner.py): it keeps no table of
lines any more, and finds a line's start, end and indentation by offsets (``_Scan._line_start``,
``_line_end``, ``_indent_at``). Here they equal the definition by a table: a line starts at 0
and after each line break (``\\r\\n``, ``\\r`` or ``\\n`` when the text has a CR, else ``\\n``),
for every line break convention."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.analysis import scanner

_TEXTS = st.lists(st.sampled_from(["a", " ", "\t", "\f", "\n", "\r", "\r\n", "#", "é"]),
                  max_size=200).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_line_starts_ends_and_indents_by_offset_equal_the_table(text: str) -> None:
    sc = scanner._Scan(text)
    breaks = r"\r\n|\r|\n" if "\r" in text else r"\n"
    starts = [0] + [m.end() for m in re.finditer(breaks, text)]
    ends = [m.start() for m in re.finditer(breaks, text)] + [len(text)]
    for start, end in zip(starts, ends):
        line = text[start:end]
        assert sc._line_end(start) == end
        blanks = len(line) - len(line.lstrip(" \t\f"))
        assert sc._indent_at(start) == (blanks, len(line[:blanks].expandtabs(8)))
        # every offset of the line and of the first character of its break (not the LF of a
        # CRLF: the scanner never asks for that one)
        assert all(sc._line_start(pos) == start for pos in range(start, end + 1))
