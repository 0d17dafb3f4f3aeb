"""The index cache's journal: small saves write only changed entries, loads apply them, and a
journal written against another base is ignored."""

from __future__ import annotations

from importwarden.workspace import cache as index_cache


def _entries(n: int, tag: str = "a") -> dict[str, tuple]:
    return {f"/p/m{i}.py": ((i, i, b"d"), (f"m{i}", False, tag.encode(), ("x",), ())) for i in range(n)}


def test_small_change_goes_to_the_journal_and_loads_back(tmp_path):
    files = _entries(1000)
    index_cache.save(tmp_path, files)
    base = index_cache.cache_file(tmp_path).read_bytes()
    loaded = index_cache.load(tmp_path)
    assert loaded == files
    new = dict(loaded)
    new["/p/m3.py"] = ((9, 9, b"e"), ("m3", False, b"b", ("y",), ()))
    del new["/p/m4.py"]
    new["/p/added.py"] = ((1, 2, b"f"), ("added", False, b"", (), ()))
    index_cache.save(tmp_path, new, previous=loaded)
    assert index_cache.cache_file(tmp_path).read_bytes() == base  # base untouched
    assert index_cache.journal_file(tmp_path).exists()
    again = index_cache.load(tmp_path)
    assert again == new
    # a second small save keeps the first one's changes
    newer = dict(again)
    newer["/p/m5.py"] = ((5, 6, b"g"), ("m5", False, b"c", (), ()))
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
    new["/p/m1.py"] = ((7, 7, b"z"), ("m1", False, b"z", (), ()))
    index_cache.save(tmp_path, new, previous=loaded)
    journal = index_cache.journal_file(tmp_path).read_bytes()
    index_cache.save(tmp_path, files)  # another run rewrites the base (and drops the journal)
    assert not index_cache.journal_file(tmp_path).exists()
    index_cache.journal_file(tmp_path).write_bytes(journal)
    assert index_cache.load(tmp_path) == files
