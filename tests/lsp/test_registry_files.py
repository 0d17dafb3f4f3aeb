"""The registry files in the editor: their problems as diagnostics, hover with usage counts,
reload on edit (unsaved) and on save, and the last good registry kept while one does not parse."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from .conftest import Editor, open_editor

BROKEN_ENTRY = """
#### ✅ MORE:
```python
from netra_backend.app.agents.base_agent import  # ❌
```
"""


def last_codes(editor: Editor, uri: str) -> set[str]:
    published = editor.client.published.get(uri)
    return {d.code for d in published[-1].diagnostics} if published else set()


async def test_registry_problems_in_the_registry_file(workspace: Path):
    registry = workspace / "SSOT_IMPORT_REGISTRY.md"
    registry.write_text(registry.read_text(encoding="utf-8") + BROKEN_ENTRY, encoding="utf-8")
    bad_line = registry.read_text(encoding="utf-8").splitlines().index(
        "from netra_backend.app.agents.base_agent import  # ❌")
    for name in ("visual-studio-code", "emacs"):
        async with open_editor(workspace, name) as ed:
            doc = ed.open("SSOT_IMPORT_REGISTRY.md", language="markdown")
            diags = await ed.diagnostics(doc)
            (problem,) = [d for d in diags if d.code == "IWR001"]
            assert problem.range.start.line == bad_line
            assert problem.source == "importwarden"
            assert ed.text_at(doc, problem.range) == doc.lines[bad_line]


async def test_editing_the_registry_refreshes_open_documents(editor: Editor):
    code = editor.open("netra_backend/app/routes/uses_base.py",
                       "from netra_backend.app.agents.base_agent import BaseAgent\n")
    assert await editor.diagnostics(code) == []
    registry = editor.open("SSOT_IMPORT_REGISTRY.md", language="markdown")
    line = registry.lines.index("from netra_backend.app.agents.base_agent import BaseAgent")
    editor.insert(registry, line, len(registry.lines[line]), "  # ⚠️ LEGACY")
    # Not saved: the buffer is the registry now.
    await editor.until(lambda: _has_code(editor, code.uri, "IW002"),
                       what="IW002 after the registry edit")
    # Undo the edit in the buffer: back to no diagnostics.
    editor.replace_all(registry, registry.text.replace("  # ⚠️ LEGACY", ""))
    await editor.until(lambda: not _has_code(editor, code.uri, "IW002"), what="IW002 gone")


def _has_code(editor: Editor, uri: str, code: str) -> bool:
    return code in last_codes(editor, uri)


async def test_registry_that_stops_parsing_keeps_the_last_good_one(small: Path):
    async with open_editor(small, "neovim") as ed:
        app = ed.open("app.py")
        assert {d.code for d in await ed.diagnostics(app)} == {"IW002"}
        registry = ed.open("importwarden.toml", language="toml")
        assert await ed.diagnostics(registry) == []
        ed.replace_all(registry, registry.text.replace('status = "deprecated"', 'status = "depr'))
        await ed.until(lambda: "IWR009" in last_codes(ed, registry.uri),
                       what="IWR009 in the registry file")
        # Still checked against the last good registry.
        assert last_codes(ed, app.uri) == {"IW002"}
        assert any("keeping the last good" in m.message for m in ed.client.log_messages)
        ed.replace_all(registry, registry.text.replace('status = "depr', 'status = "compatible"'))
        await ed.until(lambda: last_codes(ed, app.uri) == {"IW003"}, what="IW003 after the fix")
        assert "IWR009" not in last_codes(ed, registry.uri)
        # Save: reloaded from disk, same answer.
        ed.save(registry)
        await ed.until(lambda: last_codes(ed, app.uri) == {"IW003"}, what="IW003 after save")


async def test_hover_on_registry_entry_counts_usages(small: Path):
    async with open_editor(small, "visual-studio-code") as ed:
        registry = ed.open("importwarden.toml", language="toml")
        hover = await ed.request(ed.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(registry.uri),
            position=types.Position(1, 3))))
        text = hover.contents.value
        # app.py (1), more.py: `from pkg.old import Thing as T` and `pkg.old.Thing` (2).
        assert "`pkg.old:Thing`" in text and "used in 3 places" in text, text
        assert "pkg.new:Thing" in text
        # An open, unsaved document counts with its current text.
        ed.open("extra.py", "from pkg.old import Thing\n")
        hover = await ed.request(ed.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(registry.uri),
            position=types.Position(1, 3))))
        assert "used in 4 places" in hover.contents.value
