"""Real git repositories in temporary directories, built commit by commit, and the real CLI.

Identity and dates come from the environment and ``-c user.name``, so the tests run on a
fresh CI machine with no git configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _cli_runner():
    """``tests/cli/conftest.py``'s ``run_cli`` (the real console script), loaded by path: the
    test directories are not packages."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "cli" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cli_conftest_for_history", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module.run_cli


@pytest.fixture(scope="session")
def cli():
    return _cli_runner()

GIT_ENV = {"GIT_AUTHOR_NAME": "Ann Author", "GIT_AUTHOR_EMAIL": "ann@example.com",
           "GIT_COMMITTER_NAME": "Ann Author", "GIT_COMMITTER_EMAIL": "ann@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


class GitRepo:
    def __init__(self, root: Path):
        self.root = root
        self.day = 0
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        stamp = f"2026-11-{1 + self.day:02d}T10:00:00+00:00"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        done = subprocess.run(["git", "-c", "user.name=Ann Author",
                               "-c", "user.email=ann@example.com", "-c", "commit.gpgsign=false",
                               *args], cwd=self.root, env=env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def write(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def commit(self, message: str, files: dict[str, str] | None = None,
               remove: tuple[str, ...] = ()) -> str:
        if files:
            self.write(files)
        for rel in remove:
            self.git("rm", "-q", rel)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        self.day += 1
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    root = tmp_path / "project"
    root.mkdir()
    return GitRepo(root)
