"""Successive ``check`` runs that each change a few files: the caches then write journals of
the changed entries (not the whole state), and every run must still agree with ``--no-cache``."""

from __future__ import annotations

from pathlib import Path


def _cache_files(ws: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in (ws / ".importwarden_cache").rglob("*") if p.is_file()}


def _agrees(cli, ws: Path) -> str:
    cached = cli("check", "--output-format", "json", cwd=ws)
    fresh = cli("check", "--output-format", "json", "--no-cache", cwd=ws)
    assert cached.stdout == fresh.stdout, cached
    assert cached.returncode == fresh.returncode
    return cached.stdout


def test_successive_small_changes_agree_with_no_cache(cli, ws):
    cache = ws / ".importwarden_cache"
    _agrees(cli, ws)
    assert not list(cache.rglob("*journal*"))  # a first run writes whole files
    routes = ws / "netra_backend" / "app" / "routes"
    clean = routes / "clean.py"
    widgets = ws / "netra_backend" / "app" / "services" / "widgets.py"
    # 1: an importer gains an import of a name that exists
    clean.write_text(clean.read_text() + "from netra_backend.app.services.widgets import get_widget\n")
    _agrees(cli, ws)
    assert list(cache.rglob("state.journal.bin"))
    assert list(cache.glob("index-*.journal.bin"))
    # 2: the module it imports stops binding the name (importers must be re-checked)
    original = widgets.read_text()
    widgets.write_text("def other_widget():\n    return 1\n")
    out = _agrees(cli, ws)
    assert "routes/clean.py" in out
    # 3: a file is deleted, another one added
    widgets.unlink()
    (routes / "added.py").write_text("from netra_backend.app.services.widgets import get_widget\n")
    out = _agrees(cli, ws)
    assert "routes/added.py" in out
    # 4: back as it was; the journal carries all the runs since the base was written
    widgets.write_text(original)
    (routes / "added.py").unlink()
    _agrees(cli, ws)
    # 5: nothing changed: base + journal are the current state, so the run takes the fast
    # path and writes nothing (a journal not applied would make files look changed)
    _agrees(cli, ws)
    before = _cache_files(ws)
    assert cli("check", cwd=ws).returncode in (0, 1)
    assert _cache_files(ws) == before


def test_a_journal_for_another_base_does_not_break_the_run(cli, ws):
    cache = ws / ".importwarden_cache"
    _agrees(cli, ws)
    clean = ws / "netra_backend" / "app" / "routes" / "clean.py"
    clean.write_text(clean.read_text() + "import os\n")
    _agrees(cli, ws)
    journals = list(cache.rglob("*journal*"))
    assert len(journals) == 2
    saved = {p: p.read_bytes() for p in journals}
    # Another run rewrites the bases (here: a cold run after the journals are removed) ...
    for p in journals:
        p.unlink()
    for p in cache.rglob("state.bin"):
        p.unlink()
    for p in cache.glob("index-*.bin"):
        p.unlink()
    clean.write_text(clean.read_text() + "import sys\n")
    _agrees(cli, ws)
    # ... and a journal written against the old bases reappears: it must not be applied.
    for p, data in saved.items():
        p.write_bytes(data)
    _agrees(cli, ws)


def test_a_star_re_export_carries_a_change_to_the_importers(cli, ws):
    """``facade`` re-exports ``impl`` with ``*``; ``user`` imports a name through ``facade``.
    When ``impl`` stops binding the name, ``user`` changes nothing itself, yet its finding
    changes: the cached run must see that, as ``--no-cache`` does."""
    pkg = ws / "netra_backend" / "app" / "services"
    impl = pkg / "star_impl.py"
    impl.write_text("def exported():\n    return 1\n")
    (pkg / "star_facade.py").write_text("from netra_backend.app.services.star_impl import *\n")
    user = ws / "netra_backend" / "app" / "routes" / "star_user.py"
    user.write_text("from netra_backend.app.services.star_facade import exported\n")
    assert "star_user.py" not in _agrees(cli, ws)
    impl.write_text("def renamed():\n    return 1\n")
    assert "star_user.py" in _agrees(cli, ws)
    impl.write_text("def exported():\n    return 1\n")  # and back
    assert "star_user.py" not in _agrees(cli, ws)
