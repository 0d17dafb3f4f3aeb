"""The loader's fast paths (markdown.parse_import's one-match shape, load._no_gc's hand-over to
the oldest GC generation) change its speed, never its result."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.registry import markdown
from importwarden.registry.load import load_registries, load_text, read_file

from .conftest import ROOT
from .test_properties import markdown_registries, mutated_fixture

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_registry import lines_registry  # noqa: E402

FIXTURE_REGISTRIES = sorted(
    p for p in (ROOT / "tests" / "fixtures").rglob("*")
    if p.suffix in (".md", ".toml") and p.is_file())


def _both_ways(load, monkeypatch):
    fast = load()
    with monkeypatch.context() as patched:
        patched.setattr(markdown, "parse_import", markdown.parse_import_general)
        general = load()
    return fast, general


def test_every_fixture_registry_loads_the_same_without_the_fast_path(monkeypatch):
    assert len(FIXTURE_REGISTRIES) >= 4
    for path in FIXTURE_REGISTRIES:
        fast, general = _both_ways(lambda: load_registries([path]), monkeypatch)
        assert repr(fast) == repr(general), path.relative_to(ROOT)


def test_the_benchmark_registry_loads_the_same_without_the_fast_path(monkeypatch):
    text = lines_registry(2_000)
    fast, general = _both_ways(
        lambda: load_registries(["R.md"], texts={"R.md": text}), monkeypatch)
    assert len(fast.entries) == 1_500
    assert repr(fast) == repr(general)


@settings(max_examples=150, deadline=None)
@given(st.one_of(markdown_registries(), mutated_fixture()))
def test_generated_registries_load_the_same_without_the_fast_path(text):
    import pytest
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, general = _both_ways(lambda: load_text(text, "R.md"), monkeypatch)
    assert repr(fast) == repr(general)


_CODE_PIECES = st.sampled_from(
    ["from", "import", " ", "  ", "\t", "\\\n", "a", "b.c", ".", "..x", "_x9", "9", "é",
     "Name", "(", ")", ",", " as ", "*", "[NAME]", ";", "import a", "from a.b import C"])


@settings(max_examples=2_000, deadline=None)
@given(st.lists(_CODE_PIECES, max_size=8).map("".join))
def test_parse_import_equals_its_general_path(code):
    assert markdown.parse_import(code) == markdown.parse_import_general(code)


def test_parse_import_equals_its_general_path_on_every_fixture_line():
    lines = {line.split("#")[0].strip() or line.lstrip("# ").strip()
             for path in FIXTURE_REGISTRIES for line in read_file(path).splitlines()}
    for code in lines:
        assert markdown.parse_import(code) == markdown.parse_import_general(code), code


def test_loading_leaves_the_collector_as_it_found_it():
    assert gc.isenabled() and gc.get_freeze_count() == 0
    load_registries(["R.md"], texts={"R.md": lines_registry(400)})
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # (objects the caller froze stay frozen: the hand-over is skipped then)
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        load_registries(["R.md"], texts={"R.md": lines_registry(400)})
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        load_registries(["R.md"], texts={"R.md": lines_registry(400)})
        assert not gc.isenabled()
    finally:
        gc.enable()
