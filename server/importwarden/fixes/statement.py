"""Locate and parse ONE statement out of a file that may not parse as a whole.

The editor asks for quick fixes while the user is typing, so the rest of the file is often
broken. A fix therefore never parses the file: it cuts the statement out by its range, parses
that text alone with ``libcst.parse_statement`` (the statement starts at its own column, and the
continuation lines of a parenthesised statement may be indented any way), transforms it, and
puts the result back in the same place with the same indentation and newline style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from typing import Any

from importwarden.analysis.findings import Position, Range
from importwarden.lines import PositionError, first_newline, line_index, split_lines


class _Libcst:
    """``libcst``, imported when first used: the import costs ~0.2 s (most of a re-check
    after one edit), and the common fixes (a one-line ``from`` import, a mock string) are
    planned without it. ``project/batch.py`` imports it ahead in a cold run."""

    def __getattr__(self, name: str) -> Any:
        import libcst

        return getattr(libcst, name)


cst: Any = _Libcst()  # (``move_import`` and ``module_import`` use it too)

_TRAILING_COMMENT = re.compile(r"[ \t]*(#[^\r\n]*)?$")


class StatementError(ValueError):
    """The statement cannot be located or parsed; ``str(exc)`` is the reason shown to users."""


@dataclass(frozen=True)
class Located:
    """One statement cut out of a source text."""

    text: str  # exactly the statement_range text
    start: int  # offsets into the source
    end: int
    prefix: str  # the line's text before the statement
    suffix: str  # the line's text after the statement (up to the newline)
    newline: str  # the newline ending the statement's last line ("" at end of file)
    line_start: int  # offset of the first line's start

    @property
    def indent(self) -> str:
        """The statement's indentation, or "" when something precedes it on its line."""
        return self.prefix if not self.prefix.strip() else ""

    @property
    def starts_line(self) -> bool:
        return not self.prefix.strip()

    @property
    def trailing_comment(self) -> str | None:
        """The comment after the statement on its last line (``# noqa`` …), if only that."""
        m = _TRAILING_COMMENT.match(self.suffix)
        return m.group(1) if m else None


def offsets(source: str) -> list[int]:
    """Offset of each line's first character (``lines.LineIndex``, shared per text)."""
    return line_index(source).line_starts


def to_offset(source: str, pos: Position) -> int:
    try:
        return line_index(source).offset(pos.line, pos.character)
    except PositionError as exc:
        raise StatementError(str(exc)) from None


def to_position(source: str, offset: int) -> Position:
    line, column = line_index(source).position(offset)
    return Position(line, column)


def range_of(source: str, start: int, end: int) -> Range:
    return Range(to_position(source, start), to_position(source, end))


def locate(source: str, rng: Range) -> Located:
    start, end = to_offset(source, rng.start), to_offset(source, rng.end)
    if end < start:
        raise StatementError("empty statement range")
    index = line_index(source)
    line_start = index.line_starts[rng.start.line]
    last_end = index.line_span(rng.end.line)[1]
    return Located(source[start:end], start, end, source[line_start:start], source[end:last_end],
                   index.newline(rng.end.line), line_start)


def parse_small(text: str, kinds: tuple[type, ...]) -> cst.BaseSmallStatement:
    """Parse the text of one simple statement (e.g. an import) with libcst."""
    return _parse_small(text, kinds)


# libcst nodes are immutable (transforms build new ones), so one parse serves every fix of the
# same statement text: each name that moves out of a statement is a finding of its own, and
# generated trees repeat the same import statement across hundreds of files.
@lru_cache(maxsize=4096)
def _parse_small(text: str, kinds: tuple[type, ...]) -> cst.BaseSmallStatement:
    try:
        line = cst.parse_statement(text)
    except cst.ParserSyntaxError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        raise StatementError(f"the statement does not parse ({first})") from None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        raise StatementError("the range does not hold exactly one simple statement")
    node = line.body[0]
    if not isinstance(node, kinds):
        raise StatementError(f"expected {' or '.join(k.__name__ for k in kinds)}, "
                             f"found {type(node).__name__}")
    return node


def code(node: cst.CSTNode) -> str:
    return _empty_module().code_for_node(node)


@lru_cache(maxsize=1)
def _empty_module() -> Any:
    return cst.Module(body=[])


_BARE_LF = re.compile(r"(?<!\r)\n")


def reindent(text: str, newline: str) -> str:
    """Generated code uses ``\\n``; the file may use ``\\r\\n`` or ``\\r``. Only a bare
    ``\\n`` is generated: the statement's own line breaks, which libcst keeps as written
    (a ``\\`` continuation's ``\\r\\n``), stay as they are instead of gaining a second CR."""
    return text if newline in ("", "\n") else _BARE_LF.sub(newline, text)


def dominant_newline_near(source: str, loc: Located) -> str:
    return loc.newline or first_newline(source)


def dotted(expr: cst.BaseExpression | None) -> str:
    """``a.b.c`` for a Name/Attribute chain ('' for None)."""
    if expr is None:
        return ""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{dotted(expr.value)}.{expr.attr.value}"
    raise StatementError(f"not a dotted name: {code(expr)!r}")


def dotted_node(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def line_text(source: str, line: int) -> str:
    return line_index(source).line(line)


__all__ = [
    "Located", "StatementError", "code", "dotted", "dotted_node", "locate", "parse_small",
    "range_of", "reindent", "split_lines", "to_offset", "to_position", "line_text",
]
