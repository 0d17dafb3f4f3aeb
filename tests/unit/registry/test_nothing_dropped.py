"""Every import-like line inside a code block of both fixtures becomes an entry, a replacement
or a registry problem: none is silently dropped (docs/registry.md, "Problems, never crashes")."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from importwarden.registry.combine import build
from importwarden.registry.load import read_file
from importwarden.registry.markdown import load_markdown
from importwarden.registry.text import repair

from .conftest import FIXTURES

IMPORT_LIKE = re.compile(r"^\s*(?:#\s*(?:[^:\n]*:\s*)?)?(?:from\s+\S+\s+import\b|import\s+[\w.]+)"
                         r"|\bpatch(?:\.\w+)?\(")


def import_like_lines(text: str) -> dict[int, str]:
    """Every line in any fenced block (whatever its language) that looks like an entry."""
    lines = repair(text)
    out: dict[int, str] = {}
    for token in MarkdownIt("commonmark").parse("\n".join(lines)):
        if token.type == "fence" and token.map:
            for number in range(token.map[0] + 2, token.map[1]):
                if IMPORT_LIKE.search(lines[number - 1]):
                    out[number] = lines[number - 1]
    return out


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_import_like_line_is_accounted_for(name):
    text = read_file(FIXTURES[name])
    bundle = load_markdown(text, name)
    registry = build([bundle])
    entry_lines = {c.provenance.line for e in registry.entries.values() for c in e.claims}
    mock_lines = {m.provenance.line for m in bundle.mocks}
    problem_lines = {p.line for p in registry.problems}
    replacement_lines = {n for n, kind in bundle.kinds.items() if kind == "replacement"}
    candidates = import_like_lines(text)
    assert len(candidates) > 100 if name == "netra" else len(candidates) > 80
    dropped = {n: line for n, line in candidates.items()
               if n not in entry_lines | mock_lines | problem_lines | replacement_lines}
    assert dropped == {}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_written_replacement_is_used(name):
    """A replacement line either gave some entry its replacement or is a problem."""
    text = read_file(FIXTURES[name])
    bundle = load_markdown(text, name)
    used = {c.replacement_line for c in bundle.claims if c.replacement_line}
    used |= {p.line for p in bundle.problems}
    replacement_lines = {n for n, kind in bundle.kinds.items() if kind == "replacement"}
    assert replacement_lines - used == set()


def test_the_counter_example_is_caught():
    """The check above can fail: a commented import the loader cannot read is reported."""
    text = "## X\n\n```python\n# from .relative import thing  # ❌\nfrom a.b import (\n```\n"
    bundle = load_markdown(text, "x.md")
    assert [p.line for p in bundle.problems] == [4, 5]
