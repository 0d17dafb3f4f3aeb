"""IW001–IW008 over the fixture workspace (tests/fixtures/workspace), through the engine API
the CLI and the language server share (``Project``): the real registry loader, the real
workspace index, the real extractor. Each file of the fixture exists to trigger (or not) a
rule in one import form; the table below is the whole expected result, so a finding that
appears or disappears anywhere fails a test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from importwarden.project.engine import Project
from importwarden.registry.model import Applicability

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "workspace"
WORKSPACE = FIXTURE  # replaced by a private copy (building the index writes its cache)

EXPECTED: dict[str, list[tuple[str, int]]] = {
    "netra_backend/app/routes/registry_rules.py": [
        ("IW001", 7), ("IW002", 8), ("IW003", 9), ("IW004", 10),
        ("IW002", 11),  # registry says broken, but the module exists again: IW002, not IW001
        ("IW002", 12), ("IW002", 13), ("IW002", 14),
        ("IW003", 16), ("IW003", 17),  # parenthesised, with an alias
        ("IW005", 20),  # `import a.b` of a module that exists nowhere
        ("IW003", 29),  # under TYPE_CHECKING
        ("IW002", 33),  # inside a function
        ("IW002", 35),  # attribute use of `import a.b`
    ],
    "netra_backend/app/routes/unresolved.py": [
        ("IW005", 6), ("IW005", 7), ("IW005", 8), ("IW005", 10), ("IW005", 11),
    ],
    # line 5 imports test_framework: the registry calls it shared test infrastructure, not an
    # isolated service (issue 11)
    "netra_backend/app/routes/cross_service.py": [("IW006", 2), ("IW006", 3)],
    "netra_backend/app/routes/suppressed.py": [("IW004", 5)],
    "netra_backend/app/routes/skipped.py": [],
    "netra_backend/app/routes/clean.py": [],
    "netra_backend/app/encodings/crlf.py": [("IW002", 2), ("IW003", 4)],
    "netra_backend/app/encodings/bom.py": [("IW002", 2)],
    "netra_backend/app/encodings/latin1.py": [("IW002", 3)],
    "netra_backend/app/encodings/emoji.py": [("IW002", 2), ("IW003", 3)],
    "netra_backend/app/encodings/broken_syntax.py": [("IW002", 2), ("IW001", 7)],
    "auth_service/auth_core/uses_backend.py": [
        ("IW006", 2), ("IW001", 3), ("IW001", 4), ("IW002", 6),
    ],
    "test_framework/legacy_utils.py": [("IW001", 1)],
    "tests/test_mocks.py": [("IW007", 6), ("IW008", 8), ("IW007", 14), ("IW007", 17)],
    # Shims and canonical modules: nothing.
    "netra_backend/app/agents/registry.py": [],
    "netra_backend/app/db/clickhouse_client.py": [],
    "netra_backend/app/core/execution_tracker.py": [],
    "netra_backend/app/core/isolated_environment.py": [],
    "netra_backend/app/websocket_core/unified_manager.py": [],
    "test_framework/ssot/base_test_case.py": [],
}


@pytest.fixture(scope="module", autouse=True)
def _private_copy(tmp_path_factory):
    import shutil

    global WORKSPACE
    dest = tmp_path_factory.mktemp("rules") / "ws"
    shutil.copytree(FIXTURE, dest)
    (dest / ".git").mkdir()
    WORKSPACE = dest
    yield
    WORKSPACE = FIXTURE


@pytest.fixture(scope="module")
def project(_private_copy) -> Project:
    return Project.load(WORKSPACE)


def found(project: Project, rel: str):
    return project.check_file(WORKSPACE / rel)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_expected_findings(project, rel):
    got = [(f.code, f.range.start.line + 1) for f in found(project, rel)]
    assert got == EXPECTED[rel]


def test_every_python_file_is_covered_by_the_table(project):
    """A new fixture file must say what it expects."""
    missing = []
    for path in sorted(WORKSPACE.rglob("*.py")):
        rel = path.relative_to(WORKSPACE).as_posix()
        if rel in EXPECTED or rel.startswith("generated/"):
            continue
        if found(project, rel):
            missing.append(rel)
    assert missing == []


def by_line(project, rel):
    return {f.range.start.line + 1: f for f in found(project, rel)}


def test_broken_import_names_replacement_quotes_note_and_links_registry(project):
    f = by_line(project, "netra_backend/app/routes/registry_rules.py")[7]
    assert f.code == "IW001" and f.severity.value == "error"
    assert "`netra_backend.app.services.agent_websocket_bridge:create_agent_websocket_bridge`" in f.message
    assert "CRITICAL: Fixed 2025-09-10" in f.message
    assert f.registry is not None and f.registry.file.endswith("SSOT_IMPORT_REGISTRY.md")
    assert f.registry.line == 51
    assert f.fix is not None and f.fix.applicability is Applicability.SAFE and f.fix.edits
    # the underline is the imported name
    assert (f.range.start.character, f.range.end.character) == (60, 89)


def test_broken_but_resolving_is_deprecated(project):
    f = by_line(project, "netra_backend/app/routes/registry_rules.py")[11]
    assert f.code == "IW002" and f.deprecated_tag
    assert "registry marks it broken" in f.message
    assert str(f.replacement) == "shared.isolated_environment:IsolatedEnvironment"


def test_fix_applicability_follows_the_registry(project):
    lines = by_line(project, "netra_backend/app/routes/registry_rules.py")
    assert lines[8].fix.applicability is Applicability.SAFE  # same name, module moved
    assert lines[12].fix.applicability is Applicability.UNSAFE  # rename
    assert lines[13].fix.applicability is Applicability.UNSAFE  # inferred
    assert lines[14].fix.applicability is Applicability.UNSAFE  # BEFORE -> AFTER
    assert lines[10].fix is None  # unverified: nothing to do


def test_unresolved_import_suggests_the_unique_definition(project):
    lines = by_line(project, "netra_backend/app/routes/unresolved.py")
    assert "does not exist" in lines[6].message and lines[6].fix is None
    assert "`NoSuchName` is not defined" in lines[7].message and lines[7].fix is None
    widget = lines[8]
    assert str(widget.replacement) == "netra_backend.app.services.widgets:get_widget"
    assert widget.fix is not None and widget.fix.applicability is Applicability.UNSAFE
    assert widget.fix.edits


def test_unresolved_prefers_the_registry_canonical_entry(project):
    source = "from netra_backend.app.services.widgets import AgentRegistry\n"
    (f,) = project.check_source(WORKSPACE / "netra_backend/app/routes/new.py", source)
    assert f.code == "IW005"
    assert str(f.replacement) == "netra_backend.app.agents.supervisor.agent_registry:AgentRegistry"
    assert f.registry is not None and f.registry.line == 16


def test_third_party_stdlib_and_guarded_imports_are_never_unresolved(project):
    source = ("import os\nimport requests\nfrom yaml import nope\n"
              "try:\n    from netra_backend.app.nothing import x\nexcept ImportError:\n    x = None\n")
    assert project.check_source(WORKSPACE / "netra_backend/app/routes/new.py", source) == []


def test_cross_service_uses_the_registry_services_and_spares_shared(project):
    f = by_line(project, "netra_backend/app/routes/cross_service.py")[2]
    assert "`netra_backend`" in f.message and "`auth_service`" in f.message
    assert f.fix is None and f.registry is not None


def test_services_overridable_by_settings():
    project = Project.load(WORKSPACE, {"services": {"members": ["netra_backend"],
                                                      "shared": ["shared"]}})
    assert found(project, "netra_backend/app/routes/cross_service.py") == []


def test_mock_targets(project):
    lines = by_line(project, "tests/test_mocks.py")
    broken = lines[6]
    assert broken.code == "IW007"
    assert str(broken.replacement) == "auth_service.auth_core.services.auth_service.UserRepository"
    assert broken.fix is not None and broken.fix.applicability is Applicability.UNSAFE
    deprecated = lines[8]
    assert deprecated.code == "IW008" and deprecated.deprecated_tag
    assert str(deprecated.replacement) == "netra_backend.app.db.clickhouse.ClickHouseClient"
    assert "bind" in lines[14].message  # module exists but does not bind the name
    assert "no submodule or name `nope`" in lines[17].message


def test_patch_where_the_name_is_looked_up(project):
    """`registry_rules` imports ClickHouseClient, so patching it there is valid."""
    source = ('from unittest.mock import patch\n'
              'patch("netra_backend.app.routes.registry_rules.ClickHouseClient")\n'
              'patch("netra_backend.app.routes.registry_rules.NotImported")\n')
    got = [(f.code, f.range.start.line) for f in
           project.check_source(WORKSPACE / "tests/test_new.py", source)]
    assert got == [("IW007", 2)]


def test_select_ignore_and_severity_overrides():
    project = Project.load(WORKSPACE, {"ignore": ["IW002"], "severity": {"IW004": "warning"}})
    lines = by_line(project, "netra_backend/app/routes/registry_rules.py")
    assert all(f.code != "IW002" for f in lines.values())
    assert lines[10].severity.value == "warning"
    project = Project.load(WORKSPACE, {"select": ["IW001"]})
    assert {f.code for f in found(project, "netra_backend/app/routes/registry_rules.py")} == {"IW001"}


def test_per_file_ignores(tmp_path):
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(FIXTURE, ws)
    (ws / ".git").mkdir()
    (ws / "pyproject.toml").write_text(
        '[tool.importwarden.per-file-ignores]\n"netra_backend/app/routes/*" = ["IW00"]\n')
    project = Project.load(ws)
    assert project.check_file(ws / "netra_backend/app/routes/registry_rules.py") == []
    assert project.check_file(ws / "tests/test_mocks.py")


def test_columns_count_characters(project):
    emoji = by_line(project, "netra_backend/app/encodings/emoji.py")[2]
    line = (WORKSPACE / "netra_backend/app/encodings/emoji.py").read_text(encoding="utf-8").splitlines()[1]
    assert line[emoji.range.start.character:emoji.range.end.character] == "ClickHouseClient"
    latin = by_line(project, "netra_backend/app/encodings/latin1.py")[3]
    text = (WORKSPACE / "netra_backend/app/encodings/latin1.py").read_text(encoding="latin-1")
    assert text.splitlines()[2][latin.range.start.character:latin.range.end.character] == "ClickHouseClient"


def test_registry_broken_import_is_iw001_not_iw005(project):
    source = "from auth_service.app.models.user import User\n"
    (f,) = project.check_source(WORKSPACE / "auth_service/x.py", source)
    assert f.code == "IW001" and "no known replacement" in f.message and f.fix is None
