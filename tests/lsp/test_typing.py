"""Diagnostics while typing (issue 13): a change to an idle document is checked at once
(leading edge), changes made while a check runs or waits are coalesced into one more check of
the latest text, and ``debounce`` only spaces two runs' starts. Over real stdio."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from .conftest import Editor, open_editor

RULES_FILE = "netra_backend/app/routes/registry_rules.py"


def _publishes(ed: Editor, uri: str, after_version: int) -> list:
    return [p for p in ed.client.published.get(uri, []) if p.version > after_version]


def _lines(diagnostics) -> list[int]:
    return [d.range.start.line for d in diagnostics]


async def test_first_change_is_checked_at_once_and_a_burst_coalesces(workspace: Path):
    async with open_editor(workspace, init_options={"debounce": 1500}) as ed:
        doc = ed.open(RULES_FILE)
        first = await ed.diagnostics(doc)
        assert first
        await asyncio.sleep(1.6)  # the open's run started >= 1.5 s ago: the next may start now
        sent = time.monotonic()
        ed.insert(doc, 0, 0, "# edit 0\n")
        await ed.diagnostics(doc)
        leading = time.monotonic() - sent
        assert leading < 1.0, f"the first change waited {leading:.2f} s (debounce 1.5 s)"

        # 20 changes at once: one run after the throttle, of the last text.
        v2 = doc.version
        burst = time.monotonic()
        for i in range(1, 21):
            ed.insert(doc, 0, 0, f"# edit {i}\n")
        final = await ed.diagnostics(doc)
        trailing = time.monotonic() - burst
        assert _lines(final) == [line + 21 for line in _lines(first)]
        versions = [p.version for p in _publishes(ed, doc.uri, v2)]
        assert versions[-1] == doc.version and len(versions) <= 2, versions
        assert trailing > 0.8, f"the trailing run started {trailing:.2f} s after the burst"


async def test_a_burst_of_changes_costs_a_few_runs_with_the_default_settings(vscode: Editor):
    doc = vscode.open(RULES_FILE)
    first = await vscode.diagnostics(doc)
    v1 = doc.version
    for i in range(30):
        vscode.insert(doc, 0, 0, f"# edit {i}\n")
    final = await vscode.diagnostics(doc)
    assert _lines(final) == [line + 30 for line in _lines(first)]
    versions = [p.version for p in _publishes(vscode, doc.uri, v1)]
    # Never one run per keystroke; never out of order or for an old version.
    assert versions[-1] == doc.version and versions == sorted(set(versions)), versions
    assert len(versions) <= 5, versions
