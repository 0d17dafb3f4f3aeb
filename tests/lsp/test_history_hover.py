"""Hover on an entry that ``registry suggest --write`` wrote shows the commit behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from .conftest import open_editor

ENV = {"GIT_AUTHOR_NAME": "Ann Author", "GIT_AUTHOR_EMAIL": "ann@example.com",
       "GIT_COMMITTER_NAME": "Ann Author", "GIT_COMMITTER_EMAIL": "ann@example.com",
       "GIT_AUTHOR_DATE": "2026-11-02T10:00:00+00:00",
       "GIT_COMMITTER_DATE": "2026-11-02T10:00:00+00:00",
       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                          capture_output=True, text=True, env={**os.environ, **ENV}).stdout


REGISTRY_TEXT = "# Registry\n\n```python\nfrom pkg.keep import x  # \u2705 VERIFIED\n```\n"


def _moved_module(tmp_path: Path, app_source: str) -> tuple[Path, str]:
    """A repository whose second commit moves ``pkg/old.py`` to ``pkg/new.py``, with ``app.py``
    and a hand-written registry: (root, the move's sha)."""
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "old.py").write_text("def helper():\n    return 1\n")
    (root / "app.py").write_text(app_source)
    (root / "IMPORT_REGISTRY.md").write_text(REGISTRY_TEXT)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    _git(root, "mv", "pkg/old.py", "pkg/new.py")
    _git(root, "commit", "-qm", "move")
    return root, _git(root, "rev-parse", "HEAD").strip()


def _suggested_project(tmp_path: Path) -> tuple[Path, str, int]:
    """A moved module, its entry written by the real ``registry suggest --write``: (root, the
    move's sha, the entry's 0-based line)."""
    root, sha = _moved_module(tmp_path, "from pkg.new import helper\n")
    exe = Path(sys.executable).parent / "importwarden"
    subprocess.run([str(exe), "registry", "suggest", "--write"], cwd=root, check=True,
                   capture_output=True)
    lines = (root / "IMPORT_REGISTRY.md").read_text(encoding="utf-8").splitlines()
    return root, sha, lines.index("import pkg.old  # \u274c BROKEN PATH")


async def test_hover_on_a_suggested_entry_names_the_commit(tmp_path: Path):
    root, sha, entry_line = _suggested_project(tmp_path)
    async with open_editor(root, "visual-studio-code") as ed:
        registry = ed.open("IMPORT_REGISTRY.md", language="markdown")
        hover = await ed.request(ed.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(registry.uri),
            position=types.Position(entry_line, 3))))
        text = hover.contents.value
        assert "`pkg.old` · broken → `pkg.new`" in text, text
        assert f"Moved in commit `{sha[:12]}` (2026-11-02, Ann Author): pkg/old.py -> pkg/new.py" \
            in text, text
        hand_written = await ed.request(ed.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(registry.uri),
            position=types.Position(3, 3))))
        assert "commit" not in hand_written.contents.value


async def test_add_to_registry_offers_the_move_history_knows(tmp_path: Path):
    """``app.py`` still imports the moved module: "Add to registry" appends the broken entry
    with USE INSTEAD the module's new place, and the registry reads it back."""
    root, sha = _moved_module(tmp_path, "from pkg.old import helper\n")
    async with open_editor(root, "visual-studio-code") as ed:
        await ed.wait_index()
        app = ed.open("app.py")
        diagnostics = await ed.diagnostics(app)
        assert [d.code for d in diagnostics] == ["IW005"], diagnostics
        actions = await ed.request(ed.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(app.uri),
                range=diagnostics[0].range,
                context=types.CodeActionContext(diagnostics=diagnostics))))
        (add,) = [a for a in actions if a.title.startswith("Add to registry")]
        assert add.title == ("Add to registry: `pkg.old:helper` is broken, use "
                             "`pkg.new:helper` (IMPORT_REGISTRY.md)"), add.title
        changes = add.edit.document_changes or []
        edits = changes[0].edits if changes else add.edit.changes[
            (root / "IMPORT_REGISTRY.md").as_uri()]
        (edit,) = edits
        assert (edit.range.start.line, edit.range.start.character) == (5, 0)
        new_text = REGISTRY_TEXT + edit.new_text
    assert f"moved in {sha[:12]} 2026-11-02 by Ann Author" in new_text
    assert "from pkg.old import helper  # \u274c BROKEN PATH\n" \
        "# USE INSTEAD: from pkg.new import helper\n" in new_text
    (root / "IMPORT_REGISTRY.md").write_text(new_text)
    assert _shown(root)["pkg.old:helper"]["replacement"] == "pkg.new:helper"


def _shown(root: Path) -> dict[str, dict]:
    """``registry show --format json`` entries by target (the real CLI)."""
    exe = Path(sys.executable).parent / "importwarden"
    shown = subprocess.run([str(exe), "registry", "show", "--format", "json"], cwd=root,
                           capture_output=True, text=True, check=True)
    return {e["target"]: e for e in json.loads(shown.stdout)["entries"]}
