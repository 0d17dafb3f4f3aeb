"""``importwarden report`` on real git histories: counts by rule per first-parent commit, the
same as ``check`` gives on that commit's tree, without checking anything out."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from collections import Counter
from pathlib import Path

import pytest

REGISTRY = ("# Import registry\n\n```python\n"
            "from pkg.old import helper  # \u274c BROKEN PATH\n"
            "# USE INSTEAD: from pkg.new import helper\n```\n")


def _history(repo) -> list[str]:
    shas = [repo.commit("start", {
        "IMPORT_REGISTRY.md": REGISTRY,
        "pkg/__init__.py": "",
        "pkg/old.py": "def helper():\n    return 1\n",
        "pkg/new.py": "def helper():\n    return 1\n",
        "a.py": "from pkg.old import helper\nfrom pkg.missing import nothing\n",
        "b.py": "from pkg.old import helper\n",
    })]
    shas.append(repo.commit("fix a", {"a.py": "from pkg.new import helper\n"
                                              "from pkg.missing import nothing\n"}))
    shas.append(repo.commit("docs only", {"README.txt": "hello\n"}))
    shas.append(repo.commit("add missing", {"pkg/missing.py": "nothing = None\n"}))
    shas.append(repo.commit("mark old deprecated", {
        "IMPORT_REGISTRY.md": REGISTRY.replace("\u274c BROKEN PATH", "\u26a0\ufe0f DEPRECATED")}))
    shas.append(repo.commit("fix b", {"b.py": "from pkg.new import helper\n"}))
    return shas


def _report(cli, root: Path, *args: str) -> dict:
    result = cli("report", *args, cwd=root)
    assert result.returncode == 0, result
    return json.loads(result.stdout)


def _check_counts(repo, sha: str, tmp: Path) -> dict[str, int]:
    """What ``importwarden check`` says on a real copy of the commit's tree."""
    target = tmp / sha[:12]
    target.mkdir()
    data = subprocess.run(["git", "archive", sha], cwd=repo.root, capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(target, filter="data")
    done = subprocess.run([str(Path(__import__("sys").executable).parent / "importwarden"),
                           "check", "--output-format", "json", "--no-cache", "--exit-zero"],
                          cwd=target, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return dict(Counter(f["code"] for f in json.loads(done.stdout)))


def test_counts_by_rule_match_check_on_each_commit(repo, cli, tmp_path: Path) -> None:
    shas = _history(repo)
    data = _report(cli, repo.root)
    rows = data["rows"]
    assert [r["commit"] for r in rows] == shas
    assert [r["counts"] for r in rows] == [
        # (a broken entry whose module still resolves is reported as deprecated)
        {"IW002": 2, "IW005": 1}, {"IW002": 1, "IW005": 1}, {"IW002": 1, "IW005": 1},
        {"IW002": 1}, {"IW002": 1}, {}]
    for row in rows:
        assert row["counts"] == _check_counts(repo, row["commit"], tmp_path), row["subject"]
    assert [r["files_touched"] for r in rows] == [5, 1, 0, 1, 0, 1]
    assert rows[0]["date"].startswith("2026-11-01") and rows[1]["subject"] == "fix a"


def test_registry_at_head_judges_every_commit_with_todays_registry(repo, cli) -> None:
    _history(repo)
    repo.commit("deprecate the new path too", {"IMPORT_REGISTRY.md": REGISTRY.replace(
        "```\n", "from pkg.new import helper  # \u26a0\ufe0f DEPRECATED\n```\n", 1).replace(
        "\u274c BROKEN PATH", "\u26a0\ufe0f DEPRECATED")})
    by_commit = _report(cli, repo.root)["rows"]
    at_head = _report(cli, repo.root, "--registry-at", "head")["rows"]
    assert [r["commit"] for r in by_commit] == [r["commit"] for r in at_head]
    assert by_commit[1]["counts"] == {"IW002": 1, "IW005": 1}
    assert at_head[1]["counts"] == {"IW002": 2, "IW005": 1}  # a.py's new path, by today's
    assert at_head[-1]["counts"] == by_commit[-1]["counts"] == {"IW002": 2}


def test_sampling_every_n_and_by_day(repo, cli) -> None:
    shas = _history(repo)
    rows = _report(cli, repo.root, "--every", "4")["rows"]
    assert [r["commit"] for r in rows] == [shas[1], shas[5]]
    assert rows[0]["files_touched"] == 5  # (all files, against nothing before it)
    days = _report(cli, repo.root, "--every", "day")["rows"]
    assert len(days) == len(shas)  # one commit per day in these histories
    since = _report(cli, repo.root, "--since", shas[3])["rows"]
    assert [r["commit"] for r in since] == shas[4:]


def test_first_parent_only(repo, cli) -> None:
    shas = _history(repo)
    repo.git("checkout", "-q", "-b", "side", shas[0])
    side = repo.commit("side work", {"c.py": "from pkg.old import helper\n"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    rows = _report(cli, repo.root)["rows"]
    assert side not in [r["commit"] for r in rows]
    assert rows[-1]["subject"] == "merge side" and rows[-1]["counts"] == {"IW002": 1}


def test_scans_are_cached_by_blob_in_a_sealed_file(repo, cli) -> None:
    _history(repo)
    first = _report(cli, repo.root)
    cache = repo.root / ".importwarden_cache" / "history-blobs.bin"
    assert cache.is_file() and cache.read_bytes().startswith(b"IWCACHE\0")
    assert _report(cli, repo.root) == first
    cache.write_bytes(cache.read_bytes()[:-3] + b"xyz")  # tampered: ignored, rebuilt
    assert _report(cli, repo.root) == first


def test_html_and_svg_outputs(repo, cli, tmp_path: Path) -> None:
    _history(repo)
    page = tmp_path / "report.html"
    result = cli("report", "--output", str(page), cwd=repo.root)
    assert result.returncode == 0, result
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and 'id="rows"' in text and "http" not in text.replace(
        "http://www.w3.org/2000/svg", "")
    chart = tmp_path / "chart.svg"
    assert cli("report", "-o", str(chart), cwd=repo.root).returncode == 0
    assert chart.read_text(encoding="utf-8").startswith("<svg")


def test_bad_input_is_one_line_and_exit_2(repo, cli, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("report", cwd=plain)
    assert result.returncode == 2 and "not a git repository" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    shas = _history(repo)
    result = cli("report", "--since", "deadbeef", cwd=repo.root)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "deadbeef: no such commit" in result.stderr
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.root}", str(shallow)],
                   check=True, capture_output=True)
    result = cli("report", cwd=shallow)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "shallow clone" in result.stderr and "--since" in result.stderr
    ok = cli("report", "--since", shas[-2], cwd=shallow)
    assert ok.returncode == 0, ok
    assert [r["commit"] for r in json.loads(ok.stdout)["rows"]] == [shas[-1]]


@pytest.mark.parametrize("every", ["0", "x"])
def test_bad_every(repo, cli, every: str) -> None:
    _history(repo)
    result = cli("report", "--every", every, cwd=repo.root)
    assert result.returncode == 2 and "--every" in result.stderr


def test_unchanged_files_are_checked_again_when_what_they_import_changes(repo, cli,
                                                                           tmp_path: Path) -> None:
    repo.commit("start", {"IMPORT_REGISTRY.md": REGISTRY, "pkg/__init__.py": "",
                          "pkg/lib.py": "def one():\n    return 1\n",
                          "pkg/star.py": "from pkg.lib import *\n",
                          "user.py": ("from pkg.lib import two\nfrom pkg.star import two as t\n"
                                      "from pkg import later\nimport pkg.gone.deep\n")})
    repo.commit("a name appears", {"pkg/lib.py": "def one():\n    return 1\n\n\n"
                                                 "def two():\n    return 2\n"})
    repo.commit("a submodule appears", {"pkg/later.py": "X = 1\n"})
    repo.commit("the name goes again", {"pkg/lib.py": "def one():\n    return 1\n"})
    repo.commit("a package appears", {"pkg/gone/__init__.py": "", "pkg/gone/deep.py": ""})
    rows = _report(cli, repo.root)["rows"]
    assert [r["counts"].get("IW005", 0) for r in rows] == [4, 2, 1, 3, 2]
    for row in rows:
        assert row["counts"] == _check_counts(repo, row["commit"], tmp_path), row["subject"]


# --- what a commit checks again, and the worker pools --------------------------------------------

HUB = "def used():\n    return 1\n"


def _wide_history(repo) -> list[str]:
    """40 modules that import a hub (every fourth also a broken path), a chain of two star
    re-exports, then: private and wanted names added to the hub, a name added at the bottom
    of the star chain and another taken away, a module deleted, then registry changes: one
    entry's status, only its lines, an entry for the hub."""
    files = {"IMPORT_REGISTRY.md": REGISTRY, "pkg/__init__.py": "", "mods/__init__.py": "",
             "pkg/old.py": "def helper():\n    return 1\n",
             "pkg/new.py": "def helper():\n    return 1\n", "pkg/hub.py": HUB,
             "pkg/base.py": "X = 1\n", "pkg/mid.py": "from pkg.base import *\n",
             "pkg/top.py": "from pkg.mid import *\n",
             "star_user.py": "from pkg.top import late\nfrom pkg.top import X\n"}
    for i in range(40):
        files[f"mods/m{i}.py"] = ("from pkg.hub import used\n"
                                  + ("from pkg.old import helper\n" if i % 4 == 0 else "")
                                  + ("from pkg.hub import later\n" if i == 7 else ""))
    shas = [repo.commit("start", files)]
    shas.append(repo.commit("hub: a private name", {"pkg/hub.py": HUB + "_private = 2\n"}))
    shas.append(repo.commit("hub: a wanted name", {"pkg/hub.py": HUB + "_private = 2\nlater = 3\n"}))
    shas.append(repo.commit("star base: a name", {"pkg/base.py": "X = 1\nlate = 1\n"}))
    shas.append(repo.commit("star base: a name goes", {"pkg/base.py": "late = 1\n"}))
    shas.append(repo.commit("old goes", remove=("pkg/old.py",)))
    shas.append(repo.commit("registry: old deprecated", {
        "IMPORT_REGISTRY.md": REGISTRY.replace("\u274c BROKEN PATH", "\u26a0\ufe0f DEPRECATED")}))
    shas.append(repo.commit("registry: a heading (no entry changes)", {
        "IMPORT_REGISTRY.md": "# Heading\n\n" + REGISTRY.replace(
            "\u274c BROKEN PATH", "\u26a0\ufe0f DEPRECATED")}))
    shas.append(repo.commit("registry: the hub deprecated", {
        "IMPORT_REGISTRY.md": "# Heading\n\n" + REGISTRY.replace(
            "\u274c BROKEN PATH", "\u26a0\ufe0f DEPRECATED").replace(
            "```\n", "from pkg.hub import used  # \u26a0\ufe0f DEPRECATED\n```\n", 1)}))
    return shas


def _rows(root: Path, **kwargs) -> list:
    from importwarden.config import load_settings
    from importwarden.history.git import Repo
    from importwarden.history.report import build_report

    return build_report(load_settings(root), Repo(root), cache_dir=None, **kwargs).rows


def test_a_commit_checks_only_the_files_a_change_reaches(repo, tmp_path: Path) -> None:
    shas = _wide_history(repo)
    rows = _rows(repo.root, jobs=1)
    assert [r.commit for r in rows] == shas
    files = 40 + 9  # (the 40, the two packages' __init__, six in pkg/, star_user.py)
    assert [r.checked for r in rows] == [
        files,
        1,  # the hub only: nobody takes the private name
        2,  # the hub and mods/m7 (it takes ``later``)
        2,  # pkg/base.py and star_user.py, which takes ``late`` through two star imports
        2,  # the same two: ``X`` is gone from pkg.top too
        11,  # the ten importers of the module that went, and star_user.py (its IW005 may
        # have been about it)
        10 + 1,  # an entry changed: the importers of its module (and the IW005 holder)
        0,  # the registry's lines moved, no entry changed
        40 + 1,  # the hub's entry: its 40 importers (and the IW005 holder)
    ]
    for row in rows:
        assert row.counts == _check_counts(repo, row.commit, tmp_path), row.subject
    assert [r.counts.get("IW005", 0) for r in rows] == [2, 2, 1, 0, 1, 1, 1, 1, 1]
    assert rows[-1].counts.get("IW002", 0) == rows[-2].counts.get("IW002", 0) + 40


_NOTES: list[Path] = []  # where the noting workers below leave their pids
_REAL: dict = {}


def _noting_scan(items):
    (_NOTES[0] / f"scan-{os.getpid()}").touch()
    return _REAL["scan"](items)


def _noting_check(items):
    (_NOTES[0] / f"check-{os.getpid()}").touch()
    return _REAL["check"](items)


def test_the_worker_pools_give_the_serial_rows(repo, monkeypatch, tmp_path: Path) -> None:
    from importwarden.history import report
    from importwarden.workspace import index

    _wide_history(repo)
    serial = _rows(repo.root, jobs=1)
    monkeypatch.setattr(index, "PARALLEL_MIN_FILES", 1)
    # (module-level functions: the pool pickles them by name, the forked workers find them)
    notes_dir = tmp_path / "workers"
    notes_dir.mkdir()
    _NOTES[:] = [notes_dir]
    _REAL.update(scan=report._scan_chunk, check=report._check_chunk)
    monkeypatch.setattr(report, "_scan_chunk", _noting_scan)
    monkeypatch.setattr(report, "_check_chunk", _noting_check)
    assert _rows(repo.root, jobs=2) == serial
    notes = [p.name.split("-") for p in notes_dir.iterdir()]
    assert {kind for kind, _pid in notes} == {"scan", "check"}
    assert str(os.getpid()) not in {pid for _kind, pid in notes}
