"""The index cache's journal: small saves write only changed entries, loads apply them, and a
journal written against another base is ignored."""

from __future__ import annotations

from importwarden.workspace import index_cache


def _entries(n: int, tag: str = "a") -> dict[str, tuple]:
    return {f"/p/m{i}.py": ((i, i, b"d"), (f"m{i}", False, tag.encode(), b"x", "os", ""))
            for i in range(n)}


def test_small_change_goes_to_the_journal_and_loads_back(tmp_path):
    files = _entries(1000)
    index_cache.save(tmp_path, files)
    base = index_cache.cache_file(tmp_path).read_bytes()
    loaded = index_cache.load(tmp_path)
    assert loaded == files
    new = dict(loaded)
    new["/p/m3.py"] = ((9, 9, b"e"), ("m3", False, b"b", b"y", "", ""))
    del new["/p/m4.py"]
    new["/p/added.py"] = ((1, 2, b"f"), ("added", False, b"", b"", "", ""))
    index_cache.save(tmp_path, new, previous=loaded)
    assert index_cache.cache_file(tmp_path).read_bytes() == base  # base untouched
    assert index_cache.journal_file(tmp_path).exists()
    again = index_cache.load(tmp_path)
    assert again == new
    # a second small save keeps the first one's changes
    newer = dict(again)
    newer["/p/m5.py"] = ((5, 6, b"g"), ("m5", False, b"c", b"", "", ""))
    newer["/p/m4.py"] = files["/p/m4.py"]
    index_cache.save(tmp_path, newer, previous=again)
    assert index_cache.load(tmp_path) == newer


def test_large_change_rewrites_the_base(tmp_path):
    files = _entries(1000)
    index_cache.save(tmp_path, files)
    loaded = index_cache.load(tmp_path)
    changed = _entries(1000, tag="b")
    index_cache.save(tmp_path, changed, previous=loaded)
    assert not index_cache.journal_file(tmp_path).exists()
    assert index_cache.load(tmp_path) == changed


def test_a_journal_for_another_base_is_ignored(tmp_path):
    files = _entries(1000)
    index_cache.save(tmp_path, files)
    loaded = index_cache.load(tmp_path)
    new = dict(loaded)
    new["/p/m1.py"] = ((7, 7, b"z"), ("m1", False, b"z", b"", "", ""))
    index_cache.save(tmp_path, new, previous=loaded)
    journal = index_cache.journal_file(tmp_path).read_bytes()
    index_cache.save(tmp_path, files)  # another run rewrites the base (and drops the journal)
    assert not index_cache.journal_file(tmp_path).exists()
    index_cache.journal_file(tmp_path).write_bytes(journal)
    assert index_cache.load(tmp_path) == files


def test_base_blobs_are_views_of_the_file_and_old_formats_are_removed(tmp_path):
    stale = tmp_path / "index-0.0.1-f3.marshal"
    stale.write_bytes(b"old")
    files = _entries(3)
    files["/p/big.py"] = ((1, 1, b"k"), ("big", True, bytes(range(256)) * 40, b"\0binds", "a\0b", "pkg.star"))
    index_cache.save(tmp_path, files)
    assert not stale.exists()
    loaded = index_cache.load(tmp_path)
    unpacked = {path: (key, (*record[:2], bytes(index_cache.unpack_refs(record[2])), *record[3:]))
                for path, (key, record) in loaded.items()}
    assert unpacked == files
    refs = loaded["/p/big.py"][1][2]
    assert isinstance(refs, memoryview)
    assert bytes(index_cache.unpack_refs(refs)) == bytes(range(256)) * 40
    assert len(refs) < 1024  # (stored compressed: 10 KB of a repeated pattern)
    assert loaded["/p/m0.py"] == files["/p/m0.py"]  # (a blob this small stays as it is)
    # a truncated base is no cache at all (never an error)
    data = index_cache.cache_file(tmp_path).read_bytes()
    for cut in (20, len(data) - 1):  # in the table; in the blobs
        index_cache.cache_file(tmp_path).write_bytes(data[:cut])
        assert index_cache.load(tmp_path) == {}
