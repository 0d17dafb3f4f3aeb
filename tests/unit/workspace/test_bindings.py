"""Top-level bindings as the index reads them (``scanner.scan_all``), form by form."""

from __future__ import annotations

from importwarden.analysis.scanner import scan_all

SRC = '''"""Doc.
HIDDEN = 1
"""
import a.b, c as d
from e import f as g, h
from .rel import *
A = 1
B: int
C: int = 3
(D, E) = 1, 2
(U,
 V) = 8, 9
[F, G] = 3, 4
H, I = 5, 6
J = K = L = 7
M += 1
def fn(): local = 1
async def afn(): pass
class Cls:
    attr = 1
if x:
    N = 1
    def in_if(): deep = 1
    call(
        kw=1,
    )
elif y:
    O = 2
else:
    P = Q = 3
try:
    import opt
except ImportError:
    opt = None
    R = 1
finally:
    S = 1
with ctx() as c:
    T = 1
X == 1
x.attr = 1
x[0] = 1
__all__ = ["A", "fn"]
__all__ += ["B"]
'''


def test_binding_forms() -> None:
    _refs, (defined, imported, all_names, stars, dynamic) = scan_all(SRC, "pkg.mod")
    assert set(defined) >= {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
                            "fn", "afn", "Cls", "N", "in_if", "O", "P", "Q", "R", "S", "T",
                            "U", "V", "opt"}
    assert not set(defined) & {"HIDDEN", "local", "attr", "deep", "X", "x", "__all__"}
    assert set(imported) == {"a", "d", "g", "h"}  # `opt` is also assigned: in `defined`
    assert all_names == ("A", "fn", "B")
    assert stars == ("pkg.rel",)
    assert dynamic is False
    # a keyword argument of a multi-line call inside a module-level block is (conservatively)
    # counted: it can only make a name resolve, never report a false IW005
    assert "kw" in defined


def test_module_getattr_makes_the_module_dynamic() -> None:
    assert scan_all("def __getattr__(name):\n    return 1\n")[1][4] is True
    assert scan_all("class K:\n    def __getattr__(self, n): pass\n")[1][4] is False


def test_bindings_with_crlf_and_no_trailing_newline() -> None:
    _refs, (defined, *_rest) = scan_all("A = 1\r\nif x:\r\n    B = 2\r\nC = 3")
    assert set(defined) == {"A", "B", "C"}
