"""Incremental updates of the index (what an editor does: add or edit one file at a time)
give the same answers as an index derived from scratch over the same files."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.config import Settings
from importwarden.workspace.index import ANY, WorkspaceIndex

# Files an edit may create or rewrite: packages, plain modules, a namespace directory.
PATHS = ["pkg/__init__.py", "pkg/a.py", "pkg/sub/__init__.py", "pkg/sub/b.py", "ns/c.py",
         "ns/deep/d.py", "top.py", "uses.py"]
BODIES = [
    "", "X = 1\n", "def f():\n    pass\nclass K:\n    pass\n", "from pkg.a import *\n",
    "from ns.c import Y\nY = 2\n", "import ns.deep.d\n", "__all__ = ['X']\nX = Z = 3\n",
    "def __getattr__(name):\n    return name\n", "from os.path import *\n",
    "if True:\n    COND = 1\n",
]
QUERIES_MODULES = ["pkg", "pkg.a", "pkg.sub", "pkg.sub.b", "ns", "ns.c", "ns.deep",
                   "ns.deep.d", "top", "uses", "missing"]
NAMES = ["X", "Y", "Z", "f", "K", "COND", "d", "a", "nothing"]


def answers(index: WorkspaceIndex) -> dict:
    out: dict = {"modules": index.modules(), "tops": index.top_modules()}
    assert out["tops"] == sorted({m.partition(".")[0] for m in out["modules"]})
    for m in QUERIES_MODULES:
        binds = index.module_binds(m) if index.resolves(m) else None
        out[m] = (index.is_first_party(m), index.resolves(m), index.submodules(m),
                  index.is_namespace(m), index.path_of(m),
                  "ANY" if binds is ANY else (sorted(binds) if binds is not None else None),
                  [index.resolves(m, n) for n in NAMES])
    out["definers"] = {n: index.definers(n) for n in NAMES}
    out["star_importers"] = {m: index.star_importers(m) for m in QUERIES_MODULES}
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(BODIES)), min_size=1,
                max_size=12))
def test_incremental_updates_match_a_fresh_derivation(tmp_path_factory, edits) -> None:
    root = tmp_path_factory.mktemp("ws")
    (root / "uses.py").write_text("import pkg\n", encoding="utf-8")
    index = WorkspaceIndex.build(Settings(root=root), cache=False, jobs=1)
    answers(index)  # derive (and fill the memos and the definers table) before editing
    texts: dict[str, str] = {"uses.py": "import pkg\n"}
    for rel, body in edits:
        index.update_file(root / rel, body)
        texts[rel] = body
        answers(index)  # (queries between edits, as an editor's requests would)
    fresh = WorkspaceIndex(Settings(root=root))
    for rel, body in texts.items():
        fresh.update_file(root / rel, body)
    assert answers(index) == answers(fresh)


def test_adding_a_module_updates_packages_and_suggestions(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    index = WorkspaceIndex.build(Settings(root=tmp_path), cache=False, jobs=1)
    assert index.submodules("pkg") == [] and index.definers("NEW") == []
    index.update_file(tmp_path / "pkg" / "fresh.py", "NEW = 1\n")
    assert index.submodules("pkg") == ["pkg.fresh"]
    assert index.resolves("pkg.fresh", "NEW") is True
    assert index.definers("NEW") == ["pkg.fresh"]
    index.update_file(tmp_path / "pkg" / "fresh.py", "OTHER = 1\n")
    assert index.definers("NEW") == [] and index.definers("OTHER") == ["pkg.fresh"]
