"""Helpers for the hostile-repository tests: a copy of the fixture workspace, bait modules, and
the real CLI in a subprocess (``tests/cli/conftest.py`` runs it the same way)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKSPACE = REPO / "tests" / "fixtures" / "workspace"
CONSOLE_SCRIPT = Path(sys.executable).parent / "importwarden"


def copy_workspace(dest: Path) -> Path:
    shutil.copytree(WORKSPACE, dest)
    (dest / ".git").mkdir()
    return dest


def check_in_process(root: Path, *extra: str) -> tuple[int, str]:
    """(exit code, JSON output) of ``importwarden check`` run in this process (the real CLI
    entry point) from ``root``; stderr is dropped, the cwd restored."""
    import contextlib
    import io

    from importwarden.cli import main

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", "--output-format", "json", *extra])
    finally:
        os.chdir(cwd)
    return code, out.getvalue()


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env.update(PYTHONIOENCODING="utf-8", PYTHONUTF8="1", **extra)
    return env


def run(*args: str, cwd: Path, module: bool = False, timeout: float = 120,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``importwarden ARGS`` (the console script, or ``python -m importwarden``) in ``cwd``."""
    cmd = [sys.executable, "-m", "importwarden"] if module else [str(CONSOLE_SCRIPT)]
    return subprocess.run([*cmd, *args], cwd=cwd, env=env or cli_env(), capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


BAIT = "open({marker!r}, 'a').close()  # imported: this workspace's code ran\n"


def plant_bait(root: Path, names: list[str], markers: Path) -> None:
    """A package per top-level module name in ``root`` that, when imported, creates
    ``markers/<name>``: proof that the workspace shadowed a module and ran."""
    markers.mkdir(parents=True, exist_ok=True)
    for name in names:
        package = root / name
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text(BAIT.format(marker=str(markers / name)))


def ran(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir())


RULES_FILE = "netra_backend/app/routes/registry_rules.py"  # a file with fixable findings


def copy_workspace_with_copies(dest: Path, copies: int) -> Path:
    """The fixture workspace plus ``copies`` copies of ``RULES_FILE`` (enough files, and enough
    fixable ones, for every process pool to be used)."""
    ws = copy_workspace(dest)
    rules = (ws / RULES_FILE).read_text()
    where = ws / "netra_backend" / "app" / "routes" / "copies"
    where.mkdir()
    (where / "__init__.py").write_text("")
    for i in range(copies):
        (where / f"rules_{i}.py").write_text(rules)
    return ws


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux: /proc)."""
    import glob

    out: set[int] = set()
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            out.update(int(p) for p in Path(path).read_text().split())
        except OSError:
            pass
    return out
