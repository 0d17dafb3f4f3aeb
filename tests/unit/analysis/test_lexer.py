"""The compiled first pass (server/importwarden/analysis/_lexer.c) gives exactly what its
pure-Python fallback ``lexer.lex_py`` (the regex) gives: on every Python file of the
repository and of the benchmark corpora when they are generated, on texts built from the
characters that decide a match (quotes, backslashes, line breaks, ``#``, the keywords' letters,
brackets, digits, non-ASCII word and non-word characters, lone surrogates), and at every cut of
the edge cases: the same spans, keywords and column-0 line starts.

Where a C compiler exists, the extension must have been built (``scripts/bootstrap`` installs
it): these tests do not skip it silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.analysis import lexer

REPO = Path(__file__).resolve().parents[3]
_REAL = REPO / "benchmarks" / "corpus-real"
CORPORA = [REPO / "benchmarks" / "corpus",
           *(sorted(p for p in _REAL.iterdir() if p.is_dir()) if _REAL.is_dir() else [])]

needs_compiled = pytest.mark.skipif(
    not lexer.COMPILED and shutil.which("cc") is None and shutil.which("gcc") is None,
    reason="no C compiler here, so no compiled lexer: the pure-Python path is the only one")


def test_the_extension_is_built_where_a_compiler_exists() -> None:
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler")
    if os.environ.get("IMPORTWARDEN_PURE_PYTHON"):
        pytest.skip("IMPORTWARDEN_PURE_PYTHON is set")
    assert lexer.COMPILED, ("importwarden.analysis._lexer was not built: run scripts/bootstrap "
                            "(or, with setuptools>=77: python setup.py build_ext --inplace)")
    assert lexer.lex is lexer.lex_c
    from importwarden.analysis import _lexer

    assert _lexer.VERSION == lexer.VERSION


def _check(text: str) -> None:
    assert lexer.lex_c(text) == lexer.lex_py(text), repr(text)


EDGES = [
    "", "#", "'", '"', "'''", '"""', "''''", "'''''", "''''''", "\\", "'\\", "'''\\", '"""a\\',
    "'''a\\'''", "'''a\\''''", "'a\\\r\nb'", "'a\\\rb'", "'a\\\nb", "'a\rb'", "'a\r\nb'",
    "import", "importx", "import_", "import.", "from", "fromage", "from ", "xfrom", "reimport",
    "import\u00e9", "import\u00b2", "import\u0661", "import\u2028", "import\U0001f600",
    "from\u00e9", "from-", "imp", "fro", "# import x\nimport y", "'import'", "f'{x}' from",
    "s = '''doc\n'' \"\"\" ''' import a", "\"\"\"a\"\"b\"\"\"", "'a' 'b' \"c\" # d\r\ne",
    "x = '\ud800' # \udfff\nimport \ud83d", "'\u00e9\\\u00e9' import", "#\r#\n#",
    "from . import (a, # c\n b)\n", "'''\n\n'''import", "r'\\'' from",
    # line starts: after LF, CR, CRLF; not after a break inside a string; comments end first
    "\nx = 1\r\ny = 2\rz = 3", "\n(a, b) = c\n[d] = e\n1 = f\n.g\n\u00e9 = 1\n\u00b2",
    "'''\nx = 1\n'''\ny = 2", "'a\\\nb = 1'\nc", "# x\ny\n#z\r\n_w", "x = '\ny", "\n\n\n",
]


@needs_compiled
@pytest.mark.parametrize("text", EDGES)
def test_edge_cases_and_every_prefix_of_them(text: str) -> None:
    for cut in range(len(text) + 1):
        _check(text[:cut])
        _check(text[cut:])


@needs_compiled
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([
    "'", '"', "'''", '"""', "\\", "\r", "\n", "\r\n", "#", " ", "i", "f", "import", "from",
    "mport", "rom", "x", "_", "1", ".", "(", "[", ",", "=", "\u00e9", "\u00b2", "\u0661", "\u2028",
    "\U0001f600", "\ud800", "\t", "\f",
]), max_size=40).map("".join))
def test_generated_texts(text: str) -> None:
    _check(text)


def _py_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def _assert_same_on(paths: list[Path]) -> int:
    bad, n = [], 0
    for p in paths:
        try:
            text = p.read_bytes().decode("utf-8", "surrogateescape")
        except OSError:
            continue
        n += 1
        if lexer.lex_c(text) != lexer.lex_py(text):
            bad.append(str(p))
    assert not bad, bad[:20]
    return n


@needs_compiled
def test_same_on_the_repository_files() -> None:
    n = _assert_same_on([p for d in ("server", "tests", "benchmarks", "demo")
                         for p in _py_files(REPO / d)
                         if not any(part.startswith("corpus") for part in p.relative_to(REPO).parts)])
    assert n > 300


@needs_compiled
@pytest.mark.skipif(not any(c.is_dir() for c in CORPORA), reason="no benchmark corpus generated")
def test_same_on_every_corpus_file() -> None:
    assert _assert_same_on([p for c in CORPORA if c.is_dir() for p in _py_files(c)]) > 10_000


def test_pure_python_is_used_when_asked() -> None:
    code = "from importwarden.analysis import lexer; print(lexer.COMPILED, lexer.lex is lexer.lex_py)"
    env = {**os.environ, "IMPORTWARDEN_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


@needs_compiled
def test_a_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        lexer.lex_c(b"import x")


def test_a_stale_build_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-place build from an older checkout (another ``lex`` shape) falls back to Python."""
    import types

    stale = types.ModuleType("importwarden.analysis._lexer")
    stale.VERSION = lexer.VERSION - 1
    stale.lex = lambda text: ([], [])
    monkeypatch.setitem(sys.modules, "importwarden.analysis._lexer", stale)
    monkeypatch.delenv("IMPORTWARDEN_PURE_PYTHON", raising=False)
    assert lexer._compiled() is None
    stale.VERSION = lexer.VERSION
    assert lexer._compiled() is stale.lex
