"""Hover on an import or a mock target: status, canonical path, note, link to the registry line."""

from __future__ import annotations

import re

from lsprotocol import types

from .conftest import Editor

RULES_FILE = "netra_backend/app/routes/registry_rules.py"


async def hover(editor: Editor, doc, position: types.Position) -> types.Hover | None:
    return await editor.request(editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(doc.uri), position=position)))


async def test_hover_on_broken_import(editor: Editor):
    doc = editor.open(RULES_FILE)
    needle = "import create_agent_websocket_bridge"
    result = await hover(editor, doc, editor.find(doc, needle, offset=len("import cr")))
    text = result.contents.value
    assert "broken" in text
    assert "netra_backend.app.services.agent_websocket_bridge:create_agent_websocket_bridge" in text
    assert "Golden Path" in text  # the registry note
    registry = (editor.root / "SSOT_IMPORT_REGISTRY.md").resolve()
    link = re.search(r"\[SSOT_IMPORT_REGISTRY\.md:(\d+)\]\((file://[^)#]+)#L(\d+)\)", text)
    assert link, text
    assert link[2] == registry.as_uri() and link[1] == link[3]
    line = registry.read_text(encoding="utf-8").splitlines()[int(link[1]) - 1]
    assert "agents.agent_websocket_bridge import create_agent_websocket_bridge" in line
    # The hover range is the name, in the client's encoding.
    assert editor.text_at(doc, result.range) == "create_agent_websocket_bridge"


async def test_hover_on_canonical_and_module(vscode: Editor):
    doc = vscode.open(RULES_FILE)
    result = await hover(vscode, doc, vscode.find(doc, "import AgentRegistry as Canonical",
                                                  offset=len("import Ag")))
    assert "canonical" in result.contents.value
    # The module part of a compatibility import.
    result = await hover(vscode, doc, vscode.find(doc, "agents.registry import AgentRegistry\n",
                                                  offset=3))
    assert "compatible" in result.contents.value


async def test_hover_on_mock_target(editor: Editor):
    doc = editor.open("tests/test_mocks.py")
    result = await hover(editor, doc, editor.find(
        doc, "auth_service.app.services.auth_service.UserRepository", offset=5))
    text = result.contents.value
    assert "mock target" in text and "broken" in text
    assert "auth_service.auth_core.services.auth_service.UserRepository" in text
    assert editor.text_at(doc, result.range) == "auth_service.app.services.auth_service.UserRepository"


async def test_hover_elsewhere_is_empty(vscode: Editor):
    doc = vscode.open(RULES_FILE)
    assert await hover(vscode, doc, vscode.find(doc, "def make_client")) is None
