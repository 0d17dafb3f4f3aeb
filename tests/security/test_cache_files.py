"""The cache lives in the project, so a hostile repository can ship one: nothing read from it
may run code, and a cache that does not verify is ignored (findings as with ``--no-cache``)."""

from __future__ import annotations

import logging
import os
import pickle
import random
import shutil
from pathlib import Path

import pytest

from hostile import check_in_process, copy_workspace, run

SOURCE = Path("netra_backend/app/routes/clean.py")  # edited to send a run down the slow path


class _Exploit:
    """Unpickling this creates ``marker``: what a planted cache file would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


def _findings(cwd: Path, *extra: str) -> tuple[int, str]:
    result = run("check", "--output-format", "json", *extra, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def _key_dir(ws: Path) -> Path:
    (key_dir,) = (ws / ".importwarden_cache").glob("*/*/")
    return key_dir


def test_planted_pickles_do_not_run(ws, tmp_path):
    expected = _findings(ws, "--no-cache")
    assert _findings(ws) == expected  # creates the cache directory
    key_dir = _key_dir(ws)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Exploit(marker))
    # The names the cache used to read, the names it reads now, and the index's files.
    names = ["state.pickle", "state.journal.pickle", "registry.pickle", "index.pickle",
             "state.bin", "state.journal.bin", "registry.bin"]
    for name in names:
        (key_dir / name).write_bytes(payload)
    for index_file in (ws / ".importwarden_cache").glob("index-*"):
        index_file.write_bytes(payload)
    assert _findings(ws) == expected
    (ws / SOURCE).write_text((ws / SOURCE).read_text() + "import os\n")
    expected = _findings(ws, "--no-cache")
    assert _findings(ws) == expected
    assert not marker.exists()


def _flip(path: Path, rng: random.Random, count: int, start: int = 0) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(count):
        i = rng.randrange(start, len(data))
        data[i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["truncated", "flipped-blobs", "flipped-table", "short"])
def test_a_corrupt_index_is_rebuilt(ws, damage):
    _findings(ws)
    (base,) = (ws / ".importwarden_cache").glob("index-*.bin")
    data = base.read_bytes()
    rng = random.Random(damage)
    if damage == "truncated":
        base.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "flipped-blobs":  # the blobs are unmarshalled when used
        _flip(base, rng, 200, start=len(data) // 2)
    elif damage == "flipped-table":
        _flip(base, rng, 20, start=100)
        _flip(base, rng, 1, start=100)
    else:  # "marshal data too short"
        base.write_bytes(data[:60])
    (ws / SOURCE).write_text((ws / SOURCE).read_text() + "import os\n")  # (index consulted)
    assert _findings(ws) == _findings(ws, "--no-cache")


def test_an_ignored_file_costs_one_debug_line(ws, monkeypatch, caplog, capsys):
    from importwarden.cli import main

    monkeypatch.chdir(ws)
    assert main(["check", "--output-format", "json"]) == 1
    expected = capsys.readouterr().out
    state = _key_dir(ws) / "state.bin"
    _flip(state, random.Random(0), 1, start=100)
    with caplog.at_level(logging.DEBUG, logger="importwarden"):
        main(["check", "--output-format", "json"])
    assert capsys.readouterr().out == expected
    lines = [r.getMessage() for r in caplog.records if "state.bin" in r.getMessage()]
    assert len(lines) == 1 and "checksum mismatch" in lines[0], lines


# --- fuzz: damaged and swapped cache files ----------------------------------------------------

FUZZ_TRIES = int(os.environ.get("IW_CACHE_FUZZ_TRIES", "24"))


def _mutate(rng: random.Random, ws: Path, other: Path) -> str:
    cache = ws / ".importwarden_cache"
    files = sorted(p for p in cache.rglob("*") if p.is_file() and p.suffix == ".bin")
    what = rng.choice(["flip", "truncate", "swap", "swap-dir"])
    if what == "swap-dir":  # project B's whole cache directory copied over project A's
        shutil.rmtree(cache)
        shutil.copytree(other / ".importwarden_cache", cache)
        return what
    target = rng.choice(files)
    if what == "flip":
        _flip(target, rng, rng.choice([1, 2, 8, 64]))
    elif what == "truncate":
        target.write_bytes(target.read_bytes()[: rng.randrange(target.stat().st_size)])
    else:  # the same file from project B
        twin = other / target.relative_to(ws)
        if not twin.exists():
            twin = rng.choice(sorted((other / ".importwarden_cache").rglob("*.bin")))
        shutil.copyfile(twin, target)
    return f"{what} {target.relative_to(cache)}"


def fuzz_cache(tmp_path: Path, tries: int, seed: int = 0) -> dict[str, int]:
    """``tries`` runs of ``check`` after a random damage to the cache (in-process: the real
    CLI entry point); returns the counts of tries, tracebacks and wrong outputs."""
    ws = copy_workspace(tmp_path / "a")
    other = copy_workspace(tmp_path / "b")
    (other / SOURCE).write_text("import shared.b\n")  # (B's entries differ from A's)
    rng = random.Random(seed)
    counts = {"tries": 0, "tracebacks": 0, "wrong outputs": 0}
    check = check_in_process
    check(other)
    for i in range(tries):
        if i % 3 == 0:  # a change in the tree: the index is consulted, not only the state
            source = ws / SOURCE
            source.write_text(source.read_text() + f"import os  # {i}\n")
        check(ws)  # (a cache to damage)
        what = _mutate(rng, ws, other)
        counts["tries"] += 1
        try:
            got = check(ws)
        except Exception as exc:  # noqa: BLE001 (what the fuzz counts)
            counts["tracebacks"] += 1
            print(f"try {i}: {what}: {type(exc).__name__}: {exc}")
            continue
        if got != check(ws, "--no-cache"):
            counts["wrong outputs"] += 1
            print(f"try {i}: {what}: findings differ from --no-cache")
    return counts


def test_fuzz_damaged_and_swapped_cache_files(tmp_path):
    counts = fuzz_cache(tmp_path, FUZZ_TRIES)
    assert counts == {"tries": FUZZ_TRIES, "tracebacks": 0, "wrong outputs": 0}
