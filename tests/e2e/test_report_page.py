"""The ``importwarden report`` HTML page in a real browser: Chromium through playwright-core
(the copy ``scripts/setup-vscode-e2e`` installs for the VS Code test). The chart renders, its
axes are labelled, the plotted numbers and the table are the JSON report's, and the page asks
for nothing over the network. A screenshot lands in ``test-artifacts/report/``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PLAYWRIGHT = HERE / "vscode" / "node_modules" / "playwright-core"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "report"
SETUP_HINT = "run scripts/setup-vscode-e2e first (scripts/test does)"
GIT_ENV = {"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
           "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

pytestmark = pytest.mark.e2e


def _git(root: Path, *args: str, day: int = 0) -> None:
    stamp = f"2026-11-{1 + day:02d}T10:00:00+00:00"
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, env=env, check=True,
                   capture_output=True)


def _commit(root: Path, day: int, message: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "add", "-A", day=day)
    _git(root, "commit", "-q", "-m", message, day=day)


def _project(root: Path) -> None:
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    registry = ("# Registry\n\n```python\nfrom pkg.old import f  # \u274c BROKEN PATH\n"
                "# USE INSTEAD: from pkg.new import f\n```\n")
    users = {f"app/m{i}.py": "from pkg.old import f\nfrom pkg.nowhere import g\n"
             for i in range(6)}
    _commit(root, 0, "start", {"IMPORT_REGISTRY.md": registry, "pkg/__init__.py": "",
                               "pkg/new.py": "def f():\n    return 1\n", "app/__init__.py": "",
                               **users})
    for day in range(1, 6):
        _commit(root, day, f"migrate m{day}", {
            f"app/m{day}.py": "from pkg.new import f\n" + (
                "from pkg.nowhere import g\n" if day % 2 else "")})


def test_report_page_in_chromium(tmp_path: Path) -> None:
    if not PLAYWRIGHT.exists():
        pytest.fail(f"playwright-core missing ({PLAYWRIGHT}): {SETUP_HINT}")
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium missing ({CHROMIUM}): {SETUP_HINT}")
    root = tmp_path / "project"
    _project(root)
    exe = Path(sys.executable).parent / "importwarden"
    page = tmp_path / "report.html"
    for out in (page, tmp_path / "report.json"):
        done = subprocess.run([str(exe), "report", "--output", str(out)], cwd=root,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-page.png"
    driver = subprocess.run(["node", str(HERE / "report_page.mjs"), "--page", str(page),
                             "--screenshot", str(shot), "--chromium", str(CHROMIUM)],
                            capture_output=True, text=True, timeout=180, check=False)
    assert driver.returncode == 0, driver.stderr[-3000:]
    shown = json.loads(driver.stdout.strip().splitlines()[-1])

    assert shown["width"] > 500 and shown["height"] > 300  # the chart is laid out
    assert shown["xLabel"].startswith("commit") and shown["yLabel"] == "findings"
    assert shown["yTicks"][0] == "0" and len(shown["yTicks"]) == 6
    assert shown["xTicks"][-1] == data["rows"][-1]["commit"][:7]
    commits = [r["commit"] for r in data["rows"]]
    assert set(shown["series"]) == {*data["codes"], "total"}
    for code in data["codes"]:
        series = shown["series"][code]
        assert series["values"] == [r["counts"].get(code, 0) for r in data["rows"]]
        assert series["commits"] == commits and series["length"] > 0
    assert shown["series"]["total"]["values"] == [r["total"] for r in data["rows"]]
    assert shown["series"]["total"]["values"] == [12, 11, 9, 8, 6, 5]
    assert shown["head"] == ["commit", "date", "subject", "files touched", *data["codes"],
                             "total"]
    assert [r["commit"] for r in shown["rows"]] == commits
    for row, json_row in zip(shown["rows"], data["rows"], strict=True):
        counts = [int(c) for c in row["cells"][4:]]
        assert counts == [json_row["counts"].get(c, 0) for c in data["codes"]] + [
            json_row["total"]]
    assert all(url.startswith("file://") for url in shown["requests"]), shown["requests"]
    assert shot.stat().st_size > 10_000
