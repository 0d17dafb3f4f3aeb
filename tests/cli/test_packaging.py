"""Installing importwarden like any Python tool: ``python -m build`` makes a wheel and an
sdist, the wheel installs into a fresh virtual environment whose ``importwarden check`` works
on the demo, the pre-commit hook runs through ``pre-commit try-repo``, and the URLs the output
links to are the ones pyproject.toml declares.

The first two need PyPI (dependencies; pip's cache is kept in .cache/pip inside the checkout)
and take a minute or so; they run in CI with the rest of the non-e2e suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.setdefault("PIP_CACHE_DIR", str(REPO / ".cache" / "pip"))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def _run(cmd: list[str], cwd: Path, timeout: float = 600, **env: str):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(**env), capture_output=True,
                          text=True, timeout=timeout)
    return proc


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Build from a clean copy of the tracked tree, as a release would (no .venv, no caches).
    src = tmp_path_factory.mktemp("src") / "importwarden"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        rel = Path(os.fsdecode(name))
        if not (REPO / rel).is_file():
            continue
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, src / rel)
    proc = _run([sys.executable, "-m", "build", "--outdir", out, src], cwd=src)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # No setuptools license deprecation banner: the license is an SPDX string.
    assert "License classifiers are deprecated" not in proc.stdout + proc.stderr
    assert "project.license` as a TOML table is deprecated" not in proc.stdout + proc.stderr
    return out


def _has_compiler() -> bool:
    return shutil.which("cc") is not None or shutil.which("gcc") is not None


LEXER_SO = "importwarden/analysis/_lexer.abi3.so"


def test_build_gives_a_wheel_and_an_sdist(dists: Path) -> None:
    wheels = list(dists.glob("importwarden-*.whl"))
    sdists = list(dists.glob("importwarden-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in dists.iterdir())
    names = zipfile.ZipFile(wheels[0]).namelist()
    if _has_compiler():
        # one stable-ABI binary for CPython 3.10 and later on this platform
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        assert wheels[0].name.endswith(f"-cp310-abi3-{platform}.whl"), wheels[0].name
        assert LEXER_SO in names
    else:  # (setup.py's extension is optional: without a compiler the wheel is pure)
        assert wheels[0].name.endswith("-py3-none-any.whl"), wheels[0].name
    with tarfile.open(next(iter(sdists))) as sdist:  # the sdist can build it again
        assert any(n.endswith("server/importwarden/analysis/_lexer.c") for n in sdist.getnames())


@pytest.mark.skipif(not _has_compiler(), reason="no C compiler: the wheel is pure Python")
@pytest.mark.parametrize("minor", ["3.10", "3.11", "3.12", "3.13"])
def test_the_wheels_lexer_runs_on(minor: str, dists: Path, tmp_path: Path) -> None:
    """The one abi3 binary imports and lexes as the pure-Python path does on every supported
    CPython found here (pyenv's or PATH's)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(pyenv.glob(f"{minor}.*/bin/python3")) if pyenv.is_dir() else []
    python = str(found[-1]) if found else shutil.which(f"python{minor}")
    if python is None:
        pytest.skip(f"no CPython {minor} on this machine")
    zipfile.ZipFile(next(dists.glob("*.whl"))).extractall(tmp_path)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from importwarden.analysis import lexer; "
            "t = open(lexer.__file__, encoding='utf-8').read() + \"'\u00e9' import x\"; "
            "print(lexer.COMPILED, lexer.lex_c(t) == lexer.lex_py(t), lexer.__file__)")
    proc = _run([python, "-c", code, tmp_path], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    compiled, same, where = proc.stdout.split()
    assert (compiled, same) == ("True", "True")
    assert Path(where).is_relative_to(tmp_path)


def test_the_wheel_installs_into_a_fresh_venv_and_checks_the_demo(dists: Path,
                                                                  tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    wheel = next(dists.glob("*.whl"))
    install = _run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp_path)
    assert install.returncode == 0, install.stderr[-3000:]
    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo, ignore=shutil.ignore_patterns(".importwarden_cache"))
    result = _run([env_dir / "bin" / "importwarden", "check", "--no-cache"], cwd=demo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "IW001" in result.stdout and "IW007" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Found 4 errors")
    version = _run([env_dir / "bin" / "importwarden", "--version"], cwd=tmp_path)
    assert version.stdout.startswith("importwarden "), version
    compiled = _run([python, "-c", "from importwarden.analysis import lexer; print(lexer.COMPILED)"],
                    cwd=tmp_path)
    assert compiled.stdout.strip() == str(_has_compiler()), compiled.stdout + compiled.stderr


def test_pre_commit_hook_through_try_repo(tmp_path: Path) -> None:
    repo = tmp_path / "proj"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns(".importwarden_cache"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "demo"]):
        assert _run([*git, *cmd], cwd=repo).returncode == 0
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", REPO]
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    found = _run([*pre_commit, "importwarden", "--all-files"], cwd=repo, **home)
    out = found.stdout + found.stderr
    assert found.returncode == 1, out  # the demo has findings: the hook fails the commit
    assert "importwarden check" in out and "Failed" in out and "IW001" in out, out
    clean = repo / "netra_backend" / "app" / "routes" / "clean_only.py"
    clean.write_text("import os\n", encoding="utf-8")
    assert _run([*git, "add", "-A"], cwd=repo).returncode == 0
    passed = _run([*pre_commit, "importwarden", "--files", clean], cwd=repo, **home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_sarif_help_uri_is_under_a_declared_project_url() -> None:
    from importwarden.analysis.codes import DOCS_BASE_URL

    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert any(DOCS_BASE_URL.startswith(url.rstrip("/") + "/") for url in urls.values()), urls
    assert DOCS_BASE_URL.startswith(urls["Repository"])


def test_readme_states_the_python_pyproject_requires() -> None:
    import re

    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = re.fullmatch(r">=\s*(3\.\d+)", requires)
    assert minimum, requires
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"CPython {minimum.group(1)}" in readme
    assert not re.search(r"Python 3\.\d+\+", readme.replace(f"{minimum.group(1)}+", ""))
    # The discovery list is complete wherever the README gives it.
    for line in [m for m in readme.split("\n\n") if "finds `SSOT_IMPORT_REGISTRY.md`" in m]:
        assert "`*_IMPORT_REGISTRY.md`" in line, line
    assert "pip install importwarden" not in readme  # not published on an index


def test_bootstrap_reinstalls_only_when_needed() -> None:
    if not (REPO / ".venv" / ".importwarden-install.sha256").exists():
        pytest.skip(".venv/ was not made by scripts/bootstrap")
    proc = _run(["bash", REPO / "scripts" / "bootstrap"], cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == "", proc.stdout + proc.stderr  # nothing done
