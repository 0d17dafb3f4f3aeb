"""``check`` plans the fixes' edits only for the formats that print them (JSON, SARIF); the text
format's ``[*]`` marks and fix counts come from ``fixes.can_fix``. The output is the same
either way, and the cache may hold both kinds: a JSON run after a text run plans the edits the
text run left out (re-checking only those files), and prints what a cold JSON run prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from importwarden.config import load_settings
from importwarden.output import OutputContext, prints_edits, render
from importwarden.project import batch


def _output(root: Path, fmt: str, *, with_edits: bool, cache: bool = True) -> str:
    settings = load_settings(root, {}, None)
    session = batch.CheckSession(settings, cwd=root, use_cache=cache, jobs=1,
                                 with_edits=with_edits)
    found = session.check([])
    return render(fmt, found, OutputContext(root=settings.root, cwd=root))


def test_only_the_formats_that_print_edits_plan_them():
    assert prints_edits("json") and prints_edits("sarif")
    assert not prints_edits("text") and not prints_edits("github")
    assert not prints_edits("json", statistics=True)  # (counts only)


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_text_output_is_the_same_without_planning(ws, fmt):
    planned = _output(ws, fmt, with_edits=True, cache=False)
    assert "[*]" in planned or fmt != "text"
    assert _output(ws, fmt, with_edits=False, cache=False) == planned


def test_a_json_run_after_a_text_run_plans_what_it_left(ws, rechecked):
    cold_json = _output(ws, "json", with_edits=True, cache=False)
    cold_text = _output(ws, "text", with_edits=True, cache=False)
    rechecked.clear()

    assert _output(ws, "text", with_edits=False) == cold_text  # cold, cache written
    everything = rechecked.pop()
    rechecked.clear()
    assert _output(ws, "text", with_edits=False) == cold_text
    assert rechecked == []  # (nothing changed: the fast path)
    assert _output(ws, "json", with_edits=True) == cold_json
    with_fixes = rechecked.pop()  # only the files whose fixes were not planned
    assert 0 < len(with_fixes) < len(everything)
    assert _output(ws, "json", with_edits=True) == cold_json
    assert _output(ws, "text", with_edits=False) == cold_text
    assert rechecked == []  # (planned edits serve the text format too)
