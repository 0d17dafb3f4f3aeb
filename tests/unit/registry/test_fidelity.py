"""Issue 11: services, inferred replacements, prose imports, contradictions and lint noise, each
from a shape of the seed registry (``tests/fixtures/registries/seed_2025-09-11_…``) or of the
later revision (``netra_2025-09-17_…``)."""

from __future__ import annotations

import re

import pytest

from importwarden.registry import markers
from importwarden.registry.export import to_json
from importwarden.registry.load import read_file
from importwarden.registry.markdown import load_markdown
from importwarden.registry.model import Status, Target
from importwarden.registry.text import repair

from .conftest import FIXTURES, block, md

NB = "netra_backend.app."


def entry(registry, target: str):
    return registry.entries[Target.parse(target)]


def codes(registry) -> list[tuple[str, int]]:
    return [(p.code, p.line) for p in registry.problems]


# --- 1. services ------------------------------------------------------------------------------


def test_seed_services_come_from_the_isolation_rules_and_path_patterns(seed):
    services = seed.services
    assert services.members == ("netra_backend", "auth_service")
    assert set(services.shared) == {"shared", "test_framework"}
    assert services.crosses("netra_backend.app.x", "auth_service.auth_core.y")
    assert services.crosses("auth_service.auth_core.y", "netra_backend.app.x")
    assert not services.crosses("netra_backend.tests.t", "test_framework.ssot.base_test_case")
    assert not services.crosses("test_framework.ssot.x", "netra_backend.app.y")


def test_seed_services_say_which_line_made_each_package(seed):
    origins = {o.package: (o.role, o.provenance.line) for o in seed.services.origins}
    assert origins == {"netra_backend": ("service", 216), "auth_service": ("service", 221),
                       "shared": ("shared", 209), "test_framework": ("shared", 146)}
    by_package = {o.package: o for o in seed.services.origins}
    assert "SSOT Test Infrastructure" in by_package["test_framework"].provenance.raw
    assert "except shared utilities" in by_package["shared"].provenance.raw
    services = to_json(seed)["services"]
    assert services["members"] == ["netra_backend", "auth_service"]
    assert {o["package"]: (o["role"], o["line"]) for o in services["origins"]} == origins


ISOLATION = ("### Service Isolation Rules:\n"
             "1. **NEVER import between services** (except shared utilities)\n\n")


def test_headings_name_services_only_when_no_path_patterns_do():
    text = ("### alpha Service\n\n### beta Service\n\n### testkit Service\n\n"
            "```python\n# Shared Test Utilities\nfrom testkit.base import Case\n```\n\n"
            + ISOLATION)
    services = md(text).services
    assert services.members == ("alpha", "beta")
    assert set(services.shared) == {"shared", "testkit"}
    roles = {o.package: (o.role, o.provenance.line) for o in services.origins}
    assert roles["alpha"] == ("service", 1) and roles["testkit"] == ("shared", 8)


def test_path_patterns_beat_headings():
    text = ("### alpha Service\n\n### tools Service\n\n" + ISOLATION + "### Path Patterns:\n\n"
            "#### alpha:\n```\nalpha.{component}\n```\n\n#### gamma:\n```\ngamma.x\n```\n\n"
            "#### shared:\n```\nshared.{utility}\n```\n")
    services = md(text).services
    assert services.members == ("alpha", "gamma")
    assert services.shared == ("shared",)
    assert not services.crosses("alpha.x", "tools.y")


# --- 2. wrong advice from inferred replacements ----------------------------------------------


@pytest.mark.parametrize("comment, status", [
    ("RECOMMENDED: Use alias for backward compatibility", Status.CANONICAL),
    ("✅ CANONICAL compatibility export", Status.CANONICAL),
    ("✅ keeps compatibility", Status.VERIFIED),
    ("SSOT compatibility export", Status.COMPATIBLE),  # unchanged: SSOT is not a recommendation
    ("Compatibility import (deprecated)", Status.DEPRECATED),  # unchanged
    ("New compatibility alias", Status.COMPATIBLE),
])
def test_recommended_canonical_and_check_beat_a_mention_of_compatibility(comment, status):
    assert markers.read(comment).status is status


TRACKER_BLOCKS = f"""
## VERIFIED

```python
from {NB}core.execution_tracker import get_execution_tracker, ExecutionState
```

#### ExecutionTracker Import Compatibility (TEST COLLECTION BLOCKER):
```python
# ROOT CAUSE: Class was named AgentExecutionTracker, not ExecutionTracker
# SOLUTION: Added ExecutionTracker alias for backward compatibility

# WORKING IMPORTS:
from {NB}core.agent_execution_tracker import ExecutionTracker      # New compatibility alias
from {NB}core.agent_execution_tracker import AgentExecutionTracker # Original SSOT class
from {NB}core.agent_execution_tracker import get_execution_tracker # Factory function
```
"""


def test_a_caption_does_not_make_a_line_with_its_own_comment_compatible():
    """Shape A (seed 308-318 without the later canonical section): the caption is about the
    alias; the factory function's own comment says what it is, so it is not redirected to the
    legacy module's same-name entry."""
    registry = md(TRACKER_BLOCKS)
    factory = entry(registry, NB + "core.agent_execution_tracker:get_execution_tracker")
    assert factory.status is Status.VERIFIED and factory.replacement is None
    alias = entry(registry, NB + "core.agent_execution_tracker:ExecutionTracker")
    assert alias.status is Status.COMPATIBLE
    assert alias.replacement == Target(NB + "core.agent_execution_tracker", "AgentExecutionTracker")


ENGINE_BLOCK = f"""
## Imports

```python
# UserExecutionEngine - SSOT Pattern
from {NB}agents.supervisor.user_execution_engine import UserExecutionEngine as ExecutionEngine  # RECOMMENDED: Use alias for backward compatibility
from {NB}agents.supervisor.user_execution_engine import create_request_scoped_engine  # FACTORY METHOD

from {NB}agents.supervisor.execution_engine import ExecutionEngine  # ❌ DEPRECATED
# ✅ CORRECTED: from {NB}agents.supervisor.user_execution_engine import UserExecutionEngine as ExecutionEngine
```
"""


def test_recommended_alias_is_not_paired_with_the_factory_next_to_it():
    """Shape B: RECOMMENDED wins over "compatibility", so the class is canonical and nothing
    renames it to the factory function on the next line; the deprecated engine's written
    replacement is not chained any further."""
    registry = md(ENGINE_BLOCK)
    engine = entry(registry, NB + "agents.supervisor.user_execution_engine:UserExecutionEngine")
    assert engine.status is Status.CANONICAL and engine.replacement is None
    old = entry(registry, NB + "agents.supervisor.execution_engine:ExecutionEngine")
    assert old.replacement == Target(NB + "agents.supervisor.user_execution_engine",
                                     "UserExecutionEngine")


def test_inferred_renames_are_marked_and_never_chained_through():
    """The rule-8 rename (alias -> original class) is inferred, so the legacy module's
    same-name entry stops at the alias instead of being chained on to a different name."""
    text = TRACKER_BLOCKS + f"""
#### BACKWARD COMPATIBILITY MAINTAINED:
```python
# LEGACY IMPORT PATHS (DEPRECATED BUT WORKING):
from {NB}core.execution_tracker import ExecutionTracker
```
"""
    registry = md(text)
    alias = entry(registry, NB + "core.agent_execution_tracker:ExecutionTracker")
    assert alias.inferred
    legacy = entry(registry, NB + "core.execution_tracker:ExecutionTracker")
    assert legacy.replacement == Target(NB + "core.agent_execution_tracker", "ExecutionTracker")
    assert legacy.inferred


def test_a_written_replacement_is_not_chained_through_an_inferred_rename():
    text = block("# ⚠️ DEPRECATED\nfrom p.old import Thing\n"
                 "# USE INSTEAD: from p.compat import Thing\n\n"
                 "from p.compat import Thing  # compatibility alias\n"
                 "from p.compat import make_thing  # CANONICAL")
    registry = md(text)
    assert entry(registry, "p.compat:Thing").replacement == Target("p.compat", "make_thing")
    old = entry(registry, "p.old:Thing")
    assert old.replacement == Target("p.compat", "Thing") and not old.inferred


# --- 3. nothing dropped in silence, no noise ---------------------------------------------------


def test_inline_import_in_prose_becomes_an_entry(netra):
    session = entry(netra, "auth_service.auth_core.core.session_manager:SessionManager")
    assert session.status is Status.VERIFIED
    assert session.provenance.line == 946
    mock_factory = entry(netra, "test_framework.ssot.mock_factory:SSotMockFactory")
    assert mock_factory.status is Status.CANONICAL


def test_inline_import_status_comes_from_its_own_words_then_the_heading():
    text = ("## Notes\n\n- Use `from a.new import C` from now on\n"
            "- ❌ Do not use `from a.old import C`\n\n"
            "### LEGACY paths\n\n- Still there: `import a.legacy`\n"
            "- Broken: `from .relative import x`\n")
    registry = md(text)
    assert entry(registry, "a.new:C").status is Status.VERIFIED
    assert entry(registry, "a.old:C").status is Status.BROKEN
    assert entry(registry, "a.legacy").status is Status.DEPRECATED
    assert [(p.code, p.line) for p in registry.problems] == [("IWR001", 9)]
    assert "relative" in registry.problems[0].message


INLINE_IMPORT = re.compile(r"`\s*(?:from\s+\S+\s+import\s[^`]*|import\s+[\w.]+[^`]*)`")


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_no_inline_import_in_prose_is_dropped(name):
    text = read_file(FIXTURES[name])
    bundle = load_markdown(text, name)
    seen = {c.provenance.line for c in bundle.claims} | {p.line for p in bundle.problems}
    lines = repair(text)
    prose = [n for n, line in enumerate(lines, 1)
             if INLINE_IMPORT.search(line) and n not in bundle.kinds]
    assert prose or name == "seed"
    assert [n for n in prose if n not in seen] == []


def test_verified_in_one_section_and_deprecated_in_another_is_reported(seed):
    (problem,) = [p for p in seed.problems if p.code == "IWR012"
                  and "execution_tracker:get_execution_tracker" in p.message]
    assert problem.line == 584
    assert "line 22" in problem.message and "line 584" in problem.message
    assert "from netra_backend.app.core.execution_tracker import get_execution_tracker, " \
           "ExecutionState" in problem.message
    assert "from netra_backend.app.core.execution_tracker import ExecutionState, " \
           "ExecutionTracker, get_execution_tracker" in problem.message


def test_same_section_status_updates_are_not_contradictions():
    registry = md(block("from a.b import X  # ✅\nfrom a.b import X  # ⚠️ DEPRECATED"))
    assert [c for c, _l in codes(registry)] == []


def test_broken_against_verified_quotes_both_lines():
    text = ("## BROKEN\n\n```python\nfrom a.b import X  # ❌ BROKEN PATH\n"
            "# USE INSTEAD: from a.c import X\n```\n\n"
            "## FIXED\n\n```python\nfrom a.b import X  # ✅ VERIFIED\n```\n")
    registry = md(text)
    (problem,) = registry.problems
    assert problem.code == "IWR002" and problem.line == 11
    assert "from a.b import X  # ❌ BROKEN PATH" in problem.message
    assert "from a.b import X  # ✅ VERIFIED" in problem.message


def test_a_commented_calling_pattern_with_a_marker_is_not_a_problem(netra):
    assert ("IWR001", 188) not in codes(netra)
    registry = md(block("# ExecutionEngine() instantiation without parameters  "
                        "# ❌ BROKEN: Requires specific factory parameters [FIXED]"))
    assert registry.problems == []


def test_a_commented_dotted_path_with_a_marker_is_still_a_problem():
    registry = md(block("# netra_backend.app.gone.Thing  # ❌ BROKEN"))
    assert codes(registry) == [("IWR001", 4)]


def test_notes_that_differ_only_in_wording_are_not_duplicates(netra):
    assert [c for c, _l in codes(netra) if c == "IWR005"] == []
    registry = md(block("from a.b import X  # Consolidated interface\n"
                        "from a.b import X  # CONSOLIDATED: No longer separate module"))
    assert registry.problems == []
