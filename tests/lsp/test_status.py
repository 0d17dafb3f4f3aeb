"""``importwarden/status`` (what the VS Code status bar shows) and the
``importwarden.reloadRegistry`` command (re-read the registry from disk on request), over stdio
against the real server."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities

from importwarden.registry.load import load_registries

from .conftest import FIXTURE_WORKSPACE, SERVER, TIMEOUT, _make_client

LINE = "from netra_backend.app.agents.base_agent import BaseAgent"


def _plain(obj):
    if hasattr(obj, "_asdict"):  # pygls' Object is a namedtuple: test before tuple
        return {k: _plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    return obj


@contextlib.asynccontextmanager
async def _server(root: Path):
    statuses: list[dict] = []

    def on_status(ls, params):  # pygls passes the client only to a first parameter named `ls`
        statuses.append(_plain(params))

    client = _make_client({"importwarden/status": on_status})
    await client.start_io(*SERVER)
    await asyncio.wait_for(client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)])), TIMEOUT)
    try:
        yield client, statuses
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 10)
        finally:
            await client.stop()


async def _until(predicate, what: str):
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_status_reports_the_loaded_registry(tmp_path: Path):
    root = shutil.copytree(FIXTURE_WORKSPACE, tmp_path / "ws")
    registry = root / "SSOT_IMPORT_REGISTRY.md"
    expected_entries = len(load_registries([registry]))
    async with _server(root) as (_client, statuses):
        await _until(lambda: statuses and statuses[-1]["state"] != "loading",
                     "a status after indexing")
        first, last = statuses[0], statuses[-1]
        # sent before the index is built: "indexing", although the fixture registry has a
        # problem (one IWR012 since issue 11), which the message still counts
        assert first["state"] == "loading" and first["indexing"] is True, first
        assert first["registry"]["problems"] == 1
        assert "indexing" in first["message"] and "1 registry problem" in first["message"]
        assert last["indexing"] is False
        assert last["registry"]["entries"] == expected_entries
        assert [Path(f).name for f in last["registry"]["files"]] == [registry.name]
        assert (last["state"] == "warning") == (last["registry"]["problems"] > 0), last


async def test_status_says_indexing_until_the_index_is_built_despite_warnings(tmp_path: Path):
    """The sequence of importwarden/status: "loading"/indexing from the start until the index
    is installed, then the registry's own state ("warning": the fixture's one problem). A
    settings change that rebuilds the index says "indexing" again."""
    root = shutil.copytree(FIXTURE_WORKSPACE, tmp_path / "ws")
    async with _server(root) as (client, statuses):
        await _until(lambda: statuses and not statuses[-1]["indexing"], "the index built")
        states = [(s["state"], s["indexing"]) for s in statuses]
        built = states.index(("warning", False))
        assert states[:built] and all(s == ("loading", True) for s in states[:built]), states
        assert all(not indexing for _state, indexing in states[built:]), states
        count = len(statuses)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"importwarden": {"exclude": ["tests/"]}}))
        await _until(lambda: any(s["indexing"] for s in statuses[count:]), "indexing again")
        await _until(lambda: not statuses[-1]["indexing"], "the new index built")
        again = [(s["state"], s["indexing"]) for s in statuses[count:]]
        assert again[0] == ("loading", True) and again[-1] == ("warning", False), again


async def test_reload_command_rereads_the_registry_from_disk(tmp_path: Path):
    root = shutil.copytree(FIXTURE_WORKSPACE, tmp_path / "ws")
    registry = root / "SSOT_IMPORT_REGISTRY.md"
    text = registry.read_text(encoding="utf-8")
    assert LINE in text
    code = root / "netra_backend" / "app" / "routes" / "uses_base.py"
    code.write_text(LINE + "\n", encoding="utf-8")
    async with _server(root) as (client, statuses):
        await _until(lambda: statuses and statuses[-1]["state"] != "loading", "indexing")
        before = statuses[-1]["registry"]["entries"]
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=code.as_uri(), language_id="python", version=1, text=LINE + "\n")))
        await _until(lambda: code.as_uri() in client.diagnostics, "first diagnostics")
        assert not client.diagnostics[code.as_uri()]

        # Changed on disk behind the server's back (this client sends no didChangeWatchedFiles).
        registry.write_text(
            text.replace(LINE, LINE + "  # ⚠️ LEGACY", 1)
            + "\n```python\nfrom netra_backend.app.agents.brand_new import BrandNew\n```\n",
            encoding="utf-8")
        await asyncio.wait_for(client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="importwarden.reloadRegistry")), TIMEOUT)

        await _until(lambda: statuses[-1]["registry"]["entries"] == before + 1,
                     "the status to count the new entry")
        await _until(lambda: "IW002" in {d.code for d in client.diagnostics[code.as_uri()]},
                     "IW002 once the registry says LEGACY")
