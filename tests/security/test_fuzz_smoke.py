"""Keep ``benchmarks/fuzz.py`` from rotting: each campaign runs a few tries on the fixture
workspace (one of them through the CLI), finds nothing, and a campaign that does find a
traceback or a wrong output makes the script exit non-zero. The real campaigns and their
figures are in ``benchmarks/results/fuzz.md``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FUZZ = REPO / "benchmarks" / "fuzz.py"
TRIES = {"registries": 8, "sources": 8, "lsp": 6, "cache": 6}


def _rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] in TRIES:
            rows[cells[0]] = cells
    return rows


@pytest.mark.parametrize("area", list(TRIES))
def test_each_campaign_runs_and_finds_nothing(area: str, tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, str(FUZZ), "--campaigns", area, "--tries", str(TRIES[area]),
         "--seconds", "120", "--corpora", "workspace", "--source-seeds", "6",
         "--cli-every", "100", "--out", str(tmp_path / "out"), "--no-record"],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    row = _rows(proc.stdout)[area]
    # tries, tracebacks, wrong outputs, lost data
    assert row[1:5] == [str(TRIES[area]), "0", "0", "0"], row
    assert "CLI samples: 1" in row[-1] or area == "lsp", row
    assert any((tmp_path / "out").glob(f"{area}-slowest*")), "the slowest input was not kept"


def _in_process(tmp_path: Path, *argv: str):
    """The fuzz module (imported here, so a test can patch what it calls) and its argv."""
    sys.path.insert(0, str(FUZZ.parent))
    try:
        import fuzz
    finally:
        sys.path.pop(0)
    return fuzz, ["--tries", "4", "--seconds", "120", "--corpora", "workspace", "--cli-every", "0",
                  "--source-seeds", "4", "--out", str(tmp_path / "out"), "--no-record", *argv]


def test_a_traceback_fails_the_run(monkeypatch, tmp_path: Path, capsys):
    fuzz, argv = _in_process(tmp_path, "--campaigns", "registries")

    def broken(path):
        raise ValueError("a bug in the reader")

    monkeypatch.setattr(fuzz, "_read_registry", broken)
    assert fuzz.main(argv) == 1
    row = _rows(capsys.readouterr().out)["registries"]
    assert row[1:3] == ["4", "4"], row
    assert sorted(p.name for p in (tmp_path / "out").glob("registries-tracebacks-*.json"))


def test_a_fix_that_breaks_a_file_is_a_wrong_output(monkeypatch, tmp_path: Path, capsys):
    fuzz, argv = _in_process(tmp_path, "--campaigns", "sources", "--tries", "12")
    from importwarden import fixes

    real = fixes.fix_source

    def corrupting(project, path, source, *args, **kwargs):
        result = real(project, path, source, *args, **kwargs)
        if result.applied:  # what the CRLF bug of issue 15 did: the file stops compiling
            result.new_source = "x = (\n" + result.new_source
        return result

    monkeypatch.setattr(fixes, "fix_source", corrupting)
    assert fuzz.main(argv) == 1
    row = _rows(capsys.readouterr().out)["sources"]
    assert int(row[3]) > 0, row
