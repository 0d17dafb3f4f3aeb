"""benchmarks/same_findings.py (the recorded check that findings do not move between
revisions, serial and parallel runs, cold and warm) finds a difference when there is one,
and runs end to end on the demo project."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import same_findings  # noqa: E402


def _finding(line: int, message: str = "m", fix: object = None) -> dict:
    return {"path": "a.py", "line": line, "column": 1, "code": "IW001", "message": message,
            "fix": fix}


def test_differences_are_found() -> None:
    ref = [_finding(1), _finding(2, fix={"edits": [1]})]
    assert same_findings.differences(ref, list(ref)) == []
    assert same_findings.differences(ref, ref[:1]) == ["missing: ('a.py', 2, 1, 'IW001', 'm')"]
    assert same_findings.differences(ref[:1], ref) == ["extra: ('a.py', 2, 1, 'IW001', 'm')"]
    changed = [ref[0], _finding(2, fix={"edits": [2]})]
    (only,) = same_findings.differences(ref, changed)
    assert only.startswith("differs: ('a.py', 2, 1, 'IW001', 'm')")
    assert same_findings.differences(ref, ref + ref[:1]) == ["2 vs 3 findings (duplicates)"]


def test_the_demo_gives_the_same_findings_every_way(capsys) -> None:
    assert same_findings.main(["--trees", "", "--root", str(REPO / "demo"), "--no-record"]) == 0
    out = capsys.readouterr().out
    assert "| demo | serial (jobs=1) |" in out and "| demo | warm (from the cache) |" in out
    assert "identical" in out and "differences" not in out
