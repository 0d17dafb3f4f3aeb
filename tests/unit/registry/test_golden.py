"""Golden ``registry show --format json`` (``export.to_json``) for both fixture registries.

Regenerate with ``IMPORTWARDEN_UPDATE_GOLDEN=1 pytest tests/unit/registry/test_golden.py`` and
review the diff line by line against the registry text. The goldens were reviewed that way;
the decisions that surprise on a first read, and what each rests on:

seed (2025-09-11):
- 14 ``base_agent:BaseAgent`` is verified although line 304 calls that whole line a "New
  compatibility export": a compatible entry with no replacement (no canonical BaseAgent
  anywhere) is read as its other claims say (rule 9, last sentence).
- 50 ``db.clickhouse:*`` are canonical: their caption "(SSOT - VERIFIED …)" has SSOT and
  VERIFIED; canonical is the more severe of the two (rule 5).
- 147/148 ``test_framework.ssot.*`` are canonical: caption "SSOT Test Infrastructure".
- 123/126/129 placeholders (``[AUTH_MODEL_CLASSES]``) are module-level unverified entries: the
  whole module is unverified until someone writes the names (covers every name in it).
- 315 ``agent_execution_tracker:ExecutionTracker`` -> ``AgentExecutionTracker`` (unsafe rename,
  rule 8), although 317 ``get_execution_tracker`` is compatible too by the block's "SOLUTION:
  Added ExecutionTracker alias for backward compatibility": with several compatibility names in
  a run only those marked on their own line count for the rename.
- 409 ``unified_manager:UnifiedWebSocketManager`` ("# Implementation") and 418-420/429-435
  (the "SOLUTION: Created … compatibility module" blocks) are verified: compatible without any
  replacement (rule 9).
- 570 ``agent_execution_tracker:get_execution_tracker`` is canonical: claims at 21 (verified),
  317 (compatible, no replacement, so set aside) and 570 (canonical).
- 584 ``execution_tracker:ExecutionTracker`` -> ``agent_execution_tracker:ExecutionTracker``
  (unsafe): inferred to the single same-name compatibility entry that has a replacement; that
  entry's own replacement (the rename of 315) is inferred too, and chains never go through an
  inferred link (issue 11), so it stops at the alias.
- services: ``netra_backend`` and ``auth_service`` (the Path Patterns sub-headings 216/221);
  ``shared`` from the isolation rule's exception (209) and ``test_framework`` is shared, not a
  service: its section's caption (146) calls it "SSOT Test Infrastructure".
- IWR012 at 584 (``execution_tracker:ExecutionState`` / ``get_execution_tracker``, verified at 22)
  and 674 (``agents.state:DeepAgentState``, verified at 79): verified in one section, deprecated
  in another.
- 89/90 and 181/182 broken entries/mocks have no replacement: nothing is written and no
  same-name entry exists.

netra (2025-09-17), beyond the same sections:
- 98/99 ``# ❌ DEPRECATED: from …`` are deprecated (a marker word says what the emoji only
  colours); the two ``# ✅ USE INSTEAD: Name`` lines pair with them in order and the bare names
  are looked up among canonical entries (UserExecutionEngine line 93, ExecutionEngineFactory 94).
- 187 ``execution_engine:ExecutionEngine`` -> ``user_execution_engine:UserExecutionEngine``
  (unsafe rename; the ``as ExecutionEngine`` alias does not make it the same name).
- 188 ``# ExecutionEngine() instantiation …  # ❌ BROKEN: …`` is a comment: prose about a
  calling pattern names no path (issue 11; a marked dotted path would be IWR001). 190 (``✅ CORRECTED: Use create_request_scoped_engine() …``) is advice in
  prose, kept as a comment, not a problem.
- 193/194 ``❌ DID NOT EXIST: Placeholder created for test compatibility``: history plus
  "compatibility", so compatible -> verified (no replacement); no conflict with line 108.
- 538 commented-out ``websocket_manager_factory:WebSocketManagerFactory`` under
  "# DEPRECATED (no longer working):" is broken ("no longer working"), inferred to
  ``websocket_manager:WebSocketManagerFactory``.
- 541 is no IWR005: ``websocket_manager:WebSocketManagerFactory`` is written at 78 and 541 with
  notes that differ only in wording (neither carries a marker).
- 946 ``session_manager:SessionManager`` is an entry although only prose names it (inline code
  ``Import Path: `from …` ``), verified: no marker on its line or in its headings.
- IWR012 at 529 (``unified_manager:UnifiedWebSocketManager``: LEGACY at 179), 706 and 874: the
  same contradictions as in the seed.
- 791 ``app.config:get_config`` (BEFORE) -> ``configuration.base:get_config``: the AFTER
  line has two names so rule 7 maps nothing; rule 9 infers the same-name compatibility entry
  ``configuration.base:get_config`` (508); its rename is inferred, so it is not followed. 792 ``DatabaseConfig`` stays
  without replacement.
"""

from __future__ import annotations

import json
import os

import pytest

from importwarden.registry.export import to_json

from .conftest import FIXTURES, REGISTRIES, load_fixture

GOLDEN = REGISTRIES / "golden"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_registry_show_json_matches_golden(name):
    data = to_json(load_fixture(FIXTURES[name]))
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("IMPORTWARDEN_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run with IMPORTWARDEN_UPDATE_GOLDEN=1"
    assert json.loads(golden.read_text(encoding="utf-8")) == data


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_json_shape_is_the_design_contract(name):
    data = to_json(load_fixture(FIXTURES[name]))
    assert set(data) == {"entries", "mocks", "services", "problems"}
    for entry in data["entries"]:
        assert set(entry) == {"target", "status", "replacement", "fix", "file", "line", "note"}
        assert entry["fix"] in ("safe", "unsafe", "none")
        assert (entry["replacement"] is None) == (entry["fix"] == "none")
    for mock in data["mocks"]:
        assert set(mock) == {"target", "status", "replacement", "fix", "file", "line"}
    assert set(data["services"]) == {"members", "shared", "origins"}
    for origin in data["services"]["origins"]:
        assert set(origin) == {"package", "role", "file", "line", "text"}
        assert origin["role"] in ("service", "shared")
    for problem in data["problems"]:
        assert set(problem) == {"code", "file", "line", "message"}
    targets = [e["target"] for e in data["entries"]]
    assert len(targets) == len(set(targets))  # one entry per target
