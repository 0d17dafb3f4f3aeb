"""The parallel paths of ``check`` (index scanners, the fix engine imported while they run,
forked checkers) give exactly the serial findings, with and without the cache. The fixture
workspace is smaller than the pool thresholds, so they are lowered here."""

from __future__ import annotations

from pathlib import Path

import pytest

from importwarden.project import batch as check_mod
from importwarden.config import load_settings
from importwarden.workspace import index as index_mod


def _findings(root: Path, *, jobs: int, cache: bool) -> list[tuple]:
    settings = load_settings(root, {}, None)
    session = check_mod.CheckSession(settings, cwd=root, use_cache=cache, jobs=jobs)
    found = session.check([])
    return [(f.path, f.code, f.range, f.message, f.fix) for f in found]


@pytest.mark.parametrize("cache", [False, True])
def test_parallel_check_equals_serial(ws: Path, monkeypatch, cache: bool) -> None:
    serial = _findings(ws, jobs=1, cache=False)
    assert {f[1] for f in serial} >= {"IW001", "IW002", "IW005"}  # (a meaningful fixture)
    monkeypatch.setattr(index_mod, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(check_mod, "PARALLEL_THRESHOLD", 1)
    started: list[str] = []
    real_start = check_mod._ImportInBackground.start

    def start(self):
        started.extend(self.modules)
        real_start(self)

    monkeypatch.setattr(check_mod._ImportInBackground, "start", start)
    assert _findings(ws, jobs=2, cache=cache) == serial
    assert started == ["importwarden.fixes", "libcst"]  # while the scanners ran
    if cache:  # and the cached run after it
        assert _findings(ws, jobs=2, cache=True) == serial


def test_checkers_are_forked_with_the_memo_filled(ws: Path, monkeypatch) -> None:
    # What the serial run's memo holds at the end, the forked checkers inherit from the start
    # (filled once in the parent, not once per checker: shared pages, not copies).
    memos: list[dict] = []
    real_analyze = check_mod.analyze_indexed

    def analyze(project, path, rel, memo=None, *args):
        if not any(m is memo for m in memos):
            memos.append(memo)
        return real_analyze(project, path, rel, memo, *args)

    monkeypatch.setattr(check_mod, "analyze_indexed", analyze)
    _findings(ws, jobs=1, cache=False)
    (serial,) = memos
    assert serial
    import importwarden.workers as workers

    forked: list[dict] = []
    real_pool = workers.process_pool

    def pool(*args, initargs=(), **kwargs):
        forked.append(dict(initargs[1]))  # (the memo, as the checkers get it)
        return real_pool(*args, initargs=initargs, **kwargs)

    monkeypatch.setattr(workers, "process_pool", pool)
    monkeypatch.setattr(check_mod, "PARALLEL_THRESHOLD", 1)
    _findings(ws, jobs=2, cache=False)
    assert forked == [serial]
