"""``can_fix`` gives exactly ``plan_fix``'s answer (a ``Fix`` or a ``Refusal``) without writing
the edits: over every shape the fix tables hold, the refusals, and every fixable finding of the
fixture workspaces and a generated corpus, with safe and unsafe applicability. ``check``
trusts it for its ``[*]`` marks and fix counts (``project/batch.py``).

Set ``IMPORTWARDEN_CORPORA=1`` to also compare over the benchmark corpora
(``benchmarks/corpus``, ``benchmarks/corpus-real``; minutes)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from importwarden.analysis.findings import Fix, Range
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.fixes import can_fix, plan_fix
from importwarden.project.engine import Project
from importwarden.registry.model import Applicability, Target
from importwarden.textio import read_source

from fixhelpers import mock_ref, ref_for, refs
from test_cases import CASES

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
S, U, N = Applicability.SAFE, Applicability.UNSAFE, Applicability.NONE


def _same_answer(source: str, ref: ImportRef, replacement: Target | None,
                 applicability: Applicability, exists=None) -> bool:
    """Assert the two agree; returns whether it is fixable."""
    planned = plan_fix(source, ref, replacement, applicability, exists)
    decided = can_fix(source, ref, replacement, applicability, exists)
    assert decided == isinstance(planned, Fix), (source, ref, replacement, planned)
    return decided


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("applicability", [S, U])
def test_agrees_on_every_fix_table_case(case, applicability):
    _id, before, name, replacement, _after = case
    avoid = Target.parse(replacement).module
    assert _same_answer(before, ref_for(before, name, avoid=avoid), Target.parse(replacement),
                        applicability)


def _from_ref(module: str, name: str, statement: tuple[int, int, int, int],
              alias: str | None = None, **kw) -> ImportRef:
    rng = Range.of(*statement)
    return ImportRef(RefKind.FROM, module, name, alias, rng, rng, rng, **kw)


ODD = [
    # (source, ref, replacement): refusals, and statements only libcst can judge
    ("from a import (X, \n", _from_ref("a", "X", (0, 0, 0, 18)), "b:X"),
    ("from a import Z\n", _from_ref("a", "X", (0, 0, 0, 15)), "b:X"),
    ("x\n", _from_ref("a", "X", (9, 0, 9, 15)), "b:X"),
    ("x = 1\n", _from_ref("a", "X", (0, 0, 0, 5)), "b:X"),  # not an import
    ("from a import X; y = 1\n", _from_ref("a", "X", (0, 0, 0, 22)), "b:X"),
    ("from a import *\n", _from_ref("a", "*", (0, 0, 0, 15)), "b:X"),
    ("from a import *\n", _from_ref("a", "*", (0, 0, 0, 15)), "b"),  # fixable
    ("from a import X as Y\n", _from_ref("a", "X", (0, 0, 0, 20)), "b:X"),  # alias differs
    ("from a import X as Y\n", _from_ref("a", "X", (0, 0, 0, 20), alias="Y"), "b:X"),
    ("from a import None\n", _from_ref("a", "None", (0, 0, 0, 18)), "b:None"),  # keyword
    ("from a import X\n", _from_ref("a", "X", (0, 0, 0, 15)), "a:X"),  # already written
    ("from .a import X\n", _from_ref("pkg.a", "X", (0, 0, 0, 16), level=1,
                                     unresolved_relative=True), "b:X"),
    ("from  a  import  (X,)\n", _from_ref("a", "X", (0, 0, 0, 21)), "b:X"),  # libcst path
    ("from a import (X as Y, Z)\n", _from_ref("a", "X", (0, 0, 0, 25), alias="Y"), "b:W"),
]


@pytest.mark.parametrize("applicability", [S, U, N])
@pytest.mark.parametrize("source,ref,replacement", ODD)
def test_agrees_on_refusals_and_odd_statements(source, ref, replacement, applicability):
    _same_answer(source, ref, Target.parse(replacement), applicability)


@pytest.mark.parametrize("exists", [True, False, None])
def test_agrees_on_whether_the_replacement_exists(exists):
    for source, name, replacement in [("from a import X\n", "X", "b:X"),
                                      ("import a.b\nx = a.b.f()\n", "a.b", "c.d"),
                                      ("import a.b\n", "a.b", "c.d:X")]:
        _same_answer(source, ref_for(source, name), Target.parse(replacement), S,
                     lambda _t: exists)


def test_agrees_on_module_imports_attributes_and_mocks():
    source = "import a.b\nimport a\nx = a.b.f(a.c)\n"
    for ref in refs(source):
        _same_answer(source, ref, Target("c.d"), S)
    source = "from unittest.mock import patch\n@patch('a.b.C')\ndef t(): pass\n"
    _same_answer(source, mock_ref(source, "a.b.C"), Target("c.d", "C"), S)
    source = "p = patch(r'a.b.C')\n"
    _same_answer(source, mock_ref(source, "a.b.C"), Target("c.d", "C"), U)


def _compare_project(root: Path) -> tuple[int, int]:
    """Check every file of ``root`` both ways (planned, and decided only) through the engine
    ``check`` runs: the same findings, the same fixes kept. Returns (fixable, refused)."""
    from importwarden.config import load_settings
    from importwarden.workspace.index import WorkspaceIndex

    settings = load_settings(root, {}, None)
    # (no index cache: the fixture workspaces are not written to)
    project = Project.from_settings(settings, index=WorkspaceIndex.build(settings, cache=False))
    fixable = refused = 0
    for path in sorted(root.rglob("*.py")):
        if ".importwarden_cache" in path.parts:
            continue
        try:
            source = read_source(path).text
        except Exception:  # (undecodable files: nothing to compare)
            continue
        module, _ = project.module_for(path)
        found = project.extract(path, source).refs
        rel = project.rel_path(path)
        planned = project.analyze(rel, module, found, source, with_edits=True)
        decided = project.analyze(rel, module, found, source, with_edits=False, fixable_only=True)
        assert len(planned) == len(decided), path
        for p, d in zip(planned, decided):
            assert (p.code, p.range, p.message, p.replacement) == \
                (d.code, d.range, d.message, d.replacement), path
            assert (p.fix is None) == (d.fix is None), (path, p, d)
            if p.fix is not None:
                assert p.fix.applicability is d.fix.applicability and p.fix.edits
                assert not d.fix.edits  # (unplanned: a later JSON run plans it)
                fixable += 1
            elif p.replacement is not None:
                refused += 1
    return fixable, refused


@pytest.mark.parametrize("name", ["workspace", "migration"])
def test_agrees_on_the_fixture_workspaces(name):
    fixable, _refused = _compare_project(FIXTURES / name)
    assert fixable > 0


def test_agrees_on_a_generated_corpus(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate_corpus
    finally:
        sys.path.pop(0)
    generate_corpus.generate(tmp_path, generate_corpus.CorpusParams(
        files=300, seed=5, lines_scale=0.1))
    fixable, _refused = _compare_project(tmp_path)
    assert fixable > 10


@pytest.mark.skipif(not os.environ.get("IMPORTWARDEN_CORPORA"),
                    reason="set IMPORTWARDEN_CORPORA=1 to compare over the benchmark corpora")
@pytest.mark.parametrize("corpus", ["corpus", "corpus-real/ansible-12.3.0"])
def test_agrees_on_the_benchmark_corpora(corpus):
    root = (REPO / "benchmarks" / corpus).resolve()
    if not root.is_dir():
        pytest.skip(f"{root} is not there (benchmarks/README.md)")
    fixable, refused = _compare_project(root)
    print(f"{corpus}: {fixable} fixable, {refused} refused")
    assert fixable > 0


def test_one_line_fixes_are_planned_and_decided_without_libcst():
    """libcst costs ~0.2 s to import, most of a re-check after one edit: a one-line
    from-import and a mock string are fixed without it; a parenthesised statement needs it."""
    import subprocess

    script = """
import sys
from importwarden.analysis.findings import Fix, Range
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.fixes import can_fix, plan_fix
from importwarden.registry.model import Applicability, Target

def ref(text, end):
    rng = Range.of(0, 0, 0, end)
    return ImportRef(RefKind.FROM, "a", "X", None, Range.of(0, 14, 0, 15), rng, rng)

line = "from a import X, Y\\n"
assert isinstance(plan_fix(line, ref(line, 18), Target("b", "X"), Applicability.SAFE), Fix)
assert can_fix(line, ref(line, 18), Target("b", "X"), Applicability.SAFE)
assert "libcst" not in sys.modules, "imported for a one-line statement"
paren = "from a import (X,\\n    Y)\\n"
rng = Range.of(0, 0, 1, 6)
multi = ImportRef(RefKind.FROM, "a", "X", None, Range.of(0, 15, 0, 16), rng, rng)
assert can_fix(paren, multi, Target("b", "X"), Applicability.SAFE)
assert "libcst" in sys.modules
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
