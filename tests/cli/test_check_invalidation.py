"""Which cached files a change re-checks: ``affected_by`` (project/invalidation.py) against its plain definition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.findings_cache import FileState
from importwarden.project.invalidation import affected_by as _affected_by

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


# --- name-level invalidation: an edit to a hub module re-checks only what it can change ----


def test_a_name_change_reaches_only_deps_on_that_name():
    affected = _affected_by({"pkg.hub": frozenset({"added"})})
    assert affected(state(["pkg.hub", "pkg.hub.added"]))  # from pkg.hub import added
    assert affected(state(["pkg.hub.added.attr"]))  # a mock target below the name
    assert not affected(state(["pkg.hub", "pkg.hub.other"]))  # another name of the hub
    assert not affected(state(["pkg.hub"]))  # import pkg.hub: it still exists
    assert not affected(state(["pkg"]))  # the package above binds the same
    assert not affected(state(["pkg.hubs.added"]))  # a sibling sharing a prefix
    # A module that appeared or went (None) is the coarse rule, as for a plain set.
    assert _affected_by({"pkg.hub": None})(state(["pkg"]))


def _state_with(deps: list[str], findings: tuple) -> FileState:
    return FileState(0, 0, "", findings, "\n".join(sorted(set(deps))))


def test_an_iw005_finding_is_rechecked_only_for_its_name():
    from importwarden.analysis.findings import Finding
    from importwarden.registry.model import Target

    def iw005(module: str, name: str | None) -> Finding:
        finding = Finding.__new__(Finding)
        object.__setattr__(finding, "code", "IW005")
        object.__setattr__(finding, "target", Target(module, name))
        return finding

    names = {"pkg.hub": frozenset({"helper"})}
    assert _affected_by(names)(_state_with(["elsewhere"], (iw005("elsewhere", "helper"),)))
    assert not _affected_by(names)(_state_with(["elsewhere"], (iw005("elsewhere", "other"),)))
    assert _affected_by({"pkg.hub": None})(_state_with(["x"], (iw005("x", "other"),)))


@given(st.lists(MODULES, max_size=6), MODULES, st.sets(PARTS, min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_name_level_test_is_never_looser_than_its_definition(deps, module, names):
    """Affected exactly when a dep is ``module.<changed name>`` or below one."""
    expected = any(dep.startswith(module + ".") and dep[len(module) + 1:].split(".")[0] in names
                   for dep in deps)
    assert _affected_by({module: frozenset(names)})(state(deps)) is expected


def test_bound_names_changed():
    from importwarden.project.invalidation import bound_names_changed

    assert bound_names_changed("True|a\0b", "True|a\0c") == {"b", "c"}
    assert bound_names_changed("True|a", "True|a") == frozenset()
    assert bound_names_changed("True|", "True|x") == {"x"}
    assert bound_names_changed("", "True|a") is None  # unknown before (an old cache)
    assert bound_names_changed("False|", "True|a") is None  # it appeared
    assert bound_names_changed("True|*ANY*", "True|a") is None
    assert bound_names_changed("0123abcd", "True|a") is None  # a digest from an older cache


def test_an_edit_to_a_hub_rechecks_only_the_importers_it_can_change(tmp_path, rechecked):
    """The real engine on a workspace with one hub module and 40 importers: adding a name to
    the hub re-checks the hub and the one file that imports that name; findings equal a fresh
    run's (the IW005 on the added name goes away)."""
    from importwarden.config import load_settings
    from importwarden.project import batch

    root = tmp_path / "ws"
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    (root / ".git").mkdir()
    (pkg / "__init__.py").write_text("")
    hub = pkg / "hub.py"
    hub.write_text("def used():\n    return 1\n")
    for i in range(40):
        (pkg / f"user{i}.py").write_text("from pkg.hub import used\n")
    (pkg / "wants_added.py").write_text("from pkg.hub import added\n")
    (pkg / "other_missing.py").write_text("from pkg.user0 import nothing_here\n")

    def run(cache: bool = True):
        settings = load_settings(root, {}, None)
        found = batch.CheckSession(settings, cwd=root, use_cache=cache, jobs=1).check([])
        return sorted((f.path, f.code, f.message) for f in found)

    first = run()
    assert {(p, c) for p, c, _ in first} == {("pkg/wants_added.py", "IW005"),
                                             ("pkg/other_missing.py", "IW005")}
    hub.write_text(hub.read_text() + "\ndef added():\n    return 2\n")
    rechecked.clear()
    after = run()
    assert rechecked == [["pkg/hub.py", "pkg/wants_added.py"]]
    assert after == run(cache=False)
    assert [c for p, c, _ in after] == ["IW005"]  # only other_missing.py's is left
    # Taking a name away again reaches its importers too.
    hub.write_text("def added():\n    return 2\n")
    rechecked.clear()
    gone = run()
    assert rechecked[0][0] == "pkg/hub.py" and len(rechecked[0]) == 1 + 40
    assert gone == run(cache=False)
