"""Which findings the user asked not to see: ``# noqa``, skip-file, select/ignore,
per-file-ignores, and per-code severity overrides.

``# noqa`` follows ruff: a bare ``# noqa`` silences every finding on its line,
``# noqa: IW001, IW002`` (commas and/or spaces, case-insensitive ``noqa``) only those codes.
A finding is silenced by a noqa on the line where it starts, or on the first line of its
statement (so ``from a import (  # noqa: IW001`` covers the names below it).
``# importwarden: skip-file`` on a line of its own skips the whole file.

select/ignore and per-file-ignores decide which rules *run* (the rules module then lets the
next applicable rule report a ref); noqa only hides what was found.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Callable, Iterable, Mapping

from importwarden.analysis.findings import Finding, Severity
from importwarden.textio import split_lines

# ruff's noqa grammar (crates/ruff_linter/src/noqa.rs), restricted to comments.
_NOQA = re.compile(
    r"#\s*(?i:noqa)(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?"
)
_SKIP_FILE = re.compile(r"^[ \t\f]*#[ \t]*importwarden:[ \t]*skip-file\b", re.MULTILINE)
_CODE_SPLIT = re.compile(r"[,\s]+")

ALL = None  # a bare noqa


def skip_file(source: str) -> bool:
    """True when the file opts out with ``# importwarden: skip-file``."""
    return "importwarden" in source and _SKIP_FILE.search(source) is not None


def parse_noqa(line: str) -> frozenset[str] | None | bool:
    """The codes a line's noqa comment names; ``None`` for a bare noqa; False when none."""
    if "noqa" not in line.lower():
        return False
    codes: set[str] = set()
    found = False
    for m in _NOQA.finditer(line):
        found = True
        if m.group("codes") is None:
            return ALL
        codes.update(c for c in _CODE_SPLIT.split(m.group("codes")) if c)
    if not found:
        return False
    return frozenset(codes)


def noqa_lines(source: str, lines: Iterable[int]) -> dict[int, frozenset[str] | None]:
    """The noqa comments on the given 0-based lines (only lines that have one)."""
    wanted = sorted(set(lines))
    if not wanted or "noqa" not in source.lower():
        return {}
    text_lines = split_lines(source)
    out: dict[int, frozenset[str] | None] = {}
    for n in wanted:
        if 0 <= n < len(text_lines):
            parsed = parse_noqa(text_lines[n])
            if parsed is not False:
                out[n] = parsed  # type: ignore[assignment]
    return out


def finding_lines(finding: Finding) -> tuple[int, ...]:
    start = finding.range.start.line
    ref = finding.ref
    if ref is not None and ref.statement_range.start.line != start:
        return (start, ref.statement_range.start.line)
    return (start,)


def silenced(finding: Finding, noqa: Mapping[int, frozenset[str] | None]) -> bool:
    for line in finding_lines(finding):
        if line in noqa:
            codes = noqa[line]
            if codes is None or finding.code in codes:
                return True
    return False


def apply_noqa(findings: list[Finding], source: str) -> list[Finding]:
    """Drop findings a noqa comment silences."""
    if not findings or "noqa" not in source.lower():
        return findings
    noqa = noqa_lines(source, (n for f in findings for n in finding_lines(f)))
    if not noqa:
        return findings
    return [f for f in findings if not silenced(f, noqa)]


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


@lru_cache(maxsize=256)
def _spec(pattern: str):
    import pathspec

    try:
        return pathspec.PathSpec.from_lines("gitignore", [pattern])
    except (KeyError, LookupError):  # pathspec < 0.12.2 names it gitwildmatch
        return pathspec.PathSpec.from_lines("gitwildmatch", [pattern])


def file_ignores(rel_path: str, per_file_ignores: Iterable[tuple[str, frozenset[str]]]) -> frozenset[str]:
    """Codes (or prefixes) ignored for a file, from ``per-file-ignores`` globs (gitignore-style,
    matched against the path relative to the project root)."""
    if not per_file_ignores:
        return frozenset()
    path = PurePosixPath(rel_path)
    # As in .gitignore, a pattern that matches a directory covers everything below it.
    candidates = [path.as_posix()] + [p.as_posix() for p in path.parents if p.as_posix() != "."]
    ignored: set[str] = set()
    for pattern, codes in per_file_ignores:
        spec = _spec(pattern)
        if any(spec.match_file(c) for c in candidates):
            ignored.update(codes)
    return frozenset(ignored)


def enabled_for(rule_enabled: Callable[[str], bool], ignored: frozenset[str]) -> Callable[[str], bool]:
    """The rule filter for one file: the settings' select/ignore, minus its per-file-ignores."""
    if not ignored:
        return rule_enabled
    return lambda code: rule_enabled(code) and not _matches(code, ignored)


def apply_severity(findings: list[Finding], overrides: Mapping[str, Severity]) -> list[Finding]:
    """Per-code severity overrides from the settings (``severity = {IW004 = "warning"}``)."""
    if not overrides:
        return findings
    return [replace(f, severity=Severity(overrides[f.code])) if f.code in overrides else f
            for f in findings]
