"""Which cached files a change re-checks: ``_affected_by`` against its plain definition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.findings_cache import FileState
from importwarden.project.batch import _affected_by

PARTS = st.sampled_from(["a", "b", "app", "a_b", "x1"])
MODULES = st.lists(PARTS, min_size=1, max_size=4).map(".".join)


def plain(deps: list[str], changed: set[str]) -> bool:
    """The rule as written in words: a dep is a changed module, inside one, or above one."""
    return any(dep == mod or dep.startswith(mod + ".") or mod.startswith(dep + ".")
               for dep in deps for mod in changed)


def state(deps: list[str]) -> FileState:
    return FileState(0, 0, "", (), "\n".join(sorted(set(deps))))


@settings(max_examples=400, deadline=None)
@given(st.lists(MODULES, max_size=8), st.sets(MODULES, min_size=1, max_size=5))
def test_regex_and_set_tests_match_the_definition(deps, changed):
    expected = plain(deps, changed)
    assert _affected_by(changed)(state(deps)) is expected
    assert _affected_by(changed, regex_max=0)(state(deps)) is expected


def test_examples():
    affected = _affected_by({"pkg.mod"})
    assert affected(state(["pkg.mod"]))
    assert affected(state(["os", "pkg.mod.Name"]))  # a name inside it
    assert affected(state(["pkg"]))  # the package above (its submodules changed)
    assert not affected(state(["pkg.module"]))  # a sibling that shares a prefix
    assert not affected(state(["pkg.other", "pk"]))
    assert not affected(state([]))


def test_a_file_with_an_iw005_finding_is_always_rechecked():
    from importwarden.analysis.findings import Finding

    finding = Finding.__new__(Finding)
    object.__setattr__(finding, "code", "IW005")
    cached = FileState(0, 0, "", (finding,), "unrelated")
    assert _affected_by({"pkg.mod"})(cached)
