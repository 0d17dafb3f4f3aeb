"""Completion reads the statement being typed with the scanner's grammar, and places its
auto-import edit with ``lines.LineIndex`` whatever the newlines and characters."""

from __future__ import annotations

import pytest

from importwarden.analysis.completion import context_at, import_edit
from importwarden.analysis.imports import extract
from importwarden.analysis.raw_refs import RawField
from importwarden.analysis.scanner import scan
from importwarden.lines import LineIndex, split_lines


@pytest.mark.parametrize("call", [
    'patch("pkg.mod.', 'mock.patch("pkg.mod.', 'unittest.mock.patch("pkg.mod.',
    'mocker.patch("pkg.mod.', 'patch.dict("pkg.mod.', 'patch.multiple("pkg.mod.',
    'monkeypatch.setattr("pkg.mod.', "patch(target='pkg.mod.", 'patch(r"pkg.mod.',
    # not mock targets for the scanner, so not for completion either
    'patch.object("pkg.mod.', 'setattr("pkg.mod.', 'obj.patch("pkg.mod.', 'mocker.setattr("pkg.mod.',
])
def test_mock_context_agrees_with_the_scanner(call: str) -> None:
    ctx = context_at([call], 0, len(call))
    quote = "'" if "'" in call else '"'
    scanned = [raw for raw in scan(f"{call}X{quote})\n") if raw[RawField.KIND] == "mock"]
    assert (ctx is not None and ctx.kind == "mock") == bool(scanned), call
    if ctx is not None:
        assert ctx.prefix == "pkg.mod."


@pytest.mark.parametrize("line, expected", [
    ("import a.b", ("module", "a.b", "", 0)),
    ("import a, b.", ("module", "b.", "", 0)),
    ("    import a", ("module", "a", "", 0)),
    ("from ..pkg.m", ("module", "..pkg.m", "", 0)),
    ("from ..pkg import X, Y", ("from-name", "Y", "pkg", 2)),
    ("from pkg.m import (X, ", ("from-name", "", "pkg.m", 0)),
    ("from pkg import X as Y", None),
    ("from pkg import (X), ", None),
    ("import a as", None),
])
def test_import_contexts(line: str, expected: tuple | None) -> None:
    ctx = context_at([line], 0, len(line))
    got = None if ctx is None else (ctx.kind, ctx.prefix, ctx.module, ctx.level)
    assert got == expected
    if ctx is not None:
        assert line[ctx.start:] == ctx.prefix


def apply(source: str, edit) -> str:
    index = LineIndex(source)
    start = index.offset(edit.range.start.line, edit.range.start.character)
    end = index.offset(edit.range.end.line, edit.range.end.character)
    return source[:start] + edit.content + source[end:]


@pytest.mark.parametrize("nl", ["\n", "\r\n", "\r"])
def test_merge_edit_with_any_newline_and_non_ascii_lines(nl: str) -> None:
    source = nl.join(['"""Dôc 😀 with emoji"""', "from c import (Ä,", "    Dé,  # 😀 note", ")",
                      "from q import D  # ☃ snow", "x = '😀'", ""])
    refs = extract(source, "m", False).refs
    merged = apply(source, import_edit(source, refs, "c", "E"))
    assert merged == source.replace("    Dé,  # 😀", "    Dé, E,  # 😀")
    merged = apply(source, import_edit(source, refs, "q", "F"))
    assert merged == source.replace("from q import D  # ☃", "from q import D, F  # ☃")
    added = apply(source, import_edit(source, refs, "z", "G"))
    assert added == source.replace(f"D  # ☃ snow{nl}", f"D  # ☃ snow{nl}from z import G{nl}")


@pytest.mark.parametrize("nl", ["\n", "\r\n", "\r"])
def test_new_import_line_at_the_end_of_a_file_without_a_final_newline(nl: str) -> None:
    source = nl.join(['"""Dôc 😀"""', "import os"])
    added = apply(source, import_edit(source, extract(source, "m", False).refs, "z", "G"))
    assert added == source + nl + "from z import G"


def test_open_parenthesised_import_over_crlf_lines() -> None:
    lines = split_lines("from pkg import (\r\n    Ä,  # 😀\r\n    Bé")
    ctx = context_at(lines, 2, 6)
    assert (ctx.kind, ctx.module, ctx.prefix, ctx.start) == ("from-name", "pkg", "Bé", 4)
