"""Completion: module paths (canonical first, broken never, deprecated tagged), names after
``from M import``, auto-import with an added or merged canonical import, mock targets."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from .conftest import Doc, Editor, open_editor
from .test_actions import apply

NEW_FILE = "netra_backend/app/routes/typing_here.py"


async def complete(editor: Editor, doc: Doc, line: int, col: int) -> types.CompletionList:
    result = await editor.request(editor.client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(doc.uri),
                               position=editor.pos(doc, line, col))))
    assert isinstance(result, types.CompletionList)
    return result


def ordered(result: types.CompletionList) -> list[str]:
    return [i.label for i in sorted(result.items, key=lambda i: i.sort_text or i.label)]


def tagged(editor: Editor, item: types.CompletionItem) -> bool:
    return bool(item.tags and types.CompletionItemTag.Deprecated in item.tags) or bool(item.deprecated)


def accept(editor: Editor, doc: Doc, item: types.CompletionItem) -> str:
    return apply(editor, doc, [item.text_edit, *(item.additional_text_edits or [])])


async def test_module_paths(editor: Editor):
    doc = editor.open(NEW_FILE, "from netra_backend.app.agents.\n")
    result = await complete(editor, doc, 0, len(doc.lines[0]))
    labels = ordered(result)
    canonical = "netra_backend.app.agents.supervisor.agent_registry"
    compatible = "netra_backend.app.agents.registry"
    assert canonical in labels and compatible in labels
    assert labels.index(canonical) < labels.index(compatible)
    assert labels.index("netra_backend.app.agents.base_agent") < labels.index(compatible)
    # Broken paths are never offered.
    assert "netra_backend.app.agents.agent_websocket_bridge" not in labels
    assert not any("optimization_helper_agent" in label for label in labels)
    items = {i.label: i for i in result.items}
    assert tagged(editor, items[compatible])
    assert not tagged(editor, items[canonical])
    text = accept(editor, doc, items[canonical])
    assert text == f"from {canonical}\n"


async def test_import_statement_modules(vscode: Editor):
    doc = vscode.open(NEW_FILE, "import os, netra_backend.app.db.click\n")
    labels = ordered(await complete(vscode, doc, 0, len(doc.lines[0])))
    assert labels[0] == "netra_backend.app.db.clickhouse"
    assert "netra_backend.app.db.clickhouse_client" in labels


async def test_names_after_from_import(editor: Editor):
    doc = editor.open(NEW_FILE, "from netra_backend.app.agents.supervisor.agent_registry import \n"
                                "from netra_backend.app.db.clickhouse_client import (\n"
                                "    Click\n")
    result = await complete(editor, doc, 0, len(doc.lines[0]))
    labels = ordered(result)
    assert labels[:2] == ["AgentRegistry", "get_agent_registry"]
    # Inside a parenthesised, multi-line import, with a half-typed name.
    result = await complete(editor, doc, 2, len(doc.lines[2]))
    items = {i.label: i for i in result.items}
    assert "ClickHouseClient" in items
    assert tagged(editor, items["ClickHouseClient"])
    assert accept(editor, doc, items["ClickHouseClient"]).split("\n")[2] == "    ClickHouseClient"


async def test_auto_import_adds_canonical_import(editor: Editor):
    source = ('"""A module."""\n'
              "import json\n"
              "\n"
              "tracker = AgentExecutionTrack\n")
    doc = editor.open(NEW_FILE, source)
    result = await complete(editor, doc, 3, len(doc.lines[3]))
    assert result.is_incomplete
    items = {i.label: i for i in result.items}
    item = items["AgentExecutionTracker"]
    assert item.detail == "from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker"
    text = accept(editor, doc, item)
    assert text == ('"""A module."""\n'
                    "import json\n"
                    "from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker\n"
                    "\n"
                    "tracker = AgentExecutionTracker\n")


async def test_auto_import_merges_into_existing_import(vscode: Editor):
    source = ("from netra_backend.app.core.agent_execution_tracker import get_execution_tracker\n"
              "x = 1; y = \"😀\"; tracker = AgentExec\n")
    doc = vscode.open(NEW_FILE, source)
    result = await complete(vscode, doc, 1, len(doc.lines[1]))
    item = {i.label: i for i in result.items}["AgentExecutionTracker"]
    assert accept(vscode, doc, item) == (
        "from netra_backend.app.core.agent_execution_tracker import get_execution_tracker, "
        "AgentExecutionTracker\n"
        "x = 1; y = \"😀\"; tracker = AgentExecutionTracker\n")
    # Names already imported are not offered again; non-preferred statuses never auto-import.
    doc2 = vscode.open("netra_backend/app/routes/other.py",
                       "from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker\n"
                       "AgentExec\n")
    result = await complete(vscode, doc2, 1, len(doc2.lines[1]))
    assert "AgentExecutionTracker" not in {i.label for i in result.items}


async def test_auto_import_can_be_turned_off(workspace: Path):
    options = {"importwarden": {"completion": {"autoImport": False}}}
    async with open_editor(workspace, "neovim", init_options=options) as ed:
        doc = ed.open(NEW_FILE, "tracker = AgentExecutionTrack\n")
        result = await complete(ed, doc, 0, len(doc.lines[0]))
        assert not result.items
        # Module completion is unaffected.
        doc2 = ed.open("netra_backend/app/routes/b.py", "from netra_backend.app.db.click\n")
        assert (await complete(ed, doc2, 0, len(doc2.lines[0]))).items


async def test_mock_targets(editor: Editor):
    source = ("from unittest.mock import patch\n"
              "\n"
              "@patch('auth_service.\n"
              "def test(): mocker.patch(\"netra_backend.app.db.clickhouse.Cl\n")
    doc = editor.open("tests/test_new_mocks.py", source)
    result = await complete(editor, doc, 2, len(doc.lines[2]))
    labels = ordered(result)
    assert "auth_service.auth_core.services.auth_service.UserRepository" in labels
    assert "auth_service.app.services.auth_service.UserRepository" not in labels  # broken
    result = await complete(editor, doc, 3, len(doc.lines[3]))
    items = {i.label: i for i in result.items}
    assert "netra_backend.app.db.clickhouse.ClickHouseClient" in items
    text = accept(editor, doc, items["netra_backend.app.db.clickhouse.ClickHouseClient"])
    assert text.split("\n")[3].endswith('mocker.patch("netra_backend.app.db.clickhouse.ClickHouseClient')


async def test_nothing_in_comments_strings_or_unknown_files(vscode: Editor):
    doc = vscode.open(NEW_FILE, "# AgentExec\ns = 'AgentExec\n")
    assert not (await complete(vscode, doc, 0, len(doc.lines[0]))).items
    assert not (await complete(vscode, doc, 1, len(doc.lines[1]))).items
    gone = vscode.root / "missing.py"
    result = await vscode.request(vscode.client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(gone.as_uri()),
                               position=types.Position(0, 0))))
    assert result is None


def _exports_workspace(root: Path) -> Path:
    """Modules that import names for their own use next to the names they export."""
    files = {
        "importwarden.toml": '[[import]]\ntarget = "pkg.core:Engine"\nstatus = "canonical"\n',
        "pkg/__init__.py": ("from typing import Any\n"
                            "import os as os\n"
                            "from . import core\n"
                            "from .core import Engine\n"
                            "VERSION = '1'\n"),
        "pkg/core.py": "class Engine:\n    pass\n",
        "pkg/mod.py": ("from typing import Any, Dict\n"
                       "from requests import ConnectionError\n"
                       "from pkg.core import Engine as Engine\n"
                       "import json\n"
                       "\n"
                       "class Client:\n"
                       "    from collections import OrderedDict\n"
                       "\n"
                       "def connect() -> Dict[str, Any]:\n"
                       "    return {}\n"
                       "\n"
                       "TIMEOUT = 3\n"),
        "pkg/with_all.py": ("from typing import Any\n"
                            "from pkg.core import Engine\n"
                            "\n"
                            "__all__ = ['Engine', 'helper']\n"
                            "\n"
                            "def helper():\n    pass\n"
                            "\n"
                            "class Hidden:\n    pass\n"),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


async def test_names_are_what_the_module_means_to_export(tmp_path: Path):
    """After `from M import `: `__all__` when M has one; else what M defines, plus what it
    re-exports on purpose (`import x as x`, `from m import y as y`, `from . import y` in an
    `__init__`); never what it only imports for its own use (before: `Any`, `Dict`,
    `ConnectionError`, `json` were offered too). A mock target still offers every name the
    module binds: a test patches an imported name where it is used."""
    root = _exports_workspace(tmp_path / "ws")
    async with open_editor(root, "visual-studio-code") as ed:
        doc = ed.open("app.py", "from pkg.mod import \n"
                                "from pkg.with_all import \n"
                                "from pkg import \n"
                                "from unittest.mock import patch\n"
                                "patch('pkg.mod.\n")

        async def labels(line: int) -> set[str]:
            return {i.label for i in (await complete(ed, doc, line, len(doc.lines[line]))).items}

        assert await labels(0) == {"Client", "connect", "TIMEOUT", "Engine"}
        assert await labels(1) == {"Engine", "helper"}  # __all__, not Any or Hidden
        # `from .core import Engine` alone does not re-export it; submodules are offered
        assert await labels(2) == {"core", "os", "VERSION", "mod", "with_all"}
        mocks = await labels(4)
        assert {"pkg.mod.Any", "pkg.mod.ConnectionError", "pkg.mod.Client"} <= mocks
