"""Workspace file walk: exclude patterns, nested .gitignore, default skips, bad entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from importwarden.config import Settings
from importwarden.workspace.files import iter_python_files


def _touch(root: Path, *names: str) -> None:
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n", encoding="utf-8")


def _rel(root: Path, paths) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_walk_honours_exclude_gitignore_and_default_skips(tmp_path: Path) -> None:
    _touch(tmp_path, "a.py", "pkg/__init__.py", "pkg/m.py", "pkg/gen/out.py", "pkg/keep.py",
           "sub/.hidden_ok.py", "sub/deep/x.py", "sub/deep/y.py", "notes.txt",
           ".venv/lib/z.py", "node_modules/q.py", "build/b.py", "pkg/__pycache__/c.py",
           "migrations/0001.py", "tools/tmp_skip.py")
    (tmp_path / ".gitignore").write_text("# comment\npkg/gen/\n*.txt\n", encoding="utf-8")
    (tmp_path / "sub" / ".gitignore").write_text("deep/y.py\n", encoding="utf-8")
    settings = Settings(root=tmp_path, exclude=("migrations/", "tmp_*.py"))
    got = _rel(tmp_path, iter_python_files(settings))
    assert got == ["a.py", "pkg/__init__.py", "pkg/keep.py", "pkg/m.py",
                   "sub/.hidden_ok.py", "sub/deep/x.py"]


def test_nested_gitignore_applies_only_below_its_directory(tmp_path: Path) -> None:
    _touch(tmp_path, "x/skip.py", "y/skip.py")
    (tmp_path / "x" / ".gitignore").write_text("skip.py\n", encoding="utf-8")
    assert _rel(tmp_path, iter_python_files(Settings(root=tmp_path))) == ["y/skip.py"]


def test_explicit_paths_and_deterministic_order(tmp_path: Path) -> None:
    _touch(tmp_path, "b/z.py", "b/a.py", "a/m.py", "ignored/f.py")
    settings = Settings(root=tmp_path, exclude=("ignored/",))
    assert _rel(tmp_path, iter_python_files(settings)) == ["a/m.py", "b/a.py", "b/z.py"]
    # a file named explicitly is checked even when excluded (ruff's behaviour)
    assert _rel(tmp_path, iter_python_files(settings, [tmp_path / "ignored/f.py", "b"])) == [
        "ignored/f.py", "b/a.py", "b/z.py"]


def test_broken_symlink_and_unreadable_dir_give_notices(tmp_path: Path) -> None:
    _touch(tmp_path, "ok.py", "locked/secret.py")
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    os.symlink(tmp_path / "ok.py", tmp_path / "alias.py")
    os.symlink(tmp_path, tmp_path / "loop")  # symlinked directories are not entered
    notices: list[str] = []
    (tmp_path / "locked").chmod(0)
    try:
        got = _rel(tmp_path, iter_python_files(Settings(root=tmp_path), notice=notices.append))
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert "ok.py" in got and "alias.py" in got and "dangling.py" not in got
    assert any("dangling.py" in n and "broken symlink" in n for n in notices)
    if os.geteuid() != 0:  # root can read anything
        assert any("locked" in n for n in notices)
    assert not any(g.startswith("loop/") for g in got)


def test_missing_path_is_a_notice_not_a_crash(tmp_path: Path) -> None:
    notices: list[str] = []
    assert list(iter_python_files(Settings(root=tmp_path), ["nope"], notices.append)) == []
    assert notices and "nope" in notices[0]


@pytest.mark.parametrize("pattern, kept", [("!keep.py", True), ("", False)])
def test_gitignore_negation(tmp_path: Path, pattern: str, kept: bool) -> None:
    _touch(tmp_path, "keep.py", "drop.py")
    (tmp_path / ".gitignore").write_text(f"*.py\n{pattern}\n", encoding="utf-8")
    got = _rel(tmp_path, iter_python_files(Settings(root=tmp_path)))
    assert got == (["keep.py"] if kept else [])
