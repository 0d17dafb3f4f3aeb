"""The engine side of completion and hover (``importwarden.analysis.completion`` / ``hover``),
without a server: contexts, the auto-import edit, ordering and filtering by status."""

from __future__ import annotations

from pathlib import Path

import pytest

from importwarden.analysis.completion import complete, context_at, import_edit
from importwarden.analysis.hover import hover_at
from importwarden.analysis.findings import Position
from importwarden.analysis.imports import extract
from importwarden.registry.load import load_registries
from importwarden.textio import split_lines

REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "workspace" / "SSOT_IMPORT_REGISTRY.md"


@pytest.fixture(scope="module")
def registry():
    return load_registries([REGISTRY])


@pytest.mark.parametrize("line, kind, prefix", [
    ("from netra_backend.app.ag", "module", "netra_backend.app.ag"),
    ("import os, netra.b", "module", "netra.b"),
    ("from a.b import X, Y", "from-name", "Y"),
    ("from .x import ", "from-name", ""),
    ('    mocker.patch("a.b.', "mock", "a.b."),
    ("@patch(target='a.", "mock", "a."),
    ('monkeypatch.setattr("a.b.c', "mock", "a.b.c"),
    ("x = Agen", "identifier", "Agen"),
    ("x = foo.Agen", None, None),
    ("# Agen", None, None),
    ('s = "Agen', None, None),
    ("def Agen", None, None),
    ("from a import X as Y", None, None),
])
def test_context(line, kind, prefix):
    ctx = context_at([line], 0, len(line))
    assert (ctx.kind if ctx else None) == kind
    if ctx:
        assert ctx.prefix == prefix
        assert line[ctx.start:] == prefix


def test_context_inside_open_parenthesised_import():
    lines = ["from a.b import (", "    X,  # note", "    Y"]
    ctx = context_at(lines, 2, 5)
    assert (ctx.kind, ctx.module, ctx.prefix) == ("from-name", "a.b", "Y")


SOURCE = '''"""doc"""
from __future__ import annotations
import os
from a.b import (
    X,  # note
    Y,
)
from c import D
from star import *

x = 1
'''


def edit_result(source: str, module: str, name: str) -> str | None:
    edit = import_edit(source, extract(source, "m", False).refs, module, name)
    if edit is None:
        return None
    lines = split_lines(source)
    start, end = edit.range.start, edit.range.end
    head = "\n".join(lines[:start.line] + [lines[start.line][:start.character]])
    tail = "\n".join([lines[end.line][end.character:]] + lines[end.line + 1:])
    return head + edit.content + tail


def test_import_edit_merges_adds_or_refuses():
    assert "    Y, Z,\n)" in edit_result(SOURCE, "a.b", "Z")
    assert "from c import D, E\n" in edit_result(SOURCE, "c", "E")
    added = edit_result(SOURCE, "q.r", "E")
    assert added.split("\n")[9] == "from q.r import E"  # after the last top-level import
    assert edit_result(SOURCE, "a.b", "X") is None  # already imported
    assert edit_result(SOURCE, "star", "Anything") is None  # a star import binds it
    fresh = edit_result('#!/usr/bin/env python\n"""Doc\nmore."""\nfrom __future__ import x\n\nv = 1\n',
                        "q", "E")
    assert fresh.split("\n")[4] == "from q import E"


def test_module_completion_without_index(registry):
    src = "from netra_backend.app.agents.\n"
    result = complete(src, 0, len(src) - 1, registry=registry, index=None)
    ordered = sorted(result.items, key=lambda s: s.sort_text)
    labels = [s.label for s in ordered]
    canonical = [s.label for s in ordered if s.status and s.status.value == "canonical"]
    assert "netra_backend.app.agents.supervisor.agent_registry" in canonical
    assert labels[:len(canonical)] == canonical  # canonical first
    assert "netra_backend.app.agents.agent_websocket_bridge" not in labels  # broken
    deprecated = {s.label for s in result.items if s.deprecated}
    assert "netra_backend.app.agents.registry" in deprecated


def test_auto_import_prefers_canonical(registry):
    src = "x = get_execution_tr\n"
    result = complete(src, 0, len(src) - 1, registry=registry, index=None,
                      refs=lambda: extract(src, "m", False).refs)
    (item,) = [s for s in result.items if s.label == "get_execution_tracker"]
    assert item.detail == "from netra_backend.app.core.agent_execution_tracker import get_execution_tracker"
    assert item.import_edit.content == (
        "from netra_backend.app.core.agent_execution_tracker import get_execution_tracker\n")
    assert complete(src, 0, len(src) - 1, registry=registry, index=None, auto_import=False).items == []


def test_hover_text(registry):
    src = "from netra_backend.app.agents.agent_websocket_bridge import create_agent_websocket_bridge\n"
    refs = extract(src, "m", False).refs
    info = hover_at(refs, Position(0, 70), registry=registry, index=None, root=REGISTRY.parent)
    assert "broken" in info.markdown and "#L" in info.markdown
    assert src[info.range.start.character:info.range.end.character] == "create_agent_websocket_bridge"
    assert hover_at(refs, Position(1, 0), registry=registry, index=None) is None
