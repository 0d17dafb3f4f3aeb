"""What a parallel index build leaves in the parent, and what the checking workers share.

A build in worker processes gets each chunk's blobs back as one buffer, its refs compressed, and
keeps views of it (``index._scan_chunk_joined`` / ``_split_chunk``): the records must equal a
serial build's, through the index cache and its content-hash path too. ``module_binds`` interns the names it
keeps. ``workers.release_free_memory`` gives freed heap back before a fork.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from importwarden.analysis.raw_refs import RecordField
from importwarden.config import Settings
from importwarden.workspace import index as index_mod
from importwarden.workspace import index_cache
from importwarden.workspace.index import UNCHANGED, WorkspaceIndex, bindings_of, refs_of

from test_index import make as write_tree  # (test_index's tree writer, with these files)

FILES = {
    "pkg/__init__.py": "from .sub import thing\nfrom . import helpers as _h\n__all__ = ['thing']\n",
    "pkg/helpers.py": "import os.path\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import json\n",
    "pkg/sub.py": "thing = 1\n",
    "pkg/star.py": "from .sub import *\nfrom pkg.cyc_a import *\n",
    "pkg/cyc_a.py": "from pkg.cyc_b import *\nA_NAME = 1\n",
    "pkg/cyc_b.py": "from pkg.cyc_a import *\nB_NAME = 1\n",
    "tests/test_x.py": "from pkg.sub import thing\nfrom unittest.mock import patch\n@patch('pkg.sub.thing')\ndef t(m): pass\n",
    "top.py": "import pkg.sub\nTOP = pkg.sub.thing\n",
}


def make(root: Path, files: dict[str, str] = FILES) -> Settings:
    return write_tree(root, files)


def _items(index: WorkspaceIndex) -> list[tuple]:
    return [(p, r[RecordField.MODULE], r[RecordField.IS_PACKAGE], b"") for p, r in index._records.items()]


def _decoded(index: WorkspaceIndex) -> dict[str, tuple]:
    """The records with their blobs decoded (a cached one holds compressed refs)."""
    return {p: (r[RecordField.MODULE], r[RecordField.IS_PACKAGE], refs_of(r), bindings_of(r),
                r[RecordField.TOPS], r[RecordField.STARS]) for p, r in index._records.items()}


def test_joined_chunk_splits_back_into_the_same_records(tmp_path: Path) -> None:
    many = "".join(f"from pkg.mod_{i} import name_{i}\n" for i in range(40))
    settings = make(tmp_path, {**FILES, "pkg/empty.py": "", "pkg/binary.py": "x = 1\0\n",
                               "pkg/many.py": many})
    serial = WorkspaceIndex.build(settings, cache=False, jobs=1)
    items = _items(serial) + [(str(tmp_path / "pkg/binary.py"), "pkg.binary", False, b""),
                              (str(tmp_path / "gone.py"), "gone", False, b"")]
    plain = index_mod._scan_chunk(items)
    rows, buffer = index_mod._scan_chunk_joined(items)
    assert isinstance(buffer, bytes)
    split = index_mod._split_chunk((rows, buffer))
    # (views compare by content) the refs compressed as the cache stores them, the rest as is
    refs = RecordField.REFS
    assert split == [(p, (*r[:refs], index_cache.pack_refs(r[refs]), *r[refs + 1:])
                      if isinstance(r, tuple) else r, n, k) for p, r, n, k in plain]
    packed = {p: r for p, r, _, _ in split if isinstance(r, tuple) and r[refs][:1] == b"x"}
    assert str(tmp_path / "pkg/many.py") in packed
    assert [refs_of(r) for _, r, _, _ in split if isinstance(r, tuple)] == [
        refs_of(r) for _, r, _, _ in plain if isinstance(r, tuple)]
    records = [r for _, r, _, _ in split if isinstance(r, tuple)]
    assert len(records) == len(serial._records)
    for record in records:  # views of the one buffer, nothing copied per file
        for field in (RecordField.REFS, RecordField.BINDINGS):
            assert isinstance(record[field], memoryview) and record[field].obj is buffer
    assert [n for _, r, n, _ in split if r is None] == [n for _, r, n, _ in plain if r is None] != []
    # A file whose content hash is the cached one stays UNCHANGED (its cached record holds).
    path, module, is_package, _ = items[0]
    digest = plain[0][3][2]
    rows, buffer = index_mod._scan_chunk_joined([(path, module, is_package, digest)])
    assert index_mod._split_chunk((rows, buffer))[0][1] == UNCHANGED


def test_parallel_build_through_the_cache_equals_serial(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(index_mod, "PARALLEL_MIN_FILES", 1)
    settings = make(tmp_path)
    first = WorkspaceIndex.build(settings, jobs=2)  # views saved to the cache
    assert any(isinstance(r[RecordField.REFS], memoryview) for r in first._records.values())
    for path in first._records:  # content unchanged, mtime moved: the content-hash path
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    (tmp_path / "pkg/sub.py").write_text("thing = 2\nother = 3\n", encoding="utf-8")
    again = WorkspaceIndex.build(settings, jobs=2)
    fresh = WorkspaceIndex.build(settings, cache=False, jobs=1)
    assert _decoded(again) == _decoded(fresh)
    assert again.module_binds("pkg.sub") == fresh.module_binds("pkg.sub") == {"thing", "other"}


def test_module_binds_interns_the_names_it_keeps(tmp_path: Path) -> None:
    settings = make(tmp_path, {"a.py": "import os\nshared_name_x = 1\n", "b.py": "import os\nshared_name_x = 2\n"})
    index = WorkspaceIndex.build(settings, cache=False, jobs=1)
    (a,) = [n for n in index.module_binds("a") if n == "shared_name_x"]
    (b,) = [n for n in index.module_binds("b") if n == "shared_name_x"]
    assert a is b  # one string for both modules, not one per module decoded


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_release_free_memory_returns_freed_heap() -> None:
    # 64 KB blocks come from the heap (below glibc's mmap threshold); freed under a live one
    # they stay resident until trimmed.
    code = (
        "from importwarden.workers import release_free_memory\n"
        "def anon():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('RssAnon:'):\n"
        "            return int(line.split()[1]) // 1024\n"
        "blocks = [bytes(64 * 1024 - 100) for _ in range(3000)]\n"
        "keep = bytes(64 * 1024 - 100)\n"
        "del blocks\n"
        "before = anon()\n"
        "release_free_memory()\n"
        "print(before, anon())\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    before, after = map(int, out.stdout.split())
    if before < 100:
        pytest.skip(f"this malloc gave the freed blocks back by itself ({before} MB resident)")
    assert after < before - 80, (before, after)
