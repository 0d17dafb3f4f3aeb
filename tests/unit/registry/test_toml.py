"""The strict TOML form: importwarden.toml, pyproject.toml, IWR009 with lines, syntax errors."""

from __future__ import annotations

import textwrap

import pytest

from importwarden.errors import RegistryLoadError
from importwarden.registry.load import load_registries
from importwarden.registry.model import Applicability, Status, Target

SPEC_EXAMPLE = '''\
[[import]]
target = "netra_backend.app.agents.agent_websocket_bridge:create_agent_websocket_bridge"
status = "broken"
use = "netra_backend.app.services.agent_websocket_bridge:create_agent_websocket_bridge"
fix = "safe"            # optional; derived when absent
note = "Fixed 2025-09-10"

[[mock]]
target = "auth_service.app.services.auth_service.UserRepository"
status = "broken"
use = "auth_service.auth_core.services.auth_service.UserRepository"

[services]
members = ["netra_backend", "auth_service", "analytics_service"]
shared = ["shared"]
'''


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_spec_example_loads(tmp_path):
    registry = load_registries([write(tmp_path, "importwarden.toml", SPEC_EXAMPLE)])
    entry = registry.lookup("netra_backend.app.agents.agent_websocket_bridge",
                            "create_agent_websocket_bridge")
    assert entry.status is Status.BROKEN and entry.fix is Applicability.SAFE
    assert entry.provenance.line == 1 and entry.provenance.note == "Fixed 2025-09-10"
    mock = registry.mocks["auth_service.app.services.auth_service.UserRepository"]
    assert mock.provenance.line == 8 and mock.fix is Applicability.SAFE
    assert registry.services.members == ("netra_backend", "auth_service", "analytics_service")
    assert registry.problems == []


def test_fix_is_derived_when_absent(tmp_path):
    registry = load_registries([write(tmp_path, "r.toml", '''
        [[import]]
        target = "a.b:X"
        status = "deprecated"
        use = "a.c:Y"
    ''')])
    assert registry.entries[Target("a.b", "X")].fix is Applicability.UNSAFE


def test_unknown_keys_and_bad_values_are_iwr009_with_lines(tmp_path):
    path = write(tmp_path, "importwarden.toml", '''\
        select = ["IW"]

        [[import]]
        target = "a.b:X"
        status = "brokn"
        colour = "red"

        [[import]]
        target = "not a target"
        status = "broken"

        [[import]]
        target = "a.ok:Y"
        status = "verified"
        fix = "safe"

        [[import]]
        target = "a.good:Z"
        status = "verified"

        [[mock]]
        target = "a.b.C"
        status = "broken"
        use = "not dotted!"

        [services]
        members = ["a", 3]
        extra = true

        [surprise]
        x = 1
    ''')
    registry = load_registries([path])
    got = [(p.code, p.line, p.message.split(" ")[0]) for p in registry.problems]
    assert got == [("IWR009", 5, "status"), ("IWR009", 6, "unknown"), ("IWR009", 9, "not"),
                   ("IWR009", 15, "fix"), ("IWR009", 24, "use"), ("IWR009", 27, "services.members"),
                   ("IWR009", 28, "unknown"), ("IWR009", 30, "unknown")]
    assert all(p.file == str(path) for p in registry.problems)
    # The good entry still loads; bad ones are skipped, not half-read.
    assert list(registry.entries) == [Target("a.good", "Z")]


def test_missing_required_key(tmp_path):
    registry = load_registries([write(tmp_path, "r.toml", '[[import]]\ntarget = "a.b:X"\n')])
    assert [(p.code, p.line) for p in registry.problems] == [("IWR009", 1)]
    assert "'status'" in registry.problems[0].message


def test_syntax_error_is_a_load_error_with_line(tmp_path):
    path = write(tmp_path, "r.toml", '[[import]]\ntarget = "a.b:X"\nstatus = \n')
    with pytest.raises(RegistryLoadError) as info:
        load_registries([path])
    assert info.value.file == str(path) and info.value.line == 3
    assert "\n" not in str(info.value)


def test_an_error_at_the_end_of_the_document_has_the_last_line(tmp_path):
    """tomllib says "(at end of document)", with no line, for a string or array left open
    (found by benchmarks/fuzz.py: a truncated registry)."""
    path = write(tmp_path, "r.toml", '[[import]]\ntarget = "a.b:X"\nstatus = "broken"\nnote = """open')
    with pytest.raises(RegistryLoadError) as info:
        load_registries([path])
    assert info.value.file == str(path) and info.value.line == 4, str(info.value)
    registry = load_registries([path], toml_errors_as_problems=True)
    assert [(p.code, p.line) for p in registry.problems] == [("IWR009", 4)]


def test_syntax_error_as_problem_for_editors(tmp_path):
    path = write(tmp_path, "r.toml", '[[import]]\ntarget = "a.b:X"\nstatus = \n')
    registry = load_registries([path], toml_errors_as_problems=True)
    assert [(p.code, p.line) for p in registry.problems] == [("IWR009", 3)]


def test_pyproject_registry_table(tmp_path):
    path = write(tmp_path, "pyproject.toml", '''\
        [project]
        name = "x"

        [tool.importwarden]
        select = ["IW"]

        [[tool.importwarden.registry.import]]
        target = "a.b:X"
        status = "broken"
        use = "a.c:X"
        bogus = 1

        [tool.importwarden.registry.services]
        members = ["a", "b"]
        shared = ["common"]
    ''')
    registry = load_registries([path])
    assert registry.entries == {}  # the entry with the unknown key is skipped
    assert [(p.code, p.line) for p in registry.problems] == [("IWR009", 11)]
    assert registry.services.shared == ("common",)
    fixed = write(tmp_path, "pyproject.toml", path.read_text().replace("bogus = 1\n", ""))
    registry = load_registries([fixed])
    assert registry.entries[Target("a.b", "X")].provenance.line == 7


def test_pyproject_without_table_is_a_problem(tmp_path):
    registry = load_registries([write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')])
    assert [p.code for p in registry.problems] == ["IWR009"]


def test_unreadable_file_is_a_load_error(tmp_path):
    with pytest.raises(RegistryLoadError, match="not found"):
        load_registries([tmp_path / "missing.md"])
    with pytest.raises(RegistryLoadError, match="directory"):
        load_registries([tmp_path])


def test_editor_text_overrides_the_file(tmp_path):
    path = write(tmp_path, "R.md", "```python\nfrom a.b import X  # ✅\n```\n")
    registry = load_registries([path], texts={path.resolve(): "```python\nfrom a.b import X  # ❌\n```\n"})
    assert registry.entries[Target("a.b", "X")].status is Status.BROKEN
