"""Every fix shape in LF, CRLF and CR files: the result is the LF result in the file's own
newline style, it compiles, and the editor's quick fix (``Project.plan_fix``, what
``lsp/actions.py`` offers) makes the same edit as ``fix``.

Before: a ``\\`` continuation in a CRLF file became ``\\`` CR CRLF (the file no longer
compiled), and merging into a parenthesised ``from b import (…)`` wrote bare LFs into it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from importwarden.config import load_settings
from importwarden.fixes import apply_edits, fix_source
from importwarden.workspace.index import WorkspaceIndex

from projects import entry, mock, project

FILES = {
    "a/__init__.py": "X = Z = W = Q = 1\n", "b/__init__.py": "X = Y = W2 = 1\n",
    "c/__init__.py": "Z = 1\n", "old/__init__.py": "", "old/mod.py": "def f(): ...\n",
    "new/__init__.py": "", "new/mod.py": "def f(): ...\nclass C:\n    def m(self): ...\n",
    "pkg/__init__.py": "", "pkg/a.py": "X = 1\n", "pkg/m.py": "",
    "lib/__init__.py": "", "lib/core.py": "T = 1\n", "lib/tools.py": "T = 1\n",
}
ENTRIES = [entry("a:X", "broken", "b:X"), entry("a:Z", "broken", "c:Z"),
           entry("a:W", "deprecated", "b:W2"), entry("old.mod", "broken", "new.mod"),
           entry("pkg.a:X", "broken", "b:X"), entry("lib.core:T", "broken", "lib.tools:T")]

# shape -> (before, after), in LF; the same pair must hold with CRLF and CR.
SHAPES = {
    "rename module": ("from a import X\nprint(X)\n", "from b import X\nprint(X)\n"),
    "rename name": ("from a import W\nprint(W)\n", "from b import W2 as W\nprint(W)\n"),
    "split": ("from a import X, Q\nprint(X, Q)\n",
              "from a import Q\nfrom b import X\nprint(X, Q)\n"),
    "split indented": ("if True:\n    from a import X, Q\n    print(X, Q)\n",
                       "if True:\n    from a import Q\n    from b import X\n    print(X, Q)\n"),
    "split same line": ("import os; from a import X, Q\n",
                        "import os; from a import Q; from b import X\n"),
    "split noqa": ("from a import X, Q  # noqa: F401\n",
                   "from a import Q  # noqa: F401\nfrom b import X  # noqa: F401\n"),
    "merge": ("from b import Y\nfrom a import X\nprint(X, Y)\n",
              "from b import Y, X\nprint(X, Y)\n"),
    "merge into parenthesised": ("from b import (\n    Y,\n)\nfrom a import X\nprint(X, Y)\n",
                                 "from b import (\n    Y,\n    X,\n)\nprint(X, Y)\n"),
    "merge parenthesised away": ("from b import Y\nfrom a import (\n    X,\n)\nprint(X, Y)\n",
                                 "from b import Y, X\nprint(X, Y)\n"),
    "merge continuation away": ("from b import Y\nfrom a \\\n    import X\nprint(X, Y)\n",
                                "from b import Y, X\nprint(X, Y)\n"),
    "import a.b": ("import old.mod\nold.mod.f()\n", "import new.mod\nnew.mod.f()\n"),
    "import a.b, os": ("import old.mod, os\nold.mod.f(os)\n",
                       "import new.mod, os\nnew.mod.f(os)\n"),
    "attribute": ("import lib.core\nprint(lib.core.T)\n",
                  "import lib.core\nimport lib.tools\nprint(lib.tools.T)\n"),
    "attribute after comment": ("import lib.core  # core\nprint(lib.core.T)\n",
                                "import lib.core  # core\nimport lib.tools\nprint(lib.tools.T)\n"),
    "attribute semicolon": ("import lib.core; x = 1\nprint(lib.core.T)\n",
                            "import lib.core; import lib.tools; x = 1\nprint(lib.tools.T)\n"),
    "attribute indented": ("def f():\n    import lib.core\n    return lib.core.T\n",
                           "def f():\n    import lib.core\n    import lib.tools\n"
                           "    return lib.tools.T\n"),
    "relative to absolute": ("from .a import X\nprint(X)\n", "from b import X\nprint(X)\n"),
    "mock target": ("from unittest.mock import patch\n\n@patch('old.mod.C.m')\ndef t(m):\n"
                    "    pass\n",
                    "from unittest.mock import patch\n\n@patch('new.mod.C.m')\ndef t(m):\n"
                    "    pass\n"),
    "continuation": ("from a \\\n    import X\nprint(X)\n", "from b \\\n    import X\nprint(X)\n"),
    "continuation split": ("from a \\\n    import X, \\\n    Q\nprint(X, Q)\n",
                           "from a \\\n    import Q\nfrom b import X\nprint(X, Q)\n"),
    "parenthesised": ("from a import (X,  # why\n    Q)\nprint(X, Q)\n",
                      "from a import (Q)\nfrom b import X\nprint(X, Q)\n"),
    "parenthesised all": ("from a import (\n    X,\n    Z,\n)\nprint(X, Z)\n",
                          "from b import (\n    X,\n)\nfrom c import Z\nprint(X, Z)\n"),
}
NEWLINES = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}
_BREAK = re.compile(r"\r\n|\r|\n")


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    root = tmp_path_factory.mktemp("nl")
    (root / ".git").mkdir()
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    index = WorkspaceIndex.build(load_settings(root))
    return project(root, ENTRIES, [mock("old.mod.C.m", "new.mod.C.m")], index=index)


def target(proj) -> Path:
    return proj.settings.root / "pkg" / "m.py"


def breaks(text: str) -> set[str]:
    return set(_BREAK.findall(text))


@pytest.mark.parametrize("nl", NEWLINES.values(), ids=NEWLINES.keys())
@pytest.mark.parametrize("shape", SHAPES)
def test_fix_keeps_the_newline_style(proj, shape, nl):
    before, after = (text.replace("\n", nl) for text in SHAPES[shape])
    result = fix_source(proj, target(proj), before, unsafe=True)
    assert result.new_source == after, (result.new_source, result.left)
    assert breaks(result.new_source) == {nl}
    compile(result.new_source, "m.py", "exec")


@pytest.mark.parametrize("nl", NEWLINES.values(), ids=NEWLINES.keys())
@pytest.mark.parametrize("shape", SHAPES)
def test_quick_fix_makes_the_same_edit(proj, shape, nl):
    """Each finding's planned fix, as the editor gets it, compiles and keeps the style; for
    shapes with one finding it is exactly what ``fix`` writes."""
    before, after = (text.replace("\n", nl) for text in SHAPES[shape])
    findings = [f for f in proj.check_source(target(proj), before) if f.replacement is not None]
    assert findings
    for finding in findings:
        planned = proj.plan_fix(finding, before)
        assert planned.fix is not None and planned.fix.edits, finding
        fixed = apply_edits(before, planned.fix.edits)
        compile(fixed, "m.py", "exec")
        assert breaks(fixed) <= {nl}
        if len(findings) == 1:
            assert fixed == after


# --- property: what compiled before fix compiles after it, in its newline style -------------

STATEMENTS = [
    "from a import X", "from a import X, Q", "from a import X as R", "from a import W",
    "from a import (X,\n    Q)", "from a import (\n    X,  # c\n    Z,\n)",
    "from a \\\n    import X", "from a \\\n    import X, \\\n    Z", "from b import Y",
    "from b import (\n    Y,\n)", "from .a import X", "import old.mod", "old.mod.f()",
    "import old.mod, os", "import lib.core", "print(lib.core.T)", "import lib.core; y = 2",
    "from a import X, Q  # noqa: F401", "import os; from a import X, Z", "x = 1  # note",
    "patch('old.mod.C.m')", "if True:\n    from a import X, Q\n    pass",
    "def f():\n    import lib.core\n    return lib.core.T",
    "try:\n    from a import (\n        Z,\n    )\nexcept ImportError:\n    pass",
]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=8),
       nl=st.sampled_from(list(NEWLINES.values())), unsafe=st.booleans())
def test_compiles_before_compiles_after(proj, body, nl, unsafe):
    source = ("\n".join(body) + "\n").replace("\n", nl)
    compile(source, "m.py", "exec")
    result = fix_source(proj, target(proj), source, unsafe=unsafe)
    compile(result.new_source, "m.py", "exec")
    assert breaks(result.new_source) == {nl}, repr(result.new_source)


# --- the editor's fix-all: one minimal edit between two texts (lsp/actions.py) ---------------

@settings(max_examples=300, deadline=None)
@given(old=st.text(alphabet="ab\r\n", max_size=12), new=st.text(alphabet="ab\r\n", max_size=12))
def test_fix_all_edit_turns_the_old_text_into_the_new(old, new):
    """Its positions are real LSP positions (never between the CR and LF of a CRLF, which
    ``apply_edits``, like a client, cannot address) and applying it gives the new text."""
    from importwarden.lsp.actions import minimal_edit

    edit = minimal_edit(old, new)
    if old == new:
        assert edit is None
        return
    assert apply_edits(old, [edit]) == new


def test_fix_all_edit_around_crlf():
    from importwarden.lsp.actions import minimal_edit

    edit = minimal_edit("a\r\nb", "a\nb")
    assert (edit.range.start.line, edit.range.start.character) == (0, 1)
    assert (edit.range.end.line, edit.range.end.character) == (1, 0)
    assert edit.content == "\n"
