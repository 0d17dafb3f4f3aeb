"""fix_source over the real rules engine with a hand-written registry."""

from __future__ import annotations

import pytest

from importwarden.fixes import fix_source

from projects import entry, mock, project

ENTRIES = [
    entry("a:X", "broken", "b:X"),
    entry("a:Z", "broken", "c:Z"),
    entry("a:W", "deprecated", "b:W2"),  # rename: unsafe
    entry("a:V", "broken"),  # no replacement
    entry("old.mod", "broken", "new.mod"),  # module-level move
]


@pytest.fixture
def proj(tmp_path):
    return project(tmp_path, ENTRIES, [mock("old.mod.C.m", "new.mod.C.m")])


def codes(findings):
    return sorted(f.code for f in findings)


def test_several_names_move_out_of_one_statement(proj):
    source = "from a import X, Z, Q\n"
    result = fix_source(proj, "m.py", source)
    assert result.new_source == "from a import Q\nfrom b import X\nfrom c import Z\n"
    assert codes(result.applied) == ["IW001", "IW001"]
    assert result.left == []


def test_safe_only_by_default_then_unsafe(proj):
    source = "from a import X, W\nW()\n"
    safe = fix_source(proj, "m.py", source)
    assert safe.new_source == "from a import W\nfrom b import X\nW()\n"
    assert [(f.code, why) for f, why in safe.left] == [("IW002", "unsafe fix (use --unsafe-fixes)")]
    unsafe = fix_source(proj, "m.py", source, unsafe=True)
    assert unsafe.new_source == "from b import X, W2 as W\nW()\n"
    assert unsafe.left == []


def test_left_without_replacement(proj):
    result = fix_source(proj, "m.py", "from a import V, X\n")
    assert result.new_source == "from a import V\nfrom b import X\n"
    assert [(f.code, why) for f, why in result.left] == [("IW001", "no replacement")]


def test_idempotent(proj):
    source = "import old.mod\nfrom a import X, Z, W\nold.mod.f()\n"
    once = fix_source(proj, "m.py", source, unsafe=True)
    twice = fix_source(proj, "m.py", once.new_source, unsafe=True)
    assert once.new_source != source
    assert twice.new_source == once.new_source and twice.applied == []


def test_module_import_and_mock(proj):
    source = ("import old.mod\nfrom unittest.mock import patch\n\n"
              "@patch('old.mod.C.m')\ndef test(m):\n    old.mod.C()\n")
    result = fix_source(proj, "m.py", source)
    assert result.new_source == source.replace("old.mod", "new.mod")


def test_fix_in_file_that_does_not_parse(proj):
    source = "from a import X\n\ndef f(:\n"
    result = fix_source(proj, "m.py", source)
    assert result.new_source == "from b import X\n\ndef f(:\n"


def test_refused_reason_reported(tmp_path):
    """The real workspace index says the replacement is not there: refused, file unchanged."""
    from importwarden.config import load_settings
    from importwarden.workspace.index import WorkspaceIndex

    (tmp_path / ".git").mkdir()
    for pkg in ("a", "b"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "b" / "mod.py").write_text("Y = 1\n")  # no X in b.mod
    index = WorkspaceIndex.build(load_settings(tmp_path))
    proj = project(tmp_path, [entry("a.mod:X", "broken", "b.mod:X")], index=index)
    result = fix_source(proj, tmp_path / "m.py", "from a.mod import X\n")
    assert result.new_source == "from a.mod import X\n"
    reasons = [why for _, why in result.left]
    assert "refused: `b.mod:X` does not exist in the workspace" in reasons, reasons


def test_replacement_chain_loop_changes_nothing(tmp_path):
    proj = project(tmp_path, [entry("a:X", "broken", "b:X"), entry("b:X", "broken", "a:X")])
    result = fix_source(proj, "m.py", "from a import X\n")
    assert result.new_source == "from a import X\n"
    assert result.applied == []
    assert "fixes loop" in result.left[0][1]


def test_chain_followed(tmp_path):
    proj = project(tmp_path, [entry("a:X", "broken", "b:X"), entry("b:X", "deprecated", "c:X")])
    result = fix_source(proj, "m.py", "from a import X\n")
    assert result.new_source == "from c import X\n"


def test_noqa_suppressed_not_fixed(proj):
    source = "from a import X  # noqa: IW001\n"
    assert fix_source(proj, "m.py", source).new_source == source


def test_findings_passed_in_save_the_first_check(proj):
    source = "from a import X\n"
    calls = []
    real = proj.check_source

    def counting(path, text):
        calls.append(text)
        return real(path, text)

    findings = real("m.py", source)
    proj.check_source = counting
    result = fix_source(proj, "m.py", source, findings=findings)
    assert result.new_source == "from b import X\n"
    assert calls == ["from b import X\n"]  # only the re-check of the fixed text
