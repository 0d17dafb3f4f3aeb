"""Fixtures for CLI tests: run the real ``importwarden`` console script (or ``python -m
importwarden``) in a subprocess, with its stdout piped or on a pseudo-terminal.

    def test_x(cli, project):
        result = cli("registry", "show", cwd=project)
        assert result.returncode == 0, result.stderr
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
REGISTRIES = FIXTURES / "registries"


def console_script() -> Path:
    """The installed entry point next to the interpreter running the tests (the venv's)."""
    script = Path(sys.executable).parent / "importwarden"
    if script.exists():
        return script
    found = shutil.which("importwarden")
    if found is None:
        pytest.fail("the importwarden console script is not installed (run scripts/bootstrap)")
    return Path(found)


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    args: tuple[str, ...]

    def __str__(self) -> str:  # shown by failing asserts
        return (f"$ importwarden {' '.join(self.args)}\n[exit {self.returncode}]\n"
                f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}")


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "NO_COLOR", "PY_COLORS", "COLUMNS", "TERM")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUTF8"] = "1"
    env.update(extra or {})
    return env


def run_cli(*args: str, cwd: Path, module: bool = False, tty: bool = False,
            env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 120) -> CliResult:
    cmd = ([sys.executable, "-m", "importwarden"] if module else [str(console_script())])
    cmd += [str(a) for a in args]
    if not tty:
        proc = subprocess.run(cmd, cwd=cwd, env=_env(env), input=stdin, capture_output=True,
                              text=True, encoding="utf-8", timeout=timeout)
        return CliResult(proc.returncode, proc.stdout, proc.stderr, tuple(map(str, args)))
    # stdout on a pseudo-terminal (200 columns) so the command takes its interactive path.
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    terminal_env = {"TERM": "xterm-256color", "COLUMNS": "200", **(env or {})}
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(terminal_env), stdout=slave,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.wait(timeout=timeout)
    stdout = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return CliResult(proc.returncode, stdout, stderr, tuple(map(str, args)))


@pytest.fixture
def cli():
    """``cli(*args, cwd=..., module=False, tty=False, env=None, stdin=None) -> CliResult``."""
    return run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty repository directory (its ``.git`` stops the upward config search)."""
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A private copy of the fixture workspace (bytes kept: CRLF, BOM, latin-1); its ``.git``
    stops the upward config search at the copy."""
    dest = tmp_path / "ws"
    shutil.copytree(REPO / "tests" / "fixtures" / "workspace", dest)
    (dest / ".git").mkdir()
    return dest


@pytest.fixture
def rechecked(monkeypatch) -> list[list[str]]:
    """The files (relative, sorted) each ``CheckSession._run_many`` call of the test checks,
    one list per call: which files a run re-checked."""
    from importwarden.project import batch

    calls: list[list[str]] = []
    real_run_many = batch.CheckSession._run_many

    def spy(self, paths, rel_of):
        calls.append(sorted(rel_of[p] for p in paths))
        return real_run_many(self, paths, rel_of)

    monkeypatch.setattr(batch.CheckSession, "_run_many", spy)
    return calls
