"""plan_fix beyond the before/after table: refusals, broken files, mock strings, attributes."""

from __future__ import annotations

import pytest

from importwarden.analysis.findings import Position, Range
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.fixes import Refusal, apply_edits, plan_fix
from importwarden.registry.model import Applicability, Target

from fixhelpers import fix, mock_ref, ref_for

S, U, N = Applicability.SAFE, Applicability.UNSAFE, Applicability.NONE


def plan(source, name, replacement, applicability=S, exists=None):
    return plan_fix(source, ref_for(source, name), Target.parse(replacement), applicability, exists)


# --- refusals ------------------------------------------------------------------------------

def test_refuses_target_missing_from_workspace():
    seen = []
    result = plan("from a import X\n", "X", "b:X", exists=lambda t: seen.append(t) or False)
    assert isinstance(result, Refusal)
    assert result.reason == "`b:X` does not exist in the workspace"
    assert seen == [Target("b", "X")]


def test_unknown_existence_does_not_refuse():
    assert not isinstance(plan("from a import X\n", "X", "b:X", exists=lambda t: None), Refusal)


def test_refuses_without_replacement():
    ref = ref_for("from a import X\n", "X")
    assert plan_fix("from a import X\n", ref, None, N).reason == "no replacement in the registry"
    assert isinstance(plan("from a import X\n", "X", "b:X", N), Refusal)


def test_refuses_replacement_equal_to_current():
    assert "already written" in plan("from a import X\n", "X", "a:X").reason


def test_refuses_statement_that_does_not_parse():
    source = "from a import (X, \n"
    ref = ImportRef(RefKind.FROM, "a", "X", None, Range.of(0, 15, 0, 16), Range.of(0, 5, 0, 6),
                    Range.of(0, 0, 0, 18))
    result = plan_fix(source, ref, Target("b", "X"), S)
    assert isinstance(result, Refusal) and "does not parse" in result.reason


def test_refuses_name_not_in_statement():
    source = "from a import Z\n"
    ref = ImportRef(RefKind.FROM, "a", "X", None, Range.of(0, 14, 0, 15), Range.of(0, 5, 0, 6),
                    Range.of(0, 0, 0, 15))
    assert "`X` is not imported" in plan_fix(source, ref, Target("b", "X"), S).reason


def test_refuses_range_past_end_of_file():
    ref = ImportRef(RefKind.FROM, "a", "X", None, Range.of(9, 0, 9, 1), Range.of(9, 0, 9, 1),
                    Range.of(9, 0, 9, 15))
    assert "past the end" in plan_fix("x\n", ref, Target("b", "X"), S).reason


def test_refuses_star_to_single_name():
    assert "cannot move to a single name" in plan("from a import *\n", "*", "b:X").reason


def test_refuses_module_import_to_name():
    assert "cannot point at a name" in plan("import a.b\n", "a.b", "c.d:X").reason


def test_refuses_module_import_uses_when_file_does_not_parse():
    source = "import a.b\nx = a.b.X(\n"
    ref = ImportRef(RefKind.IMPORT, "a.b", None, None, Range.of(0, 7, 0, 10),
                    Range.of(0, 7, 0, 10), Range.of(0, 0, 0, 10))
    result = plan_fix(source, ref, Target("c.d"), S)
    assert isinstance(result, Refusal) and "does not parse" in result.reason


def test_refuses_module_import_when_root_rebound():
    assert "rebound" in plan("import a.b\na = 1\nprint(a.b.X)\n", "a.b", "c.d").reason


def test_refuses_module_import_when_root_used_otherwise():
    result = plan("import a.b\nprint(a.b.X, a.other)\n", "a.b", "c.d")
    assert "also used on line 2" in result.reason


def test_module_import_same_root_keeps_other_uses():
    assert fix("import a.b\nprint(a.b.X, a.other)\n", "a.b", "a.z") == \
        "import a.z\nprint(a.z.X, a.other)\n"


# --- files that do not parse: the statement alone is enough -------------------------------

def test_fix_works_when_rest_of_file_is_broken():
    source = "import os\nfrom a import X, Z\n\ndef f(:\n    retur X\n"
    # ast cannot see this file: build the ref by hand as the tolerant extractor reports it.
    ref = ImportRef(RefKind.FROM, "a", "X", None, Range.of(1, 14, 1, 15), Range.of(1, 5, 1, 6),
                    Range.of(1, 0, 1, 18))
    result = plan_fix(source, ref, Target("b", "X"), S)
    assert not isinstance(result, Refusal)
    assert [e.range for e in result.edits] == [Range.of(1, 0, 1, 18)]
    assert apply_edits(source, result.edits) == \
        "import os\nfrom a import Z\nfrom b import X\n\ndef f(:\n    retur X\n"


def test_broken_file_skips_merge_but_still_fixes():
    source = "from b import Y\nfrom a import X\nif (:\n"
    ref = ImportRef(RefKind.FROM, "a", "X", None, Range.of(1, 14, 1, 15), Range.of(1, 5, 1, 6),
                    Range.of(1, 0, 1, 15))
    result = plan_fix(source, ref, Target("b", "X"), S)
    assert apply_edits(source, result.edits) == "from b import Y\nfrom b import X\nif (:\n"


def test_indented_broken_file():
    source = "class C:\n    def f(self):\n        from a import (X,\n            Z)\n    x = (\n"
    ref = ImportRef(RefKind.FROM, "a", "Z", None, Range.of(3, 12, 3, 13), Range.of(2, 13, 2, 14),
                    Range.of(2, 8, 3, 14))
    result = plan_fix(source, ref, Target("b", "Z"), S)
    assert apply_edits(source, result.edits) == (
        "class C:\n    def f(self):\n        from a import (X)\n        from b import Z\n"
        "    x = (\n")


def test_edit_confined_to_statement():
    source = "x = 1\nfrom a import X, Z  # c\ny = 2\n"
    result = plan(source, "X", "b:X")
    assert all(e.range.start.line == 1 and e.range.end.line == 1 for e in result.edits)


# --- applicability and messages -----------------------------------------------------------

def test_fix_carries_applicability_and_message():
    result = plan("from a import X\n", "X", "b:Y", U)
    assert result.applicability is U
    assert result.message == "Import `Y` from `b` as `X` instead of `X` from `a`"
    assert plan("from a import X\n", "X", "b:X").message == "Import `X` from `b` instead of `a`"


# --- mock targets --------------------------------------------------------------------------

@pytest.mark.parametrize("literal", [
    "'a.b.C.meth'", '"a.b.C.meth"', "'''a.b.C.meth'''", '"""a.b.C.meth"""', "r'a.b.C.meth'",
    'u"a.b.C.meth"', "R'''a.b.C.meth'''",
])
def test_mock_keeps_quote_style(literal):
    source = f"from unittest.mock import patch\n\n@patch({literal})\ndef test(m): ...\n"
    ref = mock_ref(source, "a.b.C.meth")
    result = plan_fix(source, ref, Target("c.d.C.meth"), U)
    assert apply_edits(source, result.edits) == source.replace("a.b.C.meth", "c.d.C.meth")


def test_mock_with_name_replacement():
    source = "mocker.patch(target='a.b.C')\n"
    result = plan_fix(source, mock_ref(source, "a.b.C"), Target("c.d", "C"), S)
    assert apply_edits(source, result.edits) == "mocker.patch(target='c.d.C')\n"


def test_mock_refuses_escaped_string():
    source = "patch('a.b\\x2eC')\n"
    ref = ImportRef(RefKind.MOCK, "a.b.C", None, None, Range.of(0, 7, 0, 16),
                    Range.of(0, 7, 0, 16), Range.of(0, 6, 0, 17), quote="'")
    result = plan_fix(source, ref, Target("c.d.C"), S)
    assert isinstance(result, Refusal) and "escapes" in result.reason


def test_mock_refuses_fstring():
    source = "patch(f'a.b.C')\n"
    ref = ImportRef(RefKind.MOCK, "a.b.C", None, None, Range.of(0, 8, 0, 13),
                    Range.of(0, 8, 0, 13), Range.of(0, 6, 0, 14), quote="'")
    assert "f-strings" in plan_fix(source, ref, Target("c.d.C"), S).reason


# --- attribute uses of `import a.b` for a name-level move ---------------------------------

def attr_ref(source, line, col_module, module_text, name):
    end_mod = col_module + len(module_text)
    return ImportRef(RefKind.ATTRIBUTE, "a.b", name, None,
                     Range.of(line, end_mod + 1, line, end_mod + 1 + len(name)),
                     Range.of(line, col_module, line, end_mod), Range.of(0, 0, 0, 10))


def test_attribute_adds_import_and_rewrites_use():
    source = "import a.b\n\nv = a.b.X()\n"
    result = plan_fix(source, attr_ref(source, 2, 4, "a.b", "X"), Target("c.d", "X"), S)
    assert apply_edits(source, result.edits) == "import a.b\nimport c.d\n\nv = c.d.X()\n"


def test_attribute_rename_and_existing_import():
    source = "import a.b\nimport c.d\nv = a.b.X()\n"
    result = plan_fix(source, attr_ref(source, 2, 4, "a.b", "X"), Target("c.d", "Y"), U)
    assert apply_edits(source, result.edits) == "import a.b\nimport c.d\nv = c.d.Y()\n"


def test_attribute_through_alias():
    source = "import a.b as m  # keep\nv = m.X\n"
    result = plan_fix(source, attr_ref(source, 1, 4, "m", "X"), Target("c.d", "X"), S)
    assert apply_edits(source, result.edits) == "import a.b as m  # keep\nimport c.d\nv = c.d.X\n"


def test_attribute_refuses_in_broken_file():
    source = "import a.b\nv = a.b.X(\n"
    result = plan_fix(source, attr_ref(source, 1, 4, "a.b", "X"), Target("c.d", "X"), S)
    assert isinstance(result, Refusal) and "does not parse" in result.reason


def test_attribute_refuses_wrong_range():
    source = "import a.b\nv = q.r.X\n"
    result = plan_fix(source, attr_ref(source, 1, 4, "a.b", "X"), Target("c.d", "X"), S)
    assert isinstance(result, Refusal)


# --- several names of one statement at once -------------------------------------------------

def test_plan_statement_moves_several_names():
    from fixhelpers import refs
    from importwarden.fixes import plan_statement

    source = "from a import (\n    X,\n    Y,\n    Z,\n)\n"
    rs = {r.name: r for r in refs(source)}
    result = plan_statement(source, [(rs["X"], Target("b", "X")), (rs["Z"], Target("c", "Z2"))], U)
    assert apply_edits(source, result.edits) == \
        "from a import (\n    Y,\n)\nfrom b import X\nfrom c import Z2 as Z\n"
    result = plan_statement(source, [(rs[n], Target("b", n)) for n in "XYZ"], S)
    assert apply_edits(source, result.edits) == "from b import (\n    X,\n    Y,\n    Z,\n)\n"


# --- with the analysis extractor's refs (what the engine passes in) --------------------------

def test_extractor_refs_in_a_file_that_does_not_parse():
    from importwarden.analysis.imports import extract

    source = ("import a.b as m\nfrom .x import (Y,\n   Z)  # c\nif T: from q import R; import s\n"
              "@patch(r'''a.b.C.meth''')\ndef broken(:\n")
    got = {}
    for ref in extract(source, "pkg.mod", False).refs:
        key = ref.name or ref.module
        if key == "Y":
            continue
        new = {"a.b": Target("c.d"), "Z": Target("pkg.z", "Z"), "R": Target("q2", "R"),
               "s": Target("s2"), "a.b.C.meth": Target("c.d.C.meth")}[key]
        got[key] = plan_fix(source, ref, new, S)
        if key == "s":  # `import s` binds `s`: its uses need the whole file, which is broken
            assert "does not parse" in got[key].reason
            continue
        assert not isinstance(got[key], Refusal), (key, got[key])
    out = apply_edits(source, [e for k in ("a.b", "Z", "R", "a.b.C.meth") for e in got[k].edits])
    assert out == ("import c.d as m\nfrom .x import (Y)  # c\nfrom pkg.z import Z\n"
                   "if T: from q2 import R; import s\n@patch(r'''c.d.C.meth''')\ndef broken(:\n")


def test_extractor_attribute_ref():
    from importwarden.analysis.imports import RefKind, extract

    source = "import a.b\n\ndef f():\n    return a.b.X()\n"
    ref = next(r for r in extract(source, "m", False).refs if r.kind is RefKind.ATTRIBUTE)
    plan = plan_fix(source, ref, Target("c.d", "X"), S)
    assert apply_edits(source, plan.edits) == \
        "import a.b\nimport c.d\n\ndef f():\n    return c.d.X()\n"


def test_merge_prefilter_finds_from_imports_at_word_starts_only():
    """``scope._first_from_import_ends`` searches for the literal ``from`` and checks the word
    boundary before it afterwards (a look-behind); the same matches as ``\\bfrom``."""
    import re

    from importwarden.fixes import scope

    reference = re.compile(r"\bfrom[ \t\\\r\n]+([^\W\d]\w*(?:[ \t]*\.[ \t]*[^\W\d]\w*)*)"
                           r"[ \t\\\r\n]+import\b")
    text = ("from a import b\nxfrom c import d\n_from e import f\néfrom g import h\n"
            "fromfrom i import j\n(from k . l import m)\n1from n import o\nfrom\\\n p import q\n")
    expected: dict[str, int] = {}
    for m in reference.finditer(text):
        expected.setdefault(re.sub(r"[ \t]+", "", m.group(1)), m.end())
    assert scope._first_from_import_ends(text) == expected
    assert set(expected) == {"a", "k.l", "p"}


def test_attribute_import_goes_after_the_first_binder_breadth_first():
    """The binder is the first ``import a.b`` in ``ast.walk`` order: a module-level one beats
    one inside a function written before it."""
    source = ("def f():\n    import a.b\n\ntry:\n    pass\nexcept ImportError:\n    import a.b\n"
              "import a.b\nv = a.b.X\n")
    result = plan_fix(source, attr_ref(source, 8, 4, "a.b", "X"), Target("c.d", "X"), S)
    assert apply_edits(source, result.edits) == (
        "def f():\n    import a.b\n\ntry:\n    pass\nexcept ImportError:\n    import a.b\n"
        "import a.b\nimport c.d\nv = c.d.X\n")


def test_import_statements_are_those_ast_walk_finds_in_its_order():
    """``scope.import_statements`` visits statements only; ``ast.walk`` visits every node.
    Over this package's own modules and a file with every kind of block."""
    import ast
    from pathlib import Path

    from importwarden.fixes import scope

    blocks = ("import z0\nclass C:\n    import z1\n    def m(self):\n        import z2\n"
              "for x in y:\n    import z3\nelse:\n    import z4\nwhile w:\n    import z5\n"
              "else:\n    import z6\nwith q as r:\n    import z7\nasync def g():\n"
              "    async with q:\n        import z8\n    async for i in j:\n        import z9\n"
              "try:\n    import z10\nexcept E:\n    import z11\nelse:\n    if c:\n        import z12\n"
              "finally:\n    import z13\nmatch v:\n    case 1:\n        import z14\n"
              "    case _:\n        import z15\nif a:\n    import z16\nelif b:\n    import z17\n"
              "else:\n    import z18, z19 as zz\nlambda: 0\nimport z20\n")
    root = Path(scope.__file__).resolve().parents[1]
    texts = [blocks] + [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))]
    for text in texts:
        walked = [n for n in ast.walk(scope.parse(text)) if isinstance(n, ast.Import)]
        assert scope.import_statements(text) == walked
    assert len(scope.import_statements(blocks)) == 20
    assert scope.import_statements("import a\nv = (\n") is None
