"""Lines as the Language Server Protocol counts them: offset <-> (line, column).

Only ``\\r\\n``, ``\\r`` and ``\\n`` end a line. ``str.splitlines`` also breaks at ``\\f``,
``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and U+2029; Python's tokenizer and LSP clients do
not. The language server's document model (``lsp/document.py``), the fix engine
(``fixes/statement.py``, ``fixes/scope.py``), the editor's fix-all edit (``lsp/actions.py``)
and completion's auto-import edit (``analysis/completion.py``) use this module. Lines and
columns are 0-based; columns count code points (``str`` indices). The LSP layer converts columns to the client's encoding (``lsp/convert.py``).

This module imports nothing from the rest of the package: every layer may use it.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

LINE_BREAK = re.compile(r"\r\n|\r|\n")


class PositionError(ValueError):
    """A line or column outside the text; ``str(exc)`` names it 1-based, as users count."""


class LinePosition(NamedTuple):
    line: int
    column: int


def split_lines(text: str) -> list[str]:
    """Lines without their terminators (a final newline yields a final empty line)."""
    if "\r" not in text:  # only \n ends a line: str.split, ~7x faster than the regex
        return text.split("\n")
    return LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (always starts with 0)."""
    if "\r" in text:
        return [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    # LF only (nearly every file): running sums of the line lengths, in C, plus one newline
    # per line; half the time of a regex match per line (the fix planner asks this of every
    # file it plans a fix in).
    return [0] + [a + i for i, a in enumerate(accumulate(map(len, text.split("\n")[:-1])), 1)]


class LineIndex:
    """Line starts of one text, for position arithmetic in O(log lines).

    ``position(offset)`` and ``offset(line, column)`` are inverses for every offset that is not
    between the ``\\r`` and the ``\\n`` of a ``\\r\\n`` (no LSP position names that point).
    """

    __slots__ = ("text", "line_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts: list[int] = line_starts(text)

    def spliced(self, text: str, start: int, end: int, inserted: int) -> LineIndex:
        """The index of ``text``: this index's text with [start, end) replaced by ``inserted``
        characters. Only the lines around the edit are scanned again; the others' starts shift
        by the length change (a keystroke in a 5,000-line open document, ``lsp/document.py``:
        ~0.2 ms instead of ~3 ms for the whole text)."""
        starts = self.line_starts
        delta = inserted - (end - start)
        # From the start of the line holding the character before the edit (a "\r" there may
        # join a "\n" typed after it) ...
        first = bisect.bisect_right(starts, max(start - 1, 0)) - 1
        lo = starts[first]
        # ... to the first line start after the edit and the character after it (those two
        # characters are unchanged: it is still a line start, shifted).
        last = bisect.bisect_right(starts, end + 1)
        hi = starts[last] + delta if last < len(starts) else len(text)
        middle = [m.end() for m in LINE_BREAK.finditer(text, lo, hi)]
        if last < len(starts) and middle and middle[-1] == hi:
            middle.pop()  # (the tail's first start)
        out = LineIndex.__new__(LineIndex)
        out.text = text
        out.line_starts = [*starts[:first + 1], *middle,
                           *(map(delta.__add__, starts[last:]) if delta else starts[last:])]
        return out

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def position(self, offset: int) -> LinePosition:
        """(line, column) of ``offset`` (0 <= offset <= len(text))."""
        if not 0 <= offset <= len(self.text):
            raise PositionError(f"offset {offset} is outside the text (0..{len(self.text)})")
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return LinePosition(line, offset - self.line_starts[line])

    def offset(self, line: int, column: int, *, clamp: bool = False) -> int:
        """Offset of (line, column). A line past the end, or a column past the line's text
        (its terminator excluded), raises ``PositionError``; with ``clamp`` they land at the
        end of the text / of the line, as LSP asks servers to treat them."""
        if not 0 <= line < len(self.line_starts):
            if not clamp:
                raise PositionError(f"line {line + 1} is past the end")
            if line < 0:
                return 0
            return len(self.text)
        start, end = self.line_span(line)
        if not 0 <= column <= end - start:
            if not clamp:
                raise PositionError(f"column {column + 1} is past the end of line {line + 1}")
            column = min(max(column, 0), end - start)
        return start + column

    def line_span(self, line: int) -> tuple[int, int]:
        """(start, end) offsets of the line's text, its terminator excluded."""
        start = self.line_starts[line]
        if line + 1 < len(self.line_starts):
            end = self.line_starts[line + 1] - 1  # the terminator's last character
            if end > start and self.text[end] == "\n" and self.text[end - 1] == "\r":
                end -= 1
        else:
            end = len(self.text)
        return start, end

    def line(self, line: int) -> str:
        """The line's text without its terminator."""
        start, end = self.line_span(line)
        return self.text[start:end]

    def newline(self, line: int) -> str:
        """The terminator ending ``line`` ("" for the last line)."""
        _, end = self.line_span(line)
        nxt = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else end
        return self.text[end:nxt]

    def lines(self) -> list[str]:
        return split_lines(self.text)


def first_newline(text: str) -> str:
    """The text's first line break (the style new lines should use), LF when it has none."""
    m = LINE_BREAK.search(text)
    return m.group() if m else "\n"


@lru_cache(maxsize=8)
def line_index(text: str) -> LineIndex:
    """A shared ``LineIndex`` of ``text``: the fix planner and completion ask many questions
    about the same text, one after the other."""
    return LineIndex(text)


__all__ = ["LINE_BREAK", "LineIndex", "LinePosition", "PositionError", "first_newline",
           "line_index", "line_starts", "split_lines"]
