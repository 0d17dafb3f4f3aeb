"""The server's copy of an open document stays the editor's: lines are counted as LSP counts
them (``\\r\\n``, ``\\r``, ``\\n`` only), whatever other line-break-like characters the text
holds, in every position encoding."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from importwarden.lsp.document import LspTextDocument

from .conftest import open_editor, units

# Every character str.splitlines breaks at, the three LSP breaks, and multi-unit characters.
ALPHABET = ["a", "b", " ", "\n", "\r", "\r\n", "\f", "\v", "\x1c", "\x1d", "\x1e", "\x85",
            "\u2028", "\u2029", "é", "€", "😀", "𝔘"]
ENCODINGS = ["utf-8", "utf-16", "utf-32"]
_BREAK = re.compile(r"\r\n|\r|\n")


def editor_position(text: str, offset: int, encoding: str) -> types.Position:
    """Where an editor puts ``offset``: breaks before it, units since the last one."""
    breaks = list(_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return types.Position(len(breaks), units(text[line_start:offset], encoding))


def between_cr_lf(text: str, offset: int) -> bool:
    return 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"


texts = st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join)
edits = st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), texts), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(start=texts, steps=edits, encoding=st.sampled_from(ENCODINGS))
def test_random_edits_match_a_fresh_open(start: str, steps, encoding: str):
    doc = LspTextDocument("file:///t.py", source=start, version=1,
                          position_codec=PositionCodec(encoding))
    text = start
    for a, b, insert in steps:
        lo, hi = sorted((round(a * len(text)), round(b * len(text))))
        # No LSP position names the point between the \r and the \n of a \r\n.
        lo -= between_cr_lf(text, lo)
        hi += between_cr_lf(text, hi)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(editor_position(text, lo, encoding),
                              editor_position(text, hi, encoding)),
            text=insert)
        doc.apply_change(change)
        text = text[:lo] + insert + text[hi:]
        assert doc.source == text
    fresh = LspTextDocument("file:///t.py", source=text, position_codec=PositionCodec(encoding))
    assert doc.lines == fresh.lines
    assert "".join(doc.lines) == text
    expected = _BREAK.split(text)
    if not expected[-1]:
        expected.pop()  # pygls' lines: no empty line after a final break
    assert [_BREAK.sub("", line) for line in doc.lines] == expected


def test_positions_past_the_end_are_clamped_as_lsp_says():
    doc = LspTextDocument("file:///t.py", source="ab\fc\r\nxy", version=1)
    # A column past the end of line 0 is its end (before the \r\n, after the \f).
    doc.apply_change(types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(0, 99), types.Position(0, 99)), text="!"))
    assert doc.source == "ab\fc!\r\nxy"
    # A line past the end is the end of the text.
    doc.apply_change(types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(7, 0), types.Position(9, 3)), text="?"))
    assert doc.source == "ab\fc!\r\nxy?"


async def test_diagnostics_after_an_edit_in_a_file_with_a_form_feed(small: Path):
    """The editor deletes line 1 (the one holding a form feed); the import moves up to line 1.
    A copy that also broke the line at the form feed deleted only its first half, and kept
    reporting line 2."""
    async with open_editor(small, "visual-studio-code") as editor:
        doc = editor.open("ff.py", "import os\n# a\x0cb\nfrom pkg.old import Thing\n")
        first = await editor.diagnostics(doc)
        assert [d.range.start.line for d in first] == [2]
        doc.version += 1
        doc.text = "import os\nfrom pkg.old import Thing\n"
        editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri,
                                                                version=doc.version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(1, 0), types.Position(2, 0)), text="")]))
        after = await editor.diagnostics(doc)
        assert [d.range.start.line for d in after] == [1]
        assert after[0].range.start.character == first[0].range.start.character
