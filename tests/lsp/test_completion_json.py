"""Completion answers are built as JSON-ready dicts (``lsp/completion.to_json``) instead of
lsprotocol objects that pygls would unstructure: they must equal what pygls' converter makes
of the typed item (``to_item``), for every kind of suggestion, status, client capability and
position encoding (columns on lines with non-ASCII and astral characters)."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from pygls.protocol import default_converter

from importwarden.analysis.completion import Suggestion
from importwarden.analysis.findings import Position, Range, TextEdit
from importwarden.lsp.completion import to_item, to_json
from importwarden.lsp.convert import DocumentPositions
from importwarden.lsp.session import ClientSupport
from importwarden.registry.model import Status

CONVERTER = default_converter()
LINE = st.text(st.sampled_from(["a", "_", ".", " ", "é", "😀"]), max_size=12)
WORDS = st.text(st.sampled_from(["a", "B", "_", ".", " ", "\n", "é", "`"]), max_size=8)


@st.composite
def cases(draw):
    lines = draw(st.lists(LINE, min_size=1, max_size=4))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    line = draw(st.integers(0, len(lines) - 1))
    cursor = Position(line, draw(st.integers(0, len(lines[line]))))
    items = []
    for _ in range(draw(st.integers(1, 4))):  # (one answer's items share their ranges)
        edit = None
        if draw(st.booleans()):
            at = draw(st.integers(0, len(lines) - 1))
            edit = TextEdit(Range(Position(at, 0), Position(at, len(lines[at]))), draw(WORDS))
        items.append(Suggestion(
            label=draw(WORDS),
            kind=draw(st.sampled_from(["module", "name", "mock", "auto-import"])),
            insert=draw(WORDS), start=draw(st.integers(0, cursor.character)),
            status=draw(st.none() | st.sampled_from(list(Status))), detail=draw(WORDS),
            documentation=draw(WORDS), import_edit=edit))
    support = ClientSupport(markdown_completion=draw(st.booleans()),
                            completion_tags=draw(st.booleans()),
                            completion_deprecated=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-32"]))
    return text, cursor, items, support, encoding


@settings(max_examples=500, deadline=None)
@given(cases())
def test_to_json_is_the_item_unstructured(case) -> None:
    text, cursor, items, support, encoding = case
    session = SimpleNamespace(support=support)
    positions = DocumentPositions(text, encoding)
    ranges: dict = {}
    for item in items:
        expected = CONVERTER.unstructure(to_item(session, positions, cursor, item))
        assert to_json(session, positions, cursor, item) == expected
        assert to_json(session, positions, cursor, item, ranges) == expected
