"""What a ruff user expects of ``check`` and ``fix`` on first contact (issue 12): missing paths
fail, the project root comes from the paths (not the current directory), ruff's option names,
``fail-level``, and a project without a registry.

Every test runs the real console script, mostly from a directory other than the project.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


REGISTRY = """# Import registry

```python
from app.old import thing  # ❌ BROKEN PATH
# USE INSTEAD: from app.new import thing
from app.maybe import Later  # ❓
```
"""


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A project with a registry (no .git, no pyproject.toml: the registry marks the root):
    one IW001 (error, safe fix) in app/use.py, one IW004 (hint) in app/hint.py."""
    root = tmp_path / "work" / "proj"
    write(root / "SSOT_IMPORT_REGISTRY.md", REGISTRY)
    write(root / "app" / "__init__.py")
    write(root / "app" / "new.py", "thing = 1\n")
    write(root / "app" / "maybe.py", "class Later:\n    pass\n")
    write(root / "app" / "use.py", "from app.old import thing\n\nprint(thing)\n")
    write(root / "app" / "hint.py", "from app.maybe import Later\n\nprint(Later)\n")
    write(root / "app" / "clean.py", "import os\n")
    return root


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# --- 1. a path that does not exist -------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_missing_path_is_an_error_in_check_and_fix_alike(cli, small, command):
    result = cli(command, "nosuchdir", "--no-cache", cwd=small)
    assert result.returncode == 2, result
    assert stderr_lines(result) == ["importwarden: nosuchdir: no such file or directory"], result
    assert "All checks passed!" not in result.stdout
    # With an existing path beside it, that one is still checked / fixed; the exit stays 2.
    both = cli(command, "app/use.py", "nosuch.py", "--no-cache", cwd=small)
    assert both.returncode == 2, both
    assert "importwarden: nosuch.py: no such file or directory" in both.stderr
    if command == "check":
        assert "app/use.py:1:" in both.stdout and "IW001" in both.stdout
    else:
        assert "from app.new import thing" in (small / "app" / "use.py").read_text()


def test_a_missing_path_is_not_hidden_by_exit_zero(cli, small):
    result = cli("check", "app/clean.py", "typo.py", "--exit-zero", "--no-cache", cwd=small)
    assert result.returncode == 2, result
    assert "All checks passed!" not in result.stdout


# --- 2. the project root comes from the paths --------------------------------------------------


def test_root_comes_from_the_path_not_the_cwd(cli, small):
    outside = small.parent  # tmp/work: no marker of its own
    result = cli("check", "proj/app/use.py", cwd=outside)
    assert result.returncode == 1, result
    assert "proj/app/use.py:1:21: IW001" in result.stdout  # the project's registry was found
    assert (small / ".importwarden_cache").is_dir()
    assert not (outside / ".importwarden_cache").exists()
    # An absolute path from anywhere else: the same project.
    other = cli("check", str(small / "app" / "use.py"), "--output-format", "json",
                cwd=small / "app")
    assert [f["code"] for f in json.loads(other.stdout)] == ["IW001"], other


def test_root_markers_nearest_first(cli, tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "IMPORT_REGISTRY.md", REGISTRY)
    # A sub-package's pyproject.toml without [tool.importwarden] is passed over: the root is
    # the repository, whose registry applies.
    write(repo / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")
    write(repo / "pkg" / "app" / "__init__.py")
    write(repo / "pkg" / "app" / "use.py", "from app.old import thing\n")
    result = cli("check", "pkg/app/use.py", "--no-cache", "--output-format", "json", cwd=repo)
    assert [f["code"] for f in json.loads(result.stdout)] == ["IW001"], result
    # importwarden.toml with settings marks a nearer root (its own, empty, registry-less one).
    write(repo / "pkg" / "importwarden.toml", 'ignore = ["IW004"]\n')
    nearer = cli("check", "pkg/app/use.py", "--no-cache", cwd=repo)
    assert "no import registry in " + str((repo / "pkg").resolve()) in nearer.stderr, nearer


def test_a_directory_that_is_no_project_is_never_indexed(cli, tmp_path):
    loose = tmp_path / "loose"
    write(loose / "pkg" / "api.py", "import os\n")
    result = cli("check", "pkg/api.py", cwd=loose)
    assert result.returncode == 2, result
    assert len(stderr_lines(result)) == 1 and "not inside a project" in result.stderr, result
    assert result.stdout == ""
    assert not any(p.name == ".importwarden_cache" for p in tmp_path.rglob("*"))


def test_home_is_never_the_root_even_with_a_git_directory(cli, tmp_path):
    home = tmp_path / "home"
    (home / ".git").mkdir(parents=True)  # a dotfiles checkout
    write(home / "scratch" / "x.py", "import os\n")
    result = cli("check", "scratch/x.py", cwd=home, env={"HOME": str(home)})
    assert result.returncode == 2, result
    assert "never indexed as a project" in result.stderr and len(stderr_lines(result)) == 1
    assert not (home / ".importwarden_cache").exists()
    # Explicit configuration there is a decision, and is respected.
    write(home / "importwarden.toml", 'ignore = ["IW004"]\n')
    configured = cli("check", "scratch/x.py", "--no-cache", cwd=home, env={"HOME": str(home)})
    assert configured.returncode == 0, configured


def test_paths_of_two_projects_are_refused(cli, tmp_path, small):
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    write(other / "b.py")
    result = cli("check", str(small / "app" / "use.py"), str(other / "b.py"), cwd=tmp_path)
    assert result.returncode == 2 and "different projects" in result.stderr, result


def test_config_file_elsewhere_does_not_move_the_root(cli, tmp_path, small):
    config = write(tmp_path / "ci" / "strict.toml", 'fail-level = "hint"\n')
    result = cli("check", "--config", str(config), "--no-cache", cwd=small)
    assert result.returncode == 1, result
    assert "app/hint.py:1:" in result.stdout  # the project's files, its registry
    assert not (config.parent / ".importwarden_cache").exists()
    # Its relative paths are relative to the current directory, as in ruff.
    write(tmp_path / "ci" / "reg.toml", 'registry = ["SSOT_IMPORT_REGISTRY.md"]\n')
    rel = cli("check", "--config", str(tmp_path / "ci" / "reg.toml"), "--no-cache", cwd=small)
    assert rel.returncode == 1 and "IW001" in rel.stdout, rel


def test_config_file_dir_is_the_root_only_when_nothing_else_marks_one(cli, tmp_path):
    loose = tmp_path / "loose"
    write(loose / "a.py", "import os\n")
    config = write(loose / "ci.toml", 'ignore = ["IW004"]\n')
    result = cli("check", "a.py", "--config", str(config), "--no-cache", cwd=loose)
    assert result.returncode == 0, result
    assert "no import registry in " + str(loose.resolve()) in result.stderr


# --- 3. options --------------------------------------------------------------------------------


def test_hints_and_information_do_not_fail_by_default(cli, small):
    hint = cli("check", "app/hint.py", "--no-cache", cwd=small)
    assert hint.returncode == 0, hint
    assert "IW004" in hint.stdout and "Found 1 hint." in hint.stdout
    flag = cli("check", "app/hint.py", "--no-cache", "--fail-level", "hint", cwd=small)
    assert flag.returncode == 1, flag
    write(small / "importwarden.toml", 'fail-level = "info"\n')
    assert cli("check", "app/hint.py", "--no-cache", cwd=small).returncode == 0
    write(small / "importwarden.toml", 'fail-level = "hint"\n')
    assert cli("check", "app/hint.py", "--no-cache", cwd=small).returncode == 1
    assert cli("check", "app/use.py", "--no-cache", "--fail-level", "error",
               cwd=small).returncode == 1
    bad = cli("check", "--config", "fail-level = 'fatal'", cwd=small)
    assert bad.returncode == 2 and "fail-level" in bad.stderr, bad


def test_fix_leaves_a_hint_without_failing(cli, small):
    result = cli("fix", "app/hint.py", "--no-cache", cwd=small)
    assert result.returncode == 0, result
    assert "IW004 left" in result.stdout
    assert cli("fix", "app/hint.py", "--fail-level", "hint", cwd=small).returncode == 1


def test_config_key_value_overrides(cli, small):
    result = cli("check", "--config", 'ignore = ["IW001"]', "--config", "fail-level=hint",
                 "--no-cache", "--output-format", "json", cwd=small)
    assert result.returncode == 1, result
    assert [f["code"] for f in json.loads(result.stdout)] == ["IW004"]
    nested = cli("check", "app/hint.py", "--config", 'severity.IW004 = "error"', "--no-cache",
                 "--output-format", "json", cwd=small)
    assert json.loads(nested.stdout)[0]["severity"] == "error" and nested.returncode == 1
    garbage = cli("check", "--config", "select = [", cwd=small)
    assert garbage.returncode == 2 and len(stderr_lines(garbage)) == 1, garbage
    two = cli("check", "--config", "a.toml", "--config", "b.toml", cwd=small)
    assert two.returncode == 2, two


def test_exclude_and_extend_exclude(cli, small):
    def files(*args):
        out = cli("check", "--no-cache", "--output-format", "json", *args, cwd=small).stdout
        return sorted(f["path"] for f in json.loads(out))

    assert files() == ["app/hint.py", "app/use.py"]
    assert files("--exclude", "app/use.py") == ["app/hint.py"]
    write(small / "importwarden.toml", 'exclude = ["app/hint.py"]\n')
    assert files() == ["app/use.py"]
    assert files("--extend-exclude", "app/use.py") == []
    assert files("--exclude", "app/use.py") == ["app/hint.py"]  # replaces the configured list


def test_quiet_and_output_file(cli, small):
    quiet = cli("check", "-q", "--no-cache", cwd=small)
    assert quiet.stdout.splitlines()[-1].startswith("app/use.py:1:21: IW001"), quiet
    assert "Found" not in quiet.stdout and quiet.returncode == 1
    report = small.parent / "report.sarif"
    to_file = cli("check", "--output-format", "sarif", "--output-file", str(report), cwd=small)
    assert to_file.returncode == 1 and to_file.stdout == "", to_file
    assert json.loads(report.read_text())["version"] == "2.1.0"


def test_check_diff_and_check_fix(cli, small):
    use = small / "app" / "use.py"
    diff = cli("check", "--diff", "--no-cache", cwd=small)
    assert diff.returncode == 1, diff
    assert "+from app.new import thing" in diff.stdout
    assert use.read_text().startswith("from app.old import thing")  # nothing written
    fixed = cli("check", "--fix", "--no-cache", cwd=small)
    assert use.read_text().startswith("from app.new import thing"), fixed
    assert "app/use.py: fixed 1 (IW001)" in fixed.stderr
    # What remains is reported as check reports it: only the hint, which does not fail.
    assert "IW001" not in fixed.stdout and "Found 1 hint." in fixed.stdout, fixed
    assert fixed.returncode == 0


def test_no_registry_still_checks_the_workspace_rules(cli, tmp_path):
    root = tmp_path / "bare"
    (root / ".git").mkdir(parents=True)
    write(root / "app" / "__init__.py")
    write(root / "app" / "a.py", "def real():\n    pass\n")
    write(root / "app" / "b.py", "from app.a import missing\n")
    write(root / "tests" / "test_b.py", "from unittest import mock\n\n"
          "@mock.patch('app.a.gone')\ndef test_x(m):\n    pass\n")
    result = cli("check", "--no-cache", cwd=root)
    assert result.returncode == 1, result
    lines = stderr_lines(result)
    assert len(lines) == 1 and "no import registry in" in lines[0], result
    assert "IW005" in result.stdout and "IW007" in result.stdout
    # fix works too (it no longer refuses everything): its IW005 is left, with a reason.
    fixed = cli("fix", "--no-cache", cwd=root)
    assert fixed.returncode == 1 and "IW005 left" in fixed.stdout, fixed
    clean = cli("check", "app/a.py", "--no-cache", "-q", cwd=root)
    assert clean.returncode == 0 and clean.stderr == "", clean


def test_a_registry_that_fails_to_load_still_exits_2(cli, ws):
    (ws / "SSOT_IMPORT_REGISTRY.md").chmod(0o644)
    bad = write(ws / "importwarden.toml", "[[import]]\ntarget = \n")
    result = cli("check", "--no-cache", "--exit-zero", cwd=ws)
    assert result.returncode == 2, result
    assert str(bad.name) in result.stderr and "All checks passed!" not in result.stdout


# --- 7. the docs match the behaviour -----------------------------------------------------------


def test_lint_summary_names_the_files_with_problems(cli, small):
    write(small / "importwarden.toml", '[[import]]\ntarget = "app.x:Y"\nstatus = "brokne"\n')
    result = cli("registry", "lint", "--no-workspace", cwd=small)
    assert result.returncode == 1, result
    # Two registries were read (the Markdown one is clean): the summary names the one at fault.
    assert result.stderr == "1 registry problem in importwarden.toml\n", result


def test_registry_export_writes_sources_relative_to_the_project(cli, small):
    result = cli("registry", "export", cwd=small / "app")
    assert result.returncode == 0, result
    sources = [line for line in result.stdout.splitlines() if line.startswith("source = ")]
    assert sources and all(line.startswith('source = "SSOT_IMPORT_REGISTRY.md:')
                           for line in sources), sources
    assert str(small) not in result.stdout
