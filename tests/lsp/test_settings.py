"""Settings from initializationOptions, workspace/configuration and didChangeConfiguration,
over pyproject.toml; invalid values fall back with a logged message; a client that never
answers workspace/configuration costs a timeout, then defaults."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from .conftest import Editor, open_editor

RULES_FILE = "netra_backend/app/routes/registry_rules.py"


async def codes_of(ed: Editor, rel: str = RULES_FILE) -> set[str]:
    doc = ed.docs.get((ed.root / rel).as_uri()) or ed.open(rel)
    return {d.code for d in await ed.diagnostics(doc)}


def latest_codes(ed: Editor, rel: str = RULES_FILE) -> set[str]:
    published = ed.client.published.get((ed.root / rel).as_uri())
    return {d.code for d in published[-1].diagnostics} if published else set()


async def test_initialization_options(workspace: Path):
    async with open_editor(workspace, "emacs", init_options={"select": ["IW001"]}) as ed:
        assert await codes_of(ed) == {"IW001"}


async def test_workspace_configuration_over_pyproject(workspace: Path):
    (workspace / "pyproject.toml").write_text(
        '[project]\nname = "ws"\n\n[tool.importwarden]\nignore = ["IW003", "IW004"]\n')
    async with open_editor(workspace, "neovim") as ed:
        codes = await codes_of(ed)
        assert "IW003" not in codes and "IW004" not in codes and "IW001" in codes
    config = {"importwarden": {"ignore": ["IW004"]}}
    async with open_editor(workspace, "neovim", configuration=config) as ed:
        codes = await codes_of(ed)
        assert "IW003" in codes and "IW004" not in codes  # the editor's `ignore` wins


async def test_did_change_configuration_pull_and_push(workspace: Path):
    async with open_editor(workspace, "visual-studio-code") as ed:
        assert "IW003" in await codes_of(ed)
        # Pull style: the client says "changed" and the server asks.
        ed.client.set_configuration({"importwarden": {"ignore": ["IW003"]}})
        ed.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None))
        await ed.until(lambda: "IW003" not in latest_codes(ed) and latest_codes(ed),
                       what="IW003 ignored")
        # Push style: the settings come with the notification.
        ed.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"importwarden": {"select": ["IW001"]}}))
        await ed.until(lambda: latest_codes(ed) == {"IW001"}, what="only IW001")


async def test_invalid_settings_fall_back_with_a_message(workspace: Path):
    options = {"select": 42, "severity": {"IW001": "loud"}, "bogus": True}
    async with open_editor(workspace, "visual-studio-code", init_options=options) as ed:
        codes = await codes_of(ed)
        assert {"IW001", "IW002", "IW003", "IW004"} <= codes  # defaults
        messages = [m.message for m in ed.client.log_messages
                    if m.type == types.MessageType.Warning]
        assert any("select" in m for m in messages), messages
        assert any("bogus" in m for m in messages), messages
        assert any("IW001" in m for m in messages), messages


async def test_client_that_never_answers_configuration(workspace: Path):
    release = asyncio.Event()

    async def never(ls, params):  # pygls passes the client as `ls`
        await release.wait()  # "never": until the test is over
        return [{"select": ["IW002"]}]

    async with open_editor(workspace, "visual-studio-code",
                           init_options={"configurationTimeout": 300, "select": ["IW001"]},
                           client_features={types.WORKSPACE_CONFIGURATION: never}) as ed:
        assert await codes_of(ed) == {"IW001"}  # initializationOptions still apply
        assert any("did not answer workspace/configuration" in m.message
                   for m in ed.client.log_messages)
        # The late answer is ignored, and the server keeps working.
        release.set()
        await asyncio.sleep(0.3)
        doc = ed.open("netra_backend/app/routes/late.py",
                      "from auth_service.app.models.user import User\n")
        assert [d.code for d in await ed.diagnostics(doc)] == ["IW001"]
