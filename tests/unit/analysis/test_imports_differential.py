"""Differential test: the regex scanner agrees with an ``ast`` reference on real code.

Default: every .py file of the running CPython's stdlib (not site-packages). Set
``IW_DIFF_FULL=1`` to add site-packages of the interpreter and of the venv (~15k files, minutes).

Justified exception (filtered in ast_reference.py): an attribute use through a parenthesised
module name, ``(m).X``, is not an attribute use for the scanner (it reads ``m.X`` as text).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import warnings
from pathlib import Path

import pytest

from importwarden.analysis.scanner import scan
from importwarden.textio import SourceDecodeError, read_source

sys.path.insert(0, str(Path(__file__).parent))
from ast_reference import reference
from scan_compare import comparable, sort

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _files() -> list[Path]:
    files = [p for p in sorted(STDLIB.rglob("*.py")) if "site-packages" not in p.parts]
    if os.environ.get("IW_DIFF_FULL"):
        files += sorted((STDLIB / "site-packages").rglob("*.py"))
        files += sorted(Path(sysconfig.get_paths()["purelib"]).rglob("*.py"))
    return files


def test_scanner_matches_ast_on_the_stdlib() -> None:
    files = _files()
    assert len(files) > 1000
    mismatches: list[str] = []
    compared = 0
    for path in files:
        try:
            text = read_source(path).text
        except (OSError, SourceDecodeError):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = sort(reference(text, "pkg.mod"))
        except (SyntaxError, ValueError, RecursionError):
            scan(text, "pkg.mod")  # files the running Python can't parse: must not raise
            continue
        compared += 1
        got = comparable(scan(text, "pkg.mod"))
        if got != expected:
            extra = sorted(set(got) - set(expected), key=str)[:3]
            missing = sorted(set(expected) - set(got), key=str)[:3]
            mismatches.append(f"{path}: scanner-only {extra} ast-only {missing}")
    assert compared > 1000
    assert not mismatches, "\n".join(mismatches[:20])


@pytest.mark.parametrize(
    "package, is_package",
    [("pkg.mod", False), ("pkg", True), ("a.b.c", False), (None, False)],
)
def test_relative_resolution_matches_reference(package: str | None, is_package: bool) -> None:
    src = "from . import x\nfrom .. import y\nfrom .sub import z\nfrom ...deep.er import w\n"
    got = comparable(scan(src, package, is_package))
    assert got == sort(reference(src, package, is_package))
