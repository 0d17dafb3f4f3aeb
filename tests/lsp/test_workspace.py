"""The workspace index: built in the background with $/progress, kept current by watched-file
events (registered dynamically where the client allows) and by open-document edits."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from .conftest import Editor, open_editor


def codes(editor: Editor, uri: str) -> set[str]:
    published = editor.client.published.get(uri)
    return {d.code for d in published[-1].diagnostics} if published else set()


async def test_index_progress_and_watcher_registration(editor: Editor):
    (token, reports), = [(t, r) for t, r in editor.client.progress_reports.items()
                         if str(t).startswith("importwarden/index")]
    kinds = [type(r).__name__ for r in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "modules indexed" in reports[-1].message
    watchers = [r for r in editor.client.registrations
                if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    caps = editor.client.capabilities.workspace.did_change_watched_files
    if caps and caps.dynamic_registration:
        (registration,) = watchers
        globs = {w["globPattern"] for w in registration.register_options["watchers"]}
        assert "**/*.py" in globs
    else:
        assert watchers == []  # Neovim on Linux: no dynamic registration


async def test_watched_file_events_update_the_index(small: Path):
    async with open_editor(small, "visual-studio-code") as ed:
        doc = ed.open("uses_extra.py", "from pkg.extra import Extra\n")
        assert {d.code for d in await ed.diagnostics(doc)} == {"IW005"}
        extra = small / "pkg" / "extra.py"
        extra.write_text("class Extra:\n    pass\n")
        ed.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=extra.as_uri(), type=types.FileChangeType.Created)]))
        await ed.until(lambda: codes(ed, doc.uri) == set(), what="IW005 gone after create")
        extra.unlink()
        ed.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=extra.as_uri(), type=types.FileChangeType.Deleted)]))
        await ed.until(lambda: codes(ed, doc.uri) == {"IW005"}, what="IW005 back after delete")


async def test_registry_changed_on_disk(small: Path):
    async with open_editor(small, "emacs") as ed:
        app = ed.open("app.py")
        assert {d.code for d in await ed.diagnostics(app)} == {"IW002"}
        registry = small / "importwarden.toml"
        registry.write_text(registry.read_text().replace('"deprecated"', '"compatible"'))
        ed.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=registry.as_uri(), type=types.FileChangeType.Changed)]))
        await ed.until(lambda: codes(ed, app.uri) == {"IW003"}, what="IW003 after the change")


async def test_open_document_edits_update_the_index(small: Path):
    async with open_editor(small, "neovim") as ed:
        user = ed.open("uses_extra.py", "from pkg.new import Extra\n")
        assert {d.code for d in await ed.diagnostics(user)} == {"IW005"}
        new = ed.open("pkg/new.py")
        ed.insert(new, 2, 0, "class Extra:\n    pass\n")
        # Not saved: the other open document is re-checked against the buffer.
        await ed.until(lambda: codes(ed, user.uri) == set(), what="IW005 gone after the edit")
