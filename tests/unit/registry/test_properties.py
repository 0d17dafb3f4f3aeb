"""Property tests: random and mutated Markdown/TOML never raise; loading is deterministic;
export/import round-trips."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importwarden.errors import RegistryLoadError
from importwarden.registry.combine import build
from importwarden.registry.export import to_json, to_toml
from importwarden.registry.load import load_text, read_file
from importwarden.registry.markdown import load_markdown
from importwarden.registry.model import PROBLEM_CODES

from .conftest import NETRA, SEED
from .test_export import model

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FIXTURE_LINES = {str(p): read_file(p).split("\n") for p in (SEED, NETRA)}

MODULES = st.sampled_from(["p.a", "p.b", "p.a.sub", "q.x", "q.y.z", "shared.u"])
NAMES = st.sampled_from(["X", "Y", "Helper", "get_it", "[PLACEHOLDER]", "*"])
MARKERS = st.sampled_from(["", "✅", "❌", "⚠️ LEGACY", "❓", "CANONICAL", "SSOT", "compatibility",
                           "New compatibility alias", "Original SSOT class", "DEPRECATED",
                           "âŒ", "âœ…", "BROKEN PATH [FIXED]", "WAS BROKEN", "Do Not Use"])
COMMENTS = st.sampled_from(["# THESE PATHS DO NOT EXIST:", "# LEGACY IMPORT PATHS:",
                            "# CANONICAL IMPORT PATH (RECOMMENDED):", "# ❌ BEFORE (old):",
                            "# ✅ AFTER (new):", "# WORKING IMPORTS:", "# just a caption",
                            "# SOLUTION: Created x.py compatibility module"])
HEADINGS = st.sampled_from(["## ✅ VERIFIED IMPORTS", "## ❌ BROKEN IMPORTS", "### a Service",
                            "## CORRECT MOCK PATHS", "## BACKWARD COMPATIBILITY", "## Notes"])


@st.composite
def registry_lines(draw):
    kind = draw(st.sampled_from(["import", "import", "comment", "blank", "use", "bare", "mock",
                                 "code", "commented"]))
    marker = draw(MARKERS)
    tail = f"  # {marker}" if marker else ""
    if kind == "import":
        names = draw(st.lists(NAMES, min_size=1, max_size=3))
        return f"from {draw(MODULES)} import {', '.join(names)}{tail}"
    if kind == "comment":
        return draw(COMMENTS)
    if kind == "blank":
        return ""
    if kind == "use":
        return f"# USE INSTEAD: from {draw(MODULES)} import {draw(NAMES)}"
    if kind == "bare":
        return f"# ✅ USE INSTEAD: {draw(NAMES)} (canonical)"
    if kind == "mock":
        return f"@patch('{draw(MODULES)}.{draw(NAMES).strip('[]*') or 'X'}.run'){tail}"
    if kind == "commented":
        return f"# ❌ DEPRECATED: from {draw(MODULES)} import {draw(NAMES)}"
    return "tracker.update(x)  # ✅ WORKS"


@st.composite
def markdown_registries(draw):
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(HEADINGS))
        lines = draw(st.lists(registry_lines(), max_size=12))
        parts.append("```python\n" + "\n".join(lines) + "\n```")
    return "\n\n".join(parts) + "\n"


def check(registry, text: str) -> None:
    last = max(1, text.count("\n") + 1)
    for problem in registry.problems:
        assert problem.code in PROBLEM_CODES
        assert 1 <= problem.line <= last
        assert "\n" not in problem.message


@SETTINGS
@given(st.text())
def test_random_text_never_raises(text):
    registry = build([load_markdown(text, "r.md")])
    check(registry, text)


@SETTINGS
@given(markdown_registries())
def test_generated_registries_load_deterministically_and_round_trip(text):
    first = build([load_markdown(text, "r.md")])
    check(first, text)
    assert to_json(build([load_markdown(text, "r.md")])) == to_json(first)
    exported = to_toml(first)
    again = build([load_text(exported, "r.toml")])
    assert [p for p in again.problems if p.code == "IWR009"] == []
    assert model(again) == model(first)


@st.composite
def mutated_fixture(draw):
    lines = list(FIXTURE_LINES[draw(st.sampled_from(sorted(FIXTURE_LINES)))])
    for _ in range(draw(st.integers(1, 25))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "garble", "fence", "truncate"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "garble":
            cut = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:cut] + draw(st.text(max_size=8)) + lines[i][cut:]
        elif op == "fence":
            lines.insert(i, "```python")
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    return "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_fixture())
def test_mutated_fixtures_never_raise(text):
    registry = build([load_markdown(text, "r.md")])
    check(registry, text)
    assert to_json(registry) == to_json(build([load_markdown(text, "r.md")]))


TOML_EXPORT = to_toml(build([load_text(read_file(SEED), "seed.md")]))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_toml_is_a_registry_or_a_load_error(data):
    lines = TOML_EXPORT.split("\n")
    for _ in range(data.draw(st.integers(1, 10))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["delete", "garble", "key", "value"]))
        if op == "delete":
            del lines[i]
        elif op == "garble":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))] + data.draw(
                st.text(max_size=6))
        elif op == "key":
            lines.insert(i, data.draw(st.sampled_from(['bogus = 1', 'status = "nope"',
                                                       'fix = "maybe"', 'target = 3',
                                                       '[[import]]', '[services]', 'use = "a b"'])))
        else:
            lines[i] = lines[i].replace('"', "'", 1)
    text = "\n".join(lines)
    try:
        registry = build([load_text(text, "r.toml")])
    except RegistryLoadError as exc:
        assert "\n" not in str(exc) and exc.file == "r.toml"
        return
    check(registry, text)
    assert all(p.code in ("IWR009", "IWR002", "IWR003", "IWR004", "IWR005") for p in registry.problems)
