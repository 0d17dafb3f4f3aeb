"""``move_import.plan_moves`` plans the usual statements without libcst (``_plan_simple``: one
line, bare or in parentheses; ``_plan_parenthesized``: black's parenthesised layout whose names all move
to one module). Each must give exactly what the libcst path gives for the same statement: the
same edits and message, or the same refusal. Hypothesis writes the statements: layouts,
comments, aliases, trailing commas, relative modules, indentation, earlier imports to merge
into, and every newline convention."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.fixes import move_import
from importwarden.fixes.apply import apply_edits
from importwarden.fixes.move_import import Move, plan_moves
from importwarden.fixes.statement import StatementError

from fixhelpers import refs

_NAMES = ["X", "Y", "Zed", "W"]
_ALIASES = [None, None, "X", "Q", "R_2"]


@st.composite
def _statements(draw) -> tuple[str, list[Move]]:
    module = draw(st.sampled_from(["a.b", "a", ".a", "..a.b", "pkg.mod_1"]))
    count = draw(st.integers(1, 4))
    aliases = [(draw(st.sampled_from(_NAMES)), draw(st.sampled_from(_ALIASES)))
               for _ in range(count)]
    rendered = [f"{n}{draw(st.sampled_from([' as ', '  as ', chr(10) + '    as ']))}{a}" if a
                else n for n, a in aliases]
    comment = draw(st.sampled_from(["", "  # why", "# noqa: F401"]))
    layout = draw(st.sampled_from(["black", "one line", "hanging", "odd", "bare"]))
    trailing = draw(st.booleans())
    if layout == "black":
        body = "".join(f"\n    {r},{comment if i == 0 else ''}" for i, r in enumerate(rendered))
        body = (body if trailing else body[:-1] if not comment or len(rendered) > 1
                else body) + "\n"
    elif layout == "one line":
        body = ", ".join(rendered) + ("," if trailing else "")
    elif layout == "hanging":
        body = ",\n    ".join(rendered) + (",\n" if trailing else "")
    else:
        body = "  " + " ,  ".join(rendered) + ("  ,  " if trailing else "") + "\n\n"
    statement = f"from {module} import ({body})"
    if layout == "bare":  # (no parentheses: _plan_simple's shape when on one line)
        statement = f"from {module} import {', '.join(rendered)}"
    indent = draw(st.sampled_from(["", "    "]))
    lines = [f"{indent}{line}" if line else line for line in statement.split("\n")]
    before = draw(st.sampled_from(["", "import os\n", "from c.d import Q\n", "from c.d import *\n",
                                   "from e import X\n"]))
    after = draw(st.sampled_from(["", "  # tail", "; y = 1"]))
    head = "if x:\n" if indent else ""
    if indent:
        before = "".join(f"    {b}\n" for b in before.splitlines())
    source = head + before + "\n".join(lines) + after + "\nprint(X)\n"
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    source = source.replace("\n", newline)
    # Which names move where: usually all of them to one module, sometimes not.
    dest = draw(st.sampled_from(["c.d", "e", "c.d.e"]))
    moves = []
    for name, alias in dict.fromkeys(aliases):
        if draw(st.integers(0, 9)) == 0:
            continue
        new_name = name if draw(st.integers(0, 7)) else "Renamed"
        moves.append(Move(name, alias, draw(st.sampled_from([dest] * 5 + ["f.g"])), new_name))
    return source, moves or [Move(aliases[0][0], aliases[0][1], dest, aliases[0][0])]


def _plan(source: str, rng, moves: list[Move]):
    try:
        return plan_moves(source, rng, moves)
    except StatementError as exc:
        return ("refused", str(exc))


@settings(max_examples=600, deadline=None)
@given(_statements())
def test_the_fast_paths_write_what_libcst_writes(
        case: tuple[str, list[Move]]) -> None:
    source, moves = case
    try:
        found = [r for r in refs(source) if r.module.endswith("a.b") or r.module.endswith("a")
                 or r.module.endswith("mod_1")]
    except SyntaxError:  # (a statement Python would not accept: nothing to compare)
        return
    rng = found[-1].statement_range
    fast = _plan(source, rng, moves)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(move_import, "_plan_simple", lambda *a: None)
        mp.setattr(move_import, "_plan_parenthesized", lambda *a: None)
        slow = _plan(source, rng, moves)
    assert fast == slow, (source, moves)


def test_the_parenthesised_path_is_taken() -> None:
    """(So the comparison above is not of the libcst path with itself.)"""
    source = "from a.b import (\n    X as Q,  # why\n    Y,\n)\n"
    rng = refs(source)[0].statement_range
    moves = [Move("X", "Q", "c.d", "X"), Move("Y", None, "c.d", "Y")]
    taken = move_import._plan_parenthesized(source, move_import.locate(source, rng), moves, "\n")
    assert taken is not None
    assert taken == plan_moves(source, rng, moves)
    (edit,), _message = taken
    assert edit.content == "from c.d import (\n    X as Q,  # why\n    Y,\n)"


@st.composite
def _black_splits(draw) -> tuple[str, list[Move]]:
    """Black's layout with some of its names leaving (``_plan_parenthesized``'s split)."""
    names = draw(st.lists(st.sampled_from(["X", "Y", "Zed", "W", "V", "U"]), min_size=2,
                          max_size=6, unique=True))
    aliases = [(n, draw(st.sampled_from(_ALIASES))) for n in names]
    indent = draw(st.sampled_from(["", "    "]))
    body = "".join(f"{indent}    {n} as {a},\n" if a else f"{indent}    {n},\n" for n, a in aliases)
    module = draw(st.sampled_from(["a.b", ".a", "a"]))
    after = draw(st.sampled_from(["", "  # tail", "  # noqa: F401", "; y = 1"]))
    before = draw(st.sampled_from(["", "from c.d import Q\n", "from e import Zed\n"]))
    head = "if x:\n" if indent else ""
    before = "".join(f"{indent}{b}\n" for b in before.splitlines())
    source = f"{head}{before}{indent}from {module} import (\n{body}{indent}){after}\nprint(1)\n"
    source = source.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    leaving = draw(st.lists(st.sampled_from(aliases), min_size=1, max_size=len(aliases) - 1,
                            unique=True))
    moves = [Move(n, a, draw(st.sampled_from(["c.d", "e", "a.b"])),
                  n if draw(st.integers(0, 4)) else "Renamed") for n, a in leaving]
    return source, moves


@settings(max_examples=400, deadline=None)
@given(_black_splits())
def test_a_split_of_black_layout_writes_what_libcst_writes(
        case: tuple[str, list[Move]]) -> None:
    test_the_fast_paths_write_what_libcst_writes.hypothesis.inner_test(case)


@pytest.mark.parametrize("before, moves, after", [
    ("from a.b import (X, Y, Zed)\n", [Move("Y", None, "c.d", "Y")],
     "from a.b import (X, Zed)\nfrom c.d import Y\n"),
    ("from a.b import (X, Y as Q,)  # noqa: F401\n", [Move("X", None, "c.d", "X")],
     "from a.b import (Y as Q,)  # noqa: F401\nfrom c.d import X  # noqa: F401\n"),
    ("from .a import (X, Y)\n", [Move("X", None, "c.d", "X"), Move("Y", None, "e", "W")],
     "from c.d import (X)\nfrom e import W as Y\n"),
])
def test_a_one_line_parenthesised_statement_is_planned_without_libcst(
        before: str, moves: list[Move], after: str) -> None:
    rng = refs(before)[0].statement_range
    taken = move_import._plan_simple(before, move_import.locate(before, rng), moves, "\n")
    assert taken is not None
    assert taken == plan_moves(before, rng, moves)
    assert apply_edits(before, taken[0]) == after


@st.composite
def _one_line_parenthesised(draw) -> tuple[str, list[Move]]:
    """``from a import (X, Y as Q)`` on one line with some or all of its names leaving, to one
    module or several, renamed or not (``_plan_simple``'s parenthesised shape)."""
    names = draw(st.lists(st.sampled_from(["X", "Y", "Zed", "W", "V"]), min_size=1,
                          max_size=5, unique=True))
    aliases = [(n, draw(st.sampled_from(_ALIASES))) for n in names]
    trailing = "," if draw(st.booleans()) else ""
    indent = draw(st.sampled_from(["", "    "]))
    module = draw(st.sampled_from(["a.b", ".a", "a"]))
    body = ", ".join(f"{n} as {a}" if a else n for n, a in aliases)
    after = draw(st.sampled_from(["", "  # tail", "  # noqa: F401", "; y = 1"]))
    before = draw(st.sampled_from(["", "from c.d import Q\n", "from e import Zed\n"]))
    head = "if x:\n" if indent else ""
    before = "".join(f"{indent}{b}\n" for b in before.splitlines())
    source = f"{head}{before}{indent}from {module} import ({body}{trailing}){after}\nprint(1)\n"
    source = source.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    leaving = draw(st.lists(st.sampled_from(aliases), min_size=1, max_size=len(aliases),
                            unique=True))
    moves = [Move(n, a, draw(st.sampled_from(["c.d", "e", "a.b", "a"])),
                  n if draw(st.integers(0, 4)) else "Renamed") for n, a in leaving]
    return source, moves


@settings(max_examples=400, deadline=None)
@given(_one_line_parenthesised())
def test_a_one_line_parenthesised_statement_writes_what_libcst_writes(
        case: tuple[str, list[Move]]) -> None:
    test_the_fast_paths_write_what_libcst_writes.hypothesis.inner_test(case)
