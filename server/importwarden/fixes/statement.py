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

import libcst as cst

from importwarden.analysis.findings import Position, Range
from importwarden.textio import line_starts, split_lines

_TRAILING_COMMENT = re.compile(r"[ \t]*(#[^\r\n]*)?$")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_EMPTY_MODULE = cst.Module(body=[])


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
    return _cached_line_starts(source)


@lru_cache(maxsize=8)
def _cached_line_starts(source: str) -> list[int]:
    return line_starts(source)


def to_offset(source: str, pos: Position) -> int:
    starts = offsets(source)
    if pos.line >= len(starts):
        raise StatementError(f"line {pos.line + 1} is past the end of the file")
    start = starts[pos.line]
    end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(source)
    line = source[start:end].rstrip("\r\n")
    if pos.character > len(line):
        raise StatementError(f"column {pos.character + 1} is past the end of line {pos.line + 1}")
    return start + pos.character


def to_position(source: str, offset: int) -> Position:
    starts = offsets(source)
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # last line start <= offset
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return Position(lo, offset - starts[lo])


def range_of(source: str, start: int, end: int) -> Range:
    return Range(to_position(source, start), to_position(source, end))


def locate(source: str, rng: Range) -> Located:
    start, end = to_offset(source, rng.start), to_offset(source, rng.end)
    if end < start:
        raise StatementError("empty statement range")
    starts = offsets(source)
    line_start = starts[rng.start.line]
    last_line = rng.end.line
    last_end = starts[last_line + 1] if last_line + 1 < len(starts) else len(source)
    tail = source[end:last_end]
    m = _NEWLINE.search(tail)
    suffix, newline = (tail[: m.start()], m.group()) if m else (tail, "")
    return Located(source[start:end], start, end, source[line_start:start], suffix, newline,
                   line_start)


def parse_small(text: str, kinds: tuple[type, ...]) -> cst.BaseSmallStatement:
    """Parse the text of one simple statement (e.g. an import) with libcst."""
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
    return _EMPTY_MODULE.code_for_node(node)


_BARE_LF = re.compile(r"(?<!\r)\n")


def reindent(text: str, newline: str) -> str:
    """Generated code uses ``\\n``; the file may use ``\\r\\n`` or ``\\r``. Only a bare
    ``\\n`` is generated: the statement's own line breaks, which libcst keeps as written
    (a ``\\`` continuation's ``\\r\\n``), stay as they are instead of gaining a second CR."""
    return text if newline in ("", "\n") else _BARE_LF.sub(newline, text)


def dominant_newline_near(source: str, loc: Located) -> str:
    if loc.newline:
        return loc.newline
    m = _NEWLINE.search(source)
    return m.group() if m else "\n"


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
    starts = offsets(source)
    end = starts[line + 1] if line + 1 < len(starts) else len(source)
    return source[starts[line]:end].rstrip("\r\n")


__all__ = [
    "Located", "StatementError", "code", "dotted", "dotted_node", "locate", "parse_small",
    "range_of", "reindent", "split_lines", "to_offset", "to_position", "line_text",
]
