"""``python -m importwarden`` in a repository must not import that repository's modules
(``-m`` puts the current directory first on ``sys.path``)."""

from __future__ import annotations

from hostile import plant_bait, ran, run

# Third-party and standard-library modules importwarden imports after start-up (``runpy``
# and what it needs are imported by Python itself before ``__main__`` runs).
BAIT_NAMES = ["pathspec", "rich", "libcst", "markdown_it", "ftfy", "argparse", "json",
              "tomllib", "hashlib", "multiprocessing", "concurrent", "dataclasses", "textwrap",
              "difflib", "tempfile", "fnmatch", "shutil", "unicodedata", "sitecustomize",
              "usercustomize"]


def test_python_m_does_not_import_the_current_directory(ws, tmp_path):
    expected = run("check", "--output-format", "json", "--no-cache", cwd=ws)
    markers = tmp_path / "markers"
    plant_bait(ws, BAIT_NAMES, markers)
    for args in (["check", "--output-format", "json", "--no-cache"],
                 ["check", "--output-format", "json"], ["fix", "--diff"], ["fix"]):
        result = run(*args, cwd=ws, module=True)
        assert "Traceback" not in result.stderr, result.stderr
        if args[0] == "check" and "--no-cache" in args:
            # (the bait packages are Python files in the project: no findings of their own)
            assert result.stdout == expected.stdout
    assert ran(markers) == []
