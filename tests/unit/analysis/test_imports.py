"""Import extraction: forms, flags, positions, mock targets and tolerance of broken code."""

from __future__ import annotations

from importwarden.analysis.imports import FileImports, RefKind, extract
from importwarden.textio import decode_source, split_lines


def refs(src: str, module: str | None = "pkg.mod", is_package: bool = False):
    fi = extract(src, module, is_package)
    assert isinstance(fi, FileImports)
    return fi.refs


def text_at(src: str, r) -> str:
    lines = split_lines(src)
    assert r.start.line == r.end.line
    return lines[r.start.line][r.start.character : r.end.character]


def test_import_forms_and_ranges() -> None:
    src = "import a.b as c, d\nfrom x.y import (p,  # why\n    q as r,\n)\nfrom x import *\n"
    got = refs(src)
    assert [(r.kind, r.module, r.name, r.alias) for r in got] == [
        (RefKind.IMPORT, "a.b", None, "c"),
        (RefKind.IMPORT, "d", None, None),
        (RefKind.FROM, "x.y", "p", None),
        (RefKind.FROM, "x.y", "q", "r"),
        (RefKind.FROM, "x", "*", None),
    ]
    assert text_at(src, got[0].range) == "a.b"
    assert text_at(src, got[2].range) == "p" and text_at(src, got[2].module_range) == "x.y"
    assert got[3].statement_range.end.line == 3  # closing paren
    assert text_at(src, got[4].range) == "*"


def test_relative_imports() -> None:
    got = refs("from . import a\nfrom ..b import c\nfrom .... import d\n", "p.q.m")
    assert [(r.module, r.level, r.unresolved_relative) for r in got] == [
        ("p.q", 1, False), ("p.b", 2, False), ("", 4, True)]
    pkg = refs("from .sub import x\n", "p.q", is_package=True)
    assert pkg[0].module == "p.q.sub"
    src = "from  .. sub import x\n"
    assert text_at(src, refs(src, "a.b.c")[0].module_range) == ".. sub"


def test_strings_and_comments_never_count() -> None:
    src = '"""\nimport nope\n"""\n# import nope2\nx = "from a import b"\nimport real\n'
    assert [r.module for r in refs(src)] == ["real"]


def test_flags() -> None:
    src = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import tc\nelse:\n    import notc\n"
        "try:\n    import opt\nexcept (ValueError, ImportError):\n    import fallback\n"
        "try:\n    import strict\nexcept ValueError:\n    pass\n"
        "def f():\n    import local\n"
        "class C:\n    if True:\n        import deep\n"
        "x = 1; import semi\n"
        "if TYPE_CHECKING: import sameline\n"
    )
    by = {r.module: r for r in refs(src)}
    assert by["tc"].type_checking and by["tc"].indented and not by["tc"].in_def
    assert not by["notc"].type_checking
    assert by["opt"].guarded and not by["fallback"].guarded and not by["strict"].guarded
    assert by["local"].in_def and by["deep"].in_def and by["deep"].indented
    assert not by["semi"].indented
    assert by["sameline"].type_checking and by["sameline"].indented
    assert not by["typing"].indented


def test_backslash_continuation_and_semicolons() -> None:
    src = "import a, \\\n    b; from c \\\n  import d\n"
    got = refs(src)
    assert [(r.module, r.name, r.range.start.line) for r in got] == [
        ("a", None, 0), ("b", None, 1), ("c", "d", 2)]


def test_attribute_uses() -> None:
    src = "import a.b\nimport c.d as m\nprint(a.b.X, m.Y, 'a.b.Z', a.b)  # a.b.W\nf'{m.F}'\n"
    got = [(r.module, r.name, r.alias, text_at(src, r.range))
           for r in refs(src) if r.kind is RefKind.ATTRIBUTE]
    assert got == [("a.b", "X", None, "X"), ("c.d", "Y", "m", "Y"), ("c.d", "F", "m", "F")]


def test_mock_targets() -> None:
    src = (
        "@patch('a.b.C.meth')\n"
        "@mock.patch(target=\"a.b.D\")\n"
        "def test(mocker, monkeypatch):\n"
        "    with unittest.mock.patch.dict('a.b.CFG', {}):\n"
        "        mocker.patch.multiple(r'a.b', x=1)\n"
        "    monkeypatch.setattr('a.b.E', 1)\n"
        "    monkeypatch.setattr(obj, 'name', 1)\n"
        "    patch('nodots')\n"
        "    patch.object(a, 'b.c')\n"
        "    patch(f'a.{x}')\n"
        "    patch('''a.b.T''')\n"
    )
    got = [r for r in refs(src) if r.kind is RefKind.MOCK]
    assert [(r.module, r.via, r.quote) for r in got] == [
        ("a.b.C.meth", "patch", "'"),
        ("a.b.D", "patch", '"'),
        ("a.b.CFG", "patch.dict", "'"),
        ("a.b", "mocker.patch.multiple", "'"),
        ("a.b.E", "monkeypatch.setattr", "'"),
        ("a.b.T", "patch", "'''"),
    ]
    for r in got:
        assert text_at(src, r.range) == r.module
        assert text_at(src, r.statement_range).endswith(r.quote)
    assert text_at(src, got[3].statement_range) == "r'a.b'"


def test_positions_crlf_cr_tabs_emoji_non_ascii() -> None:
    src = "# é 😀\r\nx = '😀😀'; import ünï.cødé\r\n\tif 1:\r\n\t\tfrom 😀 import x\rfrom q import w"
    got = refs(src)
    mods = [(r.module, r.range.start.line, r.range.start.character) for r in got]
    assert mods[0] == ("ünï.cødé", 1, 17)
    assert text_at(src, got[0].range) == "ünï.cødé"
    assert (mods[-1][0], mods[-1][1]) == ("q", 4)
    assert text_at(src, got[-1].range) == "w"


def test_bom_stripped_text() -> None:
    st = decode_source("\ufeffimport a\r\n".encode("utf-8"))
    assert st.bom and st.text.startswith("import")
    (r,) = refs(st.text)
    assert (r.range.start.line, r.range.start.character) == (0, 7)


def test_broken_code_keeps_the_other_imports() -> None:
    src = (
        "import good1\n"
        "from a.b import \n"
        "def f(:\n"
        "from c import (x,\n"
        "y = (((\n"
        "import good2\n"
        "from half.typed import\n"
    )
    got = [(r.module, r.name) for r in refs(src)]
    assert ("good1", None) in got and ("good2", None) in got
    assert ("c", "x") in got
    assert all(m != "a.b" for m, _ in got)


def test_python312_fstring_is_handled_gracefully() -> None:
    src = 'import a\nx = f"{d["k"]} {a.B}"\nimport b\n'
    got = [r.module for r in refs(src) if r.kind is RefKind.IMPORT]
    assert got == ["a", "b"]


def test_from_yield_and_raise_are_not_imports() -> None:
    src = "def g():\n    yield from x\n    raise E from err\n"
    assert refs(src) == ()


def test_truncation_never_raises() -> None:
    src = (
        "import os, sys as s\nfrom .a import (b,  # c\n  d as e)\n"
        "@patch('x.y.z')\ndef t():\n    '''doc import q'''\n    f'{os.path}'\n"
        "try:\n    import z\nexcept ImportError:\n    pass\n"
    )
    for i in range(len(src) + 1):
        extract(src[:i], "p.m")
