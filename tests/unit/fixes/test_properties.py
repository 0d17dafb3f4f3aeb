"""Property tests (hypothesis) over generated from-import statements and move mappings.

For any statement shape (aliases, parentheses, multi-line with comments, relative, indented,
trailing comment) and any subset of its names moving (with or without a rename):
the output parses, every binding points at the expected (module, name), nothing outside the
import statement(s) changes, and fixing again is a no-op.
"""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importwarden.analysis.findings import Finding
from importwarden.fixes import Refusal, apply_edits, fix_source, plan_fix
from importwarden.registry.model import Applicability, Target

from fixhelpers import refs
from projects import entry, project

NAMES = ["A", "B", "C", "D", "E"]
MODULES = ["x", "x.y", ".x", "..x.y", ".", "pkg.sub"]
PACKAGE = "pkg.sub"  # the file's package, for resolving relative imports
WRAPPERS = [  # (header, indent, closer)
    ("", "", ""),
    ("def f():\n", "    ", ""),
    ("class K:\n", "    ", ""),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n", "    ", ""),
    ("try:\n", "    ", "except ImportError:\n    pass\n"),
]


def absolute(module: str) -> str:
    level = len(module) - len(module.lstrip("."))
    if not level:
        return module
    base = PACKAGE.split(".")[: len(PACKAGE.split(".")) - level + 1]
    rest = module.lstrip(".")
    return ".".join(base + ([rest] if rest else []))


@st.composite
def statements(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    items = [(n, draw(st.sampled_from([None, n.lower() + "1"]))) for n in names]
    module = draw(st.sampled_from(MODULES))
    form = draw(st.sampled_from(["plain", "paren", "multiline"]))
    comments = draw(st.booleans())
    trailing = draw(st.sampled_from(["", "  # note", "  # noqa: F401"]))
    wrapper, indent, closer = draw(st.sampled_from(WRAPPERS))
    parts = [f"{n} as {a}" if a else n for n, a in items]
    if form == "plain":
        body = ", ".join(parts)
    elif form == "paren":
        body = "(" + ", ".join(parts) + ")"
    else:
        inner = "".join(f"{indent}    {p},{'  # c' + str(i) if comments else ''}\n"
                        for i, p in enumerate(parts))
        if not draw(st.booleans()):
            inner = inner.replace(f"{parts[-1]},", parts[-1], 1)
        body = "(\n" + inner + indent + ")"
    stmt = f"from {module} import {body}"
    header = "import os\n" + wrapper
    footer = f"{indent}pass\n{closer}v = os.sep\n"
    source = header + indent + stmt + trailing + "\n" + footer
    # Which names move where: stay, move, or move with a rename.
    moves = {}
    for n, _ in items:
        choice = draw(st.sampled_from(["stay", "move", "move2", "rename"]))
        if choice == "move":
            moves[n] = Target("new.mod", n)
        elif choice == "move2":
            moves[n] = Target("other", n)
        elif choice == "rename":
            moves[n] = Target("new.mod", n + "New")
    return source, header, footer, module, items, moves


def bindings(source: str) -> dict[str, tuple[str, str]]:
    out = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            mod = absolute("." * node.level + (node.module or ""))
            for a in node.names:
                out[a.asname or a.name] = (mod, a.name)
    return out


def fix_one_by_one(source: str, module: str, moves: dict[str, Target]) -> str:
    for name, target in moves.items():
        ref = next(r for r in refs(source, PACKAGE)
                   if r.name == name and r.module == absolute(module))
        plan = plan_fix(source, ref, target, Applicability.UNSAFE)
        assert not isinstance(plan, Refusal), plan.reason
        source = apply_edits(source, plan.edits)
    return source


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements())
def test_moves_keep_bindings_and_surroundings(case):
    source, header, footer, module, items, moves = case
    out = fix_one_by_one(source, module, moves)
    expected = {(a or n): ((moves[n].module, moves[n].name) if n in moves
                           else (absolute(module), n)) for n, a in items}
    got = bindings(out)  # also proves it parses
    assert {k: v for k, v in got.items() if k not in ("TYPE_CHECKING",)} == expected
    assert out.startswith(header) and out.endswith(footer)
    # Fixing the same moves again finds nothing left to move from the old module.
    assert all(r.module != absolute(module) or r.name not in moves for r in refs(out, PACKAGE))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements())
def test_fix_source_composes_and_is_idempotent(tmp_path_factory, case):
    source, header, footer, module, items, moves = case
    if module.startswith("."):
        return  # relative imports need a workspace to resolve (covered above)
    root = tmp_path_factory.mktemp("p")
    proj = project(root, [entry(f"{module}:{n}", "broken", str(t)) for n, t in moves.items()])
    first = fix_source(proj, "m.py", source, unsafe=True)
    expected = {(a or n): ((moves[n].module, moves[n].name) if n in moves else (module, n))
                for n, a in items}
    got = bindings(first.new_source)
    assert {k: v for k, v in got.items() if k != "TYPE_CHECKING"} == expected
    assert first.new_source.startswith(header) and first.new_source.endswith(footer)
    assert len(first.applied) == len(moves)
    assert all(isinstance(f, Finding) for f in first.applied)
    second = fix_source(proj, "m.py", first.new_source, unsafe=True)
    assert second.new_source == first.new_source and second.applied == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements())
def test_merges_into_existing_destination(case):
    """With ``from new.mod import Q`` already above, moved names may merge into it: bindings
    still hold, only import lines change, and the non-import code is untouched."""
    source, header, footer, module, items, moves = case
    source = "from new.mod import Q\n" + source
    out = fix_one_by_one(source, module, moves)
    expected = {(a or n): ((moves[n].module, moves[n].name) if n in moves
                           else (absolute(module), n)) for n, a in items}
    expected["Q"] = ("new.mod", "Q")
    got = bindings(out)
    assert {k: v for k, v in got.items() if k != "TYPE_CHECKING"} == expected
    assert out.endswith(footer) and "import os\n" in out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements())
def test_fast_path_agrees_with_libcst(case):
    """One-line statements skip libcst (speed); both paths must give the same text."""
    from importwarden.fixes import move_import

    source, header, footer, module, items, moves = case
    fast = fix_one_by_one(source, module, moves)
    original = move_import._plan_simple
    move_import._plan_simple = lambda *a: None
    try:
        slow = fix_one_by_one(source, module, moves)
    finally:
        move_import._plan_simple = original
    assert fast == slow
