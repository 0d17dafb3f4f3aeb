"""The worked examples of docs/registry-format.md, row by row (seed 000 is
``tests/fixtures/registries/seed_2025-09-11_SSOT_IMPORT_REGISTRY.md``; line numbers match)."""

from __future__ import annotations

import pytest

from importwarden.registry.model import Applicability, Status, Target

B = "netra_backend.app."

ROWS = [
    # (target, registry lines that claim it, status, replacement, fix)
    (B + "agents.agent_websocket_bridge:create_agent_websocket_bridge", [93], "broken",
     B + "services.agent_websocket_bridge:create_agent_websocket_bridge", "safe"),
    ("test_framework.ssot.database_test_utility:DatabaseTestUtility", [160], "broken",
     "test_framework.database_test_utilities:DatabaseTestUtilities", "unsafe"),
    (B + "agents.base_agent:AgentState", [14, 304], "compatible",
     B + "agents.models:AgentState", "safe"),
    (B + "db.clickhouse_client:ClickHouseClient", [51], "deprecated",
     B + "db.clickhouse:ClickHouseClient", "safe"),
    (B + "core.execution_tracker:get_execution_tracker", [22, 584], "deprecated",
     B + "core.agent_execution_tracker:get_execution_tracker", "unsafe"),
    (B + "core.execution_tracker:ExecutionState", [22, 513, 584], "deprecated",
     B + "core.agent_execution_tracker:ExecutionState", "unsafe"),
    (B + "agents.state:DeepAgentState", [79, 674], "deprecated",
     B + "services.user_execution_context:UserExecutionContext", "unsafe"),
    (B + "agents.corpus_admin_sub_agent:CorpusAdminSubAgent", [82], "unverified", None, "none"),
    ("auth_service.app.services.auth_service:AuthService", [135], "broken",
     "auth_service.auth_core.services.auth_service:AuthService", "unsafe"),
    ("auth_service.app.models.user:User", [136], "broken", None, "none"),
]


@pytest.mark.parametrize("target, lines, status, replacement, fix", ROWS,
                         ids=[r[0].rsplit(":", 1)[-1] + "@" + str(r[1][-1]) for r in ROWS])
def test_import_rows(seed, target, lines, status, replacement, fix):
    entry = seed.entries[Target.parse(target)]
    assert [c.provenance.line for c in entry.claims] == lines
    assert entry.status is Status(status)
    assert (str(entry.replacement) if entry.replacement else None) == replacement
    assert entry.fix is Applicability(fix)


def test_row_14_304_effective_claim_is_the_compatibility_line(seed):
    entry = seed.lookup(B + "agents.base_agent", "AgentState")
    assert entry.provenance.line == 304
    assert entry.provenance.note == "WORKING IMPORTS:\nNew compatibility export"
    assert not entry.conflict


def test_row_674_is_a_different_api(seed):
    entry = seed.lookup(B + "agents.state", "DeepAgentState")
    claim = next(c for c in entry.claims if c.provenance.line == 674)
    assert claim.different_api and claim.status is Status.DEPRECATED
    assert entry.provenance.note == "❌ BEFORE (vulnerable):"


def test_row_135_replacement_is_inferred(seed):
    entry = seed.lookup("auth_service.app.services.auth_service", "AuthService")
    assert entry.claims[0].replacement is None  # nothing written: rule 9 inferred it


def test_row_200_broken_mock_target(seed):
    mock = seed.lookup_mock("auth_service.app.services.auth_service.UserRepository")
    assert mock.provenance.line == 200
    assert mock.status is Status.BROKEN
    assert mock.replacement == "auth_service.auth_core.services.auth_service.UserRepository"
    assert mock.fix is Applicability.UNSAFE
