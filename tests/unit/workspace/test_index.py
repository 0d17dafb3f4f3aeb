"""WorkspaceIndex on small real trees: first-party rules, bindings, updates, cache, notices."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from importwarden.analysis.imports import extract
from importwarden.config import Settings
from importwarden.workspace import index as index_mod
from importwarden.workspace.index import ANY, WorkspaceIndex

FILES = {
    "pkg/__init__.py": "from .sub import thing\nfrom . import helpers as _h\n__all__ = ['thing']\n",
    "pkg/sub.py": (
        '"""Doc.\nNOT_A_NAME = 1\n"""\n'
        "import os.path\nfrom typing import TYPE_CHECKING\n"
        "X: int\nY = 2\na, b = 1, 2\n"
        "def thing():\n    inner = 1\n"
        "class K:\n    attr = 1\n"
        "if TYPE_CHECKING:\n    from collections import OrderedDict\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    json = None\n    FALLBACK = 1\n"
        "_private = 3\n"
    ),
    "pkg/helpers.py": "def help_me():\n    pass\n",
    "pkg/star.py": "from .sub import *\nfrom pkg.cyc_a import *\n",
    "pkg/cyc_a.py": "from pkg.cyc_b import *\nA_NAME = 1\n",
    "pkg/cyc_b.py": "from pkg.cyc_a import *\nB_NAME = 1\n",
    "pkg/third.py": "from os.path import *\n",
    "pkg/dyn.py": "def __getattr__(name):\n    raise AttributeError(name)\n",
    "pkg/deep/__init__.py": "",
    "pkg/deep/mod.py": "from ..sub import thing\nfrom ... import nowhere\nVALUE = 1\n",
    "pkg/nsub/leaf.py": "LEAF = 1\n",
    "alembic/env.py": "from alembic import context\n",
    "tests/helpers.py": "HELP = 1\n",
    "tests/test_x.py": "from tests.helpers import HELP\nfrom pkg.sub import thing\n",
    "top.py": "import pkg.sub\nTOP = pkg.sub.thing\n",
    "src/srcpkg/__init__.py": "S = 1\n",
    "not-a-module/x.py": "import pkg\n",
}


def make(root: Path, files: dict[str, str] = FILES) -> Settings:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return Settings(root=root)


@pytest.fixture()
def idx(tmp_path: Path) -> WorkspaceIndex:
    return WorkspaceIndex.build(make(tmp_path), cache=False, jobs=1)


def test_first_party_rules(idx: WorkspaceIndex) -> None:
    assert idx.is_first_party("pkg.sub") and idx.is_first_party("top")
    assert idx.is_first_party("srcpkg")  # src/ layout: its own root
    assert not idx.is_first_party("src")
    assert not idx.is_first_party("os")
    # a namespace dir is first-party only when something imports a module inside it
    assert idx.is_first_party("tests.helpers")
    assert not idx.is_first_party("alembic")  # `from alembic import context`: installed one
    assert idx.resolves("alembic", "context") is None
    assert idx.module_for_path(idx.settings.root / "not-a-module" / "x.py") is None


def test_resolves_and_binds(idx: WorkspaceIndex) -> None:
    assert idx.resolves("pkg.sub", "thing") is True
    assert idx.resolves("pkg.sub", "missing") is False
    assert idx.resolves("pkg.nope") is False
    assert idx.resolves("pkg", "sub") is True  # submodule counts as an attribute
    assert idx.resolves("pkg", "thing") is True
    assert idx.resolves("pkg.nsub.leaf", "LEAF") is True  # namespace subpackage
    assert idx.resolves("os.path", "join") is None
    binds = idx.module_binds("pkg.sub")
    for name in ("X", "Y", "a", "b", "thing", "K", "os", "TYPE_CHECKING", "OrderedDict",
                 "json", "FALLBACK", "_private"):
        assert name in binds, name
    for name in ("inner", "attr", "NOT_A_NAME"):
        assert name not in binds, name


def test_star_reexports_all_cycles_and_dynamic(idx: WorkspaceIndex) -> None:
    star = idx.module_binds("pkg.star")
    assert "thing" in star and "K" in star and "_private" not in star
    assert "A_NAME" in star and "B_NAME" in star  # transitively, through a cycle
    assert idx.module_binds("pkg.cyc_b") >= {"A_NAME", "B_NAME"}
    assert idx.module_binds("pkg.third") is ANY  # star import of a module we cannot see
    assert idx.module_binds("pkg.dyn") is ANY and idx.resolves("pkg.dyn", "whatever")
    assert idx.resolves("pkg", "help_me") is False


def test_definers_modules_submodules_paths(idx: WorkspaceIndex) -> None:
    assert idx.definers("thing") == ["pkg.sub"]  # pkg re-exports it but does not define it
    assert idx.definers("nothing") == []
    mods = idx.modules()
    assert "pkg" in mods and "pkg.nsub" in mods and "tests.helpers" in mods
    assert "alembic.env" not in mods
    assert idx.submodules("pkg.deep") == ["pkg.deep.mod"]
    assert "pkg.nsub" in idx.submodules("pkg")
    root = idx.settings.root
    assert idx.path_of("pkg") == root / "pkg" / "__init__.py"
    assert idx.path_of("pkg.nsub") == root / "pkg" / "nsub"
    assert idx.is_namespace("pkg.nsub") and not idx.is_namespace("pkg")
    assert idx.module_for_path(root / "pkg" / "__init__.py") == ("pkg", True)
    assert idx.module_for_path(root / "src" / "srcpkg" / "__init__.py") == ("srcpkg", True)


def test_file_imports_are_the_extract_result(idx: WorkspaceIndex) -> None:
    path = idx.settings.root / "pkg" / "deep" / "mod.py"
    fi = idx.file_imports(path)
    assert fi == extract(path.read_text(), "pkg.deep.mod", False)
    assert [(r.module, r.name, r.unresolved_relative) for r in fi.refs] == [
        ("pkg.sub", "thing", False), ("", "nowhere", True)]


def test_update_file_add_change_delete(idx: WorkspaceIndex) -> None:
    root = idx.settings.root
    assert idx.resolves("pkg.star", "NEW") is False
    idx.update_file(root / "pkg" / "sub.py", FILES["pkg/sub.py"] + "NEW = 1\n")
    assert idx.resolves("pkg.sub", "NEW") and idx.resolves("pkg.star", "NEW")  # star dependent
    idx.update_file(root / "pkg" / "fresh.py", "def f(): pass\n")
    assert idx.resolves("pkg.fresh", "f") and idx.definers("f") == ["pkg.fresh"]
    idx.update_file(root / "pkg" / "fresh.py", None)
    assert idx.resolves("pkg.fresh") is False
    # alembic becomes first-party once something imports a module inside it
    assert not idx.is_first_party("alembic")
    idx.update_file(root / "top.py", "import alembic.env\n")
    assert idx.is_first_party("alembic.env")


def test_cache_is_used_and_can_be_bypassed(tmp_path: Path) -> None:
    settings = make(tmp_path)
    first = WorkspaceIndex.build(settings, jobs=1)
    assert (tmp_path / ".importwarden_cache").is_dir()
    # same size and mtime, different content: the cache (rightly, by its key) is trusted
    p = tmp_path / "pkg" / "helpers.py"
    st = p.stat()
    p.write_text("def help_us():\n    pass\n", encoding="utf-8")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    cached = WorkspaceIndex.build(settings, jobs=1)
    assert cached.resolves("pkg.helpers", "help_me") is True
    fresh = WorkspaceIndex.build(settings, jobs=1, cache=False)
    assert fresh.resolves("pkg.helpers", "help_us") is True
    assert first.modules() == cached.modules()


def test_cache_content_hash_avoids_rescanning(tmp_path: Path, monkeypatch) -> None:
    settings = make(tmp_path)
    WorkspaceIndex.build(settings, jobs=1)
    for p in (tmp_path / "pkg").glob("*.py"):
        os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))  # touched only

    def boom(*_a, **_k):
        raise AssertionError("scanned an unchanged file")

    monkeypatch.setattr(index_mod, "scan_all", boom)
    again = WorkspaceIndex.build(settings, jobs=1)
    assert again.resolves("pkg.sub", "thing") is True


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    settings = make(tmp_path)
    WorkspaceIndex.build(settings, jobs=1)
    for f in (tmp_path / ".importwarden_cache").glob("index-*"):
        f.write_bytes(b"garbage")
    assert WorkspaceIndex.build(settings, jobs=1).resolves("pkg.sub", "thing") is True


def test_skipped_files_give_one_line_notices(tmp_path: Path, monkeypatch) -> None:
    settings = make(tmp_path, {"ok.py": "A = 1\n"})
    (tmp_path / "bin.py").write_bytes(b"x = 1\0\n")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    (tmp_path / "big.py").write_text("x = 1\n")
    monkeypatch.setattr(index_mod, "MAX_FILE_BYTES", 3)
    idx = WorkspaceIndex.build(settings, cache=False, jobs=1)
    assert idx.files() == []  # ok.py is 6 bytes: over the patched limit too
    monkeypatch.setattr(index_mod, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    idx = WorkspaceIndex.build(settings, cache=False, jobs=1)
    assert [p.name for p in idx.files()] == ["big.py", "ok.py"]
    text = "\n".join(idx.notices)
    assert "bin.py: binary file" in text and "latin.py" in text
    assert all("\n" not in n for n in idx.notices)


def test_parallel_build_equals_serial(tmp_path: Path, monkeypatch) -> None:
    settings = make(tmp_path)
    monkeypatch.setattr(index_mod, "PARALLEL_MIN_FILES", 1)
    serial = WorkspaceIndex.build(settings, cache=False, jobs=1)
    parallel = WorkspaceIndex.build(settings, cache=False, jobs=2)
    # (the parallel build's refs are compressed: index._scan_chunk_joined)
    assert {p: (r[:2], index_mod.refs_of(r), r[3:]) for p, r in serial._records.items()} == {
        p: (r[:2], index_mod.refs_of(r), r[3:]) for p, r in parallel._records.items()}
    progress: list[tuple[int, int]] = []
    WorkspaceIndex.build(settings, cache=False, jobs=2, progress=lambda d, t: progress.append((d, t)))
    assert progress[-1][0] == progress[-1][1] == len(serial.files())


def test_cached_module_names_follow_a_change_of_roots(tmp_path: Path) -> None:
    """Entries cached under some roots give other module names under others: recomputed,
    and the next save rewrites the base with the new roots (a journal would mix the two)."""
    from dataclasses import replace

    from importwarden.workspace import index_cache

    settings = make(tmp_path)
    WorkspaceIndex.build(settings, jobs=1)
    as_src = replace(settings, roots=(tmp_path / "src", tmp_path))
    again = WorkspaceIndex.build(as_src, jobs=1)
    assert again.resolves("srcpkg", "S") is True
    only_pkg = replace(settings, roots=(tmp_path / "pkg",))
    narrowed = WorkspaceIndex.build(only_pkg, jobs=1)
    assert narrowed.resolves("sub", "thing") is True  # pkg/sub.py is now top-level ``sub``
    assert narrowed.resolves("pkg.sub") is None
    assert not index_cache.journal_file(tmp_path / ".importwarden_cache").exists()
    assert index_cache.load(tmp_path / ".importwarden_cache").roots == [str(tmp_path / "pkg")]
    back = WorkspaceIndex.build(settings, jobs=1)
    assert back.resolves("pkg.sub", "thing") is True and back.resolves("sub") is None
