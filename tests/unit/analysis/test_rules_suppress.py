"""Suppression: ruff-style noqa, skip-file, per-file-ignores, select/ignore, severity overrides."""

from __future__ import annotations

import pytest

from importwarden.analysis.findings import Finding, Range, Severity
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.analysis.suppress import (
    apply_noqa,
    apply_severity,
    enabled_for,
    file_ignores,
    parse_noqa,
    skip_file,
)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("import a  # noqa", None),
        ("import a  # NOQA", None),
        ("import a  #noqa", None),
        ("import a  # noqa: IW001", frozenset({"IW001"})),
        ("import a  # noqa:IW001,IW002", frozenset({"IW001", "IW002"})),
        ("import a  # noqa: IW001, IW002", frozenset({"IW001", "IW002"})),
        ("import a  # noqa: IW001 IW002", frozenset({"IW001", "IW002"})),
        ("import a  # some reason # noqa: IW005", frozenset({"IW005"})),
        ("import a  # noqa: IW001 -- the shim itself", frozenset({"IW001"})),
        ("import a", False),
        ("import a  # no qa", False),
    ],
)
def test_parse_noqa(line, expected):
    assert parse_noqa(line) == expected


def _finding(code: str, line: int, stmt_line: int | None = None) -> Finding:
    rng = Range.of(line, 0, line, 1)
    stmt = Range.of(stmt_line if stmt_line is not None else line, 0, line, 1)
    ref = ImportRef(RefKind.FROM, "a", "b", None, rng, rng, stmt)
    return Finding(code, Severity.ERROR, "m", "x.py", rng, ref=ref)


def test_apply_noqa_codes_and_bare():
    source = "import a  # noqa\nimport b  # noqa: IW002\nimport c  # noqa: IW001\nimport d\n"
    findings = [_finding("IW001", 0), _finding("IW001", 1), _finding("IW001", 2),
                _finding("IW001", 3)]
    kept = apply_noqa(findings, source)
    assert [f.range.start.line for f in kept] == [1, 3]


def test_noqa_on_first_line_of_parenthesised_statement():
    source = "from a import (  # noqa: IW003\n    b,\n)\nfrom a import (\n    c,  # noqa: IW003\n)\n"
    findings = [_finding("IW003", 1, stmt_line=0), _finding("IW003", 4, stmt_line=3),
                _finding("IW001", 1, stmt_line=0)]
    kept = apply_noqa(findings, source)
    assert [(f.code, f.range.start.line) for f in kept] == [("IW001", 1)]


def test_noqa_on_crlf_source():
    source = "import a  # noqa: IW001\r\nimport b\r\n"
    assert apply_noqa([_finding("IW001", 0), _finding("IW001", 1)], source) == [
        _finding("IW001", 1)]


def test_skip_file():
    assert skip_file("# importwarden: skip-file\nimport a\n")
    assert skip_file('"""doc"""\n  #importwarden:skip-file\n')
    assert not skip_file("x = '# importwarden: skip-file'\n")
    assert not skip_file("import a\n")


def test_per_file_ignores_globs():
    pfi = (("tests/*", frozenset({"IW006"})), ("__init__.py", frozenset({"IW00"})),
           ("legacy/**/*.py", frozenset({"IW002"})))
    assert file_ignores("tests/unit/test_a.py", pfi) == {"IW006"}
    assert file_ignores("pkg/__init__.py", pfi) == {"IW00"}
    assert file_ignores("legacy/a/b.py", pfi) == {"IW002"}
    assert file_ignores("src/app.py", pfi) == frozenset()
    enabled = enabled_for(lambda code: code != "IW004", file_ignores("pkg/__init__.py", pfi))
    assert not enabled("IW001") and not enabled("IW004") and not enabled("IW007")
    enabled = enabled_for(lambda code: code != "IW004", file_ignores("tests/x.py", pfi))
    assert enabled("IW001") and not enabled("IW006") and not enabled("IW004")


def test_severity_overrides():
    out = apply_severity([_finding("IW004", 0), _finding("IW001", 1)],
                         {"IW004": Severity.WARNING})
    assert [f.severity for f in out] == [Severity.WARNING, Severity.ERROR]
