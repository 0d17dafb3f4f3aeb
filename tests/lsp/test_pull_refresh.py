"""Pull mode asks for a refresh only when another open document's diagnostics can change
(issue 13): an open document uses a name the edited module gained or lost. It answers
``unchanged`` for every document whose result did not change.

Over real stdio: the client counts the server's ``workspace/diagnostic/refresh`` requests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from .conftest import Doc, Editor, open_editor, pull_capabilities


def _refresh_counter() -> tuple[dict, list[int]]:
    count = [0]

    def refresh(client, params=None) -> None:  # (pygls passes no params for a null one)
        count[0] += 1

    return {types.WORKSPACE_DIAGNOSTIC_REFRESH: refresh}, count


async def _pull(ed: Editor, doc: Doc, previous: str | None = None):
    return await ed.request(ed.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(doc.uri),
                                       previous_result_id=previous)))


async def test_pull_refreshes_only_when_an_open_importer_can_change(small: Path):
    (small / "unrelated.py").write_text("import os\n\nprint(os)\n")
    (small / "uses_extra.py").write_text("from pkg.old import EXTRA\n\nprint(EXTRA)\n")
    features, refreshes = _refresh_counter()
    async with open_editor(small, capabilities=pull_capabilities(), client_features=features,
                           init_options={"debounce": 0}) as ed:
        assert ed.pull
        docs = {name: ed.open(name) for name in ("app.py", "more.py", "pkg/old.py",
                                                 "pkg/new.py", "unrelated.py",
                                                 "uses_extra.py")}
        first = {name: await _pull(ed, doc) for name, doc in docs.items()}
        assert all(r.kind == "full" and r.result_id for r in first.values())
        assert [d.code for d in first["app.py"].items] == ["IW002"]
        assert [d.code for d in first["uses_extra.py"].items] == ["IW005"]
        await asyncio.sleep(0.3)
        baseline = refreshes[0]  # (the index build may have asked once)

        # A new binding in a module no other open document imports: nothing else can change.
        ed.insert(docs["unrelated.py"], 3, 0, "def extra():\n    pass\n")
        edited = await _pull(ed, docs["unrelated.py"], first["unrelated.py"].result_id)
        assert edited.kind == "full"
        await asyncio.sleep(0.5)
        assert refreshes[0] == baseline, "no open document imports `unrelated`"
        for name in ("app.py", "more.py", "pkg/old.py", "pkg/new.py", "uses_extra.py"):
            again = await _pull(ed, docs[name], first[name].result_id)
            assert again.kind == "unchanged", name
            assert again.result_id == first[name].result_id

        # A new binding in pkg.old that app.py and more.py (which import pkg.old) do not use:
        # their findings cannot change, so no refresh either.
        ed.insert(docs["pkg/old.py"], 3, 0, "def helper():\n    pass\n")
        await _pull(ed, docs["pkg/old.py"], first["pkg/old.py"].result_id)
        await asyncio.sleep(0.5)
        assert refreshes[0] == baseline, "nobody open uses pkg.old.helper"

        # EXTRA, which uses_extra.py imports (IW005 while pkg.old lacks it): one refresh, and
        # only that document's result changes.
        ed.insert(docs["pkg/old.py"], 3, 0, "EXTRA = 1\n")
        await _pull(ed, docs["pkg/old.py"])
        await ed.until(lambda: refreshes[0] > baseline, what="workspace/diagnostic/refresh")
        await asyncio.sleep(0.3)
        assert refreshes[0] == baseline + 1
        again = await _pull(ed, docs["uses_extra.py"], first["uses_extra.py"].result_id)
        assert again.kind == "full" and again.result_id != first["uses_extra.py"].result_id
        assert [d.code for d in again.items] == []
        for name in ("app.py", "more.py", "pkg/new.py"):
            again = await _pull(ed, docs[name], first[name].result_id)
            assert again.kind == "unchanged", name
        again = await _pull(ed, docs["unrelated.py"], edited.result_id)
        assert again.kind == "unchanged"


async def test_forced_pull_without_refresh_support_sends_no_refresh(small: Path):
    # diagnosticMode "pull" on a client that pulls but never said it understands
    # workspace/diagnostic/refresh: the server must not send it that request.
    caps = pull_capabilities()
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=False)
    features, refreshes = _refresh_counter()
    async with open_editor(small, capabilities=caps, client_features=features,
                           init_options={"debounce": 0, "diagnosticMode": "pull"}) as ed:
        assert ed.pull
        (small / "uses_extra.py").write_text("from pkg.old import EXTRA\n")
        user, old = ed.open("uses_extra.py"), ed.open("pkg/old.py")
        first = await _pull(ed, user)
        assert [d.code for d in first.items] == ["IW005"]
        ed.insert(old, 3, 0, "EXTRA = 1\n")  # uses_extra.py imports it: it would be refreshed
        await _pull(ed, old)
        await asyncio.sleep(0.8)
        assert refreshes[0] == 0
        again = await _pull(ed, user, first.result_id)  # the client's own re-pull still works
        assert again.kind == "full" and [d.code for d in again.items] == []
