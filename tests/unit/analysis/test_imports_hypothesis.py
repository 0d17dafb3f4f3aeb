"""Property tests: generated imports and mock calls inside random surrounding code.

The scanner must agree with the ``ast`` reference on every generated (valid) file, and never
raise on any prefix of one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importwarden.analysis.scanner import scan

sys.path.insert(0, str(Path(__file__).parent))
from ast_reference import reference
from scan_compare import comparable, sort

ident = st.sampled_from(["a", "b", "pkg", "mod", "ünï", "cødé", "x1", "_p", "Ω", "sub"])
dotted = st.lists(ident, min_size=1, max_size=3).map(".".join)
target = st.lists(ident, min_size=2, max_size=4).map(".".join)
ws = st.sampled_from([" ", "  ", "\t"])


@st.composite
def import_stmt(draw) -> str:
    names = draw(st.lists(st.tuples(dotted, st.one_of(st.none(), ident)), min_size=1,
                          max_size=3))
    parts = [n + (f" as {a}" if a else "") for n, a in names]
    sep = draw(st.sampled_from([", ", ",", ", \\\n    "]))
    return "import" + draw(ws) + sep.join(parts)


@st.composite
def from_stmt(draw) -> str:
    dots = draw(st.sampled_from(["", "", ".", "..", ". ."]))
    mod = draw(dotted) if not dots or draw(st.booleans()) else ""
    names = draw(st.lists(st.tuples(ident, st.one_of(st.none(), ident)), min_size=1,
                          max_size=3))
    parts = [n + (f" as {a}" if a else "") for n, a in names]
    if draw(st.booleans()):
        star = draw(st.booleans()) and not dots
        if star:
            body = "*"
        else:
            body = ", ".join(parts)
    else:
        inner = draw(st.sampled_from([", ", ",\n    ", ",  # c'omment é\n  "])).join(parts)
        trail = draw(st.sampled_from(["", ",", ",\n"]))
        body = f"(\n    {inner}{trail})"
    space = " " if mod or not dots else draw(st.sampled_from([" ", ""]))
    return f"from {dots}{space if dots and mod else ''}{mod} import {body}"


@st.composite
def mock_call(draw) -> str:
    callee = draw(st.sampled_from([
        "patch", "mock.patch", "unittest.mock.patch", "patch.multiple", "patch.dict",
        "mocker.patch", "mocker.patch.dict", "monkeypatch.setattr"]))
    q = draw(st.sampled_from(["'", '"', "'''"]))
    kw = "target=" if callee in ("patch", "mock.patch") and draw(st.booleans()) else ""
    return f"{callee}({kw}{q}{draw(target)}{q})"


filler = st.sampled_from([
    "x = 'import fake'", 's = """\nfrom nope import x\n"""', "# import commented ü 😀",
    "y = f'{1}' + \"from\"", "z = a.b.c", "pkg.mod.q = 1", "print(ünï.cødé.X, mod.Y)",
    "w = (\n  1,\n)", "pass", "def f():\n    return 1", "sub.T(a.x)",
])


@st.composite
def block(draw) -> str:
    stmt = draw(st.one_of(import_stmt(), from_stmt(), mock_call(), filler))
    wrap = draw(st.sampled_from(["", "def", "if_tc", "try", "class"]))
    body = "\n".join("    " + ln for ln in stmt.split("\n"))
    if wrap == "def":
        return f"def fn():\n{body}"
    if wrap == "if_tc":
        return f"if TYPE_CHECKING:\n{body}"
    if wrap == "try":
        return f"try:\n{body}\nexcept ImportError:\n    pass"
    if wrap == "class":
        return f"class K:\n{body}"
    return stmt


source = st.lists(block(), min_size=1, max_size=8).map("\n".join)


def _valid(src: str) -> bool:
    try:
        compile(src, "<gen>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source, st.sampled_from(["\n", "\r\n"]))
def test_scanner_equals_ast_reference(src: str, nl: str) -> None:
    if not _valid(src):
        return
    src = src.replace("\n", nl)
    assert comparable(scan(src, "p.q.m")) == sort(reference(src, "p.q.m"))


@settings(max_examples=100, deadline=None)
@given(source, st.data())
def test_truncated_files_never_raise(src: str, data) -> None:
    cut = data.draw(st.integers(0, len(src)))
    scan(src[:cut], "p.m")
    scan(src[:cut] + "\n" + src[cut:][::-1], "p.m")
