"""The scanner (server/importwarden/analysis/scanner.py) gives exactly the output of its frozen
copy tests/unit/analysis/scanner_reference.py: refs and bindings of ``scan_all`` and the refs of
``scan``, on every file of demo/ and tests/fixtures/, on generated sources (indented blocks,
try/except ImportError, TYPE_CHECKING, continuation lines, LF/CRLF/CR, strings mentioning
import), and, when they are generated, on every file of the benchmark corpora (the synthetic
benchmarks/corpus and the real benchmarks/corpus-real trees). The rewrite was for speed only:
any difference is a bug in it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importwarden.analysis import scanner

sys.path.insert(0, str(Path(__file__).parent))
import scanner_reference as reference

REPO = Path(__file__).resolve().parents[3]
_REAL = REPO / "benchmarks" / "corpus-real"
# (each real tree on its own: rglob does not enter a tree that is a symlink inside corpus-real)
CORPORA = [REPO / "benchmarks" / "corpus",
           *(sorted(p for p in _REAL.iterdir() if p.is_dir()) if _REAL.is_dir() else [])]


def _outputs(mod, text: str) -> tuple:
    return (mod.scan_all(text, "pkg.sub.mod"),
            mod.scan_all(text, "pkg", True, attributes=False),
            mod.scan(text, None))


def _differs(text: str) -> bool:
    return _outputs(scanner, text) != _outputs(reference, text)


def _texts(paths: list[Path]) -> list[tuple[Path, str]]:
    out = []
    for p in paths:
        try:
            out.append((p, p.read_bytes().decode("utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return out


def test_same_output_on_demo_and_fixture_files() -> None:
    files = [p for d in ("demo", "tests/fixtures") for p in sorted((REPO / d).rglob("*"))
             if p.is_file()]
    texts = _texts(files)
    assert len([p for p, _t in texts if p.suffix == ".py"]) > 100
    bad = [str(p) for p, t in texts if _differs(t)]
    assert not bad, bad[:20]


@pytest.mark.skipif(not any(c.is_dir() for c in CORPORA), reason="no benchmark corpus generated")
def test_same_output_on_every_corpus_file() -> None:
    bad = []
    n = 0
    for corpus in CORPORA:
        for p, t in _texts(sorted(corpus.rglob("*.py")) if corpus.is_dir() else []):
            n += 1
            if _differs(t):
                bad.append(str(p))
    assert n > 1000
    assert not bad, bad[:20]


# Shapes where reading by offsets in the whole text could run past a line's end (where the old
# scanner cut the line out first), or find the wrong line start.
_EDGES = [
    "if x:\n  async\n    def f(): pass\n    y = 1\n",
    "class C:\n    async\n def f(): import x\n",
    "try:\n    import a\nexcept KeyError\nImportError:\n    pass\n",
    "try:\n    import a\nexcept (KeyError,\n        ImportError):\n    pass\n",
    "try:\n    import a\nexcept\\\n ImportError:\n    pass\n",
    "if TYPE_CHECKING:\r    import a\r",
    "if TYPE_CHECKING\r:\r    import a\r",
    "if x:\r\n    if TYPE_CHECKING:\r\n        import a\r\n",
    "  import a\n",
    "if x:\n import a\n\n",
    "def f():\n    x = \'\'\'\n\'\'\'; import y\n",
    "def f():\r\n    x = \'\'\'\r\n\'\'\'; import y\r\n",
    "x = (\n    1)\nif x:\n    import z\n",
    "if x:\n\timport a\n        import b\n\t  y = 1\n",
    "try: import a\nexcept ImportError: pass\n",
    "if x:\n    try:\n        import a\n    except ImportError:\n        b = 1\n    c = 2\n",
    "if x:\n    def f(\n  a): pass\n    z = 1\n",
    "if x:\n    s = \"\"\"\n  def g(): pass\n\"\"\"\n    t = 1\n",
    "with m:\n    a = b = c = 1\n    (d,\n e) = f\n",
    "if 1:\n    import a\nelif TYPE_CHECKING:\n    import b\nelse:\n    import c\n",
]


@pytest.mark.parametrize("text", _EDGES)
def test_same_output_on_edge_cases(text: str) -> None:
    assert _outputs(scanner, text) == _outputs(reference, text)


# -- generated sources ----------------------------------------------------------------------------

_HEADS = ["if x:", "if TYPE_CHECKING:", "elif typing.TYPE_CHECKING :", "else:", "try:",
          "except ImportError:", "except (ValueError,", "      ImportError):",
          "except Exception as e:", "except:", "except* OSError:", "finally:", "for a in b:",
          "while 1:", "with m:", "def f():", "async def g(x):", "class C(B):", "async with m:",
          "match v:", "case 1:", "if TYPE_CHECKING: import q", "try: import r",
          "def h(): import s", "async", " def k():", "class", "if (TYPE_CHECKING", "):"]
_BODIES = ["import os", "import a.b as c, d", "from . import x", "from ..p import (y,",
           "    z as w)", "from m import *", "from q import (", "import os; import sys",
           "x = 1", "a, b = c", "(d,", " e) = f", "[g] = h", "i: int = 2", "j = k = l",
           "__all__ = ['A', \"B\"]", "__all__ += ('C',)", "__all__.extend(['D'])",
           "__getattr__ = None", "os.path.join(a)", "a.b.X", "c.Y", "s = 'import t'",
           's = """', "from u import v", '"""', "'''", "t = '''import w", "# import x",
           "x = 1 \\", "  + 2", "import \\", "    cont", "patch('a.b.c')",
           "mocker.patch(\"a.b\")", "monkeypatch.setattr('m.n', 1)", "f'{os.sep}'",
           "pass", "", "   ", "\t", "\f", "y = f'''", "{a.b}'''", "*rest, = z", "r = a.b.c.d"]
_INDENTS = ["", "", "    ", "        ", "\t", "  ", " \t", "\f", "            "]
_NEWLINES = ["\n", "\n", "\n", "\r\n", "\r"]

_line = st.tuples(st.sampled_from(_INDENTS), st.sampled_from(_HEADS + _BODIES * 2))


@st.composite
def _source(draw) -> str:
    lines = draw(st.lists(_line, min_size=1, max_size=40))
    nl = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    out = []
    for indent, body in lines:
        out.append(indent + body)
        out.append(draw(st.sampled_from(_NEWLINES)) if nl == "mixed" else nl)
    if draw(st.booleans()):
        out.pop()
    return "".join(out)


@st.composite
def _nested(draw) -> str:
    """Well-indented blocks: headers opening deeper suites, ImportError guards, imports."""
    out: list[str] = []
    depth = 0
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["head", "body", "body", "dedent", "guard"]))
        pad = "    " * depth if not draw(st.booleans()) else "\t" * depth
        if kind == "head":
            out.append(pad + draw(st.sampled_from(_HEADS[:20])))
            depth += 1
        elif kind == "dedent":
            depth = max(0, depth - draw(st.integers(1, 3)))
        elif kind == "guard":
            exc = draw(st.sampled_from(["ImportError", "(ImportError, OSError)", "KeyError",
                                        "ModuleNotFoundError as e", "(KeyError,\n" + pad
                                        + "  ImportError)", ""]))
            out += [pad + "try:", pad + "    " + draw(st.sampled_from(_BODIES[:8])),
                    pad + f"except {exc}:".replace("except :", "except:"), pad + "    pass"]
        else:
            out.append(pad + draw(st.sampled_from(_BODIES)))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(out)


_CHARS = st.lists(st.sampled_from(["import ", "from ", "\n", "\r", "\r\n", " ", "    ", "\t",
                                   "#", "'", '"', "'''", '"""', "\\", "(", ")", ",", ":", ";",
                                   ".", "=", "a", "os", "try", "if ", "except ", "ImportError",
                                   "def ", "class ", "TYPE_CHECKING", "*", "__all__", "[",
                                   "]", "f'{", "}", "patch(", "é"]),
                  max_size=120).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_source())
def test_same_output_on_generated_lines(text: str) -> None:
    assert _outputs(scanner, text) == _outputs(reference, text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_nested())
def test_same_output_on_generated_blocks(text: str) -> None:
    assert _outputs(scanner, text) == _outputs(reference, text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CHARS)
def test_same_output_on_generated_fragments(text: str) -> None:
    assert _outputs(scanner, text) == _outputs(reference, text)
