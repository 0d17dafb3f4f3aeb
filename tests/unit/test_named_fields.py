"""The scanner's refs, the index's records and their bindings are read by named field
(``analysis.raw_refs``) or unpacked whole, never by a bare number such as ``raw[7]``."""

from __future__ import annotations

import re
from pathlib import Path

from importwarden.analysis.raw_refs import RAW_FIELDS, RawField, RecordField, RefFlag
from importwarden.analysis.scanner import scan
from importwarden.workspace.index import record_for_text

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "importwarden"

# the names these tuples go by in the code, subscripted with a literal number
BARE_INDEX = re.compile(r"\b(?:raw|raws|record|records|bindings|items\[-1\])\[-?\d+\]")


def bare_indices(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if BARE_INDEX.search(code):
                found.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    return found


def test_no_record_is_read_by_a_bare_number() -> None:
    assert bare_indices(PACKAGE) == []


def test_the_check_finds_a_bare_index(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = raw[7]\ny = record[RecordField.MODULE]\nz = items[-1][4]\n")
    assert bare_indices(tmp_path) == ["m.py:1: x = raw[7]", "m.py:3: z = items[-1][4]"]


def test_fields_name_what_the_scanner_writes() -> None:
    (raw,) = scan("try:\n    from .b import c as d\nexcept ImportError:\n    pass\n", "pkg.a")
    assert len(raw) == len(RAW_FIELDS) == len(RawField)
    assert raw[RawField.KIND] == "from" and raw[RawField.MODULE] == "pkg.b"
    assert (raw[RawField.NAME], raw[RawField.ALIAS], raw[RawField.LEVEL]) == ("c", "d", 1)
    assert raw[RawField.RANGE] == (1, 19, 1, 20)  # "c"
    flags = RefFlag(raw[RawField.FLAGS])
    assert flags == RefFlag.GUARDED | RefFlag.INDENTED
    assert type(raw[RawField.FLAGS]) is int  # (marshal writes exact ints only)
    record = record_for_text("from x import *\n", "pkg.a", False)
    assert len(record) == len(RecordField)
    assert (record[RecordField.MODULE], record[RecordField.STARS]) == ("pkg.a", "x")
