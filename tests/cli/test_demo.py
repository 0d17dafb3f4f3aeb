"""The README's main command: ``scripts/demo`` runs ``importwarden check`` in ``demo/``.

This runs the same command line in a copy of the demo (so the cache it writes stays out of the
tree) and checks that the demo shows what the README promises: findings of several rules, a
registry that lints clean, and fixes that leave only the unfixable findings behind.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_check_shows_several_rules(cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "demo", demo)

    text = cli("check", cwd=demo)
    assert text.returncode == 1, text
    # counted by severity (issue 11: "Found 9 errors" counted warnings and hints as errors)
    assert text.stdout.rstrip().splitlines()[-1].startswith(
        "Found 4 errors, 3 warnings, 1 info and 1 hint"), text

    result = cli("check", "--output-format", "json", "--no-cache", cwd=demo)
    codes = sorted({f["code"] for f in json.loads(result.stdout)})
    assert codes == ["IW001", "IW002", "IW003", "IW004", "IW005", "IW006", "IW007"], result

    # The demo registry lists DeepAgentState as verified and, in its migration section, as the
    # deprecated BEFORE half: a contradiction lint reports (issue 11, IWR012), nothing else.
    lint = cli("registry", "lint", cwd=demo)
    assert lint.returncode == 1, lint
    assert [line.split()[1] for line in lint.stdout.splitlines()] == ["IWR012"], lint


def test_demo_fix_then_check_leaves_only_unfixable(cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "demo", demo)

    fixed = cli("fix", "--unsafe-fixes", "--no-cache", cwd=demo)
    assert fixed.returncode == 1, fixed  # IW004/IW005-without-fix/IW006 remain

    after = cli("check", "--output-format", "json", "--no-cache", cwd=demo)
    remaining = sorted(f["code"] for f in json.loads(after.stdout))
    assert "IW002" not in remaining and "IW003" not in remaining, after
    assert "IW007" not in remaining, after
