"""The line tables the server keeps per document version equal the ones computed from scratch:
``LineIndex.spliced`` (the open document's line index after an edit, ``lsp/document.py``) and ``lines.split_lines``'
fast path for text without ``\\r``. Texts and edits come from hypothesis, over an alphabet
where line breaks (``\\r\\n``, ``\\r``, ``\\n``) meet the characters only ``str.splitlines``
breaks at."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.lines import LINE_BREAK, LineIndex, split_lines

ALPHABET = st.sampled_from(["a", "b", " ", "\r", "\n", "\r\n", "\f", "\x85", "\u2028", "é"])
TEXT = st.lists(ALPHABET, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.data())
def test_spliced_line_index_equals_a_fresh_one(text: str, data) -> None:
    index = LineIndex(text)
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(index.text)))
        end = data.draw(st.integers(start, len(index.text)))
        inserted = data.draw(TEXT)
        new = index.text[:start] + inserted + index.text[end:]
        index = index.spliced(new, start, end, len(inserted))
        assert index.line_starts == LineIndex(new).line_starts, (start, end, inserted)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_split_lines_equals_the_regex_split(text: str) -> None:
    assert split_lines(text) == LINE_BREAK.split(text)
