"""Positions in the negotiated encoding (UTF-8 for Neovim, UTF-16 for VS Code, UTF-32 for
Emacs), with emoji and other non-ASCII text before the import on the same line."""

from __future__ import annotations

from hypothesis import given, strategies as st
from lsprotocol import types

from importwarden.lsp.convert import column_from_client, column_to_client
from .conftest import Editor, units
from .test_actions import actions_at, apply, edits_of

EXPECTED = {"visual-studio-code": "utf-16", "neovim": "utf-8", "emacs": "utf-32"}

LINE = 'x = "😀"; from netra_backend.app.agents.agent_websocket_bridge import create_agent_websocket_bridge'


async def test_negotiated_encoding(editor: Editor):
    assert editor.encoding == EXPECTED[editor.name]


async def test_emoji_line_diagnostic_fix_and_hover(editor: Editor):
    doc = editor.open("netra_backend/app/routes/emoji_case.py",
                      f'"""Ünïcödé ✅ 😀"""\n{LINE}\nλ = "🚀"; from netra_backend.app.agents.registry import AgentRegistry\n')
    diags = await editor.diagnostics(doc)
    by_code = {d.code: d for d in diags}
    assert editor.text_at(doc, by_code["IW001"].range) == "create_agent_websocket_bridge"
    assert editor.text_at(doc, by_code["IW003"].range) == "AgentRegistry"
    start = by_code["IW001"].range.start
    assert start.character == units(LINE[:LINE.index("create_")], editor.encoding)
    # The quick fix edits the right characters.
    actions = await actions_at(editor, doc, by_code["IW001"])
    fix = next(a for a in actions if a.is_preferred)
    fixed = apply(editor, doc, edits_of(editor, doc, fix.edit)).split("\n")[1]
    assert fixed == LINE.replace("app.agents.agent_websocket_bridge",
                                 "app.services.agent_websocket_bridge")
    # Hover after the emoji.
    hover = await editor.request(editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(doc.uri),
        position=editor.find(doc, "AgentRegistry", offset=4))))
    assert editor.text_at(doc, hover.range) == "AgentRegistry"
    # An incremental edit after the emoji keeps positions straight.
    editor.insert(doc, 1, LINE.index("from"), "y = '🙂'; ")
    diags = await editor.diagnostics(doc)
    iw001 = next(d for d in diags if d.code == "IW001")
    assert editor.text_at(doc, iw001.range) == "create_agent_websocket_bridge"


async def test_fixture_file_with_emoji(editor: Editor):
    doc = editor.open("netra_backend/app/encodings/emoji.py")
    diags = await editor.diagnostics(doc)
    assert {editor.text_at(doc, d.range) for d in diags} >= {"ClickHouseClient", "AgentRegistry"}


text_lines = st.text(alphabet=st.sampled_from(list("aé€😀\U0001f680x_ λ中")), max_size=30)


@given(text_lines, st.integers(min_value=0, max_value=40),
       st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_column_conversion_round_trips(line: str, col: int, encoding: str):
    col = min(col, len(line))
    client = column_to_client(line, col, encoding)
    assert client == units(line[:col], encoding)
    assert column_from_client(line, client, encoding) == col
    # A unit count inside a character lands after it; beyond the end, at the end.
    assert column_from_client(line, client + 10_000, encoding) == len(line)
