"""Rewrite a mock target inside its string: ``patch('a.b.C.meth')`` -> ``patch('c.d.C.meth')``.

Only the string's contents change, so the quote style (single, double, triple) and any prefix
(``r''``, ``u''``) are kept as written. A string whose contents are not exactly the dotted target
(escapes, implicit concatenation, f-strings) is refused rather than guessed at.
"""

from __future__ import annotations

import re

from importwarden.analysis.findings import TextEdit
from importwarden.fixes.statement import StatementError, locate, range_of, to_offset

_DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*\Z")
_PREFIX = re.compile(r"(?i)[rbuf]{0,2}")


def new_target(replacement_module: str, replacement_name: str | None) -> str:
    return f"{replacement_module}.{replacement_name}" if replacement_name else replacement_module


def plan_mock(source: str, ref, target: str) -> tuple[list[TextEdit], str]:
    if not _DOTTED.match(target):
        raise StatementError(f"`{target}` is not a dotted mock target")
    start, end = to_offset(source, ref.range.start), to_offset(source, ref.range.end)
    if source[start:end] != ref.module:
        raise StatementError("the string is not exactly the target as written (escapes or "
                             "concatenation); not rewritten")
    literal = locate(source, ref.statement_range).text
    prefix = _PREFIX.match(literal).group()  # type: ignore[union-attr]
    if "f" in prefix.lower() or "b" in prefix.lower():
        raise StatementError("f-strings and bytes are not rewritten")
    return [TextEdit(range_of(source, start, end), target)], \
        f"Patch `{target}` instead of `{ref.module}`"
